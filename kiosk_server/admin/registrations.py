"""Staff follow up the registrations from their part of the tree: the inbox and its
filters, one registration, its follow-up, the CSV export, and matching people with jobs.

Mobiles stay masked in all of these; revealing one is its own audited step.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.admin.access import (
    access_listing_on_branch,
    access_listing_to_match,
    access_place,
    access_registration,
)
from kiosk_server.errors import ApiError
from kiosk_server.listings.display import listing_pay_text
from kiosk_server.listings.models import JOB_CATEGORY_NAMES, Listing, ListingKind
from kiosk_server.paging import page_json
from kiosk_server.registrations.actions import do_follow_up, do_reveal_mobile
from kiosk_server.registrations.display import (
    CSV_HEADER,
    csv_row,
    detail_items,
    registration_detail,
    registration_summary,
)
from kiosk_server.registrations.matching import Match, job_from, match, person_from, rank
from kiosk_server.registrations.queries import (
    WORKER_KINDS,
    count_in_scope,
    listings_by_id,
    open_jobs_reaching,
    open_workers,
    registrations_by_id,
    registrations_for_export,
    registrations_in_scope,
)
from kiosk_server.registrations.schemas import (
    FollowUpIn,
    MatchesQuery,
    RegistrationFilters,
    RegistrationsQuery,
)
from kiosk_server.staff.auth import require_staff
from kiosk_server.staff.models import Staff
from kiosk_server.timeutil import local_today
from kiosk_server.validation import parse_body, parse_query

# An export is built in memory; beyond this many rows staff narrow the filters instead.
MAX_EXPORT_ROWS = 20_000
# Matching weighs at most this many of the newest candidates, to answer in well under a second.
MAX_CANDIDATES = 5_000


def _check_filters(staff: Staff, filters: RegistrationFilters) -> None:
    """A place filter must lie in the staff member's scope; a listing filter must be
    a listing whose registrations can be in it."""
    if filters.community_id is not None:
        access_place(staff, filters.community_id, field="community_id")
    if filters.listing_id is not None:
        access_listing_on_branch(staff, filters.listing_id, "listing_id")


@bp.get("/api/registrations")
def registration_index() -> Response:
    staff = require_staff()
    query = parse_query(RegistrationsQuery)
    _check_filters(staff, query)
    found = registrations_in_scope(staff.scope.path, query, query.page, query.per_page)
    return jsonify(page_json(found, registration_summary, query.page, query.per_page))


@bp.get("/api/registrations.csv")
def registration_export() -> Response:
    staff = require_staff()
    filters = parse_query(RegistrationFilters)
    _check_filters(staff, filters)
    total = count_in_scope(staff.scope.path, filters)
    if total > MAX_EXPORT_ROWS:
        raise ApiError(
            422,
            f"一次最多导出{MAX_EXPORT_ROWS}条，现在有{total}条，请缩小日期或其他筛选范围",
            code="too_many_rows",
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for registration in registrations_for_export(staff.scope.path, filters, MAX_EXPORT_ROWS):
        writer.writerow(csv_row(registration))
    # The BOM is how Excel on Windows knows the file is UTF-8 and not GBK.
    response = Response(buffer.getvalue().encode("utf-8-sig"), mimetype="text/csv")
    day = local_today().strftime("%Y%m%d")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=registrations-{day}.csv; filename*=UTF-8''{quote(f'登记-{day}.csv')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/registrations/<int:registration_id>")
def registration_show(registration_id: int) -> Response:
    staff = require_staff()
    return jsonify(registration_detail(access_registration(staff, registration_id)))


@bp.post("/api/registrations/<int:registration_id>/status")
def registration_follow_up(registration_id: int) -> Response:
    staff = require_staff()
    registration = access_registration(staff, registration_id)
    data = parse_body(FollowUpIn)
    return jsonify(registration_detail(do_follow_up(registration, staff, data.status, data.note)))


@bp.post("/api/registrations/<int:registration_id>/reveal")
def registration_reveal(registration_id: int) -> Response:
    """A POST, not a GET: it writes the audit entry, so it needs the CSRF token too."""
    staff = require_staff()
    registration = access_registration(staff, registration_id)
    return jsonify({"mobile": do_reveal_mobile(registration, staff)})


def _fit(found: Match) -> dict[str, Any]:
    return {
        "score": found.score,
        "reasons": list(found.reasons),
        "concerns": list(found.concerns),
        "distance_km": found.distance_km,
    }


def _job_line(listing: Listing) -> dict[str, Any]:
    category = listing.job_category
    return {
        "id": listing.id,
        "title": listing.title,
        "status": listing.status,
        "employer": listing.employer,
        "category": category,
        "category_name": JOB_CATEGORY_NAMES.get(category, category) if category else None,
        "pay_text": listing_pay_text(listing),
        "work_hours": listing.work_hours,
        "target": {"id": listing.target.id, "name": listing.target.name},
        "site": {"id": listing.site.id, "name": listing.site.name} if listing.site else None,
    }


@bp.get("/api/listings/<int:listing_id>/matches")
def listing_matches(listing_id: int) -> Response:
    """The registered job seekers and gig workers who fit a job, best first."""
    staff = require_staff()
    listing = access_listing_to_match(staff, listing_id)
    query = parse_query(MatchesQuery)
    if listing.kind != ListingKind.JOB:
        raise ApiError(422, "只有岗位信息可以匹配求职和零工登记", code="not_a_job")
    job = job_from(listing)
    people = open_workers(listing.target.path, staff.scope.path, MAX_CANDIDATES)
    ranked = rank(((id_, match(person, job)) for id_, person in people), query.limit)
    fits = dict(ranked)
    items = [
        {
            "registration": {**registration_summary(person), "details": detail_items(person)},
            **_fit(fits[person.id]),
        }
        for person in registrations_by_id([id_ for id_, _found in ranked])
    ]
    return jsonify({"listing": _job_line(listing), "items": items, "considered": len(people)})


@bp.get("/api/registrations/<int:registration_id>/matches")
def registration_matches(registration_id: int) -> Response:
    """The published jobs that reach a job seeker's or gig worker's community and fit them."""
    staff = require_staff()
    registration = access_registration(staff, registration_id)
    query = parse_query(MatchesQuery)
    if registration.kind not in WORKER_KINDS:
        raise ApiError(422, "只有求职登记和零工登记可以匹配岗位", code="not_a_worker")
    person = person_from(registration)
    jobs = open_jobs_reaching(registration.community, MAX_CANDIDATES)
    ranked = rank(((id_, match(person, job)) for id_, job in jobs), query.limit)
    fits = dict(ranked)
    listings = listings_by_id([id_ for id_, _found in ranked])
    return jsonify(
        {
            "registration": registration_summary(registration),
            "items": [{"listing": _job_line(job), **_fit(fits[job.id])} for job in listings],
            "considered": len(jobs),
        }
    )
