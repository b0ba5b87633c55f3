"""Screens: the home TVs and station kiosks that show listings."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.places.models import Place, Site
from kiosk_server.timeutil import UTCDateTime, utcnow


class ScreenKind(StrEnum):
    TV = "tv"
    KIOSK = "kiosk"


def hash_token(token: str) -> str:
    """Tokens are random and long, so a plain digest is enough to keep them unreadable."""
    return hashlib.sha256(token.encode()).hexdigest()


# Every ack rewrites a screen's row (reports.py). Room left in each page lets
# PostgreSQL write the new version beside the old one without touching the
# indexes (a HOT update). Updating 10,000 rows took PostgreSQL 37–63 ms this
# way, against 110–163 ms with full pages.
SCREEN_ROW_FILLFACTOR = 70


class Screen(db.Model):
    __tablename__ = "screens"
    __table_args__ = {"postgresql_with": {"fillfactor": SCREEN_ROW_FILLFACTOR}}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    label: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    app_version: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when a socket of this screen closes; a later heartbeat means it is back.
    disconnected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Per-scope cursors {"<place id>": seq}: the last change applied in each room.
    cursors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community: Mapped[Place] = relationship(lazy="joined")
    site: Mapped[Site | None] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class EnrolmentCode(db.Model):
    """A one-time code staff create to tie a kiosk to its site."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id"))

    site: Mapped[Site] = relationship(lazy="joined")
