"""Test fixtures: the app on SQLite and, when reachable, on PostgreSQL.

Each backend gets a fresh database for the run; each test starts from empty
tables, with the change counter at zero.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk_server import create_app
from kiosk_server.config import RATE_LIMITS, Config
from kiosk_server.extensions import db, limiter
from kiosk_server.listings.feed_cache import feed_cache
from tests.factories import World, build_world
from tests.helpers import IsolatedClient, StaffClient, close_every_socket, remember_socket_server

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def _backends() -> list[Any]:
    marks = [] if _postgres_reachable() else [pytest.mark.skip("PostgreSQL not reachable")]
    return ["sqlite", pytest.param("postgresql", marks=marks)]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A new database on the machine's PostgreSQL, dropped after the run."""
    name = f"kiosk_test_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_config(database_url: str, instance: Path, **overrides: Any) -> Config:
    return Config(
        instance_path=instance,
        database_url=database_url,
        message_queue_url=overrides.pop("message_queue_url", ""),
        secret_key="test-secret",
        testing=True,
        # Tests log in hundreds of times; production keeps scrypt (checked in test_staff_scope).
        password_hash_method=overrides.pop("password_hash_method", "pbkdf2:sha256:1000"),
        # Fixtures log in from one address all run long; test_login_throttle sets a limit.
        login_rate_limit=overrides.pop("login_rate_limit", ""),
        # Likewise the public writes' limits (test_abuse_limits sets them); the
        # login lock stays, as the staff tests expect.
        rate_limits=overrides.pop(
            "rate_limits",
            {name: "" if name != "login_lock" else v for name, v in RATE_LIMITS.items()},
        ),
        # Tests read what a screen reported straight away; test_screen_reports
        # covers the batched writes of a server.
        report_interval_seconds=overrides.pop("report_interval_seconds", 0),
        **overrides,
    )


@pytest.fixture(scope="session", params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def app(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp(f"instance-{backend}")
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{instance / 'test.sqlite3'}"
    application = create_app(make_config(url, instance))
    remember_socket_server(application)
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    try:
        # Before the tables go: a screen's close stored later would mark the
        # next test's screen of the same id offline.
        close_every_socket(application)
    finally:
        _empty(application)


def _empty(application: Flask) -> None:
    # The next test's changes reuse the seqs of this one's.
    application.extensions["catch_ups"].clear()
    feed_cache(application).clear()  # emptied under it: what the process knew is gone
    limiter.reset()  # no test's counts (a login lock) carry into the next
    with application.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
            connection.execute(
                text("INSERT INTO change_counter (id, value, pruned_through) VALUES (1, 0, 0)")
            )


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def world(app: Flask, ctx: None) -> World:
    return build_world()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def admin(app: Flask, world: World) -> StaffClient:
    return StaffClient(app, "admin", world.passwords["admin"])


@pytest.fixture
def street_staff(app: Flask, world: World) -> StaffClient:
    return StaffClient(app, "huangdao", world.passwords["huangdao"])


@pytest.fixture
def station_staff(app: Flask, world: World) -> StaffClient:
    return StaffClient(app, "jiuquhe", world.passwords["jiuquhe"])
