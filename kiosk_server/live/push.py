"""Sending committed changes to the screens in their scope.

A socket message is only a wake-up: the change log in the database is the
truth, and a screen that misses a message catches up from it.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk_server.extensions import db, socketio
from kiosk_server.live.models import Change

SCREENS_NAMESPACE = "/screens"


def room(place_id: int) -> str:
    return f"place:{place_id}"


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
