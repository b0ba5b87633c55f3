"""Reading registrations, always within a staff member's part of the place tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, Subquery, case, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing, ListingKind, ListingStatus
from kiosk_server.paging import Page, paginate
from kiosk_server.places.models import Place, Site
from kiosk_server.places.queries import inside
from kiosk_server.registrations.matching import Job, JobRow, Person, job_of, person_of
from kiosk_server.registrations.models import (
    OPEN_STATUSES,
    Registration,
    RegistrationKind,
    RegistrationRepeat,
)
from kiosk_server.registrations.schemas import RegistrationFilters
from kiosk_server.screens.models import Screen
from kiosk_server.timeutil import china_midnight

NEWEST_FIRST = (Registration.created_at.desc(), Registration.id.desc())
WORKER_KINDS = (RegistrationKind.JOB_SEEKER, RegistrationKind.GIG_WORKER)


def _contains(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(scope_path: str, filters: RegistrationFilters) -> Select[tuple[Registration]]:
    statement = select(Registration).where(inside(Registration.community_id, scope_path))
    if filters.kind:
        statement = statement.where(Registration.kind == filters.kind)
    if filters.status:
        statement = statement.where(Registration.status == filters.status)
    if filters.listing_id is not None:
        statement = statement.where(Registration.listing_id == filters.listing_id)
    if filters.community_id is not None:
        place = db.session.get(Place, filters.community_id)
        if place is not None:
            statement = statement.where(inside(Registration.community_id, place.path))
    if filters.from_ is not None:
        statement = statement.where(Registration.created_at >= china_midnight(filters.from_))
    if filters.to is not None:
        end = china_midnight(filters.to + timedelta(days=1))
        statement = statement.where(Registration.created_at < end)
    if filters.q:
        # References are read out over the phone, so they are matched whatever the case.
        statement = statement.where(
            or_(
                Registration.name.ilike(_contains(filters.q), escape="\\"),
                Registration.reference == filters.q.upper(),
            )
        )
    return statement


def registrations_in_scope(
    scope_path: str, filters: RegistrationFilters, page: int, per_page: int
) -> Page[Registration]:
    return paginate(_filtered(scope_path, filters), NEWEST_FIRST, page, per_page)


def count_in_scope(scope_path: str, filters: RegistrationFilters) -> int:
    statement = _filtered(scope_path, filters).subquery()
    return db.session.scalar(select(func.count()).select_from(statement)) or 0


def registrations_for_export(
    scope_path: str, filters: RegistrationFilters, limit: int
) -> list[Registration]:
    statement = (
        _filtered(scope_path, filters)
        .options(selectinload(Registration.session))  # a row's 信息 names its training session
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def open_workers(target_path: str, scope_path: str, limit: int) -> list[tuple[int, Person]]:
    """Job seekers and gig workers still being followed up, where a job reaches and staff see:
    each one's id and what matching weighs, newest first.

    Anonymised ones are left out: nobody can call them any more. Read as columns,
    not as registrations: thousands are weighed for the few staff are shown.
    """
    statement = (
        select(
            Registration.id,
            Registration.kind,
            Registration.details,
            Place.id,
            Place.latitude,
            Place.longitude,
        )
        .join(Place, Place.id == Registration.community_id)
        .where(
            Registration.kind.in_(WORKER_KINDS),
            Registration.status.in_(OPEN_STATUSES),
            Registration.anonymised_at.is_(None),
            inside(Registration.community_id, target_path),
            inside(Registration.community_id, scope_path),
        )
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )
    return [(row[0], person_of(*row[1:])) for row in db.session.execute(statement)]


def open_jobs_reaching(community: Place, limit: int) -> list[tuple[int, Job]]:
    """Published jobs whose target is this community or a place above it: each one's id
    and what matching weighs, newest first. Read as columns, as open_workers."""
    target = aliased(Place)
    site_community = aliased(Place)
    statement = (
        select(
            Listing.id,
            Listing.job_category,
            Listing.title,
            Listing.requirements,
            Listing.summary,
            Listing.body,
            Listing.employer,
            Listing.work_hours,
            Listing.flexible,
            Listing.age_min,
            Listing.age_max,
            Site.community_id,
            Site.latitude,
            Site.longitude,
            site_community.latitude,
            site_community.longitude,
            target.id,
            target.level,
            target.latitude,
            target.longitude,
        )
        .join(target, target.id == Listing.target_id)
        .outerjoin(Site, Site.id == Listing.site_id)
        .outerjoin(site_community, site_community.id == Site.community_id)
        .where(
            Listing.kind == ListingKind.JOB,
            Listing.status == ListingStatus.PUBLISHED,
            Listing.target_id.in_(community.ancestor_ids),
        )
        .order_by(Listing.published_at.desc(), Listing.id.desc())
        .limit(limit)
    )
    return [(row[0], job_of(JobRow(*row[1:]))) for row in db.session.execute(statement)]


def registrations_by_id(ids: Sequence[int]) -> list[Registration]:
    """These registrations, in the order given."""
    found = {
        row.id: row
        for row in db.session.scalars(select(Registration).where(Registration.id.in_(ids)))
    }
    return [found[id_] for id_ in ids if id_ in found]


def listings_by_id(ids: Sequence[int]) -> list[Listing]:
    """These listings, in the order given."""
    found = {row.id: row for row in db.session.scalars(select(Listing).where(Listing.id.in_(ids)))}
    return [found[id_] for id_ in ids if id_ in found]


# Counts for the dashboard: grouped in the database, over the same scope as the inbox.


@dataclass(frozen=True)
class SourceCount:
    channel: str
    site_id: int | None  # the site of the kiosk that took them; None for TVs and phones
    site_name: str | None
    count: int


def _since(scope_path: str, moment: datetime) -> Subquery:
    statement = _filtered(scope_path, RegistrationFilters())
    return statement.where(Registration.created_at >= moment).subquery()


def counts_by_source(scope_path: str, since: datetime) -> list[SourceCount]:
    """How many registrations each channel took since `since`, kiosks site by site."""
    found = _since(scope_path, since)
    rows = db.session.execute(
        select(found.c.channel, Site.id, Site.name, func.count())
        .select_from(found)
        .outerjoin(Screen, Screen.id == found.c.screen_id)
        .outerjoin(Site, Site.id == Screen.site_id)
        .group_by(found.c.channel, Site.id, Site.name)
    ).all()
    return [SourceCount(*row) for row in rows]


def counts_by_day(scope_path: str, days: Sequence[date]) -> dict[date, int]:
    """How many registrations each of `days` (consecutive China days, oldest first) had.

    Days are cut at China midnights in the query itself, the same way on SQLite and
    PostgreSQL, rather than with either database's own date functions.
    """
    found = _since(scope_path, china_midnight(days[0]))
    ends = (china_midnight(day + timedelta(days=1)) for day in days)
    index = case(*((found.c.created_at < end, number) for number, end in enumerate(ends)))
    numbered = select(index.label("number")).select_from(found).subquery()
    rows = db.session.execute(
        select(numbered.c.number, func.count()).group_by(numbered.c.number)
    ).all()
    counted = {days[number]: count for number, count in rows if number is not None}
    return {day: counted.get(day, 0) for day in days}


def counts_by_status(scope_path: str, since: datetime) -> dict[str, int]:
    found = _since(scope_path, since)
    rows = db.session.execute(
        select(found.c.status, func.count()).select_from(found).group_by(found.c.status)
    ).all()
    return {status: count for status, count in rows}


def by_reference(reference: str) -> Registration | RegistrationRepeat | None:
    """A registration, or a repeat of one, by the reference its person was given."""
    reference = reference[:16]
    for model in (Registration, RegistrationRepeat):
        found = db.session.scalar(select(model).where(model.reference == reference))
        if found is not None:
            return found
    return None
