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

from sqlalchemy import case, func, select

from kiosk_server.extensions import db
from kiosk_server.live.models import Change
from kiosk_server.places.models import Place
from kiosk_server.places.queries import inside
from kiosk_server.screens.models import Screen
from kiosk_server.screens.presence import is_online, online_clause


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


@dataclass
class Delivery:
    seq: int | None  # None: nothing was ever sent (a draft, a listing waiting for its time)
    op: str | None
    screens: list[ScreenDelivery]  # not yet applied and online first


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


def delivery(change_seq: int, showing: bool, target: Place, now: datetime) -> Delivery:
    """Who a listing's or announcement's latest change reaches, and who has applied it.

    `showing`: whether it is on screens now (published, or an active announcement).
    Before anything is sent, the same list says who it will reach.
    """
    seq, op, room = _latest(change_seq, showing, target)
    screens = db.session.scalars(
        select(Screen).where(Screen.revoked_at.is_(None), inside(Screen.community_id, target.path))
    ).all()
    rows = []
    for screen in screens:
        cursor = int((screen.cursors or {}).get(str(room), 0))
        applied = seq is not None and cursor >= seq
        rows.append(ScreenDelivery(screen, is_online(screen, now), applied, cursor))
    rows.sort(key=lambda row: (row.applied, not row.online, row.screen.id))
    return Delivery(seq, op, rows)
