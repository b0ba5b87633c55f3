"""Sending committed changes to the screens in their scope.

A socket message is only a wake-up: the change log in the database is the
truth, and a screen that misses a message catches up from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from kiosk_server.extensions import db, socketio
from kiosk_server.live.models import Change

SCREENS_NAMESPACE = "/screens"
PLACE_ROOM = "place:"


def room(place_id: int) -> str:
    return f"{PLACE_ROOM}{place_id}"


def screen_room(screen_id: int) -> str:
    """Each screen also has a room of its own, for messages to it alone."""
    return f"screen:{screen_id}"


def tell_screen(screen_id: int, event: str, data: dict[str, object]) -> None:
    socketio.emit(event, data, to=screen_room(screen_id), namespace=SCREENS_NAMESPACE)


def commit_and_push(changes: Iterable[Change]) -> None:
    """Commit the session, then send each change to its room.

    The messages are taken before the commit: committing expires the changes,
    and reading each back would cost a query before the first screen hears it."""
    messages = [change.to_message() for change in changes]
    db.session.commit()
    for message in messages:
        socketio.emit("change", message, to=room(message["scope"]), namespace=SCREENS_NAMESPACE)


def remind_rooms(manager: Any) -> None:
    """Send each place room of this process's screens the newest change in its scope.

    For after the message queue was away (rooms.IndexedRedisManager): changes
    published meanwhile by other processes never reached this one. The message
    is the change itself, so the protocol's rule does the rest: a screen that has
    it ignores it, one that missed only it applies it, one that missed more sees
    the gap in `prev` and syncs. Sent to this process's screens only, not
    through the queue: every process reminds its own."""
    rooms = {
        int(name.removeprefix(PLACE_ROOM)): name
        for name in list(manager.rooms.get(SCREENS_NAMESPACE, {}))
        if isinstance(name, str) and name.startswith(PLACE_ROOM)
    }
    app = _app_of(manager, rooms.values())
    if app is None:
        return  # no screen here to remind
    newest = (
        select(func.max(Change.seq)).where(Change.scope_id.in_(rooms)).group_by(Change.scope_id)
    )
    with app.app_context():
        try:
            rows = db.session.execute(select(Change.__table__).where(Change.seq.in_(newest))).all()
        except Exception:
            # The database is away too: the screens' own safety sync remains.
            app.logger.exception("could not remind the screens of changes missed meanwhile")
            return
        finally:
            db.session.remove()
    for row in rows:
        manager.emit(
            "change",
            Change.message_of(row),
            namespace=SCREENS_NAMESPACE,
            room=rooms[row.scope_id],
            ignore_queue=True,
        )


def _app_of(manager: Any, rooms: Iterable[str]) -> Flask | None:
    """The app serving the screens in these rooms, as Flask-SocketIO records it in
    each connection's environ; a client manager is made before the app it serves."""
    for name in rooms:
        for _sid, eio_sid in manager.get_participants(SCREENS_NAMESPACE, name):
            app = manager.server.environ.get(eio_sid, {}).get("flask.app")
            if app is not None:
                return app
    return None
