"""Listing pictures: only real images, no metadata kept, served in the size a screen shows."""

from __future__ import annotations

import io

from flask import Flask
from PIL import Image

from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient

GPS_TAG = 0x8825


def _photo(width: int = 3000, height: int = 2000, fmt: str = "JPEG") -> bytes:
    """A camera-like photo, with GPS in its EXIF for JPEG."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    buffer = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # camera make
        exif[GPS_TAG] = {1: "N", 2: (36.0, 4.0, 12.0)}
        image.save(buffer, fmt, exif=exif, quality=95)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def _upload(staff: StaffClient, listing_id: int, data: bytes, name: str = "photo.jpg"):
    return staff.post(
        f"/admin/api/listings/{listing_id}/images",
        data={"image": (io.BytesIO(data), name), "alt": "手工坊里做手工花"},
        content_type="multipart/form-data",
    )


def test_a_photo_is_stored_without_gps_and_served_small_to_tvs(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    screen = Screen(app, world.jiuquhe.id)
    original = _photo()

    response = _upload(admin, listing["id"], original)

    assert response.status_code == 201, response.json
    [change] = screen.received_changes()
    [image] = change["data"]["images"]
    assert image["alt"] == "手工坊里做手工花"
    served = client.get(image["urls"]["tv"])
    assert served.status_code == 200
    assert "immutable" in served.headers["Cache-Control"]
    tv = Image.open(io.BytesIO(served.data))
    assert tv.size == (540, 360)  # 3:2 kept, inside 640×360
    assert len(served.data) < len(original) / 5
    for name in ("tv", "kiosk", "thumb", "original"):
        stored = Image.open(io.BytesIO(client.get(f"/api/images/{image['id']}/{name}.jpg").data))
        assert GPS_TAG not in stored.getexif() and len(stored.getexif()) == 0


def test_png_and_webp_are_accepted(admin: StaffClient, world: World) -> None:
    listing = admin.create(listing_input(target_id=world.jiuquhe.id))
    for fmt in ("PNG", "WEBP"):
        response = _upload(admin, listing["id"], _photo(800, 600, fmt), f"photo.{fmt.lower()}")
        assert response.status_code == 201, (fmt, response.json)


def test_a_decompression_bomb_is_refused(admin: StaffClient, world: World) -> None:
    listing = admin.create(listing_input(target_id=world.jiuquhe.id))
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # tiny file, 400 million pixels
    assert len(bomb.getvalue()) < 200_000

    response = _upload(admin, listing["id"], bomb.getvalue(), "bomb.png")

    assert response.status_code == 422
    assert response.json["error"]["fields"]["image"] == "图片像素太多，不能上传"


def test_a_text_file_renamed_to_jpg_and_a_gif_are_refused(admin: StaffClient, world: World) -> None:
    listing = admin.create(listing_input(target_id=world.jiuquhe.id))
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")

    text = _upload(admin, listing["id"], b"<script>alert(1)</script>" * 10, "evil.jpg")
    other = _upload(admin, listing["id"], gif.getvalue(), "anim.gif")

    assert text.status_code == 422 and "不是有效的图片" in text.json["error"]["fields"]["image"]
    assert other.status_code == 422 and "JPEG、PNG、WebP" in other.json["error"]["fields"]["image"]
    assert admin.get(f"/admin/api/listings/{listing['id']}").json["images"] == []


def test_a_file_over_ten_megabytes_is_refused(admin: StaffClient, world: World) -> None:
    listing = admin.create(listing_input(target_id=world.jiuquhe.id))
    response = _upload(admin, listing["id"], b"\xff\xd8" + b"0" * (11 * 1024 * 1024))
    assert response.status_code == 413
    assert admin.get(f"/admin/api/listings/{listing['id']}").json["images"] == []


def test_a_drafts_pictures_are_not_public(admin: StaffClient, world: World, client) -> None:
    listing = admin.create(listing_input(target_id=world.jiuquhe.id))
    image_id = _upload(admin, listing["id"], _photo(400, 300)).json["id"]
    assert client.get(f"/api/images/{image_id}/tv.jpg").status_code == 404
    assert client.get(f"/api/images/{image_id}/../../secret_key.jpg").status_code == 404


def test_staff_cannot_add_pictures_outside_their_scope(
    admin: StaffClient, station_staff: StaffClient, world: World
) -> None:
    listing = admin.create(listing_input(target_id=world.taidong1.id))
    response = _upload(station_staff, listing["id"], _photo(400, 300))
    assert response.status_code == 403


def test_staff_in_scope_see_a_drafts_picture_privately_to_preview_it(
    app: Flask, admin: StaffClient, station_staff: StaffClient, world: World, client
) -> None:
    inside = admin.create(listing_input(target_id=world.jiuquhe.id))
    outside = admin.create(listing_input(target_id=world.taidong1.id))
    mine = f"/api/images/{_upload(admin, inside['id'], _photo(400, 300)).json['id']}/tv.jpg"
    theirs = f"/api/images/{_upload(admin, outside['id'], _photo(400, 300)).json['id']}/tv.jpg"

    served = station_staff.get(mine)

    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.data)).size == (400, 300)
    assert served.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in served.headers.get("Vary", "")
    assert station_staff.get(theirs).status_code == 404
    assert client.get(mine).status_code == 404
    station_staff.delete("/admin/api/session")
    assert station_staff.get(mine).status_code == 404


def test_a_drafts_qr_code_is_for_staff_in_scope_only(
    admin: StaffClient, station_staff: StaffClient, world: World, client
) -> None:
    inside = admin.create(listing_input(target_id=world.jiuquhe.id))
    outside = admin.create(listing_input(target_id=world.taidong1.id))

    served = station_staff.get(f"/api/listings/{inside['id']}/qr.png")

    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["Cache-Control"] == "private, no-store"
    assert station_staff.get(f"/api/listings/{outside['id']}/qr.png").status_code == 404
    assert client.get(f"/api/listings/{inside['id']}/qr.png").status_code == 404


def test_a_published_picture_stays_public_and_cacheable_for_staff_too(
    admin: StaffClient, world: World
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    url = f"/api/images/{_upload(admin, listing['id'], _photo(400, 300)).json['id']}/tv.jpg"

    served = admin.get(url)

    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
