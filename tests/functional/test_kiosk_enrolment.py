"""A kiosk is tied to its site with a one-time code from staff, then gets a revocable token."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import update

from kiosk_server.extensions import db, socketio
from kiosk_server.screens.models import EnrolmentCode
from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.helpers import StaffClient


def _code(staff: StaffClient, site_id: int) -> str:
    response = staff.post(f"/admin/api/sites/{site_id}/enrolment-codes")
    assert response.status_code == 201, response.json
    return response.json["code"]


def test_a_kiosk_enrols_once_with_its_code_and_connects(
    app: Flask, world: World, station_staff: StaffClient, client
) -> None:
    code = _code(station_staff, world.station.id)
    assert len(code.replace(" ", "")) == 8

    enrolled = client.post("/api/screens/enrol", json={"code": code, "app_version": "kiosk-1"})
    again = client.post("/api/screens/enrol", json={"code": code})

    assert enrolled.status_code == 201
    assert enrolled.json["site"]["name"] == world.station.name
    assert enrolled.json["screen"]["community_id"] == world.jiuquhe.id
    assert again.status_code == 422 and "联系工作人员" in again.json["error"]["fields"]["code"]
    kiosk = socketio.test_client(app, namespace="/screens", auth={"token": enrolled.json["token"]})
    assert kiosk.is_connected("/screens")
    [listed] = station_staff.get("/admin/api/screens").json["items"]
    assert (listed["kind"], listed["site"]["id"]) == ("kiosk", world.station.id)


def test_wrong_and_expired_codes_are_refused(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    code = _code(admin, world.station.id)
    with app.app_context():
        db.session.execute(update(EnrolmentCode).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    for attempt in (code, "0000 0000"):
        response = client.post("/api/screens/enrol", json={"code": attempt})
        assert response.status_code == 422
    assert admin.get("/admin/api/screens").json["items"] == []


def test_staff_make_codes_only_for_sites_in_their_scope(
    world: World, station_staff: StaffClient
) -> None:
    response = station_staff.post(f"/admin/api/sites/{world.factory.id}/enrolment-codes")
    assert response.status_code == 403


def test_an_operator_makes_a_code_on_the_console_and_the_kiosk_enrols_with_it(
    app: Flask, world: World, client
) -> None:
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["screens", "enrolment-code"])
    assert f"{world.station.id}\t就享家乐业服务站\t{world.station.name}" in listed.output
    assert world.factory.name not in listed.output  # a micro-factory has no kiosk

    made = runner.invoke(args=["screens", "enrolment-code", str(world.station.id)])
    code = re.search(r"绑定码：(\d{4} \d{4})", made.output)
    assert made.exit_code == 0 and code is not None, made.output
    enrolled = client.post("/api/screens/enrol", json={"code": code.group(1)})
    assert enrolled.status_code == 201
    assert enrolled.json["site"]["id"] == world.station.id

    unknown = runner.invoke(args=["screens", "enrolment-code", "999999"])
    assert unknown.exit_code != 0 and "没有编号为 999999 的站点" in unknown.output
