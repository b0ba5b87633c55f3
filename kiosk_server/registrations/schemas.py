"""What residents send when they register."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from kiosk_server.timeutil import local_today
from kiosk_server.validation import DROPPED_CHARS, DayRange, Flag, Line, QueryId, Strict

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def _mobile(value: Any) -> Any:
    """People type 138 0000 0000 or 138-0000-0000; the number is the digits."""
    if not isinstance(value, str):
        raise ValueError("请输入手机号码")
    digits = re.sub(r"[\s-]", "", value)
    if not digits.isdigit() or len(digits) != 11:
        raise ValueError("请输入11位手机号码")
    if not MOBILE.match(digits):
        raise ValueError("这个号码不像手机号，请检查一下")
    return digits


# What _mobile accepts, for the OpenAPI document: 11 digits, 13 to 19 first, with spaces or dashes.
MOBILE_INPUT_PATTERN = r"^[\s-]*1[\s-]*[3-9](?:[\s-]*[0-9]){9}[\s-]*$"
Mobile = Annotated[
    str, BeforeValidator(_mobile), Field(json_schema_extra={"pattern": MOBILE_INPUT_PATTERN})
]


def _consent(value: Any) -> Any:
    if value is not True:
        raise ValueError("请先同意我们按说明使用您的手机号")
    return value


Consent = Annotated[Literal[True], BeforeValidator(_consent)]


class CallbackIn(Strict):
    """A TV viewer asks staff to call back about one listing."""

    mobile: Mobile
    consent: Consent
    idempotency_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")] | None = None


IdempotencyKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
_MARKUP = re.compile(r"<[^>]*>|[<>&\"'`]")


def _plain_name(value: Any) -> Any:
    """Names are text only: markup is dropped, so nothing typed can run anywhere."""
    if not isinstance(value, str):
        raise ValueError("请填写姓名")
    cleaned = _MARKUP.sub("", value).strip()
    if re.search(r"[\x00-\x1f\x7f\ud800-\udfff0-9]", cleaned):
        raise ValueError("姓名里不能有数字或特殊字符")
    if not cleaned:
        raise ValueError("请填写姓名，也可以只写姓，如“王女士”")
    if len(cleaned) > 20:
        raise ValueError("姓名最多20个字")
    return cleaned


# What _plain_name accepts, for the OpenAPI document, leaving out markup (dropped, not
# refused): up to 20 characters, no digits or controls, one that is not a space.
_NAME_CHAR = "^0-9<>&\"'`" + r"\x00-\x1f\x7f"
NAME_PATTERN = rf"^[{_NAME_CHAR}]*[{_NAME_CHAR}\s{DROPPED_CHARS}][{_NAME_CHAR}]*$"
Name = Annotated[
    str,
    BeforeValidator(_plain_name),
    Field(json_schema_extra={"pattern": NAME_PATTERN, "maxLength": 20}),
]


def _age_band(value: Any) -> Any:
    if value == "under_16":
        raise ValueError("未满16岁不能登记，欢迎满16岁后再来")
    return value


AgeBand = Annotated[Literal["16-24", "25-39", "40-49", "50-59", "60+"], BeforeValidator(_age_band)]
Availability = Literal["weekday_day", "weekday_evening", "weekend", "school_hours", "anytime"]
JobCategory = Literal[
    "full_time", "part_time", "piece_rate", "gig", "public_welfare", "mom_friendly"
]
ShortText = Annotated[
    str, BeforeValidator(lambda v: _MARKUP.sub("", v) if isinstance(v, str) else v)
]


class PersonIn(Strict):
    """What every kiosk or phone registration carries (UX.md's minimum, nothing more)."""

    idempotency_key: IdempotencyKey
    consent: Consent
    name: Name
    mobile: Mobile
    community_id: Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
    age_band: AgeBand


class JobSeekerIn(PersonIn):
    kind: Literal["job_seeker"]
    wanted: Annotated[list[JobCategory], Field(min_length=1, max_length=6)]
    skills: Annotated[ShortText, Field(max_length=200)] = ""
    availability: Annotated[list[Availability], Field(min_length=1, max_length=5)]


class GigWorkerIn(PersonIn):
    kind: Literal["gig_worker"]
    trades: Annotated[
        list[Annotated[ShortText, Field(min_length=1, max_length=20)]],
        Field(min_length=1, max_length=8),
    ]
    service_area: Annotated[ShortText, Field(min_length=1, max_length=80)]
    availability: Annotated[list[Availability], Field(min_length=1, max_length=5)]


class TrainingSignupIn(PersonIn):
    kind: Literal["training_signup"]
    listing_id: Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
    session_id: Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
    # Asked after "已报满": the person chose to queue for a seat.
    waitlist: Flag = False


# Staff plan consultations two weeks ahead; a day outside that cannot be booked.
CONSULTATION_DAYS = 14


def _consultation_day(value: date) -> date:
    today = local_today()
    if not today < value <= today + timedelta(days=CONSULTATION_DAYS):
        raise ValueError(f"请在今后{CONSULTATION_DAYS}天里选一天")
    return value


class ConsultationIn(PersonIn):
    kind: Literal["consultation"]
    listing_id: Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
    preferred_day: Annotated[date, AfterValidator(_consultation_day)]
    half_day: Literal["am", "pm"]


class ApplicationIn(PersonIn):
    kind: Literal["application"]
    listing_id: Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]
    # A separate consent: without it staff call back but nothing goes to the employer.
    share_with_employer: Flag = False


RegistrationIn = JobSeekerIn | GigWorkerIn | TrainingSignupIn | ConsultationIn | ApplicationIn


# --- What staff send -------------------------------------------------------------

KindName = Literal[
    "job_seeker", "gig_worker", "training_signup", "consultation", "application", "callback"
]
StatusName = Literal["new", "contacted", "referred", "hired", "closed"]


class RegistrationFilters(DayRange):
    """The inbox's filters, shared by the list and the CSV export; days are China dates."""

    kind: KindName | None = None
    status: StatusName | None = None
    listing_id: QueryId | None = None
    # Any place inside the staff member's scope: a community, or a street for all of its own.
    community_id: QueryId | None = None
    # A name (or part of one) or a reference such as JX7K3F9Q.
    q: Line(40) | None = None


class RegistrationsQuery(RegistrationFilters):
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50


class MatchesQuery(Strict):
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class FollowUpIn(Strict):
    """A follow-up step: the new status (or the same one, to add a note alone) and a note."""

    status: StatusName
    # One line: notes are kept as a log, a line per step.
    note: Line(300) = ""
