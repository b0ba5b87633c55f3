"""The phone page a QR code opens: the listing in full, a call button, the place."""

from __future__ import annotations

from flask import Response, make_response, render_template

from kiosk_server.links import phone_url
from kiosk_server.listings.display import public_listing
from kiosk_server.listings.queries import public_listing_by_id
from kiosk_server.pages import bp
from kiosk_server.pages.jsonld import listing_jsonld
from kiosk_server.pages.signup import signup_link
from kiosk_server.validation import MAX_ID


@bp.get("/l/<int:listing_id>")
def phone_listing(listing_id: int) -> Response:
    listing = public_listing_by_id(listing_id) if listing_id <= MAX_ID else None
    if listing is None:
        return make_response(render_template("pages/not_found.html"), 404)
    live = listing.status == "published"
    return make_response(
        render_template(
            "pages/listing.html",
            listing=public_listing(listing),
            live=live,
            signup=signup_link(listing) if live else None,
            # Search engines are told to drop postings that have ended, not to keep them.
            jsonld=listing_jsonld(listing, phone_url(listing.id)) if live else None,
        )
    )
