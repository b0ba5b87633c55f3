"""Publishing copies of listings by the thousand, for `flask demo grow`.

Each copy ends up as `publish_copy` (listings/actions.py) leaves one: the same
columns, its training sessions still to come, its search text as the ORM hook
writes it, and one change row with the public JSON screens are sent, numbered
in the global order with `prev` naming the scope's change before it. Only the
writing differs: a batch's listings, sessions and changes are each one
statement, its change numbers one block taken from the counter, and each
scope's `prev` is worked out here instead of asked for per copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import func, insert, inspect, select, update

from kiosk_server.extensions import db
from kiosk_server.listings.actions import _copy
from kiosk_server.listings.display import public_listing
from kiosk_server.listings.models import (
    SEARCHED_COLUMNS,
    Listing,
    ListingStatus,
    TrainingSession,
    search_columns,
)
from kiosk_server.live.models import Change, ChangeCounter
from kiosk_server.places.models import Place, Site

Row = dict[str, Any]
_LISTING_COLUMNS = [column.key for column in inspect(Listing).column_attrs]
_SESSION_COLUMNS = [column.key for column in inspect(TrainingSession).column_attrs]


@dataclass(frozen=True)
class Aim:
    """One copy to publish: of what, where, and for when."""

    template: Listing
    title: str
    target: Place
    site: Site | None
    published_at: datetime
    valid_until: datetime


@dataclass(frozen=True)
class _Copy:
    listing: Row
    sessions: list[Row]
    target: Place
    site: Site | None


class Copier:
    """Publishes batches of copies. Templates, places and sites are read once and
    detached from the session, so committing a batch does not expire them."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._drafts: dict[int, tuple[Row, list[Row]]] = {}
        # Pinyin is most of the cost of a copy: a template copied to the same place
        # twice has the same names, so its search text is worked out once.
        self._search: dict[tuple[Any, ...], dict[str, str]] = {}

    def publish(self, aims: list[Aim]) -> list[Row]:
        """Write the copies and their changes; the caller commits. The change rows,
        in seq order."""
        copies = [self._prepared(aim) for aim in aims]
        # New rows lock nothing another writer waits for, so the counter can be
        # taken first and held (until commit) while the batch is written.
        seqs = _take_seqs(len(copies))
        heads = _heads({copy.target.id for copy in copies})
        for copy, seq in zip(copies, seqs, strict=True):
            copy.listing["change_seq"] = seq
        _insert(copies)
        changes = []
        for copy in copies:
            scope = copy.target.id
            changes.append(
                {
                    "seq": copy.listing["change_seq"],
                    "scope_id": scope,
                    "prev_seq": heads[scope],
                    "entity": "listing",
                    "entity_id": copy.listing["id"],
                    "op": "upsert",
                    "reason": "published",
                    "payload": _rendered(copy),
                    "created_at": self.now,
                }
            )
            heads[scope] = copy.listing["change_seq"]
        db.session.execute(insert(Change.__table__), changes)
        return changes

    def _draft(self, template: Listing) -> tuple[Row, list[Row]]:
        """What a copy of `template` takes from it (actions._copy decides), as rows:
        made once per template, since ORM objects cost more to fill than the rest."""
        draft = self._drafts.get(template.id)
        if draft is None:
            copy = _copy(template)
            draft = self._drafts[template.id] = (
                {key: getattr(copy, key) for key in _LISTING_COLUMNS},
                [{key: getattr(s, key) for key in _SESSION_COLUMNS} for s in copy.sessions],
            )
        return draft

    def _prepared(self, aim: Aim) -> _Copy:
        """The copy as publish_copy publishes it."""
        listing, sessions = self._draft(aim.template)
        listing = listing | {
            "title": aim.title,
            "target_id": aim.target.id,
            "site_id": aim.site.id if aim.site else None,
            "status": ListingStatus.PUBLISHED,
            "published_at": aim.published_at,
            "valid_from": aim.published_at,
            "valid_until": aim.valid_until,
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
        }
        listing.update(self._search_columns(listing))
        return _Copy(listing, [dict(session) for session in sessions], aim.target, aim.site)

    def _search_columns(self, listing: Row) -> dict[str, str]:
        """What keep_search_text writes, from the same function, once per set of names."""
        key = tuple(listing[name] for name in SEARCHED_COLUMNS)
        found = self._search.get(key)
        if found is None:
            found = self._search[key] = search_columns(listing)
        return found


def _insert(copies: list[_Copy]) -> None:
    """The listings, then their sessions, each in one statement, with ids taken
    beforehand: the copies render with them."""
    for copy, listing_id in zip(copies, _new_ids(Listing, len(copies)), strict=True):
        copy.listing["id"] = listing_id
    db.session.execute(insert(Listing.__table__), [copy.listing for copy in copies])
    sessions = []
    for copy in copies:
        for session in copy.sessions:
            session["listing_id"] = copy.listing["id"]
            sessions.append(session)
    if not sessions:
        return
    session_ids = _new_ids(TrainingSession, len(sessions))
    for session, session_id in zip(sessions, session_ids, strict=True):
        session["id"] = session_id
    db.session.execute(insert(TrainingSession.__table__), sessions)


def _rendered(copy: _Copy) -> dict[str, Any]:
    """The copy's public JSON, from its rows: public_listing reads only what a
    listing's columns and relations hold, and a row carries the same."""
    listing = SimpleNamespace(
        **copy.listing,
        target=copy.target,
        site=copy.site,
        images=[],
        sessions=[SimpleNamespace(**session) for session in copy.sessions],
    )
    return public_listing(cast(Listing, listing))


def _new_ids(model: type[db.Model], count: int) -> list[int]:
    """`count` ids for new rows of `model`. Taken beforehand, since neither database
    hands back the ids of a many-row insert in the rows' order in one statement
    (SQLAlchemy makes SQLite insert one row at a time to keep the order)."""
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        taken = func.nextval(func.pg_get_serial_sequence(table.name, "id"))
        return list(db.session.scalars(select(taken).select_from(func.generate_series(1, count))))
    # SQLite: the counter's update holds the database's one write lock until
    # commit, so nobody else can take these ids meanwhile.
    highest = db.session.scalar(select(func.max(table.c.id))) or 0
    return list(range(highest + 1, highest + count + 1))


def _take_seqs(count: int) -> range:
    """`count` consecutive change numbers; the counter's lock lasts until commit,
    as with next_seq, so no change numbered later can be seen before these."""
    last = db.session.scalar(
        update(ChangeCounter)
        .where(ChangeCounter.id == 1)
        .values(value=ChangeCounter.value + count)
        .returning(ChangeCounter.value),
        execution_options={"synchronize_session": False},
    )
    if last is None:
        raise RuntimeError("change_counter row is missing; run the migrations")
    return range(last - count + 1, last + 1)


def _heads(scope_ids: Iterable[int]) -> dict[int, int]:
    """The newest change in each scope (0 where none), read while the counter is
    held: no other writer can add one until this batch commits."""
    newest = select(func.max(Change.seq)).where(Change.scope_id == Place.id).scalar_subquery()
    rows = db.session.execute(select(Place.id, newest).where(Place.id.in_(list(scope_ids))))
    return {scope: seq or 0 for scope, seq in rows}
