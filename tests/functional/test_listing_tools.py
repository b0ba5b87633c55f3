"""Tools the console builds on: copying an old listing into a new draft, the
announcements in one's scope, and finding listings by title or target."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image

from kiosk_server.listings.actions import expire_due_listings
from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.factories import listing_input, make_registration
from tests.helpers import StaffClient, assert_error, database_unchanged

LISTINGS = "/admin/api/listings"
ANNOUNCEMENTS = "/admin/api/announcements"


def _duplicate(staff: StaffClient, listing_id: int) -> Any:
    return staff.post(f"{LISTINGS}/{listing_id}/duplicate")


def _picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _training_with_a_past_and_a_future_session(world: World) -> dict[str, Any]:
    past, soon = utcnow() - timedelta(days=2), utcnow() + timedelta(days=3)
    body = listing_input("training", target_id=world.jiuquhe.id)
    body["training"]["sessions"] = [
        {"starts_at": past.isoformat(), "seats": 15, "venue": "老教室"},
        {"starts_at": soon.isoformat(), "seats": 20, "venue": "党群服务中心三楼"},
    ]
    return body


def _copy_entry(staff: StaffClient, copy_id: int) -> dict[str, Any]:
    entries = staff.get(f"/admin/api/audit?entity_type=listing&entity_id={copy_id}").json["items"]
    [entry] = entries
    return entry


def test_a_withdrawn_training_is_copied_to_a_fresh_draft_with_only_its_sessions_to_come(
    station_staff: StaffClient, client: FlaskClient, world: World
) -> None:
    old = station_staff.publish(_training_with_a_past_and_a_future_session(world))
    future = old["training"]["sessions"][1]
    make_registration(
        world.jiuquhe, "training_signup", listing_id=old["id"], session_id=future["id"]
    )
    upload = station_staff.post(
        f"{LISTINGS}/{old['id']}/images",
        data={"image": (io.BytesIO(_picture()), "p.png"), "alt": "教室"},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201
    station_staff.post(f"{LISTINGS}/{old['id']}/withdraw")

    response = _duplicate(station_staff, old["id"])

    assert response.status_code == 201, response.json
    copy = response.json
    assert copy["id"] != old["id"]
    assert (copy["status"], copy["seq"], copy["version"]) == ("draft", 0, 1)
    assert (copy["valid_from"], copy["valid_until"], copy["published_at"]) == (None, None, None)
    assert copy["images"] == []
    assert copy["created_by_id"] == world.station_staff.id
    assert (copy["title"], copy["target"]["id"]) == (old["title"], world.jiuquhe.id)
    [session] = copy["training"]["sessions"]
    assert session["id"] != future["id"]
    assert (session["starts_at"], session["venue"]) == (future["starts_at"], future["venue"])
    assert (session["seats"], session["seats_left"]) == (20, 20)
    # The old listing is as it was: withdrawn, its picture and its signup kept.
    kept = station_staff.get(f"{LISTINGS}/{old['id']}").json
    assert kept["status"] == "withdrawn" and len(kept["images"]) == 1
    assert kept["training"]["sessions"][1]["seats_left"] == 19
    # The copy is a draft like any other: the public cannot see it until it is published.
    assert client.get(f"/api/listings/{copy['id']}").status_code == 404
    published = station_staff.post(f"{LISTINGS}/{copy['id']}/publish", json={})
    assert published.status_code == 200 and published.json["status"] == "published"
    assert client.get(f"/api/listings/{copy['id']}").json["title"] == old["title"]


def test_the_copy_is_on_the_audit_log_under_the_caller(
    station_staff: StaffClient, world: World
) -> None:
    old = station_staff.create(listing_input(target_id=world.jiuquhe.id))

    copy = _duplicate(station_staff, old["id"]).json

    entry = _copy_entry(station_staff, copy["id"])
    assert entry["action"] == "listing.create"
    assert entry["summary"] == f"复制岗位「{old['title']}」为新草稿"
    assert entry["staff_id"] == world.station_staff.id
    assert entry["after"]["copied_from_id"] == old["id"]
    assert entry["after"]["employer"] == old["job"]["employer"]


@pytest.mark.parametrize("kind", ["job", "subsidy", "event"])
def test_each_kinds_own_fields_are_copied_from_an_expired_listing(
    admin: StaffClient, world: World, kind: str
) -> None:
    body = listing_input(
        kind,
        target_id=world.huangdao_street.id,
        site_id=world.station.id,
        summary="老摘要",
        contact={"name": "刘老师", "phone": "0532-86889999"},
    )
    if kind == "subsidy":
        body["subsidy"].update(document_number="青人社发〔2024〕3号", apply_deadline="2030-06-30")
    old = admin.publish(body)
    _expire_everything()

    copy = _duplicate(admin, old["id"]).json

    assert copy["status"] == "draft"
    assert copy[kind] == old[kind]
    for field in ("title", "summary", "body", "contact", "site", "target"):
        assert copy[field] == old[field], field


def _expire_everything() -> None:
    # The sweeper expires what is past valid_until; asking it "a year from now" does that.
    assert expire_due_listings(utcnow() + timedelta(days=365)) == 1


def test_staff_copy_only_listings_in_their_scope(
    admin: StaffClient,
    street_staff: StaffClient,
    station_staff: StaffClient,
    client: FlaskClient,
    world: World,
) -> None:
    elsewhere = admin.publish(listing_input(target_id=world.taidong1.id))
    city_wide = admin.publish(listing_input(target_id=world.city.id))

    with database_unchanged():
        refused_station = _duplicate(station_staff, elsewhere["id"])
        refused_street = _duplicate(street_staff, city_wide["id"])
        headers = {"X-CSRFToken": client.get("/admin/api/session").json["csrf_token"]}
        anonymous = client.post(f"{LISTINGS}/{elsewhere['id']}/duplicate", headers=headers)

    assert_error(refused_station, 403, code="forbidden")
    assert_error(refused_street, 403, code="forbidden")
    assert_error(anonymous, 401, code="login_required")


# --- Announcements ----------------------------------------------------------------


def _announce(staff: StaffClient, target_id: int, text: str) -> dict[str, Any]:
    until = (utcnow() + timedelta(hours=3)).isoformat()
    body = {"text": text, "target_id": target_id, "valid_until": until}
    response = staff.post(ANNOUNCEMENTS, json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_staff_list_the_announcements_in_their_scope_newest_first(
    admin: StaffClient, station_staff: StaffClient, world: World
) -> None:
    city = _announce(admin, world.city.id, "全市招聘周")
    mine = _announce(station_staff, world.jiuquhe.id, "今晚7点 星光招聘夜市")
    other = _announce(admin, world.taidong1.id, "台东夜市改期")
    station_staff.post(f"{ANNOUNCEMENTS}/{mine['id']}/withdraw")

    everything = admin.get(ANNOUNCEMENTS).json
    station_view = station_staff.get(ANNOUNCEMENTS).json
    withdrawn = admin.get(f"{ANNOUNCEMENTS}?status=withdrawn").json
    active = admin.get(f"{ANNOUNCEMENTS}?status=active").json
    second_page = admin.get(f"{ANNOUNCEMENTS}?per_page=1&page=2").json

    assert [item["id"] for item in everything["items"]] == [other["id"], mine["id"], city["id"]]
    assert everything["total"] == 3
    assert [item["id"] for item in station_view["items"]] == [mine["id"]]
    [item] = station_view["items"]
    assert item["status"] == "withdrawn" and item["text"] == "今晚7点 星光招聘夜市"
    assert item["target"]["name"] == "九曲河社区" and item["created_at"]
    assert item["created_by"] == {"id": world.station_staff.id, "display_name": "九曲河站点"}
    assert [item["id"] for item in withdrawn["items"]] == [mine["id"]]
    assert {item["id"] for item in active["items"]} == {other["id"], city["id"]}
    assert [item["id"] for item in second_page["items"]] == [mine["id"]]
    assert second_page["total"] == 3


def test_the_announcements_list_needs_a_login(client: FlaskClient, world: World) -> None:
    assert_error(client.get(ANNOUNCEMENTS), 401, code="login_required")


# --- Finding listings -----------------------------------------------------------------


def test_staff_find_listings_by_title_and_by_target(
    admin: StaffClient, station_staff: StaffClient, world: World
) -> None:
    flowers = admin.create(listing_input(target_id=world.jiuquhe.id, title="手工花组装"))
    course = admin.create(
        listing_input("training", target_id=world.jiuquhe.id, title="AI 短视频剪辑课")
    )
    cleaning = admin.create(listing_input(target_id=world.taidong1.id, title="保洁员（手工）"))

    def ids(staff: StaffClient, query: str) -> set[int]:
        response = staff.get(f"{LISTINGS}?{query}")
        assert response.status_code == 200, response.json
        return {item["id"] for item in response.json["items"]}

    assert ids(admin, "q=手工") == {flowers["id"], cleaning["id"]}
    assert ids(admin, "q=ai") == {course["id"]}  # as people type it
    assert ids(admin, "q=%25") == set()  # a literal %, not "anything"
    assert ids(admin, f"target_id={world.jiuquhe.id}") == {flowers["id"], course["id"]}
    assert ids(admin, f"target_id={world.jiuquhe.id}&q=手工") == {flowers["id"]}
    assert ids(station_staff, "q=手工") == {flowers["id"]}
    assert_error(station_staff.get(f"{LISTINGS}?target_id={world.taidong1.id}"), 403)
    assert_error(admin.get(f"{LISTINGS}?target_id={2**31 - 1}"), 404, fields={"target_id"})
