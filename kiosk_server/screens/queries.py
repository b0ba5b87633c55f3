"""Finding screens, and telling staff how each one is doing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    bindparam,
    case,
    exists,
    func,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.live.models import Change
from kiosk_server.paging import Page, paginate, paginate_in_one_pass
from kiosk_server.places.models import Place, PlaceLevel, path_ids
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


class cursor_in(FunctionElement[int]):
    """A screen's cursor in a room, 0 where it has none, for a query: the room is a
    place id or a column of them, so one query can read each screen's own rooms."""

    type = Integer()
    inherit_cache = True

    def __init__(self, room: Any) -> None:
        super().__init__(Screen.cursors, room)


@compiles(cursor_in)
def _cursor_in_sqlite(element: cursor_in, compiler: SQLCompiler, **kw: Any) -> str:
    cursors, room = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"COALESCE(JSON_EXTRACT({cursors}, '$.\"' || {room} || '\"'), 0)"


@compiles(cursor_in, "postgresql")
def _cursor_in_postgresql(element: cursor_in, compiler: SQLCompiler, **kw: Any) -> str:
    cursors, room = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"COALESCE(CAST(({cursors} ->> CAST({room} AS TEXT)) AS INTEGER), 0)"


def stale_clause(scope_path: str, now: datetime) -> ColumnElement[bool]:
    """The same test as sync_states' `stale`, for a query over the screens of a scope.

    Each community in the scope is paired with every room it listens to and that
    room's newest change old enough to be due (one index probe per pair, a few
    hundred in a city); a screen is stale when its cursor in one of its own
    rooms is short of that room's due change.
    """
    room = aliased(Place)
    due = (
        select(func.max(Change.seq))
        .where(Change.scope_id == room.id, Change.created_at < now - STALE_AFTER)
        .scalar_subquery()
    )
    # Both steps are worked out once, whatever the query around them. Inlined,
    # PostgreSQL probed the changes again for every screen and room (370,000
    # probes, 1.6 s in a city of 100,000 screens), and under a page's LIMIT it
    # compared every screen with every pair in a nested loop (17 s).
    dues = (
        select(Place.id.label("community_id"), room.id.label("room_id"), due.label("due"))
        .join(room, Place.path.startswith(room.path))
        .where(
            Place.level == PlaceLevel.COMMUNITY,
            Place.path.startswith(scope_path, autoescape=True),
        )
        .cte("dues")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    behind = (
        select(Screen.id)
        .where(
            _ACTIVE,
            inside(Screen.community_id, scope_path),
            exists().where(
                dues.c.community_id == Screen.community_id,
                cursor_in(dues.c.room_id) < dues.c.due,
            ),
        )
        .cte("stale")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return Screen.id.in_(select(behind.c.id))


def screens_in_scope(
    scope_path: str, kind: str | None, status: str | None, now: datetime, page: int, per_page: int
) -> Page[Screen]:
    """One page of the screens in a scope, by id; status: online, offline or stale."""
    statement = select(Screen).where(inside(Screen.community_id, scope_path))
    if kind:
        statement = statement.where(Screen.kind == kind)
    if status == "stale":
        # Reads every screen's cursors: once, not once to count and again for the page.
        statement = statement.where(stale_clause(scope_path, now))
        return paginate_in_one_pass(statement, (Screen.id,), page, per_page)
    if status is not None:
        present = online_clause(now)
        # IS NOT TRUE, not NOT: a screen never seen makes the test NULL, and is offline.
        statement = statement.where(present if status == "online" else present.is_not(true()))
    return paginate(statement, (Screen.id,), page, per_page)


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
    # One probe of ix_changes_scope_seq per room and head, newest first: a grouped
    # scan of the rooms' changes read every change of a city (0.3 s at 50,000).
    in_room = Change.scope_id == Place.id
    latest = select(func.max(Change.seq)).where(in_room).scalar_subquery()
    due = (
        select(func.max(Change.seq))
        .where(in_room, Change.created_at < now - STALE_AFTER)
        .scalar_subquery()
    )
    rows = db.session.execute(select(Place.id, latest, due).where(Place.id.in_(ids))).all()
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
