"""A kiosk ties itself to its site with the one-time code staff gave it."""

from __future__ import annotations

from flask import Response, jsonify

from kiosk_server.api import bp
from kiosk_server.listings.display import public_site
from kiosk_server.screens.actions import do_enrol_kiosk
from kiosk_server.screens.schemas import KioskEnrolmentIn
from kiosk_server.throttle import limit_kiosk_enrolment
from kiosk_server.validation import parse_body


@bp.post("/screens/enrol")
@limit_kiosk_enrolment
def enrol_kiosk() -> tuple[Response, int]:
    screen, token = do_enrol_kiosk(parse_body(KioskEnrolmentIn))
    body = {
        "screen": {"id": screen.id, "kind": screen.kind, "community_id": screen.community_id},
        "site": public_site(screen.site) if screen.site else None,
        "token": token,
    }
    return jsonify(body), 201
