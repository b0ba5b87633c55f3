"""The Alembic migrations build the schema the models describe, on both databases."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from kiosk_server import create_app
from kiosk_server.extensions import db
from kiosk_server.live.models import ChangeCounter
from kiosk_server.screens.models import SCREEN_ROW_FILLFACTOR
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_reachable, make_config


@contextmanager
def _keep_logging() -> Iterator[None]:
    """Alembic's env.py calls fileConfig(), which silences loggers it does not name."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = {
        name: logger.disabled
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, disabled in loggers.items():
            logger = logging.Logger.manager.loggerDict[name]
            if isinstance(logger, logging.Logger):
                logger.disabled = disabled


@contextmanager
def _empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database that has never seen a table: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.sqlite3'}"
        return
    name = f"kiosk_migrate_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not _postgres_reachable(), reason="PostgreSQL not reachable"),
        ),
    ]
)
def empty_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with _empty_database(request.param, tmp_path) as url:
        application = create_app(make_config(url, tmp_path))
        with application.app_context():
            assert inspect(db.engine).get_table_names() == []
        try:
            yield application
        finally:
            with application.app_context():
                db.session.remove()
                db.engine.dispose()


def _differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def test_migrations_build_the_schema_the_models_describe(empty_app: Flask) -> None:
    with empty_app.app_context(), _keep_logging():
        upgrade()

        assert _differences() == []
        # Alembic's own table aside, every table the models know is there.
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set(db.metadata.tables)


def test_migrations_reach_the_newest_revision(empty_app: Flask) -> None:
    with empty_app.app_context(), _keep_logging():
        upgrade()
        config = empty_app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        applied = db.session.scalars(text("SELECT version_num FROM alembic_version")).all()

    assert len(heads) == 1, "migrations have branched; merge them"
    assert applied == heads


def test_migrations_create_the_change_counter_row(empty_app: Flask) -> None:
    with empty_app.app_context(), _keep_logging():
        upgrade()
        rows = db.session.execute(
            select(ChangeCounter.id, ChangeCounter.value, ChangeCounter.pruned_through)
        ).all()

    # Without this row no change can be numbered, so nothing could ever be published.
    assert [tuple(row) for row in rows] == [(1, 0, 0)]


def test_migrations_downgrade_to_an_empty_database(empty_app: Flask) -> None:
    with empty_app.app_context(), _keep_logging():
        upgrade()
        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}

    assert left == set()


def test_postgresql_leaves_room_in_screen_pages_for_in_place_updates(empty_app: Flask) -> None:
    def storage() -> list[str] | None:
        return db.session.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'screens'"))

    with empty_app.app_context(), _keep_logging():
        upgrade()
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no fill factor")
        upgraded = storage()
        db.session.rollback()
        downgrade(revision="0006")
        downgraded = storage()

    # The model says the same, so a schema made from it (create_all) matches.
    assert upgraded == [f"fillfactor={SCREEN_ROW_FILLFACTOR}"]
    assert downgraded is None


def test_postgresql_refuses_to_change_or_remove_audit_entries(empty_app: Flask) -> None:
    with empty_app.app_context(), _keep_logging():
        upgrade()
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no trigger; the app offers no edit there")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO places (id, level, name, path) VALUES (1, 'city', '青岛市', '/1/')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, entity_type, entity_id, place_id,"
                    " place_path, summary) VALUES (now(), '控制台', 'listing.create', 'listing',"
                    " 1, 1, '/1/', '新建岗位')"
                )
            )
        for statement in (
            "UPDATE audit_log SET summary = '改过'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
                connection.execute(text(statement))
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT summary FROM audit_log")).scalars().all()
    assert rows == ["新建岗位"]
