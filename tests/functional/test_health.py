"""GET /api/health: 200 when the database and queue answer, 503 naming the part that does not."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from kiosk_server import create_app
from kiosk_server.extensions import db
from tests.conftest import make_config
from tests.live_server import free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _app(tmp_path: Path, database_url: str | None = None, **overrides: object) -> Flask:
    url = database_url or f"sqlite:///{tmp_path / 'health.sqlite3'}"
    app = create_app(make_config(url, tmp_path, **overrides))
    if url.startswith("sqlite"):
        with app.app_context():
            db.create_all()
    return app


def test_one_process_is_healthy_on_each_database(client: FlaskClient) -> None:
    reply = client.get("/api/health")

    assert reply.status_code == 200
    assert reply.json == {"status": "ok", "database": "ok", "queue": "embedded"}
    assert reply.headers["Cache-Control"] == "no-store"


@pytest.mark.skipif(not _redis_reachable(), reason="Redis not reachable")
def test_a_reachable_queue_is_checked(tmp_path: Path) -> None:
    app = _app(tmp_path, message_queue_url=REDIS_URL, message_queue_channel="health-test")

    reply = app.test_client().get("/api/health")

    assert reply.status_code == 200
    assert reply.json == {"status": "ok", "database": "ok", "queue": "ok"}


def test_a_closed_queue_port_is_named_quickly_and_without_its_address(tmp_path: Path) -> None:
    port = free_port()
    app = _app(tmp_path, message_queue_url=f"redis://:s3cret-word@127.0.0.1:{port}/0")

    started = time.monotonic()
    reply = app.test_client().get("/api/health")

    assert reply.status_code == 503
    assert reply.json == {"status": "error", "database": "ok", "queue": "error"}
    assert time.monotonic() - started < 5
    assert b"s3cret" not in reply.data and str(port).encode() not in reply.data


def test_a_closed_database_port_is_named(tmp_path: Path) -> None:
    port = free_port()
    app = _app(tmp_path, f"postgresql+psycopg://kiosk:s3cret-word@127.0.0.1:{port}/kiosk")

    reply = app.test_client().get("/api/health")

    assert reply.status_code == 503
    assert reply.json == {"status": "error", "database": "error", "queue": "embedded"}
    assert b"s3cret" not in reply.data


def test_only_get_is_answered(client: FlaskClient) -> None:
    assert client.post("/api/health").status_code == 405
