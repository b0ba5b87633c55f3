"""Registrations: what residents ask for at a kiosk, on a TV or on their phone.

Personal data is kept to what UX.md allows (name or surname with 先生/女士,
mobile, community, age band, wanted work, skills, availability); never an ID
number, a birth date, health or face data.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing, TrainingSession
from kiosk_server.places.models import Place
from kiosk_server.timeutil import UTCDateTime, utcnow


class RegistrationKind(StrEnum):
    JOB_SEEKER = "job_seeker"  # 求职登记
    GIG_WORKER = "gig_worker"  # 零工登记
    TRAINING_SIGNUP = "training_signup"  # 培训报名
    CONSULTATION = "consultation"  # 政策咨询预约
    APPLICATION = "application"  # 我要应聘
    CALLBACK = "callback"  # 请工作人员联系我（电视）


KIND_NAMES = {
    "job_seeker": "求职登记",
    "gig_worker": "零工登记",
    "training_signup": "培训报名",
    "consultation": "政策咨询预约",
    "application": "我要应聘",
    "callback": "请工作人员联系我",
}


# The answers a person picks from, as forms and staff lists word them.
AGE_BAND_NAMES = {
    "16-24": "16–24岁",
    "25-39": "25–39岁",
    "40-49": "40–49岁",
    "50-59": "50–59岁",
    "60+": "60岁以上",
}
AVAILABILITY_NAMES = {
    "weekday_day": "工作日白天",
    "weekday_evening": "工作日晚上",
    "weekend": "周末",
    "school_hours": "孩子上学的时间",
    "anytime": "什么时间都可以",
}
HALF_DAY_NAMES = {"am": "上午", "pm": "下午"}


class RegistrationStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    REFERRED = "referred"
    HIRED = "hired"
    CLOSED = "closed"


STATUS_NAMES = {
    "new": "新登记",
    "contacted": "已联系",
    "referred": "已推荐",
    "hired": "已上岗",
    "closed": "已关闭",
}

# Follow-up moves one step forward at a time; any open registration may be closed.
# 已上岗 is an outcome the dashboard counts, so like 已关闭 it is final.
NEXT_STATUS = {"new": "contacted", "contacted": "referred", "referred": "hired"}
OPEN_STATUSES = frozenset({"new", "contacted", "referred"})


def allowed_moves(status: str) -> list[str]:
    """The statuses a registration in `status` may move to, in the order staff take them."""
    moves = [NEXT_STATUS[status]] if status in NEXT_STATUS else []
    return [*moves, "closed"] if status in OPEN_STATUSES else moves


CHANNEL_NAMES = {"tv": "电视", "kiosk": "自助终端", "phone": "手机"}


class Registration(db.Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.NEW, index=True)
    # Shown to the resident and printed on the ticket, e.g. "JX7K3F9Q".
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(8))  # tv | kiosk | phone
    name: Mapped[str] = mapped_column(String(20), default="")
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id"))
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id"))
    waitlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kind-specific answers: age band, wanted work, skills, availability, trades...
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    share_with_employer: Mapped[bool] = mapped_column(Boolean, default=False)
    # A retried or double-tapped submission carries the same key and makes no second record.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notes: Mapped[str] = mapped_column(Text, default="")

    community: Mapped[Place] = relationship(lazy="joined")
    listing: Mapped[Listing | None] = relationship(lazy="joined")
    session: Mapped[TrainingSession | None] = relationship()

    # One registration per mobile, kind and listing: asking twice is answered, not stored twice.
    __table_args__ = (
        Index("uq_registrations_listing_kind_mobile", "listing_id", "kind", "mobile", unique=True),
    )


class RegistrationRepeat(db.Model):
    """Someone registered again what a mobile already has (the same listing, or an
    open 求职/零工登记). Nothing is recorded twice: staff see the first registration
    only. But the person asking again is answered as a first request is, with a
    reference and a see-or-cancel link of their own that show what they sent now:
    so no one can test whether a number registered, nor read or cancel the first
    registration by typing its number."""

    __tablename__ = "registration_repeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.NEW)
    name: Mapped[str] = mapped_column(String(20), default="")
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id"))
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id"))
    waitlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    share_with_employer: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    registration: Mapped[Registration] = relationship(lazy="joined")
    community: Mapped[Place] = relationship(lazy="joined")
    session: Mapped[TrainingSession | None] = relationship()

    # What the first registration fixes: the same kind, for the same listing.
    @property
    def kind(self) -> str:
        return self.registration.kind

    @property
    def listing_id(self) -> int | None:
        return self.registration.listing_id

    @property
    def listing(self) -> Listing | None:
        return self.registration.listing


def mask_mobile(mobile: str) -> str:
    """138****0000, as lists show it (UX.md)."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else "****"


def confirmation(registration: Registration) -> str:
    """What the person is told once the registration is in."""
    if registration.waitlisted:
        return "已经排上候补，有空位时工作人员会联系您"
    done = KIND_NAMES[registration.kind]
    if registration.kind == RegistrationKind.APPLICATION:
        done = "应聘报名"  # "我要应聘" names the button, not what was done
    return f"{done}成功，工作人员会尽快联系您"
