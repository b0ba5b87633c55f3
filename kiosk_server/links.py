"""Addresses the outside world opens, such as the phone page behind a QR code."""

from __future__ import annotations

from flask import current_app, url_for


def phone_url(listing_id: int) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        return base + url_for("pages.phone_listing", listing_id=listing_id)
    return url_for("pages.phone_listing", listing_id=listing_id, _external=True)
