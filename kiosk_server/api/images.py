"""Listing pictures in the sizes screens show."""

from __future__ import annotations

from flask import Response, current_app, send_file

from kiosk_server.api import bp
from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.listings.images import rendition_path
from kiosk_server.listings.models import ListingImage
from kiosk_server.listings.queries import PUBLIC_STATUSES, shown_to
from kiosk_server.staff.auth import current_staff_or_none
from kiosk_server.validation import MAX_ID


@bp.get("/images/<int:image_id>/<name>.jpg")
def listing_image(image_id: int, name: str) -> Response:
    image = db.session.get(ListingImage, image_id) if image_id <= MAX_ID else None
    listing = image.listing if image is not None else None
    public = listing is not None and listing.status in PUBLIC_STATUSES
    # A draft's picture only for staff previewing it (the session is read only then).
    allowed = public or (listing is not None and shown_to(listing, current_staff_or_none()))
    path = (
        rendition_path(current_app.config["MEDIA_ROOT"], image.file_key, name)
        if image is not None and allowed
        else None
    )
    if path is None:
        raise ApiError(404, "没有这张图片")
    if not public:
        # Not for shared caches, nor for a kiosk's offline copy: the draft may never go out.
        response = send_file(path, mimetype="image/jpeg", max_age=0)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    # A stored picture never changes (a new upload gets a new id), so caches may keep it.
    response = send_file(path, mimetype="image/jpeg", max_age=365 * 24 * 3600)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
