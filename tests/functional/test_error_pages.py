"""Every HTTP error, on every family of pages, as the person (or program) asking reads it.

Pages for people (the phone pages /l/, /register/, /r/, and the apps' /tv/, /kiosk/,
/admin/) answer a Chinese page in the phone pages' style; /api/ and /admin/api/
answer the documented JSON error. Either way the status is the error's own, and
the headers the error carries (Allow on 405, Retry-After on 429 and 503,
WWW-Authenticate on 401) are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Blueprint, Flask, abort
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import TooManyRequests, Unauthorized
from werkzeug.test import TestResponse

from kiosk_server import create_app
from kiosk_server.extensions import db
from kiosk_server.registrations.links import manage_token
from tests.conftest import make_config
from tests.factories import build_world, make_listing, make_registration
from tests.helpers import assert_error

PHONE_PREFIXES = ["/l/1", "/register", "/r/ABC", "/tv", "/kiosk", "/admin"]
JSON_PREFIXES = ["/api", "/admin/api"]
PAGE_STATUSES = [400, 401, 403, 404, 405, 413, 429, 500, 503]
JSON_CODES = {
    400: "bad_request",
    401: "login_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}
# English that Werkzeug's own pages and its exception names would show.
ENGLISH = re.compile(
    r"Not Found|Bad Request|Forbidden|Unauthorized|Method Not Allowed|Too Large|Too Many"
    r"|Internal Server Error|Service Unavailable|Werkzeug|The (?:server|browser|method|requested)"
)


def _raise(status: int) -> None:
    """What views and Flask's machinery raise for each status."""
    if status == 401:
        raise Unauthorized(www_authenticate=_challenge())
    if status == 405:
        abort(405, valid_methods=["GET", "HEAD"])
    if status == 429:
        raise TooManyRequests(retry_after=30)
    if status == 500:
        raise RuntimeError("a bug")
    if status == 503:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))
    abort(status)


