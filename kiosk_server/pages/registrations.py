"""The phone pages of one registration: what was registered, a way to cancel, and the
confirmation a phone sees right after registering."""

from __future__ import annotations

from datetime import date

from flask import Response, make_response, render_template, request

from kiosk_server.pages import bp
from kiosk_server.registrations.actions import do_cancel_registration
from kiosk_server.registrations.links import link_expired, manage_url, token_matches
from kiosk_server.registrations.models import (
    HALF_DAY_NAMES,
    KIND_NAMES,
    STATUS_NAMES,
    Registration,
    RegistrationRepeat,
    confirmation,
    mask_mobile,
)
from kiosk_server.registrations.queries import by_reference
from kiosk_server.throttle import limit_registration_cancel
from kiosk_server.timeutil import day_label


def _registration_or_none(reference: str, token: str) -> Registration | RegistrationRepeat | None:
    if len(reference) > 16 or not token_matches(reference, token):
        return None
    return by_reference(reference)


def _expired() -> Response:
    return make_response(render_template("pages/registration_link_expired.html"), 410)


def _page(registration: Registration | None, token: str, message: str = "") -> Response:
    if registration is None:
        return make_response(render_template("pages/registration_missing.html"), 404)
    if link_expired(registration):
        return _expired()
    return make_response(
        render_template(
            "pages/registration.html",
            registration=registration,
            kind_name=KIND_NAMES[registration.kind],
            status_name=STATUS_NAMES[registration.status],
            mobile=mask_mobile(registration.mobile),
            token=token,
            message=message,
        )
    )


@bp.get("/r/<reference>")
def registration_page(reference: str) -> Response:
    token = request.args.get("t", "")
    return _page(_registration_or_none(reference, token), token)


@bp.post("/r/<reference>/cancel")
@limit_registration_cancel
def registration_cancel(reference: str) -> Response:
    token = request.form.get("t", "")
    registration = _registration_or_none(reference, token)
    if registration is not None and not link_expired(registration):
        do_cancel_registration(registration)
    return _page(registration, token, "已取消。如需再次登记，可以到服务站或扫码重新登记。")


def _appointment(registration: Registration) -> str:
    day = registration.details.get("preferred_day")
    if not day:
        return ""
    half = HALF_DAY_NAMES.get(registration.details.get("half_day", ""), "")
    return f"{day_label(date.fromisoformat(day))}{half}"


@bp.get("/r/<reference>/done")
def registration_done(reference: str) -> Response:
    """Where a phone lands after registering; the token keeps it to the person who did."""
    registration = _registration_or_none(reference, request.args.get("t", ""))
    if registration is None or link_expired(registration):
        return _page(registration, "")
    response = make_response(
        render_template(
            "pages/signup/done.html",
            registration=registration,
            kind_name=KIND_NAMES[registration.kind],
            message=confirmation(registration),
            appointment=_appointment(registration),
            manage_url=manage_url(registration.reference),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
