"""Staff see the screens of their part of the tree, whether each is online and keeping up,
and can stop one there, nowhere else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, select

from kiosk_server.extensions import db
from kiosk_server.live.models import Change
from kiosk_server.live.push import SCREENS_NAMESPACE
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient


def test_station_staff_see_and_stop_only_their_communitys_screens(
    app: Flask, world: World, station_staff: StaffClient, admin: StaffClient
) -> None:
    mine, other = Screen(app, world.jiuquhe.id), Screen(app, world.taidong1.id)

    listed = station_staff.get("/admin/api/screens").json["items"]
    refused = station_staff.post(f"/admin/api/screens/{other.id}/revoke")
    stopped = station_staff.post(f"/admin/api/screens/{mine.id}/revoke")

    assert [item["id"] for item in listed] == [mine.id]
    assert listed[0]["community"]["name"] == "九曲河社区" and listed[0]["last_seen_at"]
    assert refused.status_code == 403
    assert stopped.status_code == 200 and stopped.json["revoked"] is True
    assert station_staff.post(f"/admin/api/screens/{mine.id}/revoke").status_code == 409
    everything = {
        item["id"]: item["revoked"] for item in admin.get("/admin/api/screens").json["items"]
    }
    assert everything == {mine.id: True, other.id: False}


def test_a_screen_shows_online_while_connected_and_offline_once_it_leaves(
    app: Flask, world: World, admin: StaffClient
) -> None:
    screen = Screen(app, world.jiuquhe.id)

    def online() -> bool:
        listed = admin.get("/admin/api/screens").json["items"]
        return next(item["online"] for item in listed if item["id"] == screen.id)

    connected = online()
    screen.socket.disconnect(namespace=SCREENS_NAMESPACE)
    left = online()
    screen.socket.connect(namespace=SCREENS_NAMESPACE, auth={"token": screen.token})

    assert (connected, left, online()) == (True, False, True)


def _listed(staff: StaffClient, query: str = "") -> dict[int, dict[str, Any]]:
    response = staff.get(f"/admin/api/screens{query}")
    assert response.status_code == 200, response.json
    return {item["id"]: item for item in response.json["items"]}


def _age_changes(by: timedelta) -> None:
    for change in db.session.scalars(select(Change)):
        change.created_at -= by
    db.session.commit()


def test_a_screen_that_leaves_a_change_unapplied_for_two_minutes_is_stale(
    app: Flask, world: World, admin: StaffClient
) -> None:
    behind, caught_up = Screen(app, world.jiuquhe.id), Screen(app, world.qianwan.id)
    elsewhere = Screen(app, world.taidong1.id)
    # Addressed to the street: the room above both communities, not to either one.
    seq = admin.publish(listing_input(target_id=world.huangdao_street.id))["seq"]
    street = str(world.huangdao_street.id)
    assert caught_up.emit("ack", {"cursors": {street: seq}}) == {"ok": True}

    fresh = _listed(admin)
    _age_changes(timedelta(minutes=3))
    later = _listed(admin)

    assert [fresh[screen.id]["latest_seq"] for screen in (behind, caught_up)] == [seq, seq]
    assert fresh[elsewhere.id]["latest_seq"] == 0
    # Just made: nobody has had time to apply it yet.
    assert not any(item["stale"] for item in fresh.values())
    assert {screen_id: item["stale"] for screen_id, item in later.items()} == {
        behind.id: True,
        caught_up.id: False,
        elsewhere.id: False,
    }
    assert list(_listed(admin, "?status=stale")) == [behind.id]
    assert list(_listed(admin, "?status=online&kind=tv")) == [behind.id, caught_up.id, elsewhere.id]
    assert list(_listed(admin, "?status=offline")) == []


def test_a_busy_room_does_not_hide_a_stuck_screen(
    app: Flask, world: World, admin: StaffClient
) -> None:
    stuck = Screen(app, world.jiuquhe.id)
    admin.publish(listing_input(target_id=world.jiuquhe.id))
    _age_changes(timedelta(minutes=5))
    newest = admin.publish(listing_input(target_id=world.jiuquhe.id))["seq"]

    listed = _listed(admin)[stuck.id]

    assert (listed["latest_seq"], listed["stale"]) == (newest, True)


def test_a_stopped_screen_is_not_called_stale_and_offline_ones_are_filtered(
    app: Flask, world: World, admin: StaffClient
) -> None:
    stopped, gone = Screen(app, world.jiuquhe.id), Screen(app, world.jiuquhe.id)
    admin.publish(listing_input(target_id=world.jiuquhe.id))
    _age_changes(timedelta(minutes=3))
    admin.post(f"/admin/api/screens/{stopped.id}/revoke")
    gone.socket.disconnect(namespace=SCREENS_NAMESPACE)

    listed = _listed(admin)

    assert (listed[stopped.id]["stale"], listed[gone.id]["stale"]) == (False, True)
    assert list(_listed(admin, "?status=offline")) == [stopped.id, gone.id]
    assert list(_listed(admin, "?status=online")) == []


def test_listing_screens_takes_the_same_number_of_queries_for_one_screen_or_many(
    app: Flask, world: World, admin: StaffClient
) -> None:
    def queries() -> int:
        statements: list[str] = []

        def count(*_args: Any) -> None:
            statements.append("")

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            _listed(admin)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    Screen(app, world.jiuquhe.id)
    admin.publish(listing_input(target_id=world.jiuquhe.id))
    one = queries()
    for place in (world.qianwan, world.fuxing, world.taidong1, world.taidong2):
        Screen(app, place.id)
    admin.publish(listing_input(target_id=world.city.id))

    assert queries() == one
