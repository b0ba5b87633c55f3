"""Public endpoints where residents register: a TV's "请工作人员联系我"."""

from __future__ import annotations

from flask import Response, jsonify, request

from kiosk_server.api import bp
from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing
from kiosk_server.registrations.actions import do_request_callback
from kiosk_server.registrations.schemas import CallbackIn
from kiosk_server.screens.models import Screen
from kiosk_server.screens.queries import active_screen_by_token
from kiosk_server.validation import MAX_ID, parse_body


def _screen_or_401() -> Screen:
    screen = active_screen_by_token(request.headers.get("X-Screen-Token"))
    if screen is None:
        raise ApiError(401, "此屏幕未登记或已停用，请联系工作人员", code="unknown_screen")
    return screen


@bp.post("/listings/<int:listing_id>/callback")
def request_callback(listing_id: int) -> tuple[Response, int]:
    screen = _screen_or_401()
    listing = db.session.get(Listing, listing_id) if listing_id <= MAX_ID else None
    if listing is None:
        raise ApiError(404, "没有找到这条信息")
    registration, created = do_request_callback(screen, listing, parse_body(CallbackIn))
    body = {
        "reference": registration.reference,
        "created": created,
        "message": "已收到，工作人员会尽快联系您"
        if created
        else "这个号码已经登记过这条信息了，工作人员会联系您",
    }
    return jsonify(body), 201 if created else 200
