"""Finding screens, and telling staff how each one is doing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, case, func, not_, select

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.live.models import Change
from kiosk_server.places.models import Place, path_ids
from kiosk_server.places.queries import inside
from kiosk_server.screens.models import Screen, hash_token
from kiosk_server.screens.presence import online_clause

# What a screen hears when it is unknown or stopped; apps show "请联系工作人员" on this code.
UNKNOWN_SCREEN = {"code": "unknown_screen", "message": "此屏幕未登记或已停用，请联系工作人员"}
# A connected screen applies a change within seconds; a slow network or a sync on
# reconnect takes longer, but not this long.
STALE_AFTER = timedelta(minutes=2)
# A screen staff have not stopped.
_ACTIVE = Screen.revoked_at.is_(None)


def unknown_screen_error() -> ApiError:
    return ApiError(401, UNKNOWN_SCREEN["message"], code=UNKNOWN_SCREEN["code"])


def _token_hash(token: object) -> str | None:
    """What a screen's token is stored as; None for anything that can't be a token."""
    if not isinstance(token, str) or not 20 <= len(token) <= 200:
        return None
    return hash_token(token)


def active_screen_by_token(token: object) -> Screen | None:
    token_hash = _token_hash(token)
    if token_hash is None:
        return None
    return db.session.scalar(select(Screen).where(Screen.token_hash == token_hash, _ACTIVE))


@dataclass(frozen=True)
class ConnectingScreen:
    id: int
    scope: list[int]


# The two queries every returning screen costs (connect, then sync), built once:
# SQLAlchemy then reuses a statement's cache key, where one built per call is
# walked again on every execute (about 7 % of a reconnect storm's samples).
_CONNECTING = (
    select(Screen.id, Place.path)
    .join(Place, Place.id == Screen.community_id)
    .where(Screen.token_hash == bindparam("token_hash"), _ACTIVE)
)
_ACTIVE_HEADS = (
    select(Change.scope_id, func.max(Change.seq))
    .select_from(Screen)
    .outerjoin(Change, Change.scope_id.in_(bindparam("scope_ids", expanding=True)))
    .where(Screen.id == bindparam("screen_id"), _ACTIVE)
    .group_by(Change.scope_id)
)


def connecting_screen(reads: Connection, token: object) -> ConnectingScreen | None:
    """The screen a socket's token belongs to and the rooms it listens to.

    Columns, not the ORM object: every screen of a city connects again after a
    restart."""
    token_hash = _token_hash(token)
    if token_hash is None:
        return None
    row = reads.execute(_CONNECTING, {"token_hash": token_hash}).first()
    return ConnectingScreen(row.id, path_ids(row.path)) if row else None


def active_screen_heads(
    reads: Connection, screen_id: int, scope_ids: Iterable[int]
) -> dict[int, int] | None:
    """The newest change in each of the screen's scopes (0 where there has been
    none), or None when the screen has been stopped: a sync's check and the heads
    it compares with, in one round trip."""
    ids = list(scope_ids)
    rows = reads.execute(_ACTIVE_HEADS, {"screen_id": screen_id, "scope_ids": ids}).all()
    if not rows:
        return None
    found = {scope: seq for scope, seq in rows if scope is not None}
    return {scope: found.get(scope, 0) for scope in ids}


def scope_ids(screen: Screen) -> list[int]:
    """The rooms a screen listens to: its community and every place above it."""
    return screen.community.ancestor_ids


def screens_in_scope(
    scope_path: str, kind: str | None, online: bool | None, now: datetime
) -> list[Screen]:
    statement = select(Screen).where(inside(Screen.community_id, scope_path)).order_by(Screen.id)
    if kind:
        statement = statement.where(Screen.kind == kind)
    if online is not None:
        present = online_clause(now)
        statement = statement.where(present if online else not_(present))
    return list(db.session.scalars(statement))


@dataclass(frozen=True)
class RoomHead:
    latest: int  # the room's newest change
    due: int  # its newest change old enough that every screen should have applied it


@dataclass(frozen=True)
class SyncState:
    latest_seq: int
    stale: bool


def room_heads(room_ids: Iterable[int], now: datetime) -> dict[int, RoomHead]:
    """Per room, in one grouped query: the newest change, and the newest one made
    more than STALE_AFTER ago (0 where there is none)."""
    ids = sorted(set(room_ids))
    if not ids:
        return {}
    settled = case((Change.created_at < now - STALE_AFTER, Change.seq))
    rows = db.session.execute(
        select(Change.scope_id, func.max(Change.seq), func.max(settled))
        .where(Change.scope_id.in_(ids))
        .group_by(Change.scope_id)
    ).all()
    return {room: RoomHead(latest or 0, due or 0) for room, latest, due in rows}


def sync_states(screens: Sequence[Screen], now: datetime) -> dict[int, SyncState]:
    """How far behind each screen is: the newest change among its rooms, and whether
    it has left one unapplied for longer than STALE_AFTER.

    The test is on any due change, not only a room's newest: in a busy room new
    changes keep arriving, and a stuck screen must not look fine because of them.
    """
    heads = room_heads((room for screen in screens for room in scope_ids(screen)), now)
    states = {}
    for screen in screens:
        rooms = [(room, heads.get(room, RoomHead(0, 0))) for room in scope_ids(screen)]
        cursors = screen.cursors or {}
        behind = any(int(cursors.get(str(room), 0)) < head.due for room, head in rooms)
        states[screen.id] = SyncState(
            latest_seq=max((head.latest for _room, head in rooms), default=0),
            # A stopped screen will never catch up; it shows as stopped instead.
            stale=behind and screen.revoked_at is None,
        )
    return states


def presence_by_kind(scope_path: str, now: datetime) -> dict[str, tuple[int, int]]:
    """Per kind, how many screens in use in the scope are online, and how many there are."""
    online = func.coalesce(func.sum(case((online_clause(now), 1), else_=0)), 0)
    rows = db.session.execute(
        select(Screen.kind, online, func.count())
        .where(inside(Screen.community_id, scope_path), Screen.revoked_at.is_(None))
        .group_by(Screen.kind)
    ).all()
    return {kind: (up, total) for kind, up, total in rows}
