"""The change log: every change screens must hear about, in one global order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.timeutil import UTCDateTime, utcnow


class ChangeCounter(db.Model):
    """One row whose update both numbers changes and serialises their commits.

    The row lock taken by the increment is held until commit, so change N is
    always committed before change N+1 becomes visible: a reader that has seen
    N+1 can never miss N later.
    """

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
    # Highest sequence number removed by pruning; older cursors must resync.
    pruned_through: Mapped[int] = mapped_column(Integer, default=0)


event.listen(
    ChangeCounter.__table__,
    "after_create",
    DDL("INSERT INTO change_counter (id, value, pruned_through) VALUES (1, 0, 0)"),
)


class Change(db.Model):
    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # The place the change is addressed to: its room, and every screen below it.
    scope_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    # The previous change in the same scope, so a screen can tell it missed one.
    prev_seq: Mapped[int] = mapped_column(Integer, default=0)
    entity: Mapped[str] = mapped_column(String(16))  # listing | announcement
    entity_id: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(8))  # upsert | remove
    reason: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    __table_args__ = (Index("ix_changes_scope_seq", "scope_id", "seq"),)

    def to_message(self) -> dict[str, Any]:
        return Change.message_of(self)

    @staticmethod
    def message_of(change: Any) -> dict[str, Any]:
        """What screens receive, from a Change or a row of the changes table."""
        return {
            "seq": change.seq,
            "prev": change.prev_seq,
            "scope": change.scope_id,
            "entity": change.entity,
            "id": change.entity_id,
            "op": change.op,
            "reason": change.reason,
            "data": change.payload,
        }
