"""Reading registrations, always within a staff member's part of the place tree."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing, ListingKind, ListingStatus
from kiosk_server.paging import Page, paginate
from kiosk_server.places.models import Place
from kiosk_server.places.queries import inside
from kiosk_server.registrations.models import OPEN_STATUSES, Registration, RegistrationKind
from kiosk_server.registrations.schemas import RegistrationFilters
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


def open_workers(target_path: str, scope_path: str, limit: int) -> list[Registration]:
    """Job seekers and gig workers still being followed up, where a job reaches and staff see.

    Anonymised ones are left out: nobody can call them any more.
    """
    statement = (
        select(Registration)
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
    return list(db.session.scalars(statement))


def open_jobs_reaching(community: Place, limit: int) -> list[Listing]:
    """Published jobs whose target is this community or a place above it."""
    statement = (
        select(Listing)
        .where(
            Listing.kind == ListingKind.JOB,
            Listing.status == ListingStatus.PUBLISHED,
            Listing.target_id.in_(community.ancestor_ids),
        )
        .order_by(Listing.published_at.desc(), Listing.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))
