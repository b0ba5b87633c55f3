"""Public endpoints where residents register: kiosk and phone registrations, and a
TV's "请工作人员联系我"."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Annotated

import segno
from flask import Response, jsonify, request
from pydantic import Field

from kiosk_server.api import bp
from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.links import phone_url
from kiosk_server.listings.models import Listing
from kiosk_server.registrations.actions import do_register, do_request_callback
from kiosk_server.registrations.links import manage_url
from kiosk_server.registrations.models import (
    KIND_NAMES,
    Registration,
    RegistrationRepeat,
    confirmation,
)
from kiosk_server.registrations.queries import by_reference
from kiosk_server.registrations.schemas import CallbackIn, RegistrationIn
from kiosk_server.registrations.ticket import render_ticket
from kiosk_server.screens.models import Screen
from kiosk_server.screens.queries import active_screen_by_token, unknown_screen_error
from kiosk_server.throttle import limit_callback, limit_registration, requester_address
from kiosk_server.timeutil import utcnow
from kiosk_server.validation import MAX_ID, Strict, json_object, parse, parse_body


def _screen_or_401() -> Screen:
    screen = active_screen_by_token(request.headers.get("X-Screen-Token"))
    if screen is None:
        raise unknown_screen_error()
    return screen


class _RegistrationEnvelope(Strict):
    registration: Annotated[RegistrationIn, Field(discriminator="kind")]


# Dropped from field paths level by level: errors name what was sent.
HIDDEN = (
    frozenset({"registration"}),
    frozenset({"job_seeker", "gig_worker", "training_signup", "consultation", "application"}),
)


@bp.post("/registrations")
@limit_registration
def register() -> tuple[Response, int]:
    """From a kiosk (with its token) or a phone (without); retries with the same key are
    safe. Registering again what a number already has is answered as a first time is."""
    token = request.headers.get("X-Screen-Token")
    screen = _screen_or_401() if token is not None else None
    envelope = parse(_RegistrationEnvelope, {"registration": json_object()}, HIDDEN)
    registration, created = do_register(envelope.registration, screen, client=requester_address())
    body = {
        "reference": registration.reference,
        "kind": registration.kind,
        "kind_name": KIND_NAMES[registration.kind],
        "waitlisted": registration.waitlisted,
        "created": created,
        "message": confirmation(registration),
        # Shown as a QR code: the person sees or cancels the registration on their phone.
        "manage_url": manage_url(registration.reference),
    }
    return jsonify(body), 201 if created else 200


@bp.post("/listings/<int:listing_id>/callback")
@limit_callback
def request_callback(listing_id: int) -> tuple[Response, int]:
    """Asking again is answered as asking first: no reference, nothing that tells a
    stranger whether this number asked before."""
    screen = _screen_or_401()
    listing = db.session.get(Listing, listing_id) if listing_id <= MAX_ID else None
    if listing is None:
        raise ApiError(404, "没有找到这条信息")
    do_request_callback(screen, listing, parse_body(CallbackIn))
    return jsonify({"message": "已收到，工作人员会尽快联系您"}), 201


# The kiosk that took a registration may show or print it right after, and only then.
RECEIPT_WINDOW = timedelta(minutes=15)


def _just_taken_here(reference: str) -> tuple[Registration | RegistrationRepeat, Screen]:
    screen = _screen_or_401()
    registration = by_reference(reference)
    if (
        registration is None
        or registration.screen_id != screen.id
        or registration.created_at < utcnow() - RECEIPT_WINDOW
    ):
        raise ApiError(404, "没有这张回执")
    return registration, screen


def _private_png(png: bytes) -> Response:
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/registrations/<reference>/ticket.png")
def registration_ticket(reference: str) -> Response:
    registration, screen = _just_taken_here(reference)
    listing = registration.listing
    site_name = screen.site.name if screen.site else screen.community.name
    return _private_png(
        render_ticket(registration, site_name, phone_url(listing.id) if listing else None)
    )


@bp.get("/registrations/<reference>/qr.png")
def registration_qr(reference: str) -> Response:
    """The link to see or cancel the registration, for the person to scan off the screen."""
    registration, _ = _just_taken_here(reference)
    buffer = io.BytesIO()
    segno.make(manage_url(registration.reference), error="m").save(
        buffer, kind="png", scale=8, border=2
    )
    return _private_png(buffer.getvalue())
