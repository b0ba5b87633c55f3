"""Two real server processes sharing one database and one Redis message queue.

A screen connected to one process hears what staff publish through the other,
can move to the other process and catch up, and the expiry sweep that both
processes run records each expiry once.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk_server import create_app
from kiosk_server.extensions import db
from kiosk_server.timeutil import utcnow
from tests.conftest import POSTGRES_ADMIN_URL, make_config
from tests.factories import World, build_world, listing_input
from tests.live_server import RemoteScreen, Server, StaffSession, free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_reachable(), reason="Redis not reachable")


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh PostgreSQL database when there is one, else a SQLite file both processes share."""
    name = f"kiosk_mp_{secrets.token_hex(4)}"
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        yield f"sqlite:///{tmp_path_factory.mktemp('mp') / 'shared.sqlite3'}"
        return
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def cluster(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server, World, dict[str, Any]]]:
    instance = tmp_path_factory.mktemp("mp-instance")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MESSAGE_QUEUE_URL": REDIS_URL,
        "MESSAGE_QUEUE_CHANNEL": f"test-{secrets.token_hex(4)}",
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "multiprocess-test",
        "SWEEP_INTERVAL_SECONDS": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "kiosk_server", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    app = create_app(make_config(database_url, instance))
    with app.app_context():
        world = build_world()
        ids = {"jiuquhe": world.jiuquhe.id, "taidong1": world.taidong1.id}
        ids["scope"] = world.jiuquhe.ancestor_ids
        ids["street"] = world.huangdao_street.id
        db.session.remove()
        db.engine.dispose()
    servers = [Server(env, free_port(), instance / f"server{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers[0], servers[1], world, ids
    finally:
        for server in servers:
            server.stop()


def test_a_listing_published_through_one_process_reaches_a_screen_on_the_other(cluster) -> None:
    first, second, world, ids = cluster
    near = RemoteScreen(first, ids["jiuquhe"])
    far = RemoteScreen(first, ids["taidong1"])
    try:
        staff = StaffSession(second.url, "admin", world.passwords["admin"])
        listing = staff.publish(listing_input(target_id=ids["street"], title="跨进程发布"))

        [change] = near.wait_for(1)
        assert change["id"] == listing["id"]
        assert change["data"]["title"] == "跨进程发布"
        assert far.wait_for(1, timeout=1) == []
    finally:
        near.client.disconnect()
        far.client.disconnect()


def test_a_screen_that_moves_process_catches_up_with_exactly_what_it_missed(cluster) -> None:
    first, second, world, ids = cluster
    screen = RemoteScreen(first, ids["jiuquhe"])
    try:
        cursors = screen.sync({str(i): 0 for i in ids["scope"]}).get("cursors") or {}
        if "resync" in screen.sync(cursors):
            pytest.fail("fresh cursors should not need a resync")
        screen.client.disconnect()
        staff = StaffSession(second.url, "admin", world.passwords["admin"])
        missed = [
            staff.publish(listing_input(target_id=ids["jiuquhe"], title=f"离线时发布{n}"))["id"]
            for n in range(3)
        ]

        screen.move_to(second)
        reply = screen.sync(cursors)

        assert [change["id"] for change in reply["changes"]] == missed
        assert screen.sync(reply["cursors"])["changes"] == []
    finally:
        screen.client.disconnect()


def test_both_processes_sweep_but_each_expiry_is_recorded_once(cluster, database_url) -> None:
    first, second, world, ids = cluster
    screen = RemoteScreen(first, ids["jiuquhe"])
    try:
        staff = StaffSession(second.url, "admin", world.passwords["admin"])
        until = (utcnow() + timedelta(seconds=2)).isoformat()
        listing = staff.publish(
            listing_input(target_id=ids["jiuquhe"], title="马上过期", valid_until=until)
        )
        screen.wait_for(1)

        changes = screen.wait_for(2, timeout=10)
        time.sleep(2.5)  # both sweepers have had their turn again

        removals = [c for c in screen.changes if c["op"] == "remove"]
        assert [(c["id"], c["reason"]) for c in removals] == [(listing["id"], "expired")]
        assert len(changes) == 2
        engine = create_engine(database_url)
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT count(*) FROM changes WHERE entity_id = :id AND reason = 'expired'"),
                {"id": listing["id"]},
            ).scalar()
        engine.dispose()
        assert stored == 1
    finally:
        screen.client.disconnect()
