"""Staff upload pictures for a listing."""

from __future__ import annotations

from flask import Response, jsonify, request

from kiosk_server.admin import bp
from kiosk_server.admin.access import access_listing
from kiosk_server.errors import ApiError
from kiosk_server.limits import allow_body
from kiosk_server.listings.actions import check_add_listing_image
from kiosk_server.listings.images import MAX_UPLOAD_BYTES
from kiosk_server.staff.auth import require_staff
from kiosk_server.validation import Line, Strict, parse


class ImageFormIn(Strict):
    alt: Line(120) = ""


@bp.post("/api/listings/<int:listing_id>/images")
# Pictures may be larger than the JSON limit; the multipart wrapping gets a little room.
@allow_body(MAX_UPLOAD_BYTES + 64 * 1024)
def listing_image_upload(listing_id: int) -> tuple[Response, int]:
    staff = require_staff()
    listing = access_listing(staff, listing_id)
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        raise ApiError(422, fields={"image": "请选择一张图片"})
    form = parse(ImageFormIn, {key: request.form[key] for key in request.form})
    image = check_add_listing_image(listing, upload.read(MAX_UPLOAD_BYTES + 1), form.alt, staff)
    body = {"id": image.id, "width": image.width, "height": image.height, "alt": image.alt}
    return jsonify(body), 201
