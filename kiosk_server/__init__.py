"""就享家 screens server: live listings for home TVs, station kiosks and staff."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask

from kiosk_server.application import KioskFlask
from kiosk_server.config import Config
from kiosk_server.staff.session_cookie import StaffSessionCookie

if TYPE_CHECKING:
    from sqlalchemy import Engine


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = KioskFlask(__name__, instance_path=str(config.instance_path))
    app.config.from_mapping(config.flask_settings())
    app.config["KIOSK_CONFIG"] = config
    # Chinese text as itself in JSON: readable, and a third of the bytes of \u escapes.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.permanent_session_lifetime = timedelta(hours=8)
    app.session_interface = StaffSessionCookie()

    _init_extensions(app, config)
    _register_blueprints(app)
    _register_template_filters(app)

    from kiosk_server import cli, errors, health, security_headers
    from kiosk_server.listings.feed_cache import answer_kept

    app.kept_answers = answer_kept
    errors.init_app(app)
    security_headers.init_app(app)
    cli.init_app(app)
    health.init_app(app)
    _trust_proxies(app, config)
    return app


def _trust_proxies(app: Flask, config: Config) -> None:
    """Behind nginx, take the client's address and scheme from its X-Forwarded-*
    headers (the login limit counts by address). Outermost, so Socket.IO sees them too."""
    if config.trusted_proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _init_extensions(app: Flask, config: Config) -> None:
    from kiosk_server import limits, throttle
    from kiosk_server.extensions import compress, csrf, db, migrate, socketio

    db.init_app(app)
    compress.init_app(app)
    _tune_database(app)
    migrate.init_app(app, db, directory=str(config.migrations_path))
    limits.init_app(app)  # before CSRF, which reads the body
    throttle.init_app(app)  # before CSRF too: a throttled request is refused at once
    csrf.init_app(app)
    # Handlers must be declared before the first init_app: declared later, they
    # bind to that one server only and a second app (tests) would lack them.
    from kiosk_server.live import events, inbox, wire_json  # noqa: F401
    from kiosk_server.live.changes import RecentCatchUps
    from kiosk_server.live.polling_limit import MAX_POLL_BYTES, refuse_oversized_polls
    from kiosk_server.live.rooms import client_manager
    from kiosk_server.screens import reports

    reports.init_app(app, config.report_interval_seconds)
    app.extensions["catch_ups"] = RecentCatchUps()

    socketio.init_app(
        app,
        client_manager=client_manager(config.message_queue_url, config.message_queue_channel),
        async_mode=config.socketio_async_mode,
        max_http_buffer_size=MAX_POLL_BYTES,
        json=wire_json,
    )
    # A larger long-polling POST would get no answer from engineio: refused first.
    app.wsgi_app = refuse_oversized_polls(app.wsgi_app, MAX_POLL_BYTES)  # type: ignore[method-assign]
    # Models must be imported before migrations or create_all look at the metadata.
    from kiosk_server import models  # noqa: F401


def _tune_database(app: Flask) -> None:
    from kiosk_server.extensions import db

    with app.app_context():
        engine: Engine = db.engine
    if engine.dialect.name == "sqlite":
        _set_sqlite_pragmas(engine)
    else:
        _ping_idle_connections(engine)


def _set_sqlite_pragmas(engine: Engine) -> None:
    """WAL lets readers go on while one writer commits; foreign keys are off by default."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def set_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


# A pooled connection returned this recently was working this recently.
PING_AFTER_IDLE_SECONDS = 2.0


def _ping_idle_connections(engine: Engine) -> None:
    """Test a pooled connection before use only when it has sat idle.

    SQLAlchemy's pool_pre_ping tests every checkout: a round trip before each
    screen connect and sync, two of the five round trips a returning screen cost.
    A database restart or a dropped link shows on connections that sat in the
    pool; those are tested and replaced here. One that died within the last
    PING_AFTER_IDLE_SECONDS fails its next query (503, or `server_busy` to a
    screen, which retries), and SQLAlchemy then replaces the pool's others."""
    import time

    from sqlalchemy import event
    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "checkin")
    def note_idle(_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(connection)
        except Exception as error:
            # The pool discards this connection and checks out another.
            raise DisconnectionError() from error


def _register_blueprints(app: Flask) -> None:
    from kiosk_server import admin, api, pages

    api.init_app(app)
    admin.init_app(app)
    pages.init_app(app)


def _register_template_filters(app: Flask) -> None:
    from kiosk_server.timeutil import day_label, to_local

    @app.template_filter("local_time")
    def local_time(value: str | None, short: bool = False) -> str:
        if not value:
            return ""
        moment = to_local(datetime.fromisoformat(value))
        clock = moment.strftime("%H:%M")
        return clock if short else f"{day_label(moment)}{clock}"
