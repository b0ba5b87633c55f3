"""Listings: jobs, trainings, subsidies and events, and the announcements beside them.

One table holds all four kinds (single-table inheritance), so the feed is one
query without joins; each kind's own columns are empty for the others.
Field names follow schema.org where it has one (JobPosting, Course,
GovernmentService, Event).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.listings.search import search_parts, title_text
from kiosk_server.places.models import Place, Site
from kiosk_server.timeutil import UTCDateTime, utcnow


class ListingKind(StrEnum):
    JOB = "job"
    TRAINING = "training"
    SUBSIDY = "subsidy"
    EVENT = "event"


KIND_NAMES = {"job": "岗位", "training": "培训", "subsidy": "补贴政策", "event": "活动"}


class ListingStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # published, waiting for valid_from
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


STATUS_NAMES = {
    "draft": "草稿",
    "scheduled": "待发布",
    "published": "已发布",
    "withdrawn": "已下架",
    "expired": "已过期",
}


class JobCategory(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    PIECE_RATE = "piece_rate"
    GIG = "gig"
    PUBLIC_WELFARE = "public_welfare"
    MOM_FRIENDLY = "mom_friendly"


JOB_CATEGORY_NAMES = {
    "full_time": "全职",
    "part_time": "兼职",
    "piece_rate": "计件",
    "gig": "零工",
    "public_welfare": "公益性岗位",
    "mom_friendly": "妈妈岗",
}


class PayUnit(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"
    PIECE = "piece"


# How a form names the unit; display.pay_text words the pay itself ("每天100元").
PAY_UNIT_NAMES = {"hour": "按小时", "day": "按天", "month": "按月", "piece": "按件"}


class EventType(StrEnum):
    JOB_FAIR = "job_fair"  # 微招聘 / 周招聘
    NIGHT_MARKET = "night_market"  # 招聘夜市
    LIVE_STREAM = "live_stream"  # 直播带岗
    CLASS_OPENING = "class_opening"  # 夜校开课


EVENT_TYPE_NAMES = {
    "job_fair": "微招聘",
    "night_market": "招聘夜市",
    "live_stream": "直播带岗",
    "class_opening": "夜校开课",
}


# What a screen's list filters and orders by beside status, kind and place
# (listings/queries.py), so PostgreSQL reads a page and its count from the index.
FEED_INDEX_INCLUDES = (
    "id",
    "published_at",
    "valid_until",
    "site_id",
    "job_category",
    "pay_unit",
    "fee",
    # Short to long: a row's later columns are found by stepping over the earlier.
    "search_keys",
    "search_letters",
    "title_search",
    "search_words",
)


class Listing(db.Model):
    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ListingStatus.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The sequence number of the last change screens were sent about this listing.
    change_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic locking: an edit based on an old version is refused, not merged.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Derived from the names people search by (listings/search.py), kept by
    # keep_search_text below whenever they change.
    search_words: Mapped[str] = mapped_column(Text, default="")
    search_letters: Mapped[str] = mapped_column(Text, default="")
    search_keys: Mapped[str] = mapped_column(Text, default="")
    # The title alone, written the three ways in one text: a search lists the
    # listings whose title matches before those that match elsewhere.
    title_search: Mapped[str] = mapped_column(Text, default="")

    # Job (schema.org JobPosting)
    employer: Mapped[str | None] = mapped_column(String(80))
    job_category: Mapped[str | None] = mapped_column(String(24), index=True)
    pay_min: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    pay_max: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    pay_unit: Mapped[str | None] = mapped_column(String(8), index=True)
    pay_piece: Mapped[str | None] = mapped_column(String(20))  # what one piece is: "朵", "个粉扑"
    pay_approximate: Mapped[bool | None] = mapped_column(Boolean)
    work_hours: Mapped[str | None] = mapped_column(String(80))
    flexible: Mapped[bool | None] = mapped_column(Boolean)  # 可随时离岗
    openings: Mapped[int | None] = mapped_column(Integer)
    requirements: Mapped[str | None] = mapped_column(String(300))
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)

    # Training (schema.org Course)
    provider: Mapped[str | None] = mapped_column(String(80))
    fee: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    fee_note: Mapped[str | None] = mapped_column(String(80))  # "政府补贴，个人免费"
    certificate: Mapped[str | None] = mapped_column(String(80))
    schedule: Mapped[str | None] = mapped_column(String(120))  # "每周二、四晚7点"

    # Subsidy (schema.org GovernmentService)
    eligibility: Mapped[str | None] = mapped_column(String(400))
    amount: Mapped[str | None] = mapped_column(String(120))  # "最高20000元"
    document_number: Mapped[str | None] = mapped_column(String(80))  # 文号
    how_to_apply: Mapped[str | None] = mapped_column(String(400))
    documents_needed: Mapped[str | None] = mapped_column(String(400))
    apply_deadline: Mapped[date | None] = mapped_column(Date)

    # Event (schema.org Event)
    event_type: Mapped[str | None] = mapped_column(String(24))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    employers_count: Mapped[int | None] = mapped_column(Integer)
    posts_count: Mapped[int | None] = mapped_column(Integer)

    site: Mapped[Site | None] = relationship(lazy="joined")
    target: Mapped[Place] = relationship(lazy="joined")
    images: Mapped[list[ListingImage]] = relationship(
        order_by="ListingImage.position",
        cascade="all, delete-orphan",
        lazy="selectin",
        back_populates="listing",
    )
    sessions: Mapped[list[TrainingSession]] = relationship(
        order_by="TrainingSession.starts_at", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"polymorphic_on": "kind", "version_id_col": version}
    __table_args__ = (
        # The console's list, newest change first, reads a page off the index.
        Index("ix_listings_updated_at_id", "updated_at", "id"),
        # Counts by status and kind (the dashboard, the home screen's totals) from
        # a small index alone.
        Index("ix_listings_status_kind_target_id", "status", "kind", "target_id"),
        # The home screen's newest of a kind: walked from the newest down until the
        # few in a screen's scope are found.
        Index(
            "ix_listings_newest",
            "status",
            "kind",
            "published_at",
            "id",
            postgresql_include=["target_id"],
        ),
        # On PostgreSQL a screen's list page and search, count and page, from the
        # index alone. A scope's few places come first: a list of every kind seeks
        # them, as one of a kind does.
        Index(
            "ix_listings_feed",
            "status",
            "target_id",
            "kind",
            postgresql_include=list(FEED_INDEX_INCLUDES),
        ),
    )


def searchable_names(
    title: str,
    summary: str | None,
    employer: str | None,
    provider: str | None,
    job_category: str | None,
    event_type: str | None,
) -> list[str | None]:
    """What people name a listing by: its title, who offers it, its kind of work
    and its one-line summary; these are searched by their pinyin initials too.
    (Migration 0008 fills existing rows with it.)"""
    return [
        title,
        employer,
        provider,
        JOB_CATEGORY_NAMES.get(job_category or ""),
        EVENT_TYPE_NAMES.get(event_type or ""),
        summary,
    ]


SEARCHED_COLUMNS = ("title", "summary", "employer", "provider", "job_category", "event_type")


def search_columns(fields: Mapping[str, Any]) -> dict[str, str]:
    """The search columns by name, from a listing's SEARCHED_COLUMNS (listings/search.py)."""
    names = searchable_names(*(fields[name] for name in SEARCHED_COLUMNS))
    return {**search_parts(names)._asdict(), "title_search": title_text(fields["title"])}


