"""Matching registered job seekers and gig workers with jobs, with reasons staff can read.

Pure functions over rows already loaded: the queries pick who and what may
match (open registrations, published jobs, inside the job's target and the
staff member's scope); this module only weighs the fit. Scores are points,
not probabilities; the reasons and concerns are what staff act on, so each
one says in Chinese what was compared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from kiosk_server.listings.models import JOB_CATEGORY_NAMES, Listing
from kiosk_server.places.models import PlaceLevel
from kiosk_server.registrations.models import AGE_BAND_NAMES, AVAILABILITY_NAMES, Registration

T = TypeVar("T")

# Points for each part of the fit; the ranking only needs their order to make sense.
WANTED_CATEGORY = 40
RELATED_CATEGORY = 15
GIG_CATEGORY_FOR_GIG_WORKER = 25
FLEXIBLE_CATEGORY_FOR_GIG_WORKER = 10
SKILL_IN_TITLE_OR_REQUIREMENTS = 25
SKILL_ELSEWHERE = 15
SKILL_PARTLY = 10
SKILL_CAP = 35
TIME_FITS = 15
TIME_CLASHES = -10
AGE_OUTSIDE = -25
SAME_COMMUNITY = 15
NEAR_KM_POINTS = 12  # at 0 km, falling by 2 a kilometre
FAR_KM = 10

# Kinds of work close enough that someone who wants one may take the other:
# all three let a parent or carer fit work around the day.
RELATED = {
    "mom_friendly": {"part_time", "piece_rate"},
    "piece_rate": {"mom_friendly", "part_time", "gig"},
    "part_time": {"mom_friendly", "piece_rate", "gig"},
    "gig": {"part_time", "piece_rate"},
    "full_time": set(),
    "public_welfare": set(),
}
FLEXIBLE_CATEGORIES = {"piece_rate", "part_time"}

_SPLIT = re.compile(r"[\s,，、；;。.！!？?/／()（）]+|和|及|与|或")
# "会缝纫", "做过保洁", "有电工证": the skill is what follows.
_PREFIXES = ("会做", "会用", "做过", "擅长", "熟悉", "会", "懂", "能", "有")
_SUFFIXES = ("经验", "工作")
# Two-character pieces too common in requirements to say anything about a skill.
_COMMON_PAIRS = {"工作", "经验", "优先", "可以", "以上", "手机", "智能", "身体", "健康", "能力"}
_SPAN = re.compile(r"([0-9]{1,2})[:：]([0-9]{2})\s*[–—\-~～至到]\s*([0-9]{1,2})[:：]([0-9]{2})")
_ANY_TIME = re.compile(r"不限|自由|自己安排|约定|预约|随时")
_WEEKEND = re.compile(r"周末|周六|周日|星期六|星期日|星期天")
_NO_WEEKEND = re.compile(r"周末轮?休|双休|周一至周五|工作日")
_EVENING = re.compile(r"晚班|夜班|每晚|晚上")
_DAYTIME = re.compile(r"白天|白班")
AGE_BANDS = {
    "16-24": (16, 24),
    "25-39": (25, 39),
    "40-49": (40, 49),
    "50-59": (50, 59),
    "60+": (60, 200),
}


@dataclass(frozen=True)
class Person:
    """What a job seeker or gig worker told us, as matching needs it."""

    kind: str
    wanted: tuple[str, ...]
    skills: tuple[str, ...]
    availability: tuple[str, ...]
    age_band: str | None
    community_id: int
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Job:
    category: str | None
    title: str
    requirements: str
    other_text: str
    work_hours: str
    flexible: bool
    age_min: int | None
    age_max: int | None
    community_id: int | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Match:
    score: int
    reasons: tuple[str, ...]
    concerns: tuple[str, ...]
    distance_km: float | None


def skill_terms(texts: Iterable[str]) -> tuple[str, ...]:
    """ "会缝纫，做过保洁" → ("缝纫", "保洁"); terms under two characters say too little."""
    terms: list[str] = []
    for text in texts:
        for part in _SPLIT.split(text or ""):
            term = part.strip()
            for prefix in _PREFIXES:
                if term.startswith(prefix) and len(term) > len(prefix) + 1:
                    term = term[len(prefix) :]
                    break
            for suffix in _SUFFIXES:
                if term.endswith(suffix) and len(term) > len(suffix) + 1:
                    term = term[: -len(suffix)]
            if len(term) >= 2 and term not in terms:
                terms.append(term)
    return tuple(terms)


def person_from(registration: Registration) -> Person:
    community = registration.community
    return person_of(
        registration.kind,
        registration.details,
        community.id,
        community.latitude,
        community.longitude,
    )


def person_of(
    kind: str,
    details: dict[str, Any] | None,
    community_id: int,
    latitude: float | None,
    longitude: float | None,
) -> Person:
    """A Person from a registration's columns, for queries that weigh thousands of them."""
    details = details or {}
    if kind == "gig_worker":
        skills = skill_terms(str(trade) for trade in details.get("trades") or [])
    else:
        skills = skill_terms([str(details.get("skills") or "")])
    return Person(
        kind=kind,
        wanted=tuple(str(w) for w in details.get("wanted") or []),
        skills=skills,
        availability=tuple(str(a) for a in details.get("availability") or []),
        age_band=details.get("age_band"),
        community_id=community_id,
        latitude=latitude,
        longitude=longitude,
    )


