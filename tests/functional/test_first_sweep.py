"""A process sweeps as soon as it starts, not one interval later: a listing whose end
passed while no server ran is gone from the screens right after a cold start."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import requests

from kiosk_server import create_app
from kiosk_server.extensions import db
from kiosk_server.timeutil import utcnow
from tests.conftest import make_config
from tests.factories import build_world, make_listing
from tests.live_server import Server, free_port

TITLE = "停机期间到期的招聘"


def _instance_with_an_expired_listing(folder: Path) -> tuple[str, int]:
    """A database left by a server that stopped before the listing's end passed:
    still published, its valid_until an hour ago. Its URL and the community it shows in."""
    url = f"sqlite:///{folder / 'kiosk.sqlite3'}"
    app = create_app(make_config(url, folder))
    with app.app_context():
        db.create_all()
        world = build_world()
        listing = make_listing(target=world.jiuquhe, title=TITLE)
        listing.valid_until = utcnow() - timedelta(hours=1)
        db.session.commit()
        community_id = world.jiuquhe.id
        db.session.remove()
        db.engine.dispose()
    return url, community_id


def _titles(server: Server, community_id: int) -> set[str]:
    feed = requests.get(f"{server.url}/api/feed?community_id={community_id}", timeout=5).json()
    return {item["title"] for item in feed["items"]}


def test_a_listing_that_expired_while_no_server_ran_is_gone_right_after_start(
    tmp_path: Path,
) -> None:
    url, community_id = _instance_with_an_expired_listing(tmp_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "MESSAGE_QUEUE_URL", "SOCKETIO_ASYNC_MODE")
    }
    env.update(
        INSTANCE_PATH=str(tmp_path),
        DATABASE_URL=url,
        HOST="127.0.0.1",
        SECRET_KEY=secrets.token_hex(8),
        # The next sweep an hour away: only one at start can take the listing down.
        SWEEP_INTERVAL_SECONDS="3600",
    )
    server = Server(env, free_port(), tmp_path / "server.log")
    try:
        server.wait_ready()
        # Far less than the interval; the first sweep runs while the worker starts.
        deadline = time.monotonic() + 15
        while TITLE in (titles := _titles(server, community_id)):
            assert time.monotonic() < deadline, (titles, server.log.read_text())
            time.sleep(0.2)
    finally:
        server.stop()
