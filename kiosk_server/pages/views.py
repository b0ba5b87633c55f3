"""The phone page a QR code opens: the listing in full, a call button, the place."""

from __future__ import annotations

import hashlib

from flask import Response, make_response, render_template, request

from kiosk_server.links import phone_url
from kiosk_server.listings.display import public_listing
from kiosk_server.listings.feed_cache import remembered
from kiosk_server.listings.queries import public_listing_by_id
from kiosk_server.pages import bp
from kiosk_server.pages.jsonld import listing_jsonld
from kiosk_server.pages.signup import signup_link
from kiosk_server.validation import MAX_ID


def _page(listing_id: int) -> tuple[str, bytes] | None:
    """The listing's page and a tag of its bytes; None when the public may not see it."""
    listing = public_listing_by_id(listing_id) if listing_id <= MAX_ID else None
    if listing is None:
        return None
    live = listing.status == "published"
    body = render_template(
        "pages/listing.html",
        listing=public_listing(listing),
        live=live,
        signup=signup_link(listing) if live else None,
        # Search engines are told to drop postings that have ended, not to keep them.
        jsonld=listing_jsonld(listing, phone_url(listing.id)) if live else None,
    ).encode()
    return hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16], body


@bp.get("/l/<int:listing_id>")
def phone_listing(listing_id: int) -> Response:
    # Kept per address the page was asked at: its links are absolute when no
    # PUBLIC_BASE_URL is set. From memory while no change has been heard (feed_cache).
    key = ("phone", listing_id, request.root_url)
    page = remembered(key, lambda: _page(listing_id), "text/html")
    if page is None:
        return make_response(render_template("pages/not_found.html"), 404)
    return page
