"""Staff read the audit log of their part of the tree. Nothing here writes: the log
has no edit, delete or create endpoint, only the actions that make changes add to it."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.admin.access import access_place
from kiosk_server.audit.models import ACTION_NAMES, ENTITY_NAMES, AuditEntry
from kiosk_server.audit.queries import entries_in_scope
from kiosk_server.audit.schemas import AuditQuery
from kiosk_server.listings.display import iso
from kiosk_server.paging import page_json
from kiosk_server.staff.auth import require_staff
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


@bp.get("/api/audit")
def audit_index() -> Response:
    staff = require_staff()
    query = parse_query(AuditQuery)
    # Narrowing to a place is allowed only inside one's own scope, like opening a listing.
    scope = access_place(staff, query.place_id) if query.place_id else staff.scope
    found = entries_in_scope(scope.path, query)
    return jsonify(page_json(found, _entry_json, query.page, query.per_page))
