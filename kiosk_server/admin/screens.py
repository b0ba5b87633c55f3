"""Staff see the screens in their part of the tree and can stop one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.admin.access import access_screen, access_site
from kiosk_server.listings.display import iso
from kiosk_server.paging import page_json
from kiosk_server.screens.actions import do_create_enrolment_code, do_revoke_screen
from kiosk_server.screens.display import screen_identity
from kiosk_server.screens.models import Screen
from kiosk_server.screens.presence import is_online
from kiosk_server.screens.queries import (
    SyncState,
    presence_by_kind,
    screens_in_scope,
    sync_states,
)
from kiosk_server.screens.schemas import ScreensQuery
from kiosk_server.staff.auth import require_staff
from kiosk_server.timeutil import utcnow
from kiosk_server.validation import parse_query


def _screen_json(screen: Screen, now: datetime, sync: SyncState) -> dict[str, Any]:
    return {
        **screen_identity(screen),
        "app_version": screen.app_version,
        "last_seen_at": iso(screen.last_seen_at),
        "last_seq": screen.last_seq,
        "latest_seq": sync.latest_seq,
        "stale": sync.stale,
        "revoked": screen.revoked_at is not None,
        "online": is_online(screen, now),
    }


@bp.get("/api/screens")
def screen_index() -> Response:
    staff = require_staff()
    query = parse_query(ScreensQuery)
    now = utcnow()
    found = screens_in_scope(
        staff.scope.path, query.kind, query.status, now, query.page, query.per_page
    )
    states = sync_states(found.items, now)
    body = page_json(
        found,
        lambda screen: _screen_json(screen, now, states[screen.id]),
        query.page,
        query.per_page,
    )
    # How many of the kind asked for are online now: one grouped count, whatever the page.
    presence = presence_by_kind(staff.scope.path, now)
    body["online"] = sum(
        up for kind, (up, _total) in presence.items() if kind == (query.kind or kind)
    )
    return jsonify(body)


@bp.post("/api/sites/<int:site_id>/enrolment-codes")
def enrolment_code_create(site_id: int) -> tuple[Response, int]:
    staff = require_staff()
    site = access_site(staff, site_id)
    record, code = do_create_enrolment_code(site, staff)
    body = {
        "code": f"{code[:4]} {code[4:]}",
        "site": {"id": site.id, "name": site.name},
        "expires_at": iso(record.expires_at),
    }
    return jsonify(body), 201


@bp.post("/api/screens/<int:screen_id>/revoke")
def screen_revoke(screen_id: int) -> Response:
    staff = require_staff()
    screen = access_screen(staff, screen_id)
    do_revoke_screen(screen, staff)
    now = utcnow()
    return jsonify(_screen_json(screen, now, sync_states([screen], now)[screen.id]))
