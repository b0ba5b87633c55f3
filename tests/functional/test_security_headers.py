"""Every answer carries a strict Content-Security-Policy, refuses framing (except the
TV and kiosk apps, which the console frames for its previews), forbids MIME sniffing
and keeps referers inside the site; the staff session cookie is Secure over HTTPS."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk_server import create_app
from kiosk_server.config import PROJECT_ROOT
from kiosk_server.places.models import PlaceLevel
from tests.conftest import World, make_config
from tests.factories import listing_input, make_listing
from tests.helpers import StaffClient

FRAMED = ("/tv/", "/kiosk/")


def _urls(client: FlaskClient, world: World) -> list[str]:
    listing = make_listing(target=world.jiuquhe)
    body = {
        "kind": "job_seeker",
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "王女士",
        "mobile": "13900002468",
        "community_id": world.jiuquhe.id,
        "age_band": "40-49",
        "wanted": ["mom_friendly"],
        "availability": ["weekend"],
    }
    manage = client.post("/api/registrations", json=body).json["manage_url"]
    return [
        *FRAMED,
        f"/tv/?preview={listing.id}",
        "/admin/",
        "/tv/src/app.js",
        "/kiosk/sw.js",
        f"/l/{listing.id}",
        f"/l/{listing.id}/apply",
        manage.removeprefix("http://localhost"),
        "/r/NOSUCHREF?t=x",
        "/register/",
        "/register/job-seeker",
        "/no/such/page",
        f"/api/feed?community_id={world.jiuquhe.id}",
        f"/api/listings/{listing.id}",
        f"/api/listings/{listing.id}/qr.png",
        "/api/no-such-thing",
        "/api/openapi.json",
        "/admin/api/session",
        "/admin/api/listings",  # 401 without a session
    ]


def test_every_answer_carries_the_security_headers(
    app: Flask, world: World, client: FlaskClient
) -> None:
    for url in _urls(client, world):
        response = client.get(url)
        assert response.status_code < 500, url
        headers = response.headers
        policy = headers.get("Content-Security-Policy", "")
        directives = dict([*part.split(" ", 1), ""][:2] for part in policy.split("; ") if part)
        assert directives.get("script-src") == "'self'", (url, policy)
        assert "unsafe" not in policy, (url, policy)
        assert directives.get("object-src") == "'none'", url
        assert directives.get("base-uri") == "'none'", url
        framed = url.split("?")[0] in FRAMED
        assert directives.get("frame-ancestors") == ("'self'" if framed else "'none'"), url
        assert headers.get("X-Frame-Options") == ("SAMEORIGIN" if framed else "DENY"), url
        assert headers.get("X-Content-Type-Options") == "nosniff", url
        assert headers.get("Referrer-Policy") == "same-origin", url


@pytest.mark.parametrize("folder", ["admin_ui", "tv_app", "kiosk_ui"])
def test_no_app_page_has_inline_script_style_or_handler(folder: str) -> None:
    for page in (PROJECT_ROOT / folder).glob("index*.html"):
        html = page.read_text()
        scripts = re.findall(r"<script\b([^>]*)>", html)
        assert all("src=" in attributes for attributes in scripts), (page, scripts)
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), page


def _session_cookie(response) -> str:  # type: ignore[no-untyped-def]
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_session_cookie_is_secure_over_https_only(app: Flask, world: World) -> None:
    login = {"username": "admin", "password": world.passwords["admin"]}
    for base, secure in (("https://localhost", True), ("http://localhost", False)):
        http = app.test_client()
        csrf = http.get("/admin/api/session", base_url=base).json["csrf_token"]
        response = http.post(
            "/admin/api/session",
            json=login,
            headers={"X-CSRFToken": csrf, "Referer": f"{base}/admin/"},
            base_url=base,
        )
        assert response.status_code == 200, response.json
        assert ("; Secure" in _session_cookie(response)) is secure, base


def test_the_console_still_works_with_the_policy(admin: StaffClient, world: World) -> None:
    assert admin.create(listing_input(target_id=world.jiuquhe.id))["id"]


def _login_cookie(app: Flask, headers: dict[str, str]) -> str:
    from kiosk_server.extensions import db
    from kiosk_server.staff.actions import do_create_staff
    from kiosk_server.staff.models import StaffRole
    from tests.factories import _place

    with app.app_context():
        db.create_all()
        city = _place("青岛市", PlaceLevel.CITY, None, 36.07, 120.38)
        do_create_staff(
            username="admin",
            display_name="市管理员",
            password="admin-password-1",
            role=StaffRole.CITY_ADMIN,
            scope=city,
            by=None,
        )
        db.session.commit()
    http = app.test_client()
    csrf = http.get("/admin/api/session", headers=headers).json["csrf_token"]
    response = http.post(
        "/admin/api/session",
        json={"username": "admin", "password": "admin-password-1"},
        headers={**headers, "X-CSRFToken": csrf, "Referer": "https://screens.example.org/"},
    )
    assert response.status_code == 200, response.json
    return _session_cookie(response)


@pytest.mark.parametrize(
    "setting, secure",
    [
        ({"trusted_proxies": 1}, True),  # nginx said the browser came over HTTPS
        ({"public_base_url": "https://screens.example.org"}, True),
        ({}, False),  # the header from no trusted proxy is not believed
    ],
    ids=["behind-nginx", "https-address", "no-proxy"],
)
def test_behind_nginx_over_https_the_session_cookie_is_secure(
    tmp_path: Path, setting: dict[str, object], secure: bool
) -> None:
    app = create_app(make_config(f"sqlite:///{tmp_path / 'tls.sqlite3'}", tmp_path, **setting))
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "screens.example.org"}
    assert ("; Secure" in _login_cookie(app, headers)) is secure
