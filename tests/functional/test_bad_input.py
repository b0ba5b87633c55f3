"""Bad input: every endpoint and socket event answers it clearly and changes nothing.

Each case checks the status, the error shape ({"error": {"code", "message",
"fields"}}, messages in Chinese, field keys a person would correct) and that no
row of any table changed, the change counter included. Never a 500.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from logging import ERROR
from typing import Any

import pytest
import websocket
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from kiosk_server.extensions import db, socketio
from kiosk_server.live.push import SCREENS_NAMESPACE
from kiosk_server.screens.models import Screen as ScreenRow
from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.factories import listing_input, make_registration
from tests.helpers import (
    Screen,
    StaffClient,
    assert_chinese,
    assert_error,
    assert_error_body,
    database_unchanged,
    hidden_fields,
)
from tests.live_server import RemoteScreen

FEED = "/api/feed"
HOME = "/api/home"
SITES = "/api/sites"
SITE = "/api/sites/<int:site_id>"
LISTING = "/api/listings/<int:listing_id>"
QR = "/api/listings/<int:listing_id>/qr.png"
ANNOUNCEMENTS = "/api/announcements"
SCREENS = "/api/screens"
PHONE_PAGE = "/l/<int:listing_id>"
STATIC = "/static/<path:filename>"
SESSION = "/admin/api/session"
STAFF_LISTINGS = "/admin/api/listings"
STAFF_LISTING = "/admin/api/listings/<int:listing_id>"
PUBLISH = "/admin/api/listings/<int:listing_id>/publish"
WITHDRAW = "/admin/api/listings/<int:listing_id>/withdraw"
STAFF_ANNOUNCEMENTS = "/admin/api/announcements"
ANNOUNCEMENT_WITHDRAW = "/admin/api/announcements/<int:announcement_id>/withdraw"
DUPLICATE = "/admin/api/listings/<int:listing_id>/duplicate"
LISTING_DELIVERY = "/admin/api/listings/<int:listing_id>/delivery"
ANNOUNCEMENT_DELIVERY = "/admin/api/announcements/<int:announcement_id>/delivery"
STAFF_PLACES = "/admin/api/places"
CHOICES = "/admin/api/choices"
CALLBACK = "/api/listings/<int:listing_id>/callback"
IMAGE = "/api/images/<int:image_id>/<name>.jpg"
IMAGE_UPLOAD = "/admin/api/listings/<int:listing_id>/images"
REGISTRATIONS = "/admin/api/registrations"
REGISTRATIONS_CSV = "/admin/api/registrations.csv"
REGISTRATION = "/admin/api/registrations/<int:registration_id>"
REGISTRATION_STATUS = "/admin/api/registrations/<int:registration_id>/status"
REGISTRATION_REVEAL = "/admin/api/registrations/<int:registration_id>/reveal"
REGISTRATION_MATCHES = "/admin/api/registrations/<int:registration_id>/matches"
LISTING_MATCHES = "/admin/api/listings/<int:listing_id>/matches"
STAFF_SCREENS = "/admin/api/screens"
DASHBOARD = "/admin/api/dashboard"
AUDIT = "/admin/api/audit"
SCREEN_REVOKE = "/admin/api/screens/<int:screen_id>/revoke"
ENROL = "/api/screens/enrol"
STAFF_ACCOUNTS = "/admin/api/staff"
STAFF_ACCOUNT = "/admin/api/staff/<int:staff_id>"
STAFF_PASSWORD = "/admin/api/staff/<int:staff_id>/password"
STAFF_DEACTIVATE = "/admin/api/staff/<int:staff_id>/deactivate"
STAFF_ACTIVATE = "/admin/api/staff/<int:staff_id>/activate"
PUBLIC_REGISTRATIONS = "/api/registrations"
TICKET = "/api/registrations/<reference>/ticket.png"
REGISTRATION_QR = "/api/registrations/<reference>/qr.png"
REGISTRATION_PAGE = "/r/<reference>"
REGISTRATION_CANCEL = "/r/<reference>/cancel"
ENROLMENT_CODES = "/admin/api/sites/<int:site_id>/enrolment-codes"
SIGNUP_INDEX = "/register/"
JOB_SEEKER_FORM = "/register/job-seeker"
GIG_WORKER_FORM = "/register/gig-worker"
APPLY_FORM = "/l/<int:listing_id>/apply"
TRAINING_FORM = "/l/<int:listing_id>/signup"
CONSULTATION_FORM = "/l/<int:listing_id>/consult"
SIGNUP_DONE = "/r/<reference>/done"
# Pages for people: a refusal is a page in Chinese, not JSON.
PAGES = {PHONE_PAGE, REGISTRATION_PAGE, APPLY_FORM, TRAINING_FORM, CONSULTATION_FORM, SIGNUP_DONE}

MAX_INT32 = 2**31 - 1
NAIVE = "2030-01-01T19:00:00"
PAST = "2020-01-01T19:00:00+08:00"


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()  # in a table of changes: remove this key


@dataclass(frozen=True)
class At:
    """The id of one of the world's places or sites, filled in when the test runs."""

    name: str


def _resolve(value: Any, world: World) -> Any:
    if isinstance(value, At):
        return getattr(world, value.name).id
    if isinstance(value, dict):
        return {key: _resolve(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, world) for item in value]
    return value


def _changed(body: dict[str, Any], changes: dict[str, Any], world: World) -> dict[str, Any]:
    """Apply {"job.pay.min": 5, "title": DROP} to a request body."""
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = body
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if value is DROP:
            del node[key]
        else:
            node[key] = _resolve(value, world)
    return body


def _url(rule: str, item_id: int | str) -> str:
    return re.sub(r"<(?:path:)?\w+>", "x", re.sub(r"<int:\w+>", str(item_id), rule))


def _screen_token(client: FlaskClient, world: World) -> dict[str, str]:
    """What a registered TV sends with its HTTP requests."""
    token = client.post(SCREENS, json={"community_id": world.jiuquhe.id}).json["token"]
    return {"X-Screen-Token": token}


