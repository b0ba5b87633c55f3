"""Staff see the screens of their part of the tree, whether each is online and keeping up,
and can stop one there, nowhere else."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from kiosk_server.extensions import db
from kiosk_server.live.models import Change
from kiosk_server.live.push import SCREENS_NAMESPACE
from kiosk_server.places.models import Place
from kiosk_server.screens.models import Screen as ScreenRow
from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient, assert_error


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
    # The count of those online heads every page, whatever page or status is asked for.
    assert admin.get("/admin/api/screens?kind=tv&per_page=1&page=2").json["online"] == 3
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


def _add_screen(
    community: Place,
    kind: str,
    *,
    online: bool | None,
    cursors: dict[str, int],
    revoked: bool = False,
) -> int:
    """A screen as staff find it: online, offline (None: never connected), some cursors."""
    now = utcnow()
    seen = {True: now, False: now - timedelta(hours=1), None: None}[online]
    row = ScreenRow(
        kind=kind,
        community_id=community.id,
        site_id=community.sites[0].id if kind == "kiosk" and community.sites else None,
        token_hash=secrets.token_hex(32),
        last_seen_at=seen,
        cursors=cursors,
        last_seq=max(cursors.values(), default=0),
        revoked_at=now if revoked else None,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def _every_page(staff: StaffClient, query: str, per_page: int) -> tuple[list[int], set[int]]:
    """The ids of every page in turn, and every total the pages gave."""
    ids: list[int] = []
    totals: set[int] = set()
    number = 1
    while True:
        response = staff.get(f"/admin/api/screens?{query}&page={number}&per_page={per_page}")
        assert response.status_code == 200, response.json
        body = response.json
        assert (body["page"], body["per_page"]) == (number, per_page)
        assert len(body["items"]) <= per_page
        ids += [item["id"] for item in body["items"]]
        totals.add(body["total"])
        if number * per_page >= body["total"]:
            return ids, totals
        number += 1


def test_the_screens_list_pages_every_filter_with_true_totals(
    app: Flask, world: World, admin: StaffClient, street_staff: StaffClient
) -> None:
    city = str(world.city.id)
    # A change to the whole city and one to 九曲河 alone, both long enough ago to be due.
    first = admin.publish(listing_input(target_id=world.city.id))["seq"]
    second = admin.publish(listing_input(target_id=world.jiuquhe.id))["seq"]
    _age_changes(timedelta(minutes=3))
    caught_up = {city: first, str(world.jiuquhe.id): second}
    expected: dict[str, set[int]] = {"tv": set(), "kiosk": set(), "online": set(), "stale": set()}
    everyone: set[int] = set()
    places = (world.jiuquhe, world.qianwan, world.taidong1)
    for number in range(23):
        community = places[number % 3]
        kind = "kiosk" if number % 4 == 0 else "tv"
        # Every third is offline, and of those every other one has never connected.
        online = None if number % 6 == 1 else number % 3 != 1
        # Every fifth has applied nothing; in 九曲河 the city's change alone is not enough.
        cursors = {} if number % 5 == 0 else {city: first}
        if community is world.jiuquhe and number % 2:
            cursors = dict(caught_up)
        revoked = number == 7
        screen_id = _add_screen(community, kind, online=online, cursors=cursors, revoked=revoked)
        everyone.add(screen_id)
        expected[kind].add(screen_id)
        if online and not revoked:
            expected["online"].add(screen_id)
        behind = cursors.get(city, 0) < first or (
            community is world.jiuquhe and cursors.get(str(world.jiuquhe.id), 0) < second
        )
        if behind and not revoked:
            expected["stale"].add(screen_id)
    expected["offline"] = everyone - expected["online"]
    assert expected["stale"] and expected["online"] - expected["stale"]

    for query, wanted in (
        ("", everyone),
        ("kind=tv", expected["tv"]),
        ("kind=kiosk", expected["kiosk"]),
        ("status=online", expected["online"]),
        ("status=offline", expected["offline"]),
        ("status=stale", expected["stale"]),
        ("kind=tv&status=stale", expected["stale"] & expected["tv"]),
        ("kind=kiosk&status=offline", expected["offline"] & expected["kiosk"]),
    ):
        for per_page in (4, 50):
            ids, totals = _every_page(admin, query, per_page)
            assert ids == sorted(wanted), (query, per_page)
            assert totals == {len(wanted)}, (query, per_page)

    in_street = {
        screen_id
        for screen_id, item in _listed(admin, "?per_page=100").items()
        if item["community"]["id"] != world.taidong1.id
    }
    ids, totals = _every_page(street_staff, "status=stale", 3)
    assert ids == sorted(expected["stale"] & in_street) and totals == {len(ids)}
    listed = _listed(admin, "?per_page=100")
    assert {i for i, item in listed.items() if item["stale"]} == expected["stale"]
    assert {i for i, item in listed.items() if item["online"]} == expected["online"]


@pytest.mark.parametrize("query", ["page=0", "per_page=0", "per_page=101", "page=abc"])
def test_a_bad_page_of_screens_is_refused_with_the_parameter_named(
    admin: StaffClient, query: str
) -> None:
    name = query.split("=")[0]
    assert_error(admin.get(f"/admin/api/screens?{query}"), 422, fields={name})
