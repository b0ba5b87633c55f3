"""Staff see the screens of their part of the tree and can stop one there, nowhere else."""

from __future__ import annotations

from flask import Flask

from kiosk_server.live.push import SCREENS_NAMESPACE
from tests.conftest import World
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
