"""The place picker: staff see their part of the tree, its sites, and how many
screens each place would reach."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from kiosk_server.live.push import SCREENS_NAMESPACE
from tests.conftest import World
from tests.helpers import Screen, StaffClient, assert_error

PLACES = "/admin/api/places"


def _enrol_kiosk(client: FlaskClient, staff: StaffClient, site_id: int) -> None:
    code = staff.post(f"/admin/api/sites/{site_id}/enrolment-codes").json["code"]
    assert client.post("/api/screens/enrol", json={"code": code}).status_code == 201


def _by_id(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items}


def test_the_city_administrator_sees_the_whole_tree_with_screens_summed_upwards(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    Screen(app, world.jiuquhe.id)
    asleep = Screen(app, world.jiuquhe.id)
    asleep.socket.disconnect(namespace=SCREENS_NAMESPACE)
    stopped = Screen(app, world.qianwan.id)
    admin.post(f"/admin/api/screens/{stopped.id}/revoke")
    Screen(app, world.taidong1.id)
    _enrol_kiosk(client, admin, world.station.id)  # enrolled, never connected

    body = admin.get(PLACES).json
    places = _by_id(body["items"])

    assert len(body["items"]) == 11
    assert body["items"][0]["id"] == world.city.id
    seen: set[int] = set()
    for item in body["items"]:  # each parent before its children
        assert item["parent_id"] is None or item["parent_id"] in seen
        seen.add(item["id"])
    assert places[world.jiuquhe.id]["level_name"] == "社区"
    assert places[world.jiuquhe.id]["parent_id"] == world.huangdao_street.id
    assert places[world.jiuquhe.id]["screens"] == {"tv": 2, "kiosk": 1, "online": 1}
    assert places[world.qianwan.id]["screens"] == {"tv": 0, "kiosk": 0, "online": 0}
    assert places[world.huangdao_street.id]["screens"] == {"tv": 2, "kiosk": 1, "online": 1}
    assert places[world.zhuhai_street.id]["screens"] == {"tv": 0, "kiosk": 0, "online": 0}
    assert places[world.shibei.id]["screens"] == {"tv": 1, "kiosk": 0, "online": 1}
    assert places[world.city.id]["screens"] == {"tv": 3, "kiosk": 1, "online": 2}
    assert [site["id"] for site in body["sites"]] == [world.station.id, world.factory.id]
    assert body["sites"][1] == {
        "id": world.factory.id,
        "name": "复兴社区粉扑包装微工厂",
        "community_id": world.fuxing.id,
        "kind": "micro_factory",
        "kind_name": "社区微工厂",
    }


def test_street_and_station_staff_see_only_their_part(
    app: Flask, world: World, street_staff: StaffClient, station_staff: StaffClient
) -> None:
    Screen(app, world.taidong1.id)
    Screen(app, world.qianwan.id)

    street = street_staff.get(PLACES).json
    station = station_staff.get(PLACES).json

    assert [item["id"] for item in street["items"]] == [
        world.huangdao_street.id,
        world.jiuquhe.id,
        world.qianwan.id,
    ]
    assert street["items"][0]["screens"] == {"tv": 1, "kiosk": 0, "online": 1}
    assert street["items"][0]["level_name"] == "街道（镇）"
    assert [site["id"] for site in street["sites"]] == [world.station.id]
    [only] = station["items"]
    assert (only["id"], only["parent_id"]) == (world.jiuquhe.id, world.huangdao_street.id)
    assert only["screens"] == {"tv": 0, "kiosk": 0, "online": 0}
    assert [site["id"] for site in station["sites"]] == [world.station.id]


def test_the_place_picker_needs_a_login(client: FlaskClient, world: World) -> None:
    assert_error(client.get(PLACES), 401, code="login_required")
