"""Sending committed changes to the screens in their scope.

A socket message is only a wake-up: the change log in the database is the
truth, and a screen that misses a message catches up from it.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk_server.extensions import socketio
from kiosk_server.live.models import Change

SCREENS_NAMESPACE = "/screens"


def room(place_id: int) -> str:
    return f"place:{place_id}"


def screen_room(screen_id: int) -> str:
    """Each screen also has a room of its own, for messages to it alone."""
    return f"screen:{screen_id}"


def tell_screen(screen_id: int, event: str, data: dict[str, object]) -> None:
    socketio.emit(event, data, to=screen_room(screen_id), namespace=SCREENS_NAMESPACE)


def push(changes: Iterable[Change]) -> None:
    """Call only after the commit that stored the changes."""
    for change in changes:
        socketio.emit(
            "change", change.to_message(), to=room(change.scope_id), namespace=SCREENS_NAMESPACE
        )