@event.listens_for(Listing, "before_insert", propagate=True)
@event.listens_for(Listing, "before_update", propagate=True)
def keep_search_text(_mapper: Mapper[Listing], _connection: Connection, listing: Listing) -> None:
    """Every writer goes through the ORM, so the search text can never lag the fields;
    a change of status or sequence alone leaves it be."""
    state = inspect(listing)
    if state.persistent and not any(
        state.attrs[name].history.has_changes() for name in SEARCHED_COLUMNS
    ):
        return
    fields = {name: getattr(listing, name) for name in SEARCHED_COLUMNS}
    for column, value in search_columns(fields).items():
        setattr(listing, column, value)


class Job(Listing):
    __mapper_args__ = {"polymorphic_identity": ListingKind.JOB}


class Training(Listing):
    __mapper_args__ = {"polymorphic_identity": ListingKind.TRAINING}


class Subsidy(Listing):
    __mapper_args__ = {"polymorphic_identity": ListingKind.SUBSIDY}


class Event(Listing):
    __mapper_args__ = {"polymorphic_identity": ListingKind.EVENT}


LISTING_CLASSES: dict[str, type[Listing]] = {
    ListingKind.JOB: Job,
    ListingKind.TRAINING: Training,
    ListingKind.SUBSIDY: Subsidy,
    ListingKind.EVENT: Event,
}


class ListingImage(db.Model):
    __tablename__ = "listing_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Name of the stored original under instance/media/; renditions sit beside it.
    file_key: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt: Mapped[str] = mapped_column(String(120), default="")

    listing: Mapped[Listing] = relationship(back_populates="images")


class TrainingSession(db.Model):
    """One run of a course (schema.org CourseInstance), with its seats."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seats: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    venue: Mapped[str] = mapped_column(String(120), default="")


class AnnouncementStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


ANNOUNCEMENT_STATUS_NAMES = {"active": "展示中", "withdrawn": "已撤下", "expired": "已结束"}


class Announcement(db.Model):
    """An urgent banner for a scope, such as "今晚7点 星光招聘夜市"."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(120))
    target_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=AnnouncementStatus.ACTIVE, index=True)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    change_seq: Mapped[int] = mapped_column(Integer, default=0)

    target: Mapped[Place] = relationship(lazy="joined")
