"""Staff read the audit log of their part of the tree. Nothing here writes: the log
has no edit, delete or create endpoint, only the actions that make changes add to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.admin.access import (
    access_account,
    access_announcement,
    access_colleague,
    access_enrolment_code,
    access_listing,
    access_place,
    access_registration,
    access_screen,
    naming,
)
from kiosk_server.audit.models import ACTION_NAMES, ENTITY_NAMES, AuditEntry
from kiosk_server.audit.queries import entries_in_scope
from kiosk_server.audit.schemas import AuditQuery
from kiosk_server.errors import ApiError
from kiosk_server.listings.display import iso
from kiosk_server.paging import page_json
from kiosk_server.staff.auth import require_staff
from kiosk_server.staff.models import Staff
from kiosk_server.validation import parse_query


def _entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "staff_id": entry.staff_id,
        "actor": entry.actor,
        "action": entry.action,
        "action_name": ACTION_NAMES.get(entry.action, entry.action),
        "entity": {
            "type": entry.entity_type,
            "type_name": ENTITY_NAMES.get(entry.entity_type, entry.entity_type),
            "id": entry.entity_id,
        },
        "place": {"id": entry.place.id, "name": entry.place.name},
        "summary": entry.summary,
        "before": entry.before,
        "after": entry.after,
    }


# How to check an entity_id against the scope, by entity_type.
ENTITY_ACCESS: dict[str, Callable[[Staff, int], object]] = {
    "listing": access_listing,
    "announcement": access_announcement,
    "screen": access_screen,
    "enrolment_code": access_enrolment_code,
    "staff": access_account,
    "registration": access_registration,
}


def _check_filters(staff: Staff, query: AuditQuery) -> None:
    """Each id filtered by must be one the staff member may look at, like opening it."""
    if query.entity_id is not None:
        # An action names its entity's type too: "staff.create" is about an account.
        kind = query.entity_type or (query.action or "").split(".")[0]
        if kind not in ENTITY_ACCESS:
            raise ApiError(422, fields={"entity_type": "按编号查找时请同时选择类型"})
        with naming("entity_id"):
            ENTITY_ACCESS[kind](staff, query.entity_id)
    if query.staff_id is not None:
        access_colleague(staff, query.staff_id, "staff_id")


@bp.get("/api/audit")
def audit_index() -> Response:
    staff = require_staff()
    query = parse_query(AuditQuery)
    _check_filters(staff, query)
    # Narrowing to a place is allowed only inside one's own scope, like opening a listing.
    scope = access_place(staff, query.place_id) if query.place_id else staff.scope
    found = entries_in_scope(scope.path, query)
    return jsonify(page_json(found, _entry_json, query.page, query.per_page))
