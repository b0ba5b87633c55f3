"""The phone link printed as a QR code after registering: see it, or cancel it.

The link's token is derived from the reference with the app's secret, so it can
be given again when a kiosk retries a submission, and nothing extra is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import current_app, url_for

from kiosk_server.timeutil import utcnow

if TYPE_CHECKING:
    from kiosk_server.registrations.models import Registration


def manage_token(reference: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"registration:{reference}".encode(), hashlib.sha256).hexdigest()
    return digest[:24]


def token_matches(reference: str, token: str) -> bool:
    return hmac.compare_digest(manage_token(reference), token or "")


def manage_url(reference: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    path = url_for("pages.registration_page", reference=reference, t=manage_token(reference))
    return (
        base + path
        if base
        else url_for(
            "pages.registration_page",
            reference=reference,
            t=manage_token(reference),
            _external=True,
        )
    )


def link_expired(registration: Registration) -> bool:
    """Past REGISTRATION_LINK_DAYS since it was made: a link kept in a phone's history,
    a photo of a receipt or a log must not open a person's registration for ever."""
    days = current_app.config["REGISTRATION_LINK_DAYS"]
    return utcnow() - registration.created_at > timedelta(days=days)
