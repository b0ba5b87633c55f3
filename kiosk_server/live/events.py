"""Socket.IO events of the screens' namespace.

A screen connects with its token, which puts it in the rooms of its
community and every place above it. It then says `sync` with the last change
it applied in each room and gets exactly what it missed, in order, or
`resync` when it must reload the feed. Pushed `change` messages follow.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, session
from flask_socketio import join_room
from pydantic import TypeAdapter, ValidationError
from socketio import exceptions as socketio_exceptions
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db, socketio
from kiosk_server.live.changes import catch_up
from kiosk_server.live.push import SCREENS_NAMESPACE, room, screen_room
from kiosk_server.screens.queries import (
    UNKNOWN_SCREEN,
    active_screen_heads,
    connecting_screen,
    unknown_screen_error,
)
from kiosk_server.screens.reports import screen_reports
from kiosk_server.screens.schemas import CursorsIn
from kiosk_server.validation import Line, field_messages

AppVersion: TypeAdapter[str] = TypeAdapter(Line(32, 1))
SERVER_BUSY = {"code": "server_busy", "message": "服务器忙，稍后自动重连"}


def _screen_reads() -> Connection:
    """Connect and sync only read, on a pooled connection of their own in
    autocommit: no ORM session, no BEGIN and no ROLLBACK, so each holds the
    connection for one round trip per query. It matters in a reconnect storm,
    when thousands of handlers take turns on one core and a connection stays
    checked out for every turn in between."""
    return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _active_screen_heads(reads: Connection, scope: list[int]) -> dict[int, int]:
    """A screen staff stopped since it connected is refused from then on."""
    screen_id = session.get("screen_id")
    current = active_screen_heads(reads, screen_id, scope) if screen_id else None
    if current is None:
        raise unknown_screen_error()
    return current


def _cursors(data: Any, extra: tuple[Any, ...] = ()) -> dict[int, int]:
    if extra:
        raise ApiError(422, fields={"_body": "只能发送一个对象"})
    try:
        return CursorsIn.model_validate(data).as_ints()
    except ValidationError as error:
        raise ApiError(422, fields=field_messages(error)) from None


def _app_version(auth: dict[str, Any]) -> str | None:
    # Only shown to staff: a bad one is dropped rather than refusing the screen.
    try:
        return AppVersion.validate_python(auth.get("app_version"))
    except ValidationError:
        return None


@socketio.on("connect", namespace=SCREENS_NAMESPACE)
def on_connect(auth: Any = None) -> None:
    try:
        with _screen_reads() as reads:
            screen = connecting_screen(reads, auth.get("token") if isinstance(auth, dict) else None)
        if screen is not None:
            session["screen_id"] = screen.id
            session["scope"] = screen.scope
            join_room(screen_room(screen.id))
            for place_id in screen.scope:
                join_room(room(place_id))
            screen_reports().seen(screen.id, _app_version(auth))
            return
    except Exception:
        # A busy or lost database is not a verdict on the screen: "unknown_screen"
        # would make a good TV give up for good, so it is told to come back later.
        current_app.logger.exception("screen connect failed")
        raise socketio_exceptions.ConnectionRefusedError(
            SERVER_BUSY["message"], SERVER_BUSY
        ) from None
    # Not the builtin of the same name: only this one makes Flask-SocketIO
    # refuse; the builtin would reach on_error and the screen would connect.
    # The message is for people; `data.code` is what screens act on.
    raise socketio_exceptions.ConnectionRefusedError(UNKNOWN_SCREEN["message"], UNKNOWN_SCREEN)


@socketio.on("disconnect", namespace=SCREENS_NAMESPACE)
def on_disconnect(*_reason: Any) -> None:
    screen_id = session.get("screen_id")
    if screen_id:
        screen_reports().gone(screen_id)


@socketio.on("sync", namespace=SCREENS_NAMESPACE)
def on_sync(data: Any = None, *extra: Any) -> dict[str, Any]:
    cursors = _cursors(data, extra)
    scope: list[int] = session.get("scope") or []
    with _screen_reads() as reads:
        result = catch_up(
            reads,
            scope,
            cursors,
            _active_screen_heads(reads, scope),
            current_app.config["CATCHUP_LIMIT"],
            current_app.extensions["catch_ups"],
        )
    wire_cursors = {str(key): value for key, value in result.cursors.items()}
    if result.resync_reason:
        return {"resync": True, "reason": result.resync_reason, "cursors": wire_cursors}
    for message in result.messages:
        key = str(message["scope"])
        wire_cursors[key] = max(wire_cursors[key], message["seq"])
    return {"changes": result.messages, "cursors": wire_cursors}


@socketio.on("ack", namespace=SCREENS_NAMESPACE)
def on_ack(data: Any = None, *extra: Any) -> dict[str, Any]:
    # No database here: every screen acks every change and beats its heart with
    # an ack, so this is the busiest event. A stopped screen's acks are dropped
    # when the reports are written; its sync is refused.
    screen_id, scope = session.get("screen_id"), session.get("scope") or []
    if not screen_id:
        raise unknown_screen_error()
    cursors = _cursors(data, extra)
    known = {str(key): seq for key, seq in cursors.items() if key in scope}
    screen_reports().acked(screen_id, known)
    return {"ok": True}


@socketio.on_error(SCREENS_NAMESPACE)
def on_error(error: Exception) -> dict[str, Any]:
    db.session.rollback()
    if isinstance(error, ApiError):
        return error.to_dict()
    if isinstance(error, PoolTimeout | OperationalError):
        # Busy or away for now: the screen asks again a little later.
        current_app.logger.warning("socket event refused for now: %s", error)
        return ApiError(503, SERVER_BUSY["message"], code=SERVER_BUSY["code"]).to_dict()
    current_app.logger.exception("socket event failed")
    return ApiError(500).to_dict()