@dataclass(frozen=True)
class JobRow:
    """A job's columns and where its site and target are, as one query reads them."""

    category: str | None
    title: str
    requirements: str | None
    summary: str | None
    body: str | None
    employer: str | None
    work_hours: str | None
    flexible: bool | None
    age_min: int | None
    age_max: int | None
    site_community_id: int | None  # None: no site
    site_latitude: float | None
    site_longitude: float | None
    site_community_latitude: float | None
    site_community_longitude: float | None
    target_id: int
    target_level: str
    target_latitude: float | None
    target_longitude: float | None


def job_from(listing: Listing) -> Job:
    site, target = listing.site, listing.target
    return job_of(
        JobRow(
            listing.job_category,
            listing.title,
            listing.requirements,
            listing.summary,
            listing.body,
            listing.employer,
            listing.work_hours,
            listing.flexible,
            listing.age_min,
            listing.age_max,
            site.community_id if site else None,
            site.latitude if site else None,
            site.longitude if site else None,
            site.community.latitude if site else None,
            site.community.longitude if site else None,
            target.id,
            target.level,
            target.latitude,
            target.longitude,
        )
    )


def job_of(row: JobRow) -> Job:
    """Where the work is: its site, or the community it is for; a wider target says nothing."""
    if row.site_community_id is not None:
        community_id, lat, lng = row.site_community_id, row.site_latitude, row.site_longitude
        if lat is None or lng is None:
            lat, lng = row.site_community_latitude, row.site_community_longitude
    elif row.target_level == PlaceLevel.COMMUNITY:
        community_id, lat, lng = row.target_id, row.target_latitude, row.target_longitude
    else:
        community_id, lat, lng = None, None, None
    return Job(
        category=row.category,
        title=row.title,
        requirements=row.requirements or "",
        other_text=" ".join(part for part in (row.summary, row.body, row.employer) if part),
        work_hours=row.work_hours or "",
        flexible=bool(row.flexible),
        age_min=row.age_min,
        age_max=row.age_max,
        community_id=community_id,
        latitude=lat,
        longitude=lng,
    )


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance; within a city the error is metres."""
    radius = 6371.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlng = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlng / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def _spans(text: str) -> list[tuple[float, float]]:
    return [
        (int(h1) + int(m1) / 60, int(h2) + int(m2) / 60) for h1, m1, h2, m2 in _SPAN.findall(text)
    ]


def _within(spans: list[tuple[float, float]], earliest: float, latest: float) -> bool:
    return bool(spans) and all(start >= earliest and end <= latest for start, end in spans)


def fitting_times(availability: Iterable[str], job: Job) -> tuple[list[str], bool]:
    """Which of the person's times suit the job's hours, and whether the hours said enough.

    Work hours are free text ("8:30–11:00、13:30–15:30（接送孩子时间可离岗）"),
    so this reads the clock ranges and a few words; when it can tell nothing,
    it claims no fit and raises no concern.
    """
    text = job.work_hours
    spans = _spans(text)
    any_time = bool(_ANY_TIME.search(text))
    evening = bool(_EVENING.search(text)) or any(end > 18.5 or start >= 17 for start, end in spans)
    daytime = bool(_DAYTIME.search(text)) or _within(spans, 6, 19)
    weekend_only = bool(re.match(r"\s*(周六|周日|周末|仅周末|只在周末)", text))
    weekend = bool(_WEEKEND.search(text)) and not _NO_WEEKEND.search(text)
    # Flexible work (可随时离岗) fits around school runs and any weekday.
    loose = job.flexible or any_time
    fit = {
        "anytime": True,
        # Classes run roughly 8:00 to 16:30; 妈妈岗 are made for those hours.
        "school_hours": loose or job.category == "mom_friendly" or _within(spans, 8, 16.5),
        "weekday_day": not weekend_only and (loose or daytime),
        "weekday_evening": not weekend_only and evening,
        "weekend": any_time or weekend,
    }
    known = bool(spans) or loose or evening or daytime or weekend
    return [when for when in availability if fit.get(when, False)], known


def _skill_points(person: Person, job: Job) -> tuple[int, list[str]]:
    close = f"{job.title} {job.requirements}"
    points, reasons = 0, []
    exact = [term for term in person.skills if term in close]
    elsewhere = [term for term in person.skills if term not in close and term in job.other_text]
    if exact:
        points += SKILL_IN_TITLE_OR_REQUIREMENTS * len(exact)
        reasons.append(f"技能对口：{'、'.join(exact)}")
    if elsewhere:
        points += SKILL_ELSEWHERE * len(elsewhere)
        reasons.append(f"技能在岗位说明里提到：{'、'.join(elsewhere)}")
    partly = []
    for term in person.skills:
        if term in exact or term in elsewhere or len(term) < 3:
            continue
        pairs = {term[i : i + 2] for i in range(len(term) - 1)} - _COMMON_PAIRS
        shared = sorted(pair for pair in pairs if pair in close)
        if shared:
            partly.append(f"{term}（{'、'.join(shared)}）")
    if partly:
        points += SKILL_PARTLY * len(partly)
        reasons.append(f"技能相近：{'；'.join(partly)}")
    return min(points, SKILL_CAP), reasons


def _category_points(person: Person, job: Job) -> tuple[int, list[str]]:
    category = job.category
    if category is None:
        return 0, []
    name = JOB_CATEGORY_NAMES.get(category, category)
    if category in person.wanted:
        return WANTED_CATEGORY, [f"想找{name}"]
    related = [w for w in person.wanted if category in RELATED.get(w, set())]
    if related:
        wanted = "、".join(JOB_CATEGORY_NAMES.get(w, w) for w in related)
        return RELATED_CATEGORY, [f"想找{wanted}，与{name}相近"]
    if person.kind == "gig_worker":
        if category == "gig":
            return GIG_CATEGORY_FOR_GIG_WORKER, ["零工岗位，适合登记的零工"]
        if category in FLEXIBLE_CATEGORIES:
            return FLEXIBLE_CATEGORY_FOR_GIG_WORKER, [f"{name}岗位，时间灵活"]
    return 0, []


def _age_concern(person: Person, job: Job) -> str | None:
    band = AGE_BANDS.get(person.age_band or "")
    if band is None or (job.age_min is None and job.age_max is None):
        return None
    low, high = band
    if job.age_max is None:
        wanted = f"{job.age_min}岁以上"
    elif job.age_min is None:
        wanted = f"{job.age_max}岁以下"
    else:
        wanted = f"{job.age_min}–{job.age_max}岁"
    if high < (job.age_min or 0) or low > (job.age_max or 200):
        return f"岗位要求{wanted}，登记的是{AGE_BAND_NAMES[person.age_band or '']}"
    return None


def _distance(person: Person, job: Job) -> float | None:
    if job.latitude is None or job.longitude is None:
        return None
    if person.latitude is None or person.longitude is None:
        return None
    return round(distance_km(person.latitude, person.longitude, job.latitude, job.longitude), 1)


def match(person: Person, job: Job) -> Match | None:
    """How well one person fits one job, or None when their work has nothing in common.

    Wanted work or a skill must fit: living next door is no reason to offer
    a welder's post to someone who asked for piece work.
    """
    category_points, reasons = _category_points(person, job)
    skill_points, skill_reasons = _skill_points(person, job)
    if not category_points and not skill_points:
        return None
    score = category_points + skill_points
    reasons = [*reasons, *skill_reasons]
    concerns: list[str] = []

    fits, known = fitting_times(person.availability, job)
    if fits:
        score += TIME_FITS
        names = "、".join(AVAILABILITY_NAMES.get(when, when) for when in fits)
        reasons.append(f"时间合适：{names}" + (f"（{job.work_hours}）" if job.work_hours else ""))
    elif known and person.availability:
        score += TIME_CLASHES
        concerns.append(f"时间可能对不上：岗位是{job.work_hours or '时间不定'}")

    age = _age_concern(person, job)
    if age:
        score += AGE_OUTSIDE
        concerns.append(age)

    if job.community_id is not None and job.community_id == person.community_id:
        score += SAME_COMMUNITY
        reasons.append("就在本社区")
    km = _distance(person, job)
    if km is not None and job.community_id != person.community_id:
        near = max(0, round(NEAR_KM_POINTS - 2 * km))
        if near:
            score += near
            reasons.append(f"离工作地点约{km}公里")
        elif km >= FAR_KM:
            concerns.append(f"离工作地点约{km}公里，较远")
    return Match(score, tuple(reasons), tuple(concerns), km)


def rank(scored: Iterable[tuple[T, Match | None]], limit: int) -> list[tuple[T, Match]]:
    """Best first; at equal points the nearer one, then the order given (newest first)."""
    kept = [(item, found) for item, found in scored if found is not None and found.score > 0]
    kept.sort(key=lambda pair: (-pair[1].score, _distance_key(pair[1])))
    return kept[:limit]


def _distance_key(found: Match) -> float:
    return found.distance_km if found.distance_km is not None else math.inf
