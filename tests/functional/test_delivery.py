"""Proof of delivery: staff see which screens a listing or announcement reaches,
and which of them have applied its latest change, as the screens acknowledge it."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk_server.extensions import db
from kiosk_server.live.changes import prune_before
from kiosk_server.live.push import SCREENS_NAMESPACE
from kiosk_server.screens.models import Screen as ScreenRow
from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient, assert_error, database_unchanged


def _listing_delivery(staff: StaffClient, listing_id: int, query: str = "") -> dict[str, Any]:
    response = staff.get(f"/admin/api/listings/{listing_id}/delivery{query}")
    assert response.status_code == 200, response.json
    return response.json


def _announcement_delivery(staff: StaffClient, announcement_id: int) -> dict[str, Any]:
    response = staff.get(f"/admin/api/announcements/{announcement_id}/delivery")
    assert response.status_code == 200, response.json
    return response.json


def _announce(staff: StaffClient, target_id: int) -> dict[str, Any]:
    until = (utcnow() + timedelta(hours=3)).isoformat()
    body = {"text": "今晚7点 星光招聘夜市", "target_id": target_id, "valid_until": until}
    response = staff.post("/admin/api/announcements", json=body)
    assert response.status_code == 201, response.json
    return response.json


def _ack(screen: Screen) -> int:
    """The screen applies what was pushed to it and says so, as the apps do; the last seq."""
    cursors: dict[str, int] = {}
    for change in screen.received_changes():
        cursors[str(change["scope"])] = change["seq"]
    assert cursors, "nothing was pushed to this screen"
    assert screen.emit("ack", {"cursors": cursors}) == {"ok": True}
    return max(cursors.values())


def _revoke(screen: Screen) -> None:
    db.session.get(ScreenRow, screen.id).revoked_at = utcnow()
    db.session.commit()


def test_before_publishing_staff_see_which_screens_a_listing_will_reach(
    app: Flask, world: World, station_staff: StaffClient
) -> None:
    watching = Screen(app, world.jiuquhe.id)
    switched_off = Screen(app, world.jiuquhe.id)
    switched_off.socket.disconnect(namespace=SCREENS_NAMESPACE)
    stopped = Screen(app, world.jiuquhe.id)
    _revoke(stopped)
    Screen(app, world.qianwan.id)  # the next community, same street
    draft = station_staff.create(listing_input(target_id=world.jiuquhe.id))

    with database_unchanged():
        reach = _listing_delivery(station_staff, draft["id"])

    assert (reach["seq"], reach["op"]) == (None, None)
    assert reach["target"] == {"id": world.jiuquhe.id, "name": "九曲河社区"}
    assert reach["totals"] == {"screens": 2, "online": 1, "applied": 0, "online_applied": 0}
    assert [(item["id"], item["online"]) for item in reach["screens"]] == [
        (watching.id, True),
        (switched_off.id, False),
    ]
    first = reach["screens"][0]
    assert first["community"] == {"id": world.jiuquhe.id, "name": "九曲河社区"}
    assert (first["kind"], first["site"], first["applied"]) == ("tv", None, False)


def test_screens_count_as_applied_once_they_acknowledge_and_a_withdrawal_starts_again(
    app: Flask, world: World, street_staff: StaffClient
) -> None:
    first = Screen(app, world.jiuquhe.id)
    second = Screen(app, world.qianwan.id)
    outsider = Screen(app, world.taidong1.id)
    listing = street_staff.publish(listing_input(target_id=world.huangdao_street.id))

    published = _listing_delivery(street_staff, listing["id"])
    seq = _ack(first)
    _ack_everything(outsider, world)
    one_applied = _listing_delivery(street_staff, listing["id"])
    street_staff.post(f"/admin/api/listings/{listing['id']}/withdraw")
    withdrawn = _listing_delivery(street_staff, listing["id"])
    _ack(second)
    after_ack = _listing_delivery(street_staff, listing["id"])

    assert (published["seq"], published["op"]) == (listing["seq"], "upsert") == (seq, "upsert")
    assert published["totals"] == {"screens": 2, "online": 2, "applied": 0, "online_applied": 0}
    assert one_applied["totals"] == {"screens": 2, "online": 2, "applied": 1, "online_applied": 1}
    # The one still to apply comes first: that is the one staff go and look at.
    assert [(s["id"], s["applied"]) for s in one_applied["screens"]] == [
        (second.id, False),
        (first.id, True),
    ]
    assert one_applied["screens"][1]["last_seq"] == seq
    assert withdrawn["op"] == "remove" and withdrawn["seq"] > seq
    assert withdrawn["totals"]["applied"] == 0
    # The second screen heard both changes; its ack of the removal is what counts.
    assert after_ack["totals"]["applied"] == 1
    assert [s["id"] for s in after_ack["screens"] if s["applied"]] == [second.id]


def _ack_everything(screen: Screen, world: World) -> None:
    """A screen elsewhere that has applied every change there is in its rooms."""
    rooms = db.session.get(ScreenRow, screen.id).community.ancestor_ids
    db.session.rollback()
    assert screen.emit("ack", {"cursors": {str(room): 10**6 for room in rooms}}) == {"ok": True}


def test_an_announcements_delivery_counts_the_screens_under_its_target(
    app: Flask, world: World, admin: StaffClient
) -> None:
    here, there = Screen(app, world.jiuquhe.id), Screen(app, world.fuxing.id)
    Screen(app, world.taidong1.id)
    announcement = _announce(admin, world.huangdao.id)

    before = _announcement_delivery(admin, announcement["id"])
    _ack(here)
    after = _announcement_delivery(admin, announcement["id"])

    assert (before["seq"], before["op"]) == (announcement["seq"], "upsert")
    assert before["target"]["name"] == "黄岛区"
    assert {s["id"] for s in before["screens"]} == {here.id, there.id}
    assert (before["totals"]["applied"], after["totals"]["applied"]) == (0, 1)
    assert [s["id"] for s in after["screens"] if s["applied"]] == [here.id]


def test_a_page_is_cut_at_per_page_and_the_totals_still_count_every_screen(
    app: Flask, world: World, admin: StaffClient
) -> None:
    screens = [Screen(app, world.jiuquhe.id) for _ in range(3)]
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    _ack(screens[0])

    cut = _listing_delivery(admin, listing["id"], "?per_page=2")

    assert cut["totals"]["screens"] == 3 and cut["totals"]["applied"] == 1
    assert (cut["page"], cut["per_page"]) == (1, 2)
    assert [s["id"] for s in cut["screens"]] == [screens[1].id, screens[2].id]


def _add_screen(community_id: int, *, online: bool | None, cursors: dict[str, int]) -> int:
    """A screen as a city has them: online, offline or never connected (None)."""
    now = utcnow()
    seen = {True: now, False: now - timedelta(hours=1), None: None}[online]
    row = ScreenRow(
        kind="tv",
        community_id=community_id,
        token_hash=secrets.token_hex(32),
        last_seen_at=seen,
        cursors=cursors,
        last_seq=max(cursors.values(), default=0),
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def test_delivery_pages_every_screen_once_with_the_same_true_totals(
    app: Flask, world: World, admin: StaffClient
) -> None:
    listing = admin.publish(listing_input(target_id=world.huangdao_street.id))
    room, seq = str(world.huangdao_street.id), listing["seq"]
    expected: dict[int, tuple[bool, bool]] = {}  # id: (online, applied)
    for number in range(17):
        community = (world.jiuquhe, world.qianwan)[number % 2]
        online = None if number % 7 == 3 else number % 3 != 0
        applied = number % 4 == 1
        # Cursors in other rooms, or an older one in this room, are not this change.
        cursors = {room: seq if applied else seq - 1, str(world.city.id): 10**6}
        expected[_add_screen(community.id, online=online, cursors=cursors)] = (
            bool(online),
            applied,
        )
    _add_screen(world.taidong1.id, online=True, cursors={})  # outside the street
    stopped = _add_screen(world.jiuquhe.id, online=True, cursors={})
    db.session.get(ScreenRow, stopped).revoked_at = utcnow()
    db.session.commit()
    totals = {
        "screens": len(expected),
        "online": sum(online for online, _ in expected.values()),
        "applied": sum(applied for _, applied in expected.values()),
        "online_applied": sum(online and applied for online, applied in expected.values()),
    }

    for per_page in (4, 50):
        listed: list[dict[str, Any]] = []
        number = 1
        while True:
            found = _listing_delivery(admin, listing["id"], f"?page={number}&per_page={per_page}")
            assert found["totals"] == totals, per_page
            assert (found["page"], found["per_page"]) == (number, per_page)
            listed += found["screens"]
            if number * per_page >= totals["screens"]:
                break
            number += 1
        assert sorted(item["id"] for item in listed) == sorted(expected), per_page
        assert {item["id"]: (item["online"], item["applied"]) for item in listed} == expected
        # Still to apply and online first, then still to apply, then the rest; by id within.
        order = [(item["applied"], not item["online"], item["id"]) for item in listed]
        assert order == sorted(order), per_page
    past_the_end = _listing_delivery(admin, listing["id"], "?page=9&per_page=4")
    assert past_the_end["screens"] == [] and past_the_end["totals"] == totals


def test_the_latest_change_is_still_named_after_pruning(
    app: Flask, world: World, admin: StaffClient
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    older = admin.publish(listing_input(target_id=world.jiuquhe.id))
    seq = _ack(screen)
    admin.publish(listing_input(target_id=world.jiuquhe.id, title="新的一条"))
    assert prune_before(utcnow() + timedelta(days=1)) == 1  # the older listing's change

    found = _listing_delivery(admin, older["id"])

    assert (found["seq"], found["op"]) == (seq, "upsert")
    assert found["totals"]["applied"] == 1


def test_delivery_is_only_for_what_staff_manage(
    world: World,
    admin: StaffClient,
    street_staff: StaffClient,
    station_staff: StaffClient,
    client: FlaskClient,
) -> None:
    elsewhere = admin.publish(listing_input(target_id=world.taidong1.id))
    city_wide = admin.publish(listing_input(target_id=world.city.id))
    announcement = _announce(admin, world.taidong1.id)

    for staff, url in (
        (station_staff, f"/admin/api/listings/{elsewhere['id']}/delivery"),
        (street_staff, f"/admin/api/listings/{city_wide['id']}/delivery"),
        (station_staff, f"/admin/api/announcements/{announcement['id']}/delivery"),
    ):
        assert_error(staff.get(url), 403, code="forbidden")
    assert_error(
        client.get(f"/admin/api/listings/{elsewhere['id']}/delivery"), 401, code="login_required"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=1&page=2", "page"),
        ("limit=2", "limit"),
    ],
)
def test_a_bad_page_is_refused_with_the_parameter_named(
    admin: StaffClient, world: World, query: str, field: str
) -> None:
    listing = admin.create(listing_input(target_id=world.jiuquhe.id))
    response = admin.get(f"/admin/api/listings/{listing['id']}/delivery?{query}")
    assert_error(response, 422, code="validation_failed", fields={field})
    response = admin.get(f"/admin/api/listings/{listing['id']}/delivery?colour=red")
    assert_error(response, 422, code="validation_failed", fields={"colour"})
