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
from typing import Any

from sqlalchemy import func, insert, inspect, select, update

from kiosk_server.extensions import db
from kiosk_server.listings.actions import _copy
from kiosk_server.listings.display import public_listing
from kiosk_server.listings.models import (
    Listing,
    ListingStatus,
    TrainingSession,
    searchable_names,
)
from kiosk_server.listings.search import search_text
from kiosk_server.live.models import Change, ChangeCounter
from kiosk_server.places.models import Place, Site

_LISTING_COLUMNS = [column.key for column in inspect(Listing).column_attrs]
_SESSION_COLUMNS = ["id", "listing_id", "starts_at", "ends_at", "seats", "seats_taken", "venue"]


@dataclass(frozen=True)
class Aim:
    """One copy to publish: of what, where, and for when."""

    template: Listing
    title: str
    target: Place
    site: Site | None
    published_at: datetime
    valid_until: datetime


class Copier:
    """Publishes batches of copies. Templates, places and sites are read once and
    detached from the session, so committing a batch does not expire them."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        # Pinyin is most of the cost of a copy: a template copied to the same place
        # twice has the same names, so its search text is worked out once.
        self._search: dict[tuple[tuple[str | None, ...], str | None], tuple[str, str]] = {}

    def publish(self, aims: list[Aim]) -> list[dict[str, Any]]:
        """Write the copies and their changes; the caller commits. The change rows,
        in seq order."""
        copies = [self._prepared(aim) for aim in aims]
        # New rows lock nothing another writer waits for, so the counter can be
        # taken first and held (until commit) while the batch is written.
        seqs = _take_seqs(len(copies))
        heads = _heads({copy.target_id for copy in copies})
        for copy, seq in zip(copies, seqs, strict=True):
            copy.change_seq = seq
        self._insert(copies)
        changes = []
        for copy in copies:
            changes.append(
                {
                    "seq": copy.change_seq,
                    "scope_id": copy.target_id,
                    "prev_seq": heads[copy.target_id],
                    "entity": "listing",
                    "entity_id": copy.id,
                    "op": "upsert",
                    "reason": "published",
                    "payload": public_listing(copy),
                    "created_at": self.now,
                }
            )
            heads[copy.target_id] = copy.change_seq
        db.session.execute(insert(Change.__table__), changes)
        return changes

    def _prepared(self, aim: Aim) -> Listing:
        """The copy as publish_copy makes it, left out of the session: never flushed
        one by one."""
        copy = _copy(aim.template)
        copy.title = aim.title
        # Both the ids that are written and the objects that render.
        copy.target_id, copy.target = aim.target.id, aim.target
        copy.site_id, copy.site = (aim.site.id, aim.site) if aim.site else (None, None)
        copy.status = ListingStatus.PUBLISHED
        copy.published_at = copy.valid_from = aim.published_at
        copy.valid_until = aim.valid_until
        copy.images = []
        copy.created_at = copy.updated_at = self.now
        copy.version = 1
        copy.search_text, copy.title_search = self._search_columns(copy)
        return copy

    def _search_columns(self, copy: Listing) -> tuple[str, str]:
        """What keep_search_text would write, from the same functions."""
        names = searchable_names(
            copy.title,
            copy.summary,
            copy.employer,
            copy.provider,
            copy.job_category,
            copy.event_type,
        )
        key = (tuple(names), copy.body)
        found = self._search.get(key)
        if found is None:
            found = self._search[key] = (
                search_text(names, copy.body),
                search_text([copy.title]),
            )
        return found

    def _insert(self, copies: list[Listing]) -> None:
        """The listings, then their sessions, each in one statement, with ids taken
        beforehand: the copies render with them."""
        for copy, listing_id in zip(copies, _new_ids(Listing, len(copies)), strict=True):
            copy.id = listing_id
        db.session.execute(
            insert(Listing.__table__),
            [{key: getattr(copy, key) for key in _LISTING_COLUMNS} for copy in copies],
        )
        sessions = []
        for copy in copies:
            for session in copy.sessions:
                session.listing_id = copy.id
                sessions.append(session)
        if not sessions:
            return
        session_ids = _new_ids(TrainingSession, len(sessions))
        for session, session_id in zip(sessions, session_ids, strict=True):
            session.id = session_id
        db.session.execute(
            insert(TrainingSession.__table__),
            [{key: getattr(session, key) for key in _SESSION_COLUMNS} for session in sessions],
        )


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
