"""A database that cannot be reached gives a clear 503, not a server error; one
that dropped the pool's connections is reconnected to without an error.

The tests in tests/cluster/ restart a real PostgreSQL under publishing staff;
this one needs no server: nothing listens on the port the app is given.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import TimeoutError as PoolTimeout

import kiosk_server
from kiosk_server import create_app
from kiosk_server.extensions import db
from tests.conftest import POSTGRES_ADMIN_URL, make_config
from tests.live_server import free_port


def test_an_unreachable_database_answers_503_database_unavailable(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    client = create_app(make_config(url, tmp_path)).test_client()

    reply = client.get("/api/feed?community_id=1")

    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    assert reply.get_json() == {
        "error": {"code": "database_unavailable", "message": "数据库暂时不可用，请稍后再试"}
    }


def test_a_request_that_finds_no_free_database_connection_answers_503_server_busy(
    tmp_path: Path,
) -> None:
    app = create_app(
        make_config(f"sqlite:///{tmp_path / 'busy.sqlite3'}", tmp_path, db_pool_timeout_seconds=0.1)
    )
    with app.app_context():
        held = _every_pooled_connection(db.engine)
        try:
            reply = app.test_client().get("/api/feed?community_id=1")
        finally:
            for connection in held:
                connection.close()

    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    assert reply.get_json() == {"error": {"code": "server_busy", "message": "服务器忙，请稍后再试"}}


def _every_pooled_connection(engine: Engine) -> list[Connection]:
    """Check connections out until the pool has none left (as a reconnect storm would)."""
    held: list[Connection] = []
    for _ in range(100):
        try:
            held.append(engine.connect())
        except PoolTimeout:
            return held
    raise AssertionError("the pool never ran out")


def test_connections_cut_while_idle_in_the_pool_are_replaced_before_use(
    app: Flask, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after a database restart: the pool's connections are dead, the next request works."""
    if backend != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    client = app.test_client()
    assert client.get("/api/places").status_code == 200
    with app.app_context():
        database = db.engine.url.database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        cut = connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": database},
        )
    admin.dispose()
    assert cut >= 1
    monkeypatch.setattr(kiosk_server, "PING_AFTER_IDLE_SECONDS", 0.0)
    try:
        assert client.get("/api/places").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()  # the other cut connections, before the next test
