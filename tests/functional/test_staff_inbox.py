"""The live inbox: staff pages hear new registrations and TV callbacks without reloading.

Staff connect to the /staff namespace with their session cookie; each hears
only registrations in their part of the tree, and only while the session lasts.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from kiosk_server.extensions import db, socketio
from kiosk_server.live.inbox import STAFF_NAMESPACE
from kiosk_server.registrations.actions import do_cancel_registration
from kiosk_server.staff.actions import do_create_staff
from kiosk_server.staff.models import StaffRole
from tests.conftest import World
from tests.factories import make_listing, make_registration
from tests.helpers import Screen, StaffClient


def connect(app: Flask, staff: StaffClient) -> SocketIOTestClient:
    socket = socketio.test_client(app, namespace=STAFF_NAMESPACE, flask_test_client=staff.http)
    assert socket.is_connected(STAFF_NAMESPACE)
    return socket


def heard(socket: SocketIOTestClient) -> list[dict[str, Any]]:
    return [
        event["args"][0]
        for event in socket.get_received(STAFF_NAMESPACE)
        if event["name"] == "registration"
    ]


@pytest.fixture
def zhuhai_staff(app: Flask, world: World) -> StaffClient:
    """Staff of 珠海街道, the street next to 黄岛街道 (its community is 复兴社区)."""
    do_create_staff(
        username="zhuhai",
        display_name="珠海街道专员",
        password="zhuhai-password-1",
        role=StaffRole.STREET,
        scope=world.zhuhai_street,
        by=None,
    )
    return StaffClient(app, "zhuhai", "zhuhai-password-1")


def test_a_registration_reaches_the_staff_above_its_community_and_no_one_else(
    app: Flask,
    world: World,
    admin: StaffClient,
    street_staff: StaffClient,
    station_staff: StaffClient,
    zhuhai_staff: StaffClient,
) -> None:
    city, street, station, other_street = (
        connect(app, staff) for staff in (admin, street_staff, station_staff, zhuhai_staff)
    )

    in_qianwan = make_registration(world.qianwan, name="前湾的王女士")

    [message] = heard(street)
    assert heard(city) == [message]
    assert heard(station) == [] and heard(other_street) == []
    assert message["id"] == in_qianwan.id
    assert (message["kind"], message["status"]) == ("job_seeker", "new")
    assert message["community"] == {"id": world.qianwan.id, "name": "前湾社区"}
    assert message["mobile"] == f"{in_qianwan.mobile[:3]}****{in_qianwan.mobile[-4:]}"
    assert in_qianwan.mobile not in str(message)

    in_fuxing = make_registration(world.fuxing, "gig_worker")

    assert [m["id"] for m in heard(other_street)] == [in_fuxing.id]
    assert [m["id"] for m in heard(city)] == [in_fuxing.id]
    assert heard(street) == [] and heard(station) == []


def test_a_tv_callback_and_a_follow_up_are_heard_live(
    app: Flask,
    world: World,
    admin: StaffClient,
    street_staff: StaffClient,
    station_staff: StaffClient,
) -> None:
    listing = make_listing("job", target=world.jiuquhe)
    tv = Screen(app, world.jiuquhe.id)
    street, station = connect(app, street_staff), connect(app, station_staff)

    response = app.test_client().post(
        f"/api/listings/{listing.id}/callback",
        json={"mobile": "13812345678", "consent": True},
        headers={"X-Screen-Token": tv.token},
    )
    assert response.status_code == 201

    [callback] = heard(station)
    assert (callback["kind"], callback["kind_name"]) == ("callback", "请工作人员联系我")
    assert callback["channel"] == "tv" and callback["mobile"] == "138****5678"
    assert callback["listing"] == {"id": listing.id, "title": listing.title}
    assert heard(street) == [callback]

    # Asking again is answered alike (issue 22) but records nothing new: nobody is told twice.
    again = app.test_client().post(
        f"/api/listings/{listing.id}/callback",
        json={"mobile": "13812345678", "consent": True},
        headers={"X-Screen-Token": tv.token},
    )
    assert again.status_code == 201 and heard(station) == []

    station_staff.post(
        f"/admin/api/registrations/{callback['id']}/status",
        json={"status": "contacted", "note": "已回电"},
    )
    [moved] = heard(street)
    assert (moved["id"], moved["status"], moved["status_name"]) == (
        callback["id"],
        "contacted",
        "已联系",
    )
    assert heard(station) == [moved]


def test_a_cancellation_on_the_phone_is_heard_too(
    app: Flask, world: World, station_staff: StaffClient
) -> None:
    registration = make_registration(world.jiuquhe)
    station = connect(app, station_staff)
    do_cancel_registration(registration)
    assert [(m["id"], m["status"]) for m in heard(station)] == [(registration.id, "closed")]


@pytest.mark.parametrize("cookie", [None, "not-a-session", "e30.aaaa.bbbb"])
def test_a_connection_without_a_staff_session_is_refused(
    app: Flask, world: World, cookie: str | None
) -> None:
    client = app.test_client()
    if cookie is not None:
        client.set_cookie("session", cookie)
    socket = socketio.test_client(app, namespace=STAFF_NAMESPACE, flask_test_client=client)
    assert not socket.is_connected(STAFF_NAMESPACE)


def test_a_screen_token_is_no_way_into_the_staff_inbox(app: Flask, world: World) -> None:
    tv = Screen(app, world.jiuquhe.id)
    socket = socketio.test_client(app, namespace=STAFF_NAMESPACE, auth={"token": tv.token})
    assert not socket.is_connected(STAFF_NAMESPACE)


def test_logging_out_ends_the_inbox_for_open_sockets_and_copied_cookies(
    app: Flask, world: World, station_staff: StaffClient
) -> None:
    open_before = connect(app, station_staff)
    cookie = station_staff.http.get_cookie("session")
    assert cookie is not None

    assert station_staff.delete("/admin/api/session").status_code == 200
    make_registration(world.jiuquhe)

    assert heard(open_before) == []
    copied = app.test_client()
    copied.set_cookie("session", cookie.value)
    socket = socketio.test_client(app, namespace=STAFF_NAMESPACE, flask_test_client=copied)
    assert not socket.is_connected(STAFF_NAMESPACE)


def test_a_stopped_account_hears_nothing_and_cannot_connect(
    app: Flask, world: World, station_staff: StaffClient
) -> None:
    open_before = connect(app, station_staff)
    world.station_staff.active = False
    db.session.commit()

    make_registration(world.jiuquhe)

    assert heard(open_before) == []
    socket = socketio.test_client(
        app, namespace=STAFF_NAMESPACE, flask_test_client=station_staff.http
    )
    assert not socket.is_connected(STAFF_NAMESPACE)
