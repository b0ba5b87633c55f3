"""Staff JSON API: log in, write listings and announcements, publish them live.

Every request is checked against the staff member's scope here on the server;
every state-changing request needs the CSRF token from GET /admin/api/session.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from flask import Response, jsonify
from flask_wtf.csrf import generate_csrf
from pydantic import Field

from kiosk_server.admin import bp
from kiosk_server.admin.access import access_announcement, access_listing, access_place
from kiosk_server.errors import ApiError
from kiosk_server.listings.actions import (
    check_create_announcement,
    check_create_listing,
    check_publish_listing,
    check_update_listing,
    check_withdraw_announcement,
    check_withdraw_listing,
    do_duplicate_listing,
)
from kiosk_server.listings.display import iso, public_announcement, public_listing
from kiosk_server.listings.models import Announcement, Listing
from kiosk_server.listings.queries import announcements_in_scope, listings_in_scope
from kiosk_server.listings.schemas import (
    AnnouncementIn,
    AnnouncementsQuery,
    ListingEdit,
    ListingIn,
    PublishIn,
)
from kiosk_server.paging import page_json
from kiosk_server.staff.actions import do_end_sessions, do_login, do_record_lockout
from kiosk_server.staff.auth import (
    current_staff_or_none,
    login_session,
    logout_session,
    require_staff,
)
from kiosk_server.staff.models import ROLE_NAMES, Staff
from kiosk_server.staff.queries import staff_by_ids
from kiosk_server.staff.schemas import LoginIn
from kiosk_server.throttle import limit_login, limit_logout, login_locked_until
from kiosk_server.validation import (
    Line,
    QueryId,
    Strict,
    json_object,
    parse,
    parse_body,
    parse_query,
)

ENVELOPE = frozenset({"listing"})
KIND_TAGS = frozenset({"job", "training", "subsidy", "event"})


def staff_json(staff: Staff | None) -> dict[str, Any] | None:
    if staff is None:
        return None
    return {
        "id": staff.id,
        "username": staff.username,
        "display_name": staff.display_name,
        "role": staff.role,
        "role_name": ROLE_NAMES.get(staff.role, staff.role),
        "scope": {"id": staff.scope.id, "name": staff.scope.name, "level": staff.scope.level},
    }


def _admin_listing(listing: Listing) -> dict[str, Any]:
    return {
        **public_listing(listing),
        "version": listing.version,
        "created_at": iso(listing.created_at),
        "created_by_id": listing.created_by_id,
        "updated_by_id": listing.updated_by_id,
    }


def _admin_announcement(announcement: Announcement, creators: dict[int, Staff]) -> dict[str, Any]:
    creator = creators.get(announcement.created_by_id or 0)
    return {
        **public_announcement(announcement),
        "created_at": iso(announcement.created_at),
        # None when the console's command line made it, or for an account since removed.
        "created_by": {"id": creator.id, "display_name": creator.display_name} if creator else None,
    }


@bp.get("/api/session")
def session_info() -> Response:
    return jsonify({"staff": staff_json(current_staff_or_none()), "csrf_token": generate_csrf()})


@bp.post("/api/session")
@limit_login
def log_in() -> Response:
    data = parse_body(LoginIn)
    try:
        staff = do_login(data.username, data.password)
    except ApiError as error:
        until = login_locked_until() if error.status == 401 else None
        if until is not None:
            do_record_lockout(data.username, until)
        raise
    login_session(staff)
    return jsonify({"staff": staff_json(staff), "csrf_token": generate_csrf()})


@bp.delete("/api/session")
@limit_logout
def log_out() -> Response:
    staff = current_staff_or_none()
    if staff is not None:
        do_end_sessions(staff, by=staff)
    logout_session()
    return jsonify({"staff": None, "csrf_token": generate_csrf()})


class ListingsQuery(Strict):
    status: Literal["draft", "scheduled", "published", "withdrawn", "expired"] | None = None
    kind: Literal["job", "training", "subsidy", "event"] | None = None
    q: Line(40) | None = None  # in the title
    target_id: QueryId | None = None  # targeted at exactly this place
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50


@bp.get("/api/listings")
def listing_index() -> Response:
    staff = require_staff()
    query = parse_query(ListingsQuery)
    if query.target_id is not None:
        # Like the audit log's place_id: only a place of one's own, else 403 or 404.
        access_place(staff, query.target_id, "target_id")
    page = listings_in_scope(
        staff.scope.path,
        query.status,
        query.kind,
        query.page,
        query.per_page,
        q=query.q,
        target_id=query.target_id,
    )
    return jsonify(page_json(page, _admin_listing, query.page, query.per_page))


class _ListingEnvelope(Strict):
    listing: Annotated[ListingIn, Field(discriminator="kind")]


class _EditEnvelope(Strict):
    listing: Annotated[ListingEdit, Field(discriminator="kind")]


Envelope = TypeVar("Envelope", _ListingEnvelope, _EditEnvelope)


def _parse_listing(envelope: type[Envelope]) -> Envelope:
    # The envelope lets pydantic pick the model by "kind"; its name and the
    # kind tag are dropped from field paths, so errors name what was sent.
    return parse(envelope, {"listing": json_object()}, (ENVELOPE, KIND_TAGS))


@bp.post("/api/listings")
def listing_create() -> tuple[Response, int]:
    staff = require_staff()
    listing = check_create_listing(_parse_listing(_ListingEnvelope).listing, staff)
    return jsonify(_admin_listing(listing)), 201


@bp.get("/api/listings/<int:listing_id>")
def listing_show(listing_id: int) -> Response:
    return jsonify(_admin_listing(access_listing(require_staff(), listing_id)))


@bp.put("/api/listings/<int:listing_id>")
def listing_update(listing_id: int) -> Response:
    staff = require_staff()
    listing = access_listing(staff, listing_id)
    data = _parse_listing(_EditEnvelope).listing
    return jsonify(_admin_listing(check_update_listing(listing, data, staff)))


@bp.post("/api/listings/<int:listing_id>/publish")
def listing_publish(listing_id: int) -> Response:
    staff = require_staff()
    listing = access_listing(staff, listing_id)
    data = parse_body(PublishIn)
    return jsonify(_admin_listing(check_publish_listing(listing, staff, data.at)))


@bp.post("/api/listings/<int:listing_id>/withdraw")
def listing_withdraw(listing_id: int) -> Response:
    staff = require_staff()
    return jsonify(_admin_listing(check_withdraw_listing(access_listing(staff, listing_id), staff)))


@bp.post("/api/listings/<int:listing_id>/duplicate")
def listing_duplicate(listing_id: int) -> tuple[Response, int]:
    staff = require_staff()
    copy = do_duplicate_listing(access_listing(staff, listing_id), staff)
    return jsonify(_admin_listing(copy)), 201


@bp.get("/api/announcements")
def announcement_index() -> Response:
    staff = require_staff()
    query = parse_query(AnnouncementsQuery)
    page = announcements_in_scope(staff.scope.path, query.status, query.page, query.per_page)
    creators = staff_by_ids(item.created_by_id for item in page.items)
    return jsonify(
        page_json(
            page, lambda item: _admin_announcement(item, creators), query.page, query.per_page
        )
    )


@bp.post("/api/announcements")
def announcement_create() -> tuple[Response, int]:
    staff = require_staff()
    announcement = check_create_announcement(parse_body(AnnouncementIn), staff)
    return jsonify(public_announcement(announcement)), 201


@bp.post("/api/announcements/<int:announcement_id>/withdraw")
def announcement_withdraw(announcement_id: int) -> Response:
    staff = require_staff()
    announcement = access_announcement(staff, announcement_id)
    return jsonify(public_announcement(check_withdraw_announcement(announcement, staff)))
