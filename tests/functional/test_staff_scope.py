"""Staff act only inside their part of the place tree, and only while logged in.

Station staff work for 九曲河社区, street staff for 黄岛街道 (九曲河 and 前湾).
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import StaffClient, assert_error, database_unchanged

SESSION = "/admin/api/session"
LISTINGS = "/admin/api/listings"
LISTING = "/admin/api/listings/<int:listing_id>"
PUBLISH = "/admin/api/listings/<int:listing_id>/publish"
WITHDRAW = "/admin/api/listings/<int:listing_id>/withdraw"
ANNOUNCEMENTS = "/admin/api/announcements"
ANNOUNCEMENT_WITHDRAW = "/admin/api/announcements/<int:announcement_id>/withdraw"

# (staff fixture, a place outside that staff member's scope)
OUTSIDE = [
    pytest.param("station_staff", "qianwan", id="station-neighbour-community"),
    pytest.param("station_staff", "huangdao_street", id="station-its-street"),
    pytest.param("station_staff", "city", id="station-whole-city"),
    pytest.param("street_staff", "fuxing", id="street-other-streets-community"),
    pytest.param("street_staff", "huangdao", id="street-its-district"),
    pytest.param("street_staff", "taidong1", id="street-other-district"),
]
# (staff fixture, a place inside that staff member's scope)
INSIDE = [
    pytest.param("station_staff", "jiuquhe", id="station-own-community"),
    pytest.param("street_staff", "huangdao_street", id="street-own-street"),
    pytest.param("street_staff", "qianwan", id="street-community-below"),
]
HOME = {"station_staff": "jiuquhe", "street_staff": "huangdao_street"}


def _url(rule: str, item_id: int) -> str:
    return re.sub(r"<int:\w+>", str(item_id), rule)


def _announcement(target_id: int) -> dict[str, Any]:
    until = (utcnow() + timedelta(hours=3)).isoformat()
    return {"text": "今晚7点 星光招聘夜市", "target_id": target_id, "valid_until": until}


def test_fixture_staff_have_the_scopes_these_tests_assume(
    admin: StaffClient, street_staff: StaffClient, station_staff: StaffClient
) -> None:
    scopes = {
        staff.get(SESSION).json["staff"]["scope"]["name"]
        for staff in (admin, street_staff, station_staff)
    }
    assert scopes == {"青岛市", "黄岛街道", "九曲河社区"}


@pytest.mark.parametrize("staff_name, place", OUTSIDE)
def test_staff_cannot_read_change_publish_or_withdraw_outside_their_scope(
    request: pytest.FixtureRequest, admin: StaffClient, world: World, staff_name: str, place: str
) -> None:
    staff: StaffClient = request.getfixturevalue(staff_name)
    target = getattr(world, place).id
    live = admin.publish(listing_input(target_id=target))
    draft = admin.create(listing_input(target_id=target))
    announcement = admin.post(ANNOUNCEMENTS, json=_announcement(target)).json
    edit = listing_input(target_id=target, title="改过的标题", version=live["version"])
    # Moving it into their own scope is no way in either.
    move_in = listing_input(target_id=getattr(world, HOME[staff_name]).id)

    with database_unchanged():
        responses = [
            staff.get(_url(LISTING, live["id"])),
            staff.put(_url(LISTING, live["id"]), json=edit),
            staff.put(_url(LISTING, live["id"]), json=move_in),
            staff.post(_url(PUBLISH, draft["id"]), json={}),
            staff.post(_url(WITHDRAW, live["id"])),
            staff.post(_url(ANNOUNCEMENT_WITHDRAW, announcement["id"])),
        ]

    for response in responses:
        assert_error(response, 403, code="forbidden")


@pytest.mark.parametrize("staff_name, place", OUTSIDE)
def test_staff_cannot_create_or_move_anything_outside_their_scope(
    request: pytest.FixtureRequest, world: World, staff_name: str, place: str
) -> None:
    staff: StaffClient = request.getfixturevalue(staff_name)
    outside = getattr(world, place).id
    own = staff.create(listing_input(target_id=getattr(world, HOME[staff_name]).id))

    with database_unchanged():
        responses = [
            staff.post(LISTINGS, json=listing_input(target_id=outside)),
            staff.post(ANNOUNCEMENTS, json=_announcement(outside)),
            staff.put(
                _url(LISTING, own["id"]),
                json=listing_input(target_id=outside, version=own["version"]),
            ),
        ]

    for response in responses:
        assert_error(response, 403, code="forbidden", fields={"target_id"})


@pytest.mark.parametrize("staff_name, place", INSIDE)
def test_staff_manage_listings_and_announcements_inside_their_scope(
    request: pytest.FixtureRequest, world: World, staff_name: str, place: str
) -> None:
    staff: StaffClient = request.getfixturevalue(staff_name)
    target = getattr(world, place).id

    listing = staff.create(listing_input(target_id=target))
    assert staff.get(_url(LISTING, listing["id"])).status_code == 200
    body = listing_input(target_id=target, title="改过的标题", version=listing["version"])
    edited = staff.put(_url(LISTING, listing["id"]), json=body)
    assert (edited.status_code, edited.json["title"]) == (200, "改过的标题")
    published = staff.post(_url(PUBLISH, listing["id"]), json={})
    assert (published.status_code, published.json["status"]) == (200, "published")
    withdrawn = staff.post(_url(WITHDRAW, listing["id"]))
    assert (withdrawn.status_code, withdrawn.json["status"]) == (200, "withdrawn")

    announcement = staff.post(ANNOUNCEMENTS, json=_announcement(target))
    assert announcement.status_code == 201
    assert staff.post(_url(ANNOUNCEMENT_WITHDRAW, announcement.json["id"])).status_code == 200


@pytest.mark.parametrize(
    "staff_name, visible",
    [
        pytest.param("station_staff", {"jiuquhe"}, id="station"),
        pytest.param("street_staff", {"huangdao_street", "jiuquhe", "qianwan"}, id="street"),
        pytest.param(
            "admin",
            {"city", "huangdao", "huangdao_street", "jiuquhe", "qianwan", "fuxing", "taidong1"},
            id="city-admin",
        ),
    ],
)
def test_listing_index_shows_only_listings_targeted_inside_the_scope(
    request: pytest.FixtureRequest,
    admin: StaffClient,
    world: World,
    staff_name: str,
    visible: set[str],
) -> None:
    places = ["city", "huangdao", "huangdao_street", "jiuquhe", "qianwan", "fuxing", "taidong1"]
    for place in places:
        admin.create(listing_input(target_id=getattr(world, place).id, title=place))
    admin.publish(listing_input(target_id=world.fuxing.id, title="fuxing"))
    staff: StaffClient = request.getfixturevalue(staff_name)

    for query in ("", "?status=draft", "?kind=job&per_page=1", "?page=2&per_page=1"):
        page = staff.get(LISTINGS + query).json
        assert {item["title"] for item in page["items"]} <= visible
    everything = staff.get(LISTINGS).json
    assert {item["title"] for item in everything["items"]} == visible
    assert everything["total"] == len(visible) + (staff_name == "admin")


STAFF_ROUTES = [
    ("GET", LISTINGS),
    ("POST", LISTINGS),
    ("GET", LISTING),
    ("PUT", LISTING),
    ("POST", PUBLISH),
    ("POST", WITHDRAW),
    ("POST", ANNOUNCEMENTS),
    ("POST", ANNOUNCEMENT_WITHDRAW),
]


def test_every_staff_route_needs_a_login(
    client: FlaskClient, admin: StaffClient, world: World
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    announcement = admin.post(ANNOUNCEMENTS, json=_announcement(world.jiuquhe.id)).json
    # A CSRF token of its own, so what refuses is the missing login.
    headers = {"X-CSRFToken": client.get(SESSION).json["csrf_token"]}
    for method, rule in STAFF_ROUTES:
        item_id = announcement["id"] if rule == ANNOUNCEMENT_WITHDRAW else listing["id"]
        body = listing_input(target_id=world.jiuquhe.id) if "listing_id" in rule else {}
        with database_unchanged():
            response = client.open(_url(rule, item_id), method=method, json=body, headers=headers)
        assert_error(response, 401, code="login_required")


def _log_in(client: FlaskClient, username: str, password: str) -> Any:
    headers = {"X-CSRFToken": client.get(SESSION).json["csrf_token"]}
    return client.post(SESSION, json={"username": username, "password": password}, headers=headers)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client: FlaskClient, world: World
) -> None:
    for _ in range(5):
        assert_error(_log_in(client, "jiuquhe", "guessing"), 401, code="bad_credentials")

    assert_error(_log_in(client, "jiuquhe", world.passwords["jiuquhe"]), 429, code="locked")
    assert_error(_log_in(client, "jiuquhe", "guessing"), 429, code="locked")
    assert client.get(SESSION).json["staff"] is None
    # Other accounts are not locked with it.
    assert _log_in(client, "huangdao", world.passwords["huangdao"]).status_code == 200


def test_unknown_username_is_refused_like_a_wrong_password(
    client: FlaskClient, world: World
) -> None:
    with database_unchanged():
        response = _log_in(client, "nobody", "guessing")
    assert_error(response, 401, code="bad_credentials")


def test_logout_ends_the_session_and_its_csrf_token(admin: StaffClient, world: World) -> None:
    old_token = admin.csrf
    response = admin.delete(SESSION)
    assert response.json["staff"] is None
    admin.csrf = response.json["csrf_token"]

    assert_error(admin.get(LISTINGS), 401, code="login_required")
    assert admin.get(SESSION).json["staff"] is None
    body = listing_input(target_id=world.jiuquhe.id)
    with database_unchanged():
        assert_error(admin.post(LISTINGS, json=body), 401, code="login_required")
        stale = admin.post(LISTINGS, json=body, headers={"X-CSRFToken": old_token})
    assert_error(stale, 400, code="csrf_failed")


def test_a_copied_session_cookie_stops_working_after_logout(admin: StaffClient) -> None:
    cookie = admin.http.get_cookie("session")
    assert cookie is not None
    assert admin.delete(SESSION).status_code == 200

    admin.http.set_cookie("session", cookie.value)

    assert admin.get(LISTINGS).status_code == 401


def test_production_passwords_are_hashed_with_scrypt(app, world) -> None:
    from kiosk_server.config import Config

    assert Config.password_hash_method == "scrypt"
    previous = app.config["PASSWORD_HASH_METHOD"]
    app.config["PASSWORD_HASH_METHOD"] = Config.password_hash_method
    try:
        world.admin.set_password("a-new-password-1")
        assert world.admin.password_hash.startswith("scrypt:")
        assert world.admin.check_password("a-new-password-1")
        assert not world.admin.check_password("a-new-password-2")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = previous


def test_a_session_left_unused_longer_than_its_lifetime_must_log_in_again(
    app: Any, admin: StaffClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=1))
    assert admin.get(LISTINGS).status_code == 200

    time.sleep(2.2)  # the signed cookie carries whole seconds

    assert_error(admin.get(LISTINGS), 401, code="login_required")
