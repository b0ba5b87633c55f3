"""Staff see the registrations from their part of the tree; mobiles stay masked in lists."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Response, jsonify
from pydantic import Field

from kiosk_server.admin import bp
from kiosk_server.listings.display import iso
from kiosk_server.registrations.models import (
    KIND_NAMES,
    STATUS_NAMES,
    Registration,
    mask_mobile,
)
from kiosk_server.registrations.queries import registrations_in_scope
from kiosk_server.staff.auth import require_staff
from kiosk_server.validation import Strict, parse_query


class RegistrationsQuery(Strict):
    kind: (
        Literal[
            "job_seeker", "gig_worker", "training_signup", "consultation", "application", "callback"
        ]
        | None
    ) = None
    status: Literal["new", "contacted", "referred", "hired", "closed"] | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50


def _listed(registration: Registration) -> dict[str, Any]:
    listing = registration.listing
    return {
        "id": registration.id,
        "reference": registration.reference,
        "kind": registration.kind,
        "kind_name": KIND_NAMES[registration.kind],
        "status": registration.status,
        "status_name": STATUS_NAMES[registration.status],
        "channel": registration.channel,
        "name": registration.name,
        "mobile": mask_mobile(registration.mobile),
        "community": {"id": registration.community.id, "name": registration.community.name},
        "listing": {"id": listing.id, "title": listing.title} if listing else None,
        "created_at": iso(registration.created_at),
    }


@bp.get("/api/registrations")
def registration_index() -> Response:
    staff = require_staff()
    query = parse_query(RegistrationsQuery)
    found = registrations_in_scope(
        staff.scope.path, query.kind, query.status, query.page, query.per_page
    )
    return jsonify(
        {
            "items": [_listed(item) for item in found.items],
            "total": found.total,
            "page": query.page,
            "per_page": query.per_page,
        }
    )
