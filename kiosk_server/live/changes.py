"""Recording changes and reading them back for catch-up."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update

from kiosk_server.extensions import db
from kiosk_server.live.models import Change, ChangeCounter


def next_seq() -> int:
    """Take the next global sequence number; the lock it takes lasts until commit."""
    value = db.session.scalar(
        update(ChangeCounter)
        .where(ChangeCounter.id == 1)
        .values(value=ChangeCounter.value + 1)
        .returning(ChangeCounter.value),
        # Nobody keeps the counter row in a session, so there is nothing to bring
        # up to date; looking would walk every object the session holds.
        execution_options={"synchronize_session": False},
    )
    if value is None:
        raise RuntimeError("change_counter row is missing; run the migrations")
    return value


def record_change(
    *,
    scope_id: int,
    entity: str,
    entity_id: int,
    op: str,
    reason: str,
    payload: dict[str, Any] | None = None,
    seq: int | None = None,
) -> Change:
    """Add a change to the session. The caller commits, then pushes."""
    seq = seq if seq is not None else next_seq()
    prev = db.session.scalar(select(func.max(Change.seq)).where(Change.scope_id == scope_id))
    change = Change(
        seq=seq,
        scope_id=scope_id,
        prev_seq=prev or 0,
        entity=entity,
        entity_id=entity_id,
        op=op,
        reason=reason,
        payload=payload,
    )
    db.session.add(change)
    return change


@dataclass
class CatchUp:
    messages: list[dict[str, Any]]
    cursors: dict[int, int]
    resync_reason: str | None = None


# (scope, the screen's cursor there, the scope's head) for each scope it is behind in.
Behind = tuple[tuple[int, int, int], ...]
# The messages a screen missed, or why it must reload instead.
Missed = tuple[list[dict[str, Any]], str | None]
# Missed-change answers kept per process: after a publish or an outage, most
# screens of a scope ask for exactly the same span.
RECENT_CATCH_UPS = 256


class RecentCatchUps:
    """Answers keyed by (scope, cursor, head) for every scope a screen is behind in.

    Committed changes never change and seqs are taken in commit order, so once a
    head is visible the changes up to it are final and an answer keeps; it also
    still holds after those changes are pruned. A database emptied or restored
    under a running process must be followed by clear()."""

    def __init__(self) -> None:
        self._answers: dict[Behind, Missed] = {}
        self._lock = threading.Lock()

    def get(self, key: Behind) -> Missed | None:
        with self._lock:
            return self._answers.get(key)

    def put(self, key: Behind, answer: Missed) -> None:
        with self._lock:
            if len(self._answers) >= RECENT_CATCH_UPS:
                del self._answers[next(iter(self._answers))]
            self._answers[key] = answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


def catch_up(
    reads: Connection,
    scope_ids: list[int],
    cursors: Mapping[int, int],
    current: Mapping[int, int],
    limit: int,
    recent: RecentCatchUps,
) -> CatchUp:
    """Everything a screen missed in its scopes, in order, or why it must reload.

    `cursors` holds, per scope, the last change the screen applied there;
    `current` the newest change in each scope (screens.queries.active_screen_heads).
    """
    heads = dict(current)  # the answer's own copy
    for scope in scope_ids:
        cursor = cursors.get(scope)
        if cursor is None:
            return CatchUp([], heads, "unknown_scope")
        if cursor > heads[scope]:
            # The screen has seen changes this database never made (a restore, a new server).
            return CatchUp([], heads, "ahead_of_server")
    behind = tuple(
        (scope, cursors[scope], heads[scope])
        for scope in scope_ids
        if cursors[scope] < heads[scope]
    )
    if not behind:
        return CatchUp([], heads)
    answer = recent.get(behind)
    if answer is None:
        answer = _missed(reads, behind, limit)
        recent.put(behind, answer)
    messages, resync_reason = answer
    return CatchUp(messages, heads, resync_reason)


def _missed(reads: Connection, behind: Behind, limit: int) -> Missed:
    pruned_through = reads.scalar(select(ChangeCounter.pruned_through).where(ChangeCounter.id == 1))
    if any(cursor < (pruned_through or 0) for _scope, cursor, _head in behind):
        return [], "too_old"
    missed = or_(
        *(
            (Change.scope_id == scope) & (Change.seq > cursor) & (Change.seq <= head)
            for scope, cursor, head in behind
        )
    )
    rows = reads.execute(
        select(Change.__table__).where(missed).order_by(Change.seq).limit(limit + 1)
    ).all()
    if len(rows) > limit:
        return [], "too_many"
    return [Change.message_of(row) for row in rows], None


def prune_before(moment: datetime) -> int:
    """Drop changes older than `moment`, keeping each scope's newest so heads stay true.

    A screen whose cursor falls behind what was dropped is told to resync.
    """
    newest_per_scope = select(func.max(Change.seq)).group_by(Change.scope_id)
    doomed = select(Change.seq).where(
        Change.created_at < moment, Change.seq.not_in(newest_per_scope)
    )
    newest_doomed = db.session.scalar(select(func.max(doomed.subquery().c.seq)))
    if not newest_doomed:
        return 0
    removed = db.session.execute(
        delete(Change).where(Change.seq.in_(doomed)).execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.id == 1, ChangeCounter.pruned_through < newest_doomed)
        .values(pruned_through=newest_doomed)
    )
    return removed or 0
