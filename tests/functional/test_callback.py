"""A TV viewer's "请工作人员联系我": recorded once, seen by the right staff, masked."""

from __future__ import annotations

from flask import Flask

from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient


def _ask(client, screen: Screen, listing_id: int, mobile: str, **extra):
    return client.post(
        f"/api/listings/{listing_id}/callback",
        json={"mobile": mobile, "consent": True, **extra},
        headers={"X-Screen-Token": screen.token},
    )


def test_asking_twice_records_once_and_answers_kindly(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    screen = Screen(app, world.jiuquhe.id)

    first = _ask(client, screen, listing["id"], "138 0000 1234")
    again = _ask(client, Screen(app, world.jiuquhe.id), listing["id"], "13800001234")

    # Alike, so no TV can learn whether a number asked before (issue 22).
    assert (first.status_code, first.json) == (again.status_code, again.json)
    assert first.status_code == 201 and first.json == {"message": "已收到，工作人员会尽快联系您"}
    inbox = admin.get("/admin/api/registrations").json
    assert inbox["total"] == 1
    [item] = inbox["items"]
    assert item["mobile"] == "138****1234"
    assert (item["kind"], item["channel"]) == ("callback", "tv")
    assert item["listing"]["id"] == listing["id"]
    assert item["community"]["name"] == "九曲河社区"


def test_staff_see_only_their_own_communities_requests(
    app: Flask, world: World, admin: StaffClient, station_staff: StaffClient, client
) -> None:
    listing = admin.publish(listing_input(target_id=world.city.id))
    _ask(client, Screen(app, world.jiuquhe.id), listing["id"], "13800001234")
    _ask(client, Screen(app, world.taidong1.id), listing["id"], "13900005678")

    mine = station_staff.get("/admin/api/registrations").json

    assert [item["mobile"] for item in mine["items"]] == ["138****1234"]
    assert admin.get("/admin/api/registrations").json["total"] == 2


def test_bad_numbers_and_missing_consent_are_explained_in_chinese(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    screen = Screen(app, world.jiuquhe.id)
    cases = {
        "1380000123": "请输入11位手机号码",
        "12800001234": "这个号码不像手机号，请检查一下",
        "13800oo1234": "请输入11位手机号码",
    }
    for mobile, message in cases.items():
        response = _ask(client, screen, listing["id"], mobile)
        assert response.status_code == 422
        assert response.json["error"]["fields"]["mobile"] == message
    no_consent = client.post(
        f"/api/listings/{listing['id']}/callback",
        json={"mobile": "13800001234", "consent": False},
        headers={"X-Screen-Token": screen.token},
    )
    assert no_consent.status_code == 422
    assert "同意" in no_consent.json["error"]["fields"]["consent"]
    assert admin.get("/admin/api/registrations").json["total"] == 0


def test_only_registered_screens_may_ask_and_only_for_live_listings(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    screen = Screen(app, world.jiuquhe.id)
    anonymous = client.post(
        f"/api/listings/{listing['id']}/callback", json={"mobile": "13800001234", "consent": True}
    )
    assert anonymous.status_code == 401

    admin.post(f"/admin/api/listings/{listing['id']}/withdraw")
    gone = _ask(client, screen, listing["id"], "13800001234")
    missing = _ask(client, screen, 999999, "13800001234")

    assert gone.status_code == 410 and gone.json["error"]["message"] == "这条信息已下架，不能再登记"
    assert missing.status_code == 404
    assert admin.get("/admin/api/registrations").json["total"] == 0
