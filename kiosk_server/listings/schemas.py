"""What staff may send to create or change a listing, and what the feed accepts."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from kiosk_server.validation import (
    Count,
    Day,
    FieldProblem,
    Flag,
    Id,
    Line,
    Moment,
    Money,
    Paragraphs,
    PhoneOrBlank,
    QueryId,
    Strict,
)

JobCategoryName = Literal[
    "full_time", "part_time", "piece_rate", "gig", "public_welfare", "mom_friendly"
]
PayUnitName = Literal["hour", "day", "month", "piece"]
EventTypeName = Literal["job_fair", "night_market", "live_stream", "class_opening"]
Age = Annotated[int, Field(ge=16, le=100, strict=True)]
# The version of a listing an editor started from (Listing.version).
Version = Annotated[int, Field(ge=1, strict=True)]


class ContactIn(Strict):
    name: Line(40) = ""
    phone: PhoneOrBlank = ""


class PayIn(Strict):
    min: Money | None = None
    max: Money | None = None
    unit: PayUnitName
    piece: Line(20) | None = None
    approximate: Flag = False

    @model_validator(mode="after")
    def check_range(self) -> Self:
        if self.min is None and self.max is None:
            raise FieldProblem("min", "请至少填写最低或最高报酬")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise FieldProblem("min", "最低报酬不能高于最高报酬")
        if self.unit == "piece" and not self.piece:
            raise FieldProblem("piece", "计件工资请写明“件”是什么，例如“朵花”")
        return self


class JobIn(Strict):
    employer: Line(80, 1)
    category: JobCategoryName
    pay: PayIn | None = None
    work_hours: Line(80) = ""
    flexible: Flag = False
    openings: Count | None = None
    requirements: Line(300) = ""
    age_min: Age | None = None
    age_max: Age | None = None

    @model_validator(mode="after")
    def check_ages(self) -> Self:
        if self.age_min and self.age_max and self.age_min > self.age_max:
            raise FieldProblem("age_min", "最小年龄不能大于最大年龄")
        return self


class SessionIn(Strict):
    id: Id | None = None  # an existing session to keep; absent for a new one
    starts_at: Moment
    ends_at: Moment | None = None
    seats: Annotated[int, Field(ge=1, le=10_000, strict=True)]
    venue: Line(120) = ""

    @model_validator(mode="after")
    def check_times(self) -> Self:
        if self.ends_at and self.ends_at <= self.starts_at:
            raise FieldProblem("ends_at", "结束时间要晚于开始时间")
        return self


class TrainingIn(Strict):
    provider: Line(80, 1)
    fee: Money = Field(default=0)
    fee_note: Line(80) = ""
    certificate: Line(80) = ""
    schedule: Line(120) = ""
    sessions: Annotated[list[SessionIn], Field(max_length=50)] = []


class SubsidyIn(Strict):
    eligibility: Line(400, 1)
    amount: Line(120) = ""
    document_number: Line(80) = ""
    how_to_apply: Line(400, 1)
    documents_needed: Line(400) = ""
    apply_deadline: Day | None = None


class EventIn(Strict):
    event_type: EventTypeName
    starts_at: Moment
    ends_at: Moment | None = None
    employers_count: Count | None = None
    posts_count: Count | None = None

    @model_validator(mode="after")
    def check_times(self) -> Self:
        if self.ends_at and self.ends_at <= self.starts_at:
            raise FieldProblem("ends_at", "结束时间要晚于开始时间")
        return self


class ListingBase(Strict):
    title: Line(80, 1)
    summary: Line(200) = ""
    body: Paragraphs(5000) = ""
    contact: ContactIn = ContactIn()
    site_id: Id | None = None
    target_id: Id
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    # A new listing has none yet; accepted and ignored, as before.
    version: Version | None = None

    @model_validator(mode="after")
    def check_window(self) -> Self:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise FieldProblem("valid_until", "下架时间要晚于上架时间")
        return self


class JobListingIn(ListingBase):
    kind: Literal["job"]
    job: JobIn


class TrainingListingIn(ListingBase):
    kind: Literal["training"]
    training: TrainingIn


class SubsidyListingIn(ListingBase):
    kind: Literal["subsidy"]
    subsidy: SubsidyIn


class EventListingIn(ListingBase):
    kind: Literal["event"]
    event: EventIn


ListingIn = JobListingIn | TrainingListingIn | SubsidyListingIn | EventListingIn


# An edit must say which version it started from: without it a stale form would
# silently overwrite what someone else saved meanwhile. A stale one is a 409.
class JobListingEdit(JobListingIn):
    version: Version


class TrainingListingEdit(TrainingListingIn):
    version: Version


class SubsidyListingEdit(SubsidyListingIn):
    version: Version


class EventListingEdit(EventListingIn):
    version: Version


ListingEdit = JobListingEdit | TrainingListingEdit | SubsidyListingEdit | EventListingEdit


class PublishIn(Strict):
    # Absent: publish now. In the future: the listing waits, then goes live by itself.
    at: Moment | None = None


class AnnouncementIn(Strict):
    text: Line(120, 1)
    target_id: Id
    valid_until: Moment


# Filters the screens offer that take in more than one category.
CATEGORY_GROUPS = {"full_or_part_time": ("full_time", "part_time")}


class ScreenPlace(Strict):
    """Where a screen stands: a TV's community, or a kiosk's site."""

    community_id: QueryId | None = None
    site_id: QueryId | None = None

    @model_validator(mode="after")
    def check_place(self) -> Self:
        if (self.community_id is None) == (self.site_id is None):
            raise FieldProblem("community_id", "请提供 community_id 或 site_id 其中之一")
        return self


class FeedQuery(ScreenPlace):
    kind: Literal["job", "training", "subsidy", "event"] | None = None
    # One Literal (nested ones flatten), so a wrong value is refused under its own name.
    category: Literal[JobCategoryName, "full_or_part_time"] | None = None
    pay_unit: PayUnitName | None = None
    q: Line(40) | None = None
    free: bool | None = None
    # Jobs default to nearest, the rest to newest (queries.feed_sort).
    sort: Literal["nearest", "newest", "closing"] | None = None
    # Six a page on a TV: 60,000 listings in scope are 10,000 pages.
    page: Annotated[int, Field(ge=1, le=100_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20
    # The page that follows a listing shown, in this order, even one withdrawn
    # since (queries.feed): what a screen's next page is, so nothing that left
    # or joined the list meanwhile hides a listing or shows one twice.
    after: QueryId | None = None

    @model_validator(mode="after")
    def check_after(self) -> Self:
        if self.after is not None and self.page != 1:
            raise FieldProblem("after", "after 从所给信息之后接着翻，不能同时给 page")
        return self


class HomeQuery(ScreenPlace):
    # The newest listings of each kind a home screen shows beside its counts.
    newest: Annotated[int, Field(ge=0, le=6)] = 3


class AnnouncementsQuery(Strict):
    status: Literal["active", "withdrawn", "expired"] | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50
