"""Reach and proof of delivery: which screens a change is for, and which applied it.

A change goes to the room of its scope, and every screen under that place
listens there. A screen says how far it has applied each room's changes with
`ack` (see docs/protocol.md); those cursors are the proof read here. This sits
with the change log rather than with the screens because it reads both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, func, select

from kiosk_server.extensions import db
from kiosk_server.live.models import Change
from kiosk_server.places.models import Place
from kiosk_server.places.queries import inside
from kiosk_server.screens.models import Screen
from kiosk_server.screens.presence import is_online, online_clause
from kiosk_server.screens.queries import cursor_in


def screen_counts(
    places: Iterable[Place], scope_path: str, now: datetime
) -> dict[int, dict[str, int]]:
    """For each place, the screens (not stopped) anywhere below it: TVs, kiosks, online.

    One grouped query by community; the sums up the tree are done here.
    """
    by_id = {place.id: place for place in places}
    counts = {place_id: {"tv": 0, "kiosk": 0, "online": 0} for place_id in by_id}
    rows = db.session.execute(
        select(
            Screen.community_id,
            Screen.kind,
            func.count(),
            func.sum(case((online_clause(now), 1), else_=0)),
        )
        .where(Screen.revoked_at.is_(None), inside(Screen.community_id, scope_path))
        .group_by(Screen.community_id, Screen.kind)
    ).all()
    for community_id, kind, total, online in rows:
        for place_id in by_id[community_id].ancestor_ids:
            if place_id in counts:  # places above the scope are not the asker's to see
                counts[place_id][kind] = counts[place_id].get(kind, 0) + total
                counts[place_id]["online"] += online or 0
    return counts


@dataclass
class ScreenDelivery:
    screen: Screen
    online: bool
    applied: bool
    cursor: int  # the last change the screen applied in the change's room


@dataclass(frozen=True)
class DeliveryTotals:
    screens: int
    online: int
    applied: int
    online_applied: int


@dataclass
class Delivery:
    seq: int | None  # None: nothing was ever sent (a draft, a listing waiting for its time)
    op: str | None
    totals: DeliveryTotals  # every screen reached, whatever the page
    screens: list[ScreenDelivery]  # one page: not yet applied and online first


def _latest(change_seq: int, showing: bool, target: Place) -> tuple[int | None, str | None, int]:
    """The latest change's number, op and room; from the row while pruning has kept it."""
    if not change_seq:
        return None, None, target.id
    change = db.session.get(Change, change_seq)
    if change is None:
        # Pruned (a newer change in the same room survives it). The latest change
        # of something still showing put it there; of anything else took it away.
        return change_seq, "upsert" if showing else "remove", target.id
    return change.seq, change.op, change.scope_id


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def delivery(
    change_seq: int, showing: bool, target: Place, now: datetime, page: int, per_page: int
) -> Delivery:
    """Who a listing's or announcement's latest change reaches, and who has applied it:
    totals over every screen, and one page of them.

    `showing`: whether it is on screens now (published, or an active announcement).
    Before anything is sent, the same list says who it will reach. Both are
    worked out in the database: a city-wide listing reaches every screen of a city.
    """
    seq, op, room = _latest(change_seq, showing, target)
    reached = (Screen.revoked_at.is_(None), inside(Screen.community_id, target.path))
    cursor = cursor_in(room)
    online = online_clause(now)
    applied = cursor >= seq if seq is not None else false()
    counted = db.session.execute(
        select(func.count(), _count(online), _count(applied), _count(and_(online, applied))).where(
            *reached
        )
    ).one()
    totals = DeliveryTotals(*(int(value) for value in counted))
    rows = db.session.execute(
        select(Screen, cursor)
        .where(*reached)
        .order_by(case((applied, 1), else_=0), case((online, 0), else_=1), Screen.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    screens = [
        ScreenDelivery(screen, is_online(screen, now), seq is not None and at >= seq, at)
        for screen, at in rows
    ]
    return Delivery(seq, op, totals, screens)