def _challenge():  # type: ignore[no-untyped-def]
    from werkzeug.datastructures import WWWAuthenticate

    return WWWAuthenticate("basic", {"realm": "就享家"})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app with one extra route per page family that fails with any status."""
    instance = tmp_path_factory.mktemp("errors")
    app = create_app(make_config(f"sqlite:///{instance / 'errors.sqlite3'}", instance))
    # Unhandled errors are answered by the app, as in production, not re-raised.
    app.testing = False
    failing = Blueprint("failing", __name__)
    for number, prefix in enumerate(PHONE_PREFIXES + JSON_PREFIXES):
        failing.add_url_rule(
            f"{prefix}/__fail__/<int:status>",
            f"fail_{number}",
            _raise,
            methods=["GET", "POST"],
        )
    app.register_blueprint(failing)
    with app.app_context():
        db.create_all()
        world = build_world()
        listing = make_listing("job", target=world.jiuquhe)
        registration = make_registration(world.jiuquhe)
        app.config["TEST_IDS"] = {
            "listing": listing.id,
            "reference": registration.reference,
            "token": manage_token(registration.reference),
        }
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def browser(site: Flask) -> FlaskClient:
    return site.test_client()


def _assert_page(response: TestResponse, status: int) -> str:
    """A Chinese page in the phone pages' style, with the error's own status."""
    page = response.get_data(as_text=True)
    assert response.status_code == status, (response.status_code, page[:400])
    assert response.mimetype == "text/html", response.mimetype
    assert response.mimetype_params.get("charset") == "utf-8"
    assert '<html lang="zh-CN">' in page, page[:400]
    assert "/static/phone.css" in page
    assert '<header class="brand">就享家' in page
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert heading and re.search(r"[\u4e00-\u9fff]", heading.group(1)), page[:600]
    assert not ENGLISH.search(page), ENGLISH.search(page)
    return page


def _assert_headers(response: TestResponse, status: int) -> None:
    if status == 405:
        assert response.headers["Allow"] == "GET, HEAD"
    if status == 429:
        assert response.headers["Retry-After"] == "30"
    if status == 503:
        assert response.headers["Retry-After"] == "5"
    if status == 401:
        assert response.headers["WWW-Authenticate"] == 'Basic realm="就享家"'


@pytest.mark.parametrize("status", PAGE_STATUSES)
@pytest.mark.parametrize("prefix", PHONE_PREFIXES)
def test_every_error_on_a_page_is_a_chinese_page_with_its_headers(
    browser: FlaskClient, prefix: str, status: int
) -> None:
    response = browser.get(f"{prefix}/__fail__/{status}")

    _assert_page(response, status)
    _assert_headers(response, status)


@pytest.mark.parametrize("status", PAGE_STATUSES)
@pytest.mark.parametrize("prefix", JSON_PREFIXES)
def test_every_error_of_the_api_is_the_documented_json_with_its_headers(
    browser: FlaskClient, prefix: str, status: int
) -> None:
    response = browser.get(f"{prefix}/__fail__/{status}")

    code = "database_unavailable" if status == 503 else JSON_CODES[status]
    assert_error(response, status, code=code)
    _assert_headers(response, status)


def test_a_form_too_large_is_a_chinese_page_that_leads_back_to_the_form(
    browser: FlaskClient, site: Flask
) -> None:
    listing_id = site.config["TEST_IDS"]["listing"]
    reference = site.config["TEST_IDS"]["reference"]
    forms = [
        f"/l/{listing_id}/apply",
        "/register/job-seeker",
        "/register/gig-worker",
        f"/r/{reference}/cancel",
    ]
    for form in forms:
        # More than MAX_CONTENT_LENGTH (64 KB), as a pasted essay would be.
        response = browser.post(form, data={"name": "王" * 40_000, "skills": "x" * 40_000})

        page = _assert_page(response, 413)
        assert "提交的内容太多" in page
        if form.startswith("/r/"):  # cancelling has no page of its own to go back to
            continue
        assert f'<a class="call" href="{form}">' in page


def test_a_wrong_method_on_a_page_keeps_allow(browser: FlaskClient, site: Flask) -> None:
    listing_id = site.config["TEST_IDS"]["listing"]
    reference = site.config["TEST_IDS"]["reference"]
    for path, allowed in [
        (f"/l/{listing_id}", {"GET", "HEAD", "OPTIONS"}),
        (f"/r/{reference}", {"GET", "HEAD", "OPTIONS"}),
        (f"/r/{reference}/cancel", {"POST", "OPTIONS"}),
        ("/tv/", {"GET", "HEAD", "OPTIONS"}),
        ("/kiosk/", {"GET", "HEAD", "OPTIONS"}),
        ("/admin/", {"GET", "HEAD", "OPTIONS"}),
        ("/register/", {"GET", "HEAD", "OPTIONS"}),
    ]:
        method = "GET" if "GET" not in allowed else "PUT"
        response = browser.open(path, method=method)

        _assert_page(response, 405)
        assert set(response.headers["Allow"].split(", ")) == allowed, path


def test_a_wrong_method_on_the_api_keeps_allow(browser: FlaskClient) -> None:
    for path, method in [
        ("/api/places", "POST"),
        ("/api/feed", "DELETE"),
        ("/admin/api/listings/1/publish", "DELETE"),
    ]:
        response = browser.open(path, method=method)

        assert_error(response, 405, code="method_not_allowed")
        assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    "path",
    ["/nowhere", "/l/abc", "/tv/nothing", "/kiosk/src/missing.js", "/admin/nothing", "/r/"],
)
def test_an_unknown_page_is_a_chinese_page(browser: FlaskClient, path: str) -> None:
    page = _assert_page(browser.get(path), 404)
    assert "没有找到" in page


@pytest.mark.parametrize(
    ("prefix", "home"), [("/tv", "/tv/"), ("/kiosk", "/kiosk/"), ("/admin", "/admin/")]
)
def test_an_app_error_page_leads_back_to_the_app(
    browser: FlaskClient, prefix: str, home: str
) -> None:
    page = _assert_page(browser.get(f"{prefix}/nothing"), 404)
    assert f'href="{home}"' in page
    # Not the phone's registration forms: a kiosk or a TV has its own.
    assert "/register/" not in page


def test_a_form_without_its_security_token_is_a_chinese_page(
    browser: FlaskClient, site: Flask
) -> None:
    ids = site.config["TEST_IDS"]
    for form in (
        f"/l/{ids['listing']}/apply",
        "/register/gig-worker",
        f"/r/{ids['reference']}/cancel",
    ):
        response = browser.post(form, data={"name": "王", "t": ids["token"]})

        page = _assert_page(response, 400)
        assert "页面已过期" in page


def test_an_unreachable_database_on_a_page_is_a_chinese_page(tmp_path: Path) -> None:
    from tests.live_server import free_port

    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    client = create_app(make_config(url, tmp_path)).test_client()

    response = client.get("/l/1")

    page = _assert_page(response, 503)
    assert response.headers["Retry-After"] == "5"
    assert "数据库暂时不可用" in page
