"""Pieces the cluster tests share: a fresh PostgreSQL database per module, the
schema and test world in it, and the launcher's own code (scripts/cluster.py) to
start app processes and nginx, so the tests run what `make cluster` runs.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy import create_engine, text

from kiosk_server.config import RATE_LIMITS
from scripts import cluster
from tests.conftest import POSTGRES_ADMIN_URL, make_config
from tests.factories import build_world
from tests.live_server import StaffSession

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_SERVER = shutil.which("redis-server")


def _postgres_reachable() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def skip_unless(*, postgres: bool = True, redis_: bool = True, nginx: bool = True) -> None:
    """Skip the calling module, saying why, when what it needs is not on this machine."""
    if postgres and not _postgres_reachable():
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}", allow_module_level=True)
    if redis_ and not _redis_reachable():
        pytest.skip(f"Redis not reachable at {REDIS_URL}", allow_module_level=True)
    if nginx and cluster.find_nginx() is None:
        pytest.skip(
            "nginx not installed (scripts/ensure-nginx.sh installs it as root)",
            allow_module_level=True,
        )


@dataclass
class Prepared:
    """A migrated database holding the test world."""

    url: str
    ids: dict[str, Any]
    passwords: dict[str, str]

    def staff(self, base_url: str) -> StaffSession:
        return StaffSession(base_url, "admin", self.passwords["admin"])


def app_env(url: str, queue: str, instance: Path, **extra: str) -> dict[str, str]:
    return cluster.app_env(
        url,
        queue,
        f"cluster-test-{secrets.token_hex(4)}",
        instance,
        SECRET_KEY="cluster-test",
        SWEEP_INTERVAL_SECONDS="1",
        LOGIN_RATE_LIMIT="1000 per minute",
        **{f"RATE_LIMIT_{name.upper()}": "off" for name in RATE_LIMITS},
        **extra,
    )


def prepare(url: str, instance: Path) -> Prepared:
    """Migrate the database as an operator would (flask db upgrade), then add the test world."""
    from kiosk_server import create_app
    from kiosk_server.extensions import db

    cluster.flask(app_env(url, "", instance), "db", "upgrade")
    app = create_app(make_config(url, instance))
    with app.app_context():
        world = build_world()
        ids = {
            "jiuquhe": world.jiuquhe.id,
            "taidong1": world.taidong1.id,
            "street": world.huangdao_street.id,
            "scope": world.jiuquhe.ancestor_ids,
        }
        passwords = dict(world.passwords)
        db.session.remove()
        db.engine.dispose()
    return Prepared(url, ids, passwords)


@pytest.fixture(scope="module")
def fresh_database() -> Iterator[str]:
    """A new database on the machine's PostgreSQL for this module, dropped after it."""
    name = f"kiosk_cluster_{secrets.token_hex(4)}"
    url = cluster.create_database(name, POSTGRES_ADMIN_URL, exist_ok=False)
    yield url
    cluster.drop_database(name, POSTGRES_ADMIN_URL)


def change_log(
    url: str, scopes: list[int], after: dict[str, int]
) -> list[tuple[int, int, int, int]]:
    """(seq, prev, scope, listing id) of each listing change in `scopes` after `after`, in order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT seq, prev_seq, entity_id, scope_id FROM changes "
                    "WHERE scope_id = ANY(:scopes) ORDER BY seq"
                ),
                {"scopes": scopes},
            ).all()
    finally:
        engine.dispose()
    return [
        (r.seq, r.prev_seq, r.scope_id, r.entity_id)
        for r in rows
        if r.seq > after.get(str(r.scope_id), 0)
    ]


def upstream_port(nginx_url: str) -> int:
    """The app process nginx sends this machine's clients to (its X-Upstream header)."""
    reply = requests.get(f"{nginx_url}/api/places", timeout=5)
    reply.raise_for_status()
    return int(reply.headers["X-Upstream"].split(",")[-1].strip().rsplit(":", 1)[1])


class PrivateRedis:
    def __init__(self, log: Path) -> None:
        self.port = cluster.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        assert REDIS_SERVER, "redis-server not installed"
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def two_apps(
    url: str, queue: str, run: Path
) -> Iterator[tuple[Prepared, list[cluster.AppProcess]]]:
    """The test world in `url`, and two app processes sharing the queue at `queue`."""
    prepared = prepare(url, run / "instance")
    env = app_env(url, queue, run / "instance")
    apps = cluster.start_apps(env, [cluster.free_port(), cluster.free_port()], run)
    try:
        yield prepared, apps
    finally:
        cluster.stop_apps(apps)


@contextmanager
def two_apps_on_private_redis(
    url: str, run: Path
) -> Iterator[tuple[Prepared, PrivateRedis, list[cluster.AppProcess]]]:
    """Two app processes on a redis-server of their own, for tests that stop it."""
    queue = PrivateRedis(run / "redis.log").start()
    try:
        with two_apps(url, queue.url, run) as (prepared, apps):
            yield prepared, queue, apps
    finally:
        queue.kill()


@contextmanager
def two_apps_behind_nginx(
    url: str, run: Path
) -> Iterator[tuple[Prepared, list[cluster.AppProcess], cluster.Nginx]]:
    """Two app processes on the machine's Redis, behind the launcher's nginx."""
    nginx_binary = cluster.find_nginx()
    assert nginx_binary
    with two_apps(url, REDIS_URL, run) as (prepared, apps):
        port = cluster.free_port()
        cluster.write_nginx_config(run, port, [app.port for app in apps])
        nginx = cluster.Nginx(nginx_binary, run, port).start()
        try:
            yield prepared, apps, nginx
        finally:
            nginx.stop()
