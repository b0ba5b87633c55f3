"""Whether a screen is online: it connected or beat its heart lately and has not left since.

Screens send a heartbeat (an `ack`) every minute while connected, so a process
that died without seeing the disconnect cannot keep a screen online for long.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_

from kiosk_server.screens.models import Screen

# Two missed heartbeats and a little room for a slow network.
ONLINE_WINDOW = timedelta(seconds=150)


def is_online(screen: Screen, now: datetime) -> bool:
    seen = screen.last_seen_at
    if screen.revoked_at is not None or seen is None or seen < now - ONLINE_WINDOW:
        return False
    return screen.disconnected_at is None or screen.disconnected_at < seen


def online_clause(now: datetime) -> ColumnElement[bool]:
    """The same test as is_online, for a query."""
    return and_(
        Screen.revoked_at.is_(None),
        Screen.last_seen_at >= now - ONLINE_WINDOW,
        or_(Screen.disconnected_at.is_(None), Screen.disconnected_at < Screen.last_seen_at),
    )