@pytest.fixture(autouse=True)
def _no_server_errors(app: Flask, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A socket event that fails still answers; the app's log is where a 500 would show.

    Engine.IO's own log is left out: it reports the broken packets it drops.
    """
    yield
    records = caplog.get_records("setup") + caplog.get_records("call")
    errors = [
        record.getMessage()
        for record in records
        if record.levelno >= ERROR and record.name == app.logger.name
    ]
    assert errors == []


def _csrf(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRFToken": client.get(SESSION).json["csrf_token"]}


# --- Query strings ----------------------------------------------------------

QUERY_CASES = [
    pytest.param(FEED, "community_id={jiuquhe}&colour=red", 422, {"colour"}, id="unknown-param"),
    pytest.param(FEED, "community_id={jiuquhe}&page=0", 422, {"page"}, id="page-0"),
    pytest.param(FEED, "community_id={jiuquhe}&page=abc", 422, {"page"}, id="page-abc"),
    pytest.param(FEED, "community_id={jiuquhe}&page=100001", 422, {"page"}, id="page-huge"),
    pytest.param(FEED, "community_id={jiuquhe}&sort=random", 422, {"sort"}, id="sort"),
    pytest.param(FEED, "community_id={jiuquhe}&category=both", 422, {"category"}, id="category"),
    pytest.param(HOME, "community_id={jiuquhe}&newest=7", 422, {"newest"}, id="home-newest"),
    pytest.param(HOME, "community_id={jiuquhe}&page=2", 422, {"page"}, id="home-page"),
    pytest.param(HOME, "", 422, {"community_id"}, id="home-neither-place"),
    pytest.param(HOME, f"site_id={MAX_INT32}", 404, {"site_id"}, id="home-no-site"),
    pytest.param(FEED, "community_id={jiuquhe}&per_page=1000", 422, {"per_page"}, id="per-page"),
    pytest.param(FEED, "community_id=99999999999999", 422, {"community_id"}, id="beyond-int32"),
    pytest.param(FEED, f"community_id={MAX_INT32}", 404, {"community_id"}, id="no-community"),
    pytest.param(FEED, "community_id=-1", 422, {"community_id"}, id="negative-id"),
    pytest.param(FEED, "community_id=", 422, {"community_id"}, id="empty-id"),
    pytest.param(FEED, "community_id={street}", 422, {"community_id"}, id="street-not-community"),
    pytest.param(FEED, "site_id=99999999999999", 422, {"site_id"}, id="site-beyond-int32"),
    pytest.param(FEED, f"site_id={MAX_INT32}", 404, {"site_id"}, id="no-site"),
    pytest.param(
        FEED, "community_id={jiuquhe}&site_id={station}", 422, {"community_id"}, id="both-places"
    ),
    pytest.param(FEED, "", 422, {"community_id"}, id="neither-place"),
    pytest.param(FEED, "community_id={jiuquhe}&q=%01", 422, {"q"}, id="q-control-char"),
    pytest.param(FEED, "community_id={jiuquhe}&q=a%00b", 422, {"q"}, id="q-nul"),
    pytest.param(FEED, "community_id={jiuquhe}&q=a%0Ab", 422, {"q"}, id="q-newline"),
    pytest.param(FEED, "community_id={jiuquhe}&q=" + "长" * 41, 422, {"q"}, id="q-too-long"),
    pytest.param(
        FEED, "community_id={jiuquhe}&community_id={jiuquhe}", 422, {"community_id"}, id="twice"
    ),
    pytest.param(FEED, "community_id={jiuquhe}&kind=car", 422, {"kind"}, id="kind"),
    pytest.param(FEED, "community_id={jiuquhe}&free=maybe", 422, {"free"}, id="free"),
    pytest.param(SITES, "community_id=abc", 422, {"community_id"}, id="sites-id-abc"),
    pytest.param(SITES, "community_id=99999999999999", 422, {"community_id"}, id="sites-int32"),
    pytest.param(SITES, f"community_id={MAX_INT32}", 404, {"community_id"}, id="sites-none"),
    pytest.param(SITES, "community_id={street}", 422, {"community_id"}, id="sites-street"),
    pytest.param(SITES, "kind=castle", 422, {"kind"}, id="sites-kind"),
    pytest.param(SITES, "kind=kiosk&kind=station", 422, {"kind"}, id="sites-twice"),
    pytest.param(ANNOUNCEMENTS, "", 422, {"community_id"}, id="announcements-no-id"),
    pytest.param(
        ANNOUNCEMENTS, "community_id=99999999999999", 422, {"community_id"}, id="ann-int32"
    ),
    pytest.param(ANNOUNCEMENTS, "community_id={jiuquhe}&x=1", 422, {"x"}, id="ann-unknown"),
]

STAFF_QUERY_CASES = [
    pytest.param(STAFF_LISTINGS, "page=0", {"page"}, id="page-0"),
    pytest.param(STAFF_LISTINGS, "page=abc", {"page"}, id="page-abc"),
    pytest.param(STAFF_LISTINGS, "per_page=1000", {"per_page"}, id="per-page"),
    pytest.param(STAFF_LISTINGS, "status=deleted", {"status"}, id="status"),
    pytest.param(STAFF_LISTINGS, "kind=car", {"kind"}, id="kind"),
    pytest.param(STAFF_LISTINGS, "colour=red", {"colour"}, id="unknown-param"),
    pytest.param(STAFF_LISTINGS, "page=1&page=2", {"page"}, id="twice"),
    pytest.param(STAFF_LISTINGS, "q=a%00b", {"q"}, id="listings-q-nul"),
    pytest.param(STAFF_LISTINGS, "q=" + "长" * 41, {"q"}, id="listings-q-too-long"),
    pytest.param(STAFF_LISTINGS, "target_id=abc", {"target_id"}, id="listings-target-abc"),
    pytest.param(STAFF_LISTINGS, "target_id=0", {"target_id"}, id="listings-target-0"),
    pytest.param(STAFF_LISTINGS, "target_id=99999999999999", {"target_id"}, id="listings-int32"),
    pytest.param(
        STAFF_ANNOUNCEMENTS, "status=deleted&x=1", {"status", "x"}, id="announcements-status"
    ),
    pytest.param(
        STAFF_ANNOUNCEMENTS, "page=0&per_page=101", {"page", "per_page"}, id="announcements-page"
    ),
    pytest.param(
        STAFF_ANNOUNCEMENTS, "status=active&status=expired", {"status"}, id="announcements-twice"
    ),
    pytest.param(STAFF_PLACES, "level=street", {"level"}, id="places-no-params"),
    pytest.param(CHOICES, "lang=en", {"lang"}, id="choices-no-params"),
    pytest.param(REGISTRATIONS, "page=0&x=1", {"page", "x"}, id="registrations-page-0"),
    pytest.param(REGISTRATIONS, "status=lost", {"status"}, id="registrations-status"),
    pytest.param(REGISTRATIONS, "kind=car&per_page=101", {"kind", "per_page"}, id="reg-kind"),
    pytest.param(REGISTRATIONS, "listing_id=abc", {"listing_id"}, id="reg-listing-abc"),
    pytest.param(REGISTRATIONS, "community_id=-1", {"community_id"}, id="reg-community-negative"),
    pytest.param(REGISTRATIONS, "community_id=99999999999999", {"community_id"}, id="reg-int32"),
    pytest.param(REGISTRATIONS, "from=2026-02-30", {"from"}, id="reg-no-such-day"),
    pytest.param(REGISTRATIONS, "from_=2026-03-01", {"from_"}, id="reg-from-underscore"),
    pytest.param(REGISTRATIONS, "from=2026-03-02&to=2026-03-01", {"to"}, id="reg-to-before-from"),
    pytest.param(REGISTRATIONS, "to=1700000000", {"to"}, id="reg-to-a-number"),
    pytest.param(REGISTRATIONS, "q=a%0Ab", {"q"}, id="reg-q-newline"),
    pytest.param(REGISTRATIONS, "q=" + "长" * 41, {"q"}, id="reg-q-too-long"),
    pytest.param(REGISTRATIONS_CSV, "page=1", {"page"}, id="csv-no-pages"),
    pytest.param(REGISTRATIONS_CSV, "status=lost&x=1", {"status", "x"}, id="csv-status"),
    pytest.param(REGISTRATIONS_CSV, "q=a%00b", {"q"}, id="csv-q-nul"),
    pytest.param(REGISTRATIONS_CSV, "kind=job&kind=gig", {"kind"}, id="csv-twice"),
    pytest.param(STAFF_SCREENS, "kind=radio&x=1", {"kind", "x"}, id="screens-kind"),
    pytest.param(STAFF_SCREENS, "status=broken", {"status"}, id="screens-status"),
    pytest.param(STAFF_SCREENS, "status=stale&status=online", {"status"}, id="screens-twice"),
    pytest.param(DASHBOARD, "scope_id=1&x=%00", {"scope_id", "x"}, id="dashboard-params"),
    pytest.param(AUDIT, "page=0&x=1", {"page", "x"}, id="audit-page-0"),
    pytest.param(AUDIT, "per_page=101", {"per_page"}, id="audit-per-page"),
    pytest.param(AUDIT, "q=a%00b", {"q"}, id="audit-q-nul"),
    pytest.param(AUDIT, "q=" + "长" * 41, {"q"}, id="audit-q-too-long"),
    pytest.param(AUDIT, "action=DROP%20TABLE", {"action"}, id="audit-action"),
    pytest.param(AUDIT, "entity_type=car", {"entity_type"}, id="audit-entity-type"),
    pytest.param(AUDIT, "entity_id=99999999999999", {"entity_id"}, id="audit-entity-int32"),
    pytest.param(AUDIT, "staff_id=abc&place_id=0", {"staff_id", "place_id"}, id="audit-ids"),
    pytest.param(AUDIT, "from=yesterday", {"from"}, id="audit-from"),
    pytest.param(AUDIT, "from_=2026-11-01", {"from_"}, id="audit-from-underscore"),
    pytest.param(AUDIT, "from=2026-11-02&to=2026-11-01", {"to"}, id="audit-to-before-from"),
    pytest.param(AUDIT, "to=1700000000", {"to"}, id="audit-to-a-number"),
    pytest.param(AUDIT, "action=listing.publish&action=x.y", {"action"}, id="audit-twice"),
    pytest.param(STAFF_ACCOUNTS, "role=king&page=0", {"role", "page"}, id="staff-role"),
    pytest.param(STAFF_ACCOUNTS, "active=maybe&x=1", {"active", "x"}, id="staff-active"),
]


def _query(template: str, world: World) -> str:
    return template.format(
        jiuquhe=world.jiuquhe.id, street=world.huangdao_street.id, station=world.station.id
    )


@pytest.mark.parametrize("rule, query, status, fields", QUERY_CASES)
def test_bad_public_query_is_refused_with_the_parameter_named(
    client: FlaskClient, world: World, rule: str, query: str, status: int, fields: set[str]
) -> None:
    with database_unchanged():
        response = client.get(f"{rule}?{_query(query, world)}")
    assert_error(response, status, fields=fields)


@pytest.mark.parametrize("rule, query, fields", STAFF_QUERY_CASES)
def test_bad_staff_query_is_refused_with_the_parameter_named(
    admin: StaffClient, rule: str, query: str, fields: set[str]
) -> None:
    with database_unchanged():
        response = admin.get(f"{rule}?{query}")
    assert_error(response, 422, code="validation_failed", fields=fields)


NO_INPUT_ROUTES = [
    ("GET", "/api/openapi.json"),
    ("GET", "/api/health"),
    ("GET", "/api/places"),
    ("GET", SESSION),
    ("GET", SIGNUP_INDEX),
    ("GET", JOB_SEEKER_FORM),
    ("GET", GIG_WORKER_FORM),
    ("GET", "/tv"),
    ("GET", "/tv/"),
    ("GET", "/kiosk"),
    ("GET", "/kiosk/"),
    ("GET", "/admin"),
    ("GET", "/admin/"),
]


@pytest.mark.parametrize("method, rule", NO_INPUT_ROUTES)
def test_routes_without_input_ignore_stray_query_and_body(
    client: FlaskClient, world: World, method: str, rule: str
) -> None:
    with database_unchanged():
        response = client.open(rule + "?x=%00&x=%ff", method=method, data="[[[", headers={})
    assert response.status_code in (200, 301)  # /tv sends browsers on to /tv/, and so on


# --- Unknown ids and methods --------------------------------------------------

ID_ROUTES = [
    ("GET", SITE),
    ("GET", APPLY_FORM),
    ("POST", APPLY_FORM),
    ("GET", TRAINING_FORM),
    ("POST", TRAINING_FORM),
    ("GET", CONSULTATION_FORM),
    ("POST", CONSULTATION_FORM),
    ("GET", SIGNUP_DONE),
    ("GET", LISTING),
    ("GET", QR),
    ("GET", PHONE_PAGE),
    ("GET", STAFF_LISTING),
    ("PUT", STAFF_LISTING),
    ("POST", PUBLISH),
    ("POST", WITHDRAW),
    ("POST", ANNOUNCEMENT_WITHDRAW),
    ("POST", DUPLICATE),
    ("GET", LISTING_DELIVERY),
    ("GET", ANNOUNCEMENT_DELIVERY),
    ("GET", IMAGE),
    ("POST", CALLBACK),
    ("POST", IMAGE_UPLOAD),
    ("POST", SCREEN_REVOKE),
    ("POST", ENROLMENT_CODES),
    ("GET", TICKET),
    ("GET", REGISTRATION_QR),
    ("GET", REGISTRATION_PAGE),
    ("GET", REGISTRATION),
    ("POST", REGISTRATION_STATUS),
    ("POST", REGISTRATION_REVEAL),
    ("GET", REGISTRATION_MATCHES),
    ("GET", LISTING_MATCHES),
    ("PUT", STAFF_ACCOUNT),
    ("POST", STAFF_PASSWORD),
    ("POST", STAFF_DEACTIVATE),
    ("POST", STAFF_ACTIVATE),
]


@pytest.mark.parametrize("method, rule", ID_ROUTES)
def test_unknown_id_is_404_even_beyond_int32(
    admin: StaffClient, world: World, method: str, rule: str
) -> None:
    body = listing_input(target_id=world.jiuquhe.id) if method == "PUT" else {}
    headers = _screen_token(admin.http, world)  # for the TV's callback request
    for unknown in (99_999, MAX_INT32, MAX_INT32 + 1, 10**20):
        with database_unchanged():
            if method == "GET":
                response = admin.get(_url(rule, unknown), headers=headers)
            else:
                response = getattr(admin, method.lower())(
                    _url(rule, unknown), json=body, headers={**headers, "X-CSRFToken": admin.csrf}
                )
        if rule in PAGES:
            assert response.status_code == 404
            assert "没有找到" in response.get_data(as_text=True)
        else:
            assert_error(response, 404, code="not_found")


def test_drafts_are_not_found_publicly(
    client: FlaskClient, admin: StaffClient, world: World
) -> None:
    draft = admin.create(listing_input(target_id=world.jiuquhe.id))
    for rule in (LISTING, QR):
        assert_error(client.get(_url(rule, draft["id"])), 404, code="not_found")
    for rule in (PHONE_PAGE, APPLY_FORM):
        assert client.get(_url(rule, draft["id"])).status_code == 404


@pytest.mark.parametrize(
    "method, path",
    [
        ("DELETE", FEED),
        ("POST", "/api/places"),
        ("PUT", SCREENS),
        ("PATCH", "/admin/api/listings/1"),
        ("DELETE", "/admin/api/listings/1/publish"),
    ],
)
def test_wrong_method_is_405_in_json(client: FlaskClient, method: str, path: str) -> None:
    assert_error(client.open(path, method=method), 405, code="method_not_allowed")


def test_unknown_api_path_is_404_in_json(client: FlaskClient) -> None:
    for path in ("/api/nothing", "/api/listings/abc", "/api/listings/-1", "/admin/api/x"):
        assert_error(client.get(path), 404, code="not_found")


FILE_ROUTES = [
    STATIC,
    "/tv/<any(src, styles):folder_name>/<path:filename>",
    "/kiosk/<any(src, styles):folder_name>/<path:filename>",
    "/kiosk/<any(sw.js):filename>",
    "/admin/<any(src, styles):folder_name>/<path:filename>",
    "/shared/<path:filename>",
    "/vendor/<name>",
    "/assets/<digest>/<path:url_path>",
]


@pytest.mark.parametrize("rule", FILE_ROUTES)
def test_unknown_or_escaping_file_name_is_404(client: FlaskClient, rule: str) -> None:
    prefix = rule.split("<")[0]
    for name in ("no-such-file.js", "%2e%2e/config.py", "..%2fconfig.py", "%00"):
        assert client.get(prefix + name).status_code == 404


# --- Bodies that are not a JSON object ----------------------------------------

BODY_ROUTES = [
    ("POST", SCREENS),
    ("POST", PUBLIC_REGISTRATIONS),
    ("POST", ENROL),
    ("POST", CALLBACK),
    ("POST", SESSION),
    ("POST", STAFF_LISTINGS),
    ("PUT", STAFF_LISTING),
    ("POST", PUBLISH),
    ("POST", STAFF_ANNOUNCEMENTS),
    ("POST", REGISTRATION_STATUS),
    ("POST", STAFF_ACCOUNTS),
    ("PUT", STAFF_ACCOUNT),
    ("POST", STAFF_PASSWORD),
]
JSON = "application/json"
MALFORMED_BODIES = [
    pytest.param("community_id=1", "application/x-www-form-urlencoded", 415, id="form"),
    pytest.param('{"community_id": 1}', "text/plain", 415, id="text-plain"),
    pytest.param('{"title": ', JSON, 400, id="cut-off"),
    pytest.param("", JSON, 400, id="empty"),
    pytest.param("{'title': 'x'}", JSON, 400, id="single-quotes"),
    pytest.param(b'{"title": "\xff\xfe"}', JSON, 400, id="not-utf8"),
    pytest.param('{"title": NaN}', JSON, 400, id="nan"),
    pytest.param('{"title": -Infinity}', JSON, 400, id="infinity"),
    pytest.param("[" * 20_000 + "]" * 20_000, JSON, 400, id="deeply-nested"),
    pytest.param("[]", JSON, 422, id="array"),
    pytest.param('"text"', JSON, 422, id="string"),
    pytest.param("null", JSON, 422, id="null"),
    pytest.param(json.dumps({"title": "长" * 30_000}, ensure_ascii=False), JSON, 413, id="100KB"),
]
STATUS_CODES = {400: "malformed_json", 413: "too_large", 415: "unsupported_media_type"}


@pytest.mark.parametrize("data, content_type, status", MALFORMED_BODIES)
def test_body_that_is_not_a_json_object_is_refused_by_every_endpoint(
    admin: StaffClient, world: World, data: str | bytes, content_type: str, status: int
) -> None:
    draft = admin.create(listing_input(target_id=world.jiuquhe.id))
    item_ids = {
        REGISTRATION_STATUS: make_registration(world.jiuquhe).id,
        STAFF_ACCOUNT: world.station_staff.id,
        STAFF_PASSWORD: world.station_staff.id,
    }
    headers = {**_screen_token(admin.http, world), "X-CSRFToken": admin.csrf}
    for method, rule in BODY_ROUTES:
        with database_unchanged():
            response = getattr(admin, method.lower())(
                _url(rule, item_ids.get(rule, draft["id"])),
                data=data,
                content_type=content_type,
                headers=headers,
            )
        if status == 422:
            assert_error(response, 422, fields={"_body"})
        else:
            assert_error(response, status, code=STATUS_CODES[status])
    # Refused bodies did not end the session or spend the CSRF token.
    assert admin.get(STAFF_LISTINGS).status_code == 200


# --- Registering a screen -----------------------------------------------------

SCREEN_CASES = [
    pytest.param({}, {"community_id"}, id="missing"),
    pytest.param({"community_id": "5"}, {"community_id"}, id="id-as-text"),
    pytest.param({"community_id": True}, {"community_id"}, id="id-true"),
    pytest.param({"community_id": 1.0}, {"community_id"}, id="id-float"),
    pytest.param({"community_id": 10**30}, {"community_id"}, id="id-huge"),
    pytest.param({"community_id": MAX_INT32}, {"community_id"}, id="no-such-place"),
    pytest.param({"community_id": At("huangdao_street")}, {"community_id"}, id="a-street"),
    pytest.param({"community_id": At("jiuquhe"), "colour": "red"}, {"colour"}, id="unknown"),
    pytest.param({"community_id": At("jiuquhe"), "kind": "kiosk"}, {"kind"}, id="kiosk"),
    pytest.param({"community_id": At("jiuquhe"), "app_version": "1" * 33}, {"app_version"}, id="v"),
    pytest.param(
        {"community_id": At("jiuquhe"), "app_version": "1\x00"}, {"app_version"}, id="nul"
    ),
]


@pytest.mark.parametrize("body, fields", SCREEN_CASES)
def test_bad_screen_registration_is_refused_and_registers_nothing(
    client: FlaskClient, world: World, body: dict[str, Any], fields: set[str]
) -> None:
    with database_unchanged():
        response = client.post(SCREENS, json=_resolve(body, world))
    assert_error(response, 422, code="validation_failed", fields=fields)


# --- A TV asking to be called back -------------------------------------------

CALLBACK_CASES = [
    pytest.param({"mobile": "123"}, {"mobile"}, id="short-mobile"),
    pytest.param({"mobile": 13800000000}, {"mobile"}, id="mobile-a-number"),
    pytest.param({"consent": False}, {"consent"}, id="no-consent"),
    pytest.param({"consent": "yes"}, {"consent"}, id="consent-text"),
    pytest.param({"mobile": DROP, "consent": DROP}, {"mobile", "consent"}, id="empty"),
    pytest.param({"name": "何"}, {"name"}, id="unknown-field"),
    pytest.param({"idempotency_key": 5}, {"idempotency_key"}, id="key-a-number"),
    pytest.param({"idempotency_key": "abcdefgh\x00"}, {"idempotency_key"}, id="key-with-nul"),
]


@pytest.mark.parametrize("changes, fields", CALLBACK_CASES)
def test_bad_callback_request_is_refused_and_registers_nothing(
    app: Flask, admin: StaffClient, world: World, changes: dict[str, Any], fields: set[str]
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    client = app.test_client()
    headers = _screen_token(client, world)
    body = _changed({"mobile": "13800000000", "consent": True}, changes, world)
    with database_unchanged():
        response = client.post(_url(CALLBACK, listing["id"]), json=body, headers=headers)
    assert_error(response, 422, code="validation_failed", fields=fields)


def test_callback_without_a_screen_token_is_401(admin: StaffClient, world: World) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    body = {"mobile": "13800000000", "consent": True}
    for headers in ({}, {"X-Screen-Token": "x" * 43}, {"X-Screen-Token": "\x7f"}):
        with database_unchanged():
            response = admin.http.post(_url(CALLBACK, listing["id"]), json=body, headers=headers)
        assert_error(response, 401, code="unknown_screen")


# --- Staff: logging in and CSRF -----------------------------------------------

LOGIN_CASES = [
    pytest.param({"username": 1, "password": []}, {"username", "password"}, id="wrong-types"),
    pytest.param({"username": "admin"}, {"password"}, id="no-password"),
    pytest.param({"username": "admin", "password": None}, {"password"}, id="null-password"),
    pytest.param({"username": "admin\x00", "password": "x"}, {"username"}, id="nul"),
    pytest.param({"username": "a" * 41, "password": "x"}, {"username"}, id="too-long"),
    pytest.param({"username": "admin", "password": "x", "remember": True}, {"remember"}, id="unk"),
]


@pytest.mark.parametrize("body, fields", LOGIN_CASES)
def test_malformed_login_is_refused_and_counts_no_failed_attempt(
    client: FlaskClient, world: World, body: dict[str, Any], fields: set[str]
) -> None:
    headers = _csrf(client)
    with database_unchanged():
        response = client.post(SESSION, json=body, headers=headers)
    assert_error(response, 422, code="validation_failed", fields=fields)
    assert client.get(SESSION).json["staff"] is None


CSRF_ROUTES = [
    ("POST", SESSION),
    ("DELETE", SESSION),
    ("POST", STAFF_LISTINGS),
    ("PUT", STAFF_LISTING),
    ("POST", PUBLISH),
    ("POST", WITHDRAW),
    ("POST", STAFF_ANNOUNCEMENTS),
    ("POST", ANNOUNCEMENT_WITHDRAW),
    ("POST", DUPLICATE),
    ("POST", IMAGE_UPLOAD),
    ("POST", SCREEN_REVOKE),
    ("POST", ENROLMENT_CODES),
    ("POST", REGISTRATION_STATUS),
    ("POST", REGISTRATION_REVEAL),
    ("POST", REGISTRATION_CANCEL),
    ("POST", JOB_SEEKER_FORM),
    ("POST", GIG_WORKER_FORM),
    ("POST", APPLY_FORM),
    ("POST", TRAINING_FORM),
    ("POST", CONSULTATION_FORM),
    ("POST", STAFF_ACCOUNTS),
    ("PUT", STAFF_ACCOUNT),
    ("POST", STAFF_PASSWORD),
    ("POST", STAFF_DEACTIVATE),
    ("POST", STAFF_ACTIVATE),
]
STAFF_ROUTES = {STAFF_ACCOUNT, STAFF_PASSWORD, STAFF_DEACTIVATE, STAFF_ACTIVATE}


@pytest.mark.parametrize("method, rule", CSRF_ROUTES)
def test_state_change_without_csrf_token_is_refused(
    admin: StaffClient, world: World, method: str, rule: str
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    until = (utcnow() + timedelta(hours=3)).isoformat()
    bodies = {
        SESSION: {"username": "admin", "password": world.passwords["admin"]},
        STAFF_LISTINGS: listing_input(target_id=world.jiuquhe.id),
        STAFF_LISTING: listing_input(target_id=world.jiuquhe.id, title="改了"),
        STAFF_ANNOUNCEMENTS: {"text": "通知", "target_id": world.jiuquhe.id, "valid_until": until},
    }
    announcement = admin.post(STAFF_ANNOUNCEMENTS, json=bodies[STAFF_ANNOUNCEMENTS]).json
    item_id = announcement["id"] if rule == ANNOUNCEMENT_WITHDRAW else listing["id"]
    if rule in STAFF_ROUTES:
        item_id = world.station_staff.id
    for headers in ({}, {"X-CSRFToken": "forged"}):
        with database_unchanged():
            response = admin.http.open(
                _url(rule, item_id), method=method, json=bodies.get(rule, {}), headers=headers
            )
        assert_error(response, 400, code="csrf_failed")
    assert admin.get(SESSION).json["staff"]["username"] == "admin"


# --- Registering on a phone: forms a browser would never send ----------------

FORM_CASES = [
    pytest.param(JOB_SEEKER_FORM, {"community_id": "9" * 11}, {"community_id"}, id="id-huge"),
    pytest.param(
        JOB_SEEKER_FORM, {"community_id": str(MAX_INT32)}, {"community_id"}, id="no-place"
    ),
    pytest.param(
        JOB_SEEKER_FORM, {"community_id": At("huangdao_street")}, {"community_id"}, id="street"
    ),
    pytest.param(JOB_SEEKER_FORM, {"community_id": "九"}, {"community_id"}, id="id-text"),
    pytest.param(JOB_SEEKER_FORM, {"community_id": "²"}, {"community_id"}, id="id-superscript"),
    pytest.param(JOB_SEEKER_FORM, {"age_band": "17"}, {"age_band"}, id="age-band"),
    pytest.param(JOB_SEEKER_FORM, {"wanted": ["car"]}, {"wanted"}, id="wanted-unknown"),
    pytest.param(JOB_SEEKER_FORM, {"wanted": ["gig"] * 7}, {"wanted"}, id="wanted-too-many"),
    pytest.param(JOB_SEEKER_FORM, {"availability": ["never"]}, {"availability"}, id="when"),
    pytest.param(JOB_SEEKER_FORM, {"skills": "长" * 201}, {"skills"}, id="skills-too-long"),
    pytest.param(JOB_SEEKER_FORM, {"name": "王\x00"}, {"name"}, id="name-nul"),
    pytest.param(JOB_SEEKER_FORM, {"name": "王" * 5000}, {"name"}, id="name-too-long"),
    pytest.param(JOB_SEEKER_FORM, {"name": "<script>"}, {"name"}, id="name-markup-only"),
    pytest.param(JOB_SEEKER_FORM, {"mobile": "12345678901"}, {"mobile"}, id="not-a-mobile"),
    pytest.param(JOB_SEEKER_FORM, {"consent": "true"}, {"consent"}, id="consent-not-the-box"),
    pytest.param(GIG_WORKER_FORM, {"trades": "、，"}, {"trades"}, id="trades-only-commas"),
    pytest.param(
        GIG_WORKER_FORM, {"trades": "一 二 三 四 五 六 七 八 九"}, {"trades"}, id="9-trades"
    ),
    pytest.param(GIG_WORKER_FORM, {"trades": "长" * 21}, {"trades"}, id="trade-too-long"),
    pytest.param(GIG_WORKER_FORM, {"service_area": " "}, {"service_area"}, id="area-blank"),
    pytest.param(TRAINING_FORM, {"session_id": "abc"}, {"session_id"}, id="session-text"),
    pytest.param(TRAINING_FORM, {"session_id": str(MAX_INT32)}, {"session_id"}, id="no-session"),
    pytest.param(CONSULTATION_FORM, {"preferred_day": "2020-01-01"}, {"preferred_day"}, id="past"),
    pytest.param(CONSULTATION_FORM, {"preferred_day": "明天"}, {"preferred_day"}, id="day-text"),
    pytest.param(CONSULTATION_FORM, {"half_day": "evening"}, {"half_day"}, id="half-day"),
    pytest.param(APPLY_FORM, {"idempotency_key": "x" * 65}, set(), id="key-too-long"),
]


def _signup_forms(admin: StaffClient, world: World) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each phone form's address and a valid answer for it."""
    ids = {
        kind: admin.publish(listing_input(kind, target_id=world.jiuquhe.id))
        for kind in ("job", "training", "subsidy")
    }
    person = {
        "consent": "yes",
        "name": "王女士",
        "mobile": "13800001234",
        "community_id": str(world.jiuquhe.id),
        "age_band": "40-49",
    }
    day = (utcnow() + timedelta(days=3)).date().isoformat()
    session = str(ids["training"]["training"]["sessions"][0]["id"])
    return {
        JOB_SEEKER_FORM: (JOB_SEEKER_FORM, {**person, "wanted": "gig", "availability": "weekend"}),
        GIG_WORKER_FORM: (
            GIG_WORKER_FORM,
            {**person, "trades": "保洁", "service_area": "黄岛", "availability": "weekend"},
        ),
        APPLY_FORM: (_url(APPLY_FORM, ids["job"]["id"]), person),
        TRAINING_FORM: (
            _url(TRAINING_FORM, ids["training"]["id"]),
            {**person, "session_id": session},
        ),
        CONSULTATION_FORM: (
            _url(CONSULTATION_FORM, ids["subsidy"]["id"]),
            {**person, "preferred_day": day, "half_day": "am"},
        ),
    }


def _form_page(client: FlaskClient, url: str) -> dict[str, str]:
    return hidden_fields(client.get(url).get_data(as_text=True))


@pytest.mark.parametrize("rule, changes, fields", FORM_CASES)
def test_bad_phone_form_is_answered_beside_the_field_and_stores_nothing(
    admin: StaffClient,
    client: FlaskClient,
    world: World,
    rule: str,
    changes: dict[str, Any],
    fields: set[str],
) -> None:
    url, answers = _signup_forms(admin, world)[rule]
    body = {**answers, **_form_page(client, url)}
    body.update(
        {
            key: str(_resolve(value, world)) if isinstance(value, At) else value
            for key, value in changes.items()
        }
    )
    with database_unchanged():
        response = client.post(url, data=body)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and response.mimetype == "text/html", page[:300]
    shown = dict(re.findall(r'<p class="error-text" id="(\w+)-error">([^<]*)</p>', page))
    assert set(shown) == fields
    for message in shown.values():
        assert_chinese(message)
    assert "处需要修改" in page


@pytest.mark.parametrize(
    "data, content_type",
    [
        pytest.param('{"name": "王女士"}', JSON, id="json"),
        pytest.param(
            b"name=%ff%fe&mobile=\xff", "application/x-www-form-urlencoded", id="not-utf8"
        ),
        pytest.param("[[[", "text/plain", id="text"),
        pytest.param("", None, id="empty"),
    ],
)
def test_phone_form_answers_a_body_that_is_no_form_with_the_form(
    admin: StaffClient, client: FlaskClient, world: World, data: Any, content_type: str | None
) -> None:
    for url, _answers in _signup_forms(admin, world).values():
        headers = {"X-CSRFToken": _form_page(client, url)["csrf_token"]}
        with database_unchanged():
            response = client.post(url, data=data, content_type=content_type, headers=headers)
        assert response.status_code == 422 and response.mimetype == "text/html"
        assert "处需要修改" in response.get_data(as_text=True)


# --- Staff: creating listings -------------------------------------------------

CREATE_CASES = [
    # Each kind's own block, missing.
    pytest.param("job", {"job": DROP}, 422, {"job"}, id="job-block-missing"),
    pytest.param("training", {"training": DROP}, 422, {"training"}, id="training-block-missing"),
    pytest.param("subsidy", {"subsidy": DROP}, 422, {"subsidy"}, id="subsidy-block-missing"),
    pytest.param("event", {"event": DROP}, 422, {"event"}, id="event-block-missing"),
    pytest.param("job", {"job": []}, 422, {"job"}, id="job-block-a-list"),
    pytest.param("job", {"job.employer": DROP}, 422, {"job.employer"}, id="no-employer"),
    pytest.param("training", {"training.provider": ""}, 422, {"training.provider"}, id="provider"),
    pytest.param(
        "subsidy", {"subsidy.how_to_apply": DROP}, 422, {"subsidy.how_to_apply"}, id="no-how-to"
    ),
    pytest.param("event", {"event.starts_at": DROP}, 422, {"event.starts_at"}, id="no-start"),
    pytest.param(
        "training",
        {"training.sessions.0.seats": DROP},
        422,
        {"training.sessions.0.seats"},
        id="no-seats",
    ),
    # The kind itself.
    pytest.param("job", {"kind": "car"}, 422, {"kind"}, id="kind-unknown"),
    pytest.param("job", {"kind": DROP}, 422, {"kind"}, id="kind-missing"),
    pytest.param("job", {"kind": 1}, 422, {"kind"}, id="kind-a-number"),
    pytest.param("job", {"kind": "training"}, 422, {"training", "job"}, id="kind-mismatch"),
    # Fields nobody asked for.
    pytest.param("job", {"colour": "red"}, 422, {"colour"}, id="unknown-top-level"),
    pytest.param("job", {"job.colour": "red"}, 422, {"job.colour"}, id="unknown-in-job"),
    pytest.param("job", {"job.pay.bonus": 5}, 422, {"job.pay.bonus"}, id="unknown-in-pay"),
    pytest.param("job", {"contact.email": "a@b.cn"}, 422, {"contact.email"}, id="unknown-contact"),
    pytest.param(
        "training",
        {"training.sessions.0.room": "3"},
        422,
        {"training.sessions.0.room"},
        id="unknown-in-session",
    ),
    # Text.
    pytest.param("job", {"title": "长" * 81}, 422, {"title"}, id="title-too-long"),
    pytest.param("job", {"title": ""}, 422, {"title"}, id="title-empty"),
    pytest.param("job", {"title": "   "}, 422, {"title"}, id="title-blank"),
    pytest.param("job", {"title": DROP}, 422, {"title"}, id="title-missing"),
    pytest.param("job", {"title": "手工\x00花"}, 422, {"title"}, id="title-nul"),
    pytest.param("job", {"title": "手工\x1b[31m花"}, 422, {"title"}, id="title-escape"),
    pytest.param("job", {"title": "手工\n花"}, 422, {"title"}, id="title-newline"),
    pytest.param("job", {"title": "手工\ud800花"}, 422, {"title"}, id="title-lone-surrogate"),
    pytest.param("job", {"title": 5}, 422, {"title"}, id="title-a-number"),
    pytest.param("job", {"body": "第一段\x00"}, 422, {"body"}, id="body-nul"),
    pytest.param("job", {"body": "长" * 5001}, 422, {"body"}, id="body-too-long"),
    pytest.param("job", {"contact.phone": "call me"}, 422, {"contact.phone"}, id="phone"),
    pytest.param("job", {"contact": "何老师"}, 422, {"contact"}, id="contact-a-string"),
    # Pay and numbers.
    pytest.param(
        "job",
        {"job.pay": {"min": 5, "max": 1, "unit": "day"}},
        422,
        {"job.pay.min"},
        id="pay-min-over-max",
    ),
    pytest.param("job", {"job.pay.piece": DROP}, 422, {"job.pay.piece"}, id="piece-unit-no-piece"),
    pytest.param("job", {"job.pay.min": DROP}, 422, {"job.pay.min"}, id="pay-no-amount"),
    pytest.param("job", {"job.pay.min": "abc"}, 422, {"job.pay.min"}, id="pay-text"),
    pytest.param("job", {"job.pay.min": True}, 422, {"job.pay.min"}, id="pay-true"),
    pytest.param("job", {"job.pay.min": -1}, 422, {"job.pay.min"}, id="pay-negative"),
    pytest.param("job", {"job.pay.min": 0.001}, 422, {"job.pay.min"}, id="pay-fraction-of-fen"),
    pytest.param("job", {"job.pay.min": 10**30}, 422, {"job.pay.min"}, id="pay-10e30"),
    pytest.param("job", {"job.pay.unit": "week"}, 422, {"job.pay.unit"}, id="pay-unit"),
    pytest.param("job", {"job.category": "boss"}, 422, {"job.category"}, id="category"),
    pytest.param("job", {"job.openings": "5"}, 422, {"job.openings"}, id="openings-text"),
    pytest.param("job", {"job.openings": 2.5}, 422, {"job.openings"}, id="openings-float"),
    pytest.param("job", {"job.openings": 10**30}, 422, {"job.openings"}, id="openings-10e30"),
    pytest.param(
        "job", {"job.age_min": 60, "job.age_max": 20}, 422, {"job.age_min"}, id="ages-reversed"
    ),
    pytest.param("job", {"job.flexible": "yes"}, 422, {"job.flexible"}, id="flexible-text"),
    pytest.param("job", {"job.pay.approximate": 1}, 422, {"job.pay.approximate"}, id="approx-1"),
    pytest.param("training", {"training.fee": float("nan")}, 400, None, id="fee-nan"),
    pytest.param("training", {"training.sessions": [{}] * 51}, 422, None, id="too-many-sessions"),
    # Time.
    pytest.param("job", {"valid_until": NAIVE}, 422, {"valid_until"}, id="naive-valid-until"),
    pytest.param("job", {"valid_until": "下周"}, 422, {"valid_until"}, id="valid-until-text"),
    pytest.param("job", {"valid_until": 1893456000}, 422, {"valid_until"}, id="valid-until-number"),
    pytest.param(
        "job",
        {"valid_from": "2030-01-02T00:00:00+08:00", "valid_until": "2030-01-01T00:00:00+08:00"},
        422,
        {"valid_until"},
        id="until-before-from",
    ),
    pytest.param("event", {"event.starts_at": NAIVE}, 422, {"event.starts_at"}, id="naive-start"),
    pytest.param(
        "event",
        {
            "event.starts_at": "2030-01-01T19:00:00+08:00",
            "event.ends_at": "2030-01-01T18:00:00+08:00",
        },
        422,
        {"event.ends_at"},
        id="event-ends-before-start",
    ),
    pytest.param(
        "training",
        {"training.sessions.0.starts_at": NAIVE},
        422,
        {"training.sessions.0.starts_at"},
        id="naive-session",
    ),
    pytest.param(
        "subsidy",
        {"subsidy.apply_deadline": "2026-02-30"},
        422,
        {"subsidy.apply_deadline"},
        id="no-such-day",
    ),
    pytest.param(
        "subsidy",
        {"subsidy.apply_deadline": 20261231},
        422,
        {"subsidy.apply_deadline"},
        id="day-a-number",
    ),
    # Ids.
    pytest.param("job", {"target_id": MAX_INT32}, 422, {"target_id"}, id="no-such-target"),
    pytest.param("job", {"target_id": True}, 422, {"target_id"}, id="target-true"),
    pytest.param("job", {"target_id": "5"}, 422, {"target_id"}, id="target-text"),
    pytest.param("job", {"target_id": 10**30}, 422, {"target_id"}, id="target-10e30"),
    pytest.param("job", {"target_id": 0}, 422, {"target_id"}, id="target-0"),
    pytest.param("job", {"site_id": MAX_INT32}, 422, {"site_id"}, id="no-such-site"),
    pytest.param("job", {"site_id": True}, 422, {"site_id"}, id="site-true"),
    pytest.param("job", {"version": 0}, 422, {"version"}, id="version-0"),
    # Several problems at once are all reported.
    pytest.param(
        "job",
        {"title": "", "job.pay.unit": "week", "valid_until": NAIVE, "x": 1},
        422,
        {"title", "job.pay.unit", "valid_until", "x"},
        id="all-at-once",
    ),
]


@pytest.mark.parametrize("kind, changes, status, fields", CREATE_CASES)
def test_bad_listing_is_refused_with_the_fields_to_fix_and_nothing_is_created(
    admin: StaffClient,
    world: World,
    kind: str,
    changes: dict[str, Any],
    status: int,
    fields: set[str] | None,
) -> None:
    body = _changed(listing_input(kind, target_id=world.jiuquhe.id), changes, world)
    with database_unchanged():
        # json.dumps, unlike the test client, writes a lone surrogate as "\ud800".
        response = admin.post(STAFF_LISTINGS, data=json.dumps(body), content_type=JSON)
    error = assert_error(response, status, fields=fields)
    if status == 422 and fields is None:
        assert error["fields"]


# --- Staff: changing listings -------------------------------------------------

UPDATE_CASES = [
    pytest.param("job", {"version": "STALE"}, 409, "stale_version", None, id="stale-version"),
    pytest.param("event", {}, 422, None, {"kind"}, id="kind-changed"),
    pytest.param("job", {"valid_until": PAST}, 422, None, {"valid_until"}, id="ends-in-the-past"),
    pytest.param("job", {"title": "新\x00标题"}, 422, None, {"title"}, id="title-nul"),
    pytest.param("job", {"target_id": MAX_INT32}, 422, None, {"target_id"}, id="no-such-target"),
    pytest.param("job", {"colour": "red"}, 422, None, {"colour"}, id="unknown-field"),
    pytest.param(
        "job",
        {"job.pay": {"min": 5, "max": 1, "unit": "day"}},
        422,
        None,
        {"job.pay.min"},
        id="pay-min-over-max",
    ),
]


@pytest.mark.parametrize("body_kind, changes, status, code, fields", UPDATE_CASES)
def test_refused_edit_of_a_live_listing_leaves_it_and_the_screens_untouched(
    app: Flask,
    admin: StaffClient,
    client: FlaskClient,
    world: World,
    body_kind: str,
    changes: dict[str, Any],
    status: int,
    code: str | None,
    fields: set[str] | None,
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    screen = Screen(app, world.jiuquhe.id)
    if changes.get("version") == "STALE":
        changes = {"version": listing["version"] - 1}
    body = listing_input(
        body_kind, target_id=world.jiuquhe.id, title="改过的标题", version=listing["version"]
    )
    body = _changed(body, changes, world)
    with database_unchanged():
        response = admin.put(_url(STAFF_LISTING, listing["id"]), json=body)
    assert_error(response, status, code=code, fields=fields)
    assert screen.received_changes() == []
    assert client.get(_url(LISTING, listing["id"])).json["title"] == listing["title"]


def test_refused_edit_of_training_sessions_keeps_the_old_sessions(
    admin: StaffClient, world: World
) -> None:
    training = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    body = listing_input(
        "training", target_id=world.jiuquhe.id, title="新", version=training["version"]
    )
    body["training"]["sessions"][0]["id"] = MAX_INT32  # not one of this listing's sessions
    with database_unchanged():
        response = admin.put(_url(STAFF_LISTING, training["id"]), json=body)
    assert_error(response, 422, fields={"training.sessions.0.id"})


CONFLICT_CASES = [
    pytest.param("withdrawn", "POST", PUBLISH, {}, "not_publishable", id="publish-withdrawn"),
    pytest.param("published", "POST", PUBLISH, {}, "not_publishable", id="publish-twice"),
    pytest.param("withdrawn", "POST", WITHDRAW, {}, "already_withdrawn", id="withdraw-twice"),
    pytest.param("withdrawn", "PUT", STAFF_LISTING, "BODY", "not_editable", id="edit-withdrawn"),
]


@pytest.mark.parametrize("state, method, rule, body, code", CONFLICT_CASES)
def test_action_that_does_not_fit_the_listing_state_is_a_conflict(
    admin: StaffClient, world: World, state: str, method: str, rule: str, body: Any, code: str
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    if state == "withdrawn":
        listing = admin.post(_url(WITHDRAW, listing["id"])).json
    if body == "BODY":
        body = listing_input(target_id=world.jiuquhe.id, version=listing["version"])
    with database_unchanged():
        response = getattr(admin, method.lower())(_url(rule, listing["id"]), json=body)
    assert_error(response, 409, code=code)


def test_withdrawing_an_announcement_twice_is_a_conflict(admin: StaffClient, world: World) -> None:
    until = (utcnow() + timedelta(hours=3)).isoformat()
    body = {"text": "今晚7点 星光招聘夜市", "target_id": world.jiuquhe.id, "valid_until": until}
    announcement = admin.post(STAFF_ANNOUNCEMENTS, json=body).json
    assert admin.post(_url(ANNOUNCEMENT_WITHDRAW, announcement["id"])).status_code == 200
    with database_unchanged():
        response = admin.post(_url(ANNOUNCEMENT_WITHDRAW, announcement["id"]))
    assert_error(response, 409, code="already_withdrawn")


PUBLISH_CASES = [
    pytest.param({"at": NAIVE}, {"at"}, id="naive"),
    pytest.param({"at": "明天"}, {"at"}, id="text"),
    pytest.param({"at": True}, {"at"}, id="true"),
    pytest.param({"at": 1893456000}, {"at"}, id="number"),
    pytest.param({"at": [NAIVE]}, {"at"}, id="list"),
    pytest.param({"now": True}, {"now"}, id="unknown-field"),
    pytest.param({"at": "2099-01-01T19:00:00+08:00"}, {"valid_until"}, id="after-valid-until"),
]


@pytest.mark.parametrize("body, fields", PUBLISH_CASES)
def test_bad_publish_request_leaves_the_draft_a_draft(
    admin: StaffClient, world: World, body: dict[str, Any], fields: set[str]
) -> None:
    draft = admin.create(listing_input(target_id=world.jiuquhe.id))
    with database_unchanged():
        response = admin.post(_url(PUBLISH, draft["id"]), json=body)
    assert_error(response, 422, code="validation_failed", fields=fields)


ANNOUNCEMENT_CASES = [
    pytest.param({"text": DROP}, {"text"}, id="no-text"),
    pytest.param({"text": ""}, {"text"}, id="empty-text"),
    pytest.param({"text": "长" * 121}, {"text"}, id="text-too-long"),
    pytest.param({"text": "今晚\x00"}, {"text"}, id="text-nul"),
    pytest.param({"text": "今晚\ud800"}, {"text"}, id="text-lone-surrogate"),
    pytest.param({"target_id": MAX_INT32}, {"target_id"}, id="no-such-target"),
    pytest.param({"target_id": "5"}, {"target_id"}, id="target-text"),
    pytest.param({"target_id": 10**30}, {"target_id"}, id="target-10e30"),
    pytest.param({"valid_until": NAIVE}, {"valid_until"}, id="naive"),
    pytest.param({"valid_until": PAST}, {"valid_until"}, id="in-the-past"),
    pytest.param({"priority": "high"}, {"priority"}, id="unknown-field"),
]


@pytest.mark.parametrize("changes, fields", ANNOUNCEMENT_CASES)
def test_bad_announcement_is_refused_and_nothing_is_announced(
    app: Flask, admin: StaffClient, world: World, changes: dict[str, Any], fields: set[str]
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    until = (utcnow() + timedelta(hours=3)).isoformat()
    body = {"text": "今晚7点 星光招聘夜市", "target_id": world.jiuquhe.id, "valid_until": until}
    with database_unchanged():
        body = _changed(body, changes, world)
        response = admin.post(STAFF_ANNOUNCEMENTS, data=json.dumps(body), content_type=JSON)
    assert_error(response, 422, code="validation_failed", fields=fields)
    assert screen.received_changes() == []


# --- The screens' socket ------------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [None, {}, "a-token", {"token": 5}, {"token": "x" * 43}, {"token": "x" * 5000}, ["token"]],
    ids=["none", "empty", "string", "number", "unknown", "huge", "list"],
)
def test_screen_without_a_valid_token_is_refused(app: Flask, world: World, auth: Any) -> None:
    with database_unchanged():
        socket = socketio.test_client(app, namespace=SCREENS_NAMESPACE, auth=auth)
    assert not socket.is_connected(SCREENS_NAMESPACE)


def test_revoked_screen_is_refused(app: Flask, world: World) -> None:
    screen = Screen(app, world.jiuquhe.id)
    screen.socket.disconnect(SCREENS_NAMESPACE)
    db.session.get(ScreenRow, screen.id).revoked_at = utcnow()
    db.session.commit()
    socket = socketio.test_client(app, namespace=SCREENS_NAMESPACE, auth={"token": screen.token})
    assert not socket.is_connected(SCREENS_NAMESPACE)


@pytest.mark.parametrize("version", ["1\x00", 5, "长" * 100], ids=["nul", "number", "long"])
def test_odd_app_version_does_not_stop_a_screen_connecting(
    app: Flask, world: World, version: Any
) -> None:
    token = Screen(app, world.jiuquhe.id).token
    auth = {"token": token, "app_version": version}
    socket = socketio.test_client(app, namespace=SCREENS_NAMESPACE, auth=auth)
    assert socket.is_connected(SCREENS_NAMESPACE)


HERE = "HERE"  # in a socket payload: the screen's own community id
GARBAGE = [
    pytest.param(None, {"_body"}, id="none"),
    pytest.param("cursors", {"_body"}, id="string"),
    pytest.param([1, 2], {"_body"}, id="list"),
    pytest.param(17, {"_body"}, id="number"),
    pytest.param({}, {"cursors"}, id="no-cursors"),
    pytest.param({"cursors": None}, {"cursors"}, id="cursors-null"),
    pytest.param({"cursors": [0, 0]}, {"cursors"}, id="cursors-a-list"),
    pytest.param({"cursors": {"abc": 0}}, {"cursors.abc"}, id="non-numeric-key"),
    pytest.param({"cursors": {"0": 0}}, {"cursors.0"}, id="key-0"),
    pytest.param({"cursors": {"-3": 0}}, {"cursors.-3"}, id="negative-key"),
    pytest.param({"cursors": {HERE: -1}}, {f"cursors.{HERE}"}, id="negative-value"),
    pytest.param({"cursors": {HERE: "5"}}, {f"cursors.{HERE}"}, id="text-value"),
    pytest.param({"cursors": {HERE: True}}, {f"cursors.{HERE}"}, id="true-value"),
    pytest.param({"cursors": {HERE: 1.5}}, {f"cursors.{HERE}"}, id="float-value"),
    pytest.param({"cursors": {HERE: 2**31}}, {f"cursors.{HERE}"}, id="beyond-int32"),
    pytest.param({"cursors": {HERE: 10**30}}, {f"cursors.{HERE}"}, id="10e30"),
    pytest.param({"cursors": {str(n): 0 for n in range(1, 18)}}, {"cursors"}, id="17-keys"),
    pytest.param({"cursors": {}, "colour": "red"}, {"colour"}, id="unknown-field"),
]


def _here(value: Any, here: int) -> Any:
    if isinstance(value, dict):
        return {_here(key, here): _here(item, here) for key, item in value.items()}
    if isinstance(value, set):
        return {_here(item, here) for item in value}
    if isinstance(value, str):
        return value.replace(HERE, str(here))
    return value


def _caught_up(screen: Screen, world: World) -> dict[str, Any]:
    return screen.sync({str(place): 0 for place in world.jiuquhe.ancestor_ids})


@pytest.mark.parametrize("payload, fields", GARBAGE)
def test_garbage_sync_or_ack_is_answered_with_an_error_and_the_screen_stays_connected(
    app: Flask, world: World, payload: Any, fields: set[str]
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    for event in ("sync", "ack"):
        with database_unchanged():
            reply = screen.emit(event, _here(payload, world.jiuquhe.id))
        assert_error_body(reply, code="validation_failed", fields=_here(fields, world.jiuquhe.id))
        assert screen.socket.is_connected(SCREENS_NAMESPACE)
    assert _caught_up(screen, world)["changes"] == []
    assert screen.emit("ack", {"cursors": {str(world.jiuquhe.id): 0}}) == {"ok": True}


def test_sync_with_extra_arguments_is_answered_with_an_error(app: Flask, world: World) -> None:
    screen = Screen(app, world.jiuquhe.id)
    for event in ("sync", "ack"):
        with database_unchanged():
            reply = screen.socket.emit(
                event, {"cursors": {}}, "more", namespace=SCREENS_NAMESPACE, callback=True
            )
        assert_error_body(reply, code="validation_failed", fields={"_body"})
    assert screen.socket.is_connected(SCREENS_NAMESPACE)


def test_unknown_socket_event_is_dropped(app: Flask, world: World) -> None:
    screen = Screen(app, world.jiuquhe.id)
    with database_unchanged():
        reply = screen.emit("delete_everything", {"cursors": {}})
    assert reply is None
    assert screen.socket.is_connected(SCREENS_NAMESPACE)
    assert "changes" in _caught_up(screen, world)


def test_a_screen_sending_garbage_does_not_disturb_the_others(
    app: Flask, world: World, admin: StaffClient
) -> None:
    bystander = Screen(app, world.jiuquhe.id)
    noisy = Screen(app, world.jiuquhe.id)
    for param in GARBAGE:
        for event in ("sync", "ack", "nonsense"):
            noisy.emit(event, _here(param.values[0], world.jiuquhe.id))

    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))

    for screen in (bystander, noisy):
        [change] = screen.received_changes()
        assert (change["id"], change["op"]) == (listing["id"], "upsert")
    assert [c["id"] for c in _caught_up(bystander, world)["changes"]] == [listing["id"]]


@dataclass(frozen=True)
class InProcessServer:
    """The app on a real port, for what the in-process socket client cannot send."""

    url: str


@pytest.fixture
def live_server(app: Flask) -> Iterator[InProcessServer]:
    # Flask-SocketIO's test client swaps the server's send functions for its
    # own; a real client needs the real ones back (test clients swap again).
    for name in ("_send_packet", "_send_eio_packet"):
        vars(socketio.server).pop(name, None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield InProcessServer(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(5)


# Broken Socket.IO packets: logged and ignored, the connection goes on.
BROKEN_PACKETS: list[str | bytes] = [
    '42/screens,["sync"',  # cut off
    "42/screens," + "[" * 5_000,  # nested past the parser's depth
    '42/screens,{"sync": 1}',  # an object where the event list goes
    "4x",  # no such Socket.IO packet type
    '42/nowhere,["sync",{}]',  # a namespace it never joined
    '451-/screens,["sync",{"_placeholder":true,"num":0}]',  # announces an attachment …
    b"\xff\x00\xfe",  # … which is this
]


# When the server hangs up, simple-websocket's writer thread finds its socket
# already closed (EBADF) and says so; that is the hang-up itself, not a fault.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.parametrize("not_engine_io", ["hello", ""], ids=["text", "empty"])
def test_broken_socket_packets_are_dropped_and_other_screens_still_hear_changes(
    app: Flask,
    world: World,
    admin: StaffClient,
    live_server: InProcessServer,
    not_engine_io: str,
) -> None:
    bystander = RemoteScreen(live_server, world.jiuquhe.id)  # type: ignore[arg-type]
    token = app.test_client().post(SCREENS, json={"community_id": world.jiuquhe.id}).json["token"]
    address = live_server.url.removeprefix("http://")
    raw = websocket.create_connection(
        f"ws://{address}/socket.io/?EIO=4&transport=websocket", timeout=5
    )
    try:
        assert raw.recv().startswith("0")  # Engine.IO open
        raw.send(f"40{SCREENS_NAMESPACE}," + json.dumps({"token": token}))
        assert raw.recv().startswith(f"40{SCREENS_NAMESPACE},")
        for packet in BROKEN_PACKETS:
            if isinstance(packet, bytes):
                raw.send_binary(packet)
            else:
                raw.send(packet)
        raw.send(f'42{SCREENS_NAMESPACE},1["sync",{{"cursors":{{}}}}]')
        assert raw.recv().startswith(f"43{SCREENS_NAMESPACE},1[")  # still answered

        # Not Engine.IO at all: the server hangs up.
        raw.send(not_engine_io)
        with pytest.raises(websocket.WebSocketException) as dropped:
            raw.recv()
        assert not isinstance(dropped.value, websocket.WebSocketTimeoutException)

        listing = admin.publish(listing_input(target_id=world.jiuquhe.id))

        heard = bystander.wait_for(1, timeout=5)
        assert [(change["id"], change["op"]) for change in heard] == [(listing["id"], "upsert")]
    finally:
        raw.close()
        bystander.client.disconnect()


# --- Every route is covered ---------------------------------------------------


def test_every_route_has_bad_input_cases_here(app: Flask) -> None:
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {
        *(("GET", param.values[0]) for param in QUERY_CASES + STAFF_QUERY_CASES),
        *NO_INPUT_ROUTES,
        *ID_ROUTES,
        *BODY_ROUTES,
        *CSRF_ROUTES,
        *(("GET", rule) for rule in FILE_ROUTES),
    }
    assert routes - covered == set()
