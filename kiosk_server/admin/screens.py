"""Staff see the screens in their part of the tree and can stop one."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import Response, jsonify
from sqlalchemy import select

from kiosk_server.admin import bp
from kiosk_server.admin.access import access_screen, access_site
from kiosk_server.extensions import db
from kiosk_server.listings.display import iso
from kiosk_server.places.queries import inside
from kiosk_server.screens.actions import do_create_enrolment_code, do_revoke_screen
from kiosk_server.screens.models import Screen
from kiosk_server.screens.presence import is_online
from kiosk_server.staff.auth import require_staff
from kiosk_server.timeutil import utcnow
from kiosk_server.validation import Strict, parse_query


def _screen_json(screen: Screen, now: datetime) -> dict[str, Any]:
    return {
        "id": screen.id,
        "kind": screen.kind,
        "label": screen.label,
        "community": {"id": screen.community.id, "name": screen.community.name},
        "site": {"id": screen.site.id, "name": screen.site.name} if screen.site else None,
        "app_version": screen.app_version,
        "last_seen_at": iso(screen.last_seen_at),
        "last_seq": screen.last_seq,
        "revoked": screen.revoked_at is not None,
        "online": is_online(screen, now),
    }


class ScreensQuery(Strict):
    kind: Literal["tv", "kiosk"] | None = None


@bp.get("/api/screens")
def screen_index() -> Response:
    staff = require_staff()
    query = parse_query(ScreensQuery)
    statement = (
        select(Screen).where(inside(Screen.community_id, staff.scope.path)).order_by(Screen.id)
    )
    if query.kind:
        statement = statement.where(Screen.kind == query.kind)
    screens = db.session.scalars(statement)
    now = utcnow()
    return jsonify({"items": [_screen_json(screen, now) for screen in screens]})


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
    return jsonify(_screen_json(screen, utcnow()))
