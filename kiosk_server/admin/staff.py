"""Administrators manage staff accounts: list, create, edit, set a password, stop and restart.

Only city administrators may: an account's role decides what its holder sees,
so letting district or street staff hand out accounts would let them widen
their own reach through a colleague. Below the city, staff ask the city.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.admin.access import access_account, access_place, require_account_manager
from kiosk_server.admin.views import staff_json
from kiosk_server.listings.display import iso
from kiosk_server.paging import page_json
from kiosk_server.staff.actions import (
    do_create_staff,
    do_set_active,
    do_set_password,
    do_update_staff,
)
from kiosk_server.staff.models import Staff, StaffRole
from kiosk_server.staff.queries import staff_in_scope
from kiosk_server.staff.schemas import PasswordIn, StaffCreateIn, StaffIn, StaffQuery
from kiosk_server.validation import parse_body, parse_query


def _account_json(staff: Staff) -> dict[str, Any]:
    # Never the password hash or the session epoch. No lock either: wrong passwords
    # lock the guesser's address out of this name (throttle.limit_login), not the account.
    return {
        **(staff_json(staff) or {}),
        "active": staff.active,
        "last_login_at": iso(staff.last_login_at),
        "created_at": iso(staff.created_at),
    }


@bp.get("/api/staff")
def staff_index() -> Response:
    manager = require_account_manager()
    query = parse_query(StaffQuery)
    page = staff_in_scope(manager.scope.path, query.role, query.active, query.page, query.per_page)
    return jsonify(page_json(page, _account_json, query.page, query.per_page))


@bp.post("/api/staff")
def staff_create() -> tuple[Response, int]:
    manager = require_account_manager()
    data = parse_body(StaffCreateIn)
    scope = access_place(manager, data.scope_id, field="scope_id")
    staff = do_create_staff(
        username=data.username,
        display_name=data.display_name,
        password=data.password,
        role=StaffRole(data.role),
        scope=scope,
        by=manager,
    )
    return jsonify(_account_json(staff)), 201


@bp.put("/api/staff/<int:staff_id>")
def staff_update(staff_id: int) -> Response:
    manager = require_account_manager()
    account = access_account(manager, staff_id)
    data = parse_body(StaffIn)
    scope = access_place(manager, data.scope_id, field="scope_id")
    do_update_staff(
        account,
        display_name=data.display_name,
        role=StaffRole(data.role),
        scope=scope,
        by=manager,
    )
    return jsonify(_account_json(account))


@bp.post("/api/staff/<int:staff_id>/password")
def staff_password(staff_id: int) -> Response:
    manager = require_account_manager()
    account = access_account(manager, staff_id)
    data = parse_body(PasswordIn)
    do_set_password(account, data.password, by=manager, end_sessions=True)
    return jsonify(_account_json(account))


@bp.post("/api/staff/<int:staff_id>/deactivate")
def staff_deactivate(staff_id: int) -> Response:
    manager = require_account_manager()
    return jsonify(
        _account_json(do_set_active(access_account(manager, staff_id), False, by=manager))
    )


@bp.post("/api/staff/<int:staff_id>/activate")
def staff_activate(staff_id: int) -> Response:
    manager = require_account_manager()
    return jsonify(
        _account_json(do_set_active(access_account(manager, staff_id), True, by=manager))
    )
