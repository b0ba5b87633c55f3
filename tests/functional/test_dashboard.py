"""The dashboard's figures: counted afresh on each request, only in the staff member's scope,
with days and weeks as they fall in China."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from kiosk_server.extensions import db
from kiosk_server.live.push import SCREENS_NAMESPACE
from kiosk_server.registrations.models import Registration
from kiosk_server.timeutil import china_midnight, local_today
from tests.conftest import World
from tests.factories import REGISTRATION_ANSWERS, listing_input, make_registration
from tests.helpers import Screen, StaffClient, assert_error, enrol_kiosk

URL = "/admin/api/dashboard"


def _figures(staff: StaffClient) -> dict[str, Any]:
    response = staff.get(URL)
    assert response.status_code == 200, response.json
    return response.json


def _counts(lines: list[dict[str, Any]], key: str) -> dict[str, int]:
    return {line[key]: line["count"] for line in lines}


def _made_at(registration: Registration, moment: datetime) -> None:
    registration.created_at = moment
    db.session.commit()


def _kiosk_token(app: Flask, world: World, admin: StaffClient) -> str:
    return enrol_kiosk(app, admin, world.station.id)


def test_an_empty_scope_has_every_figure_at_zero(admin: StaffClient, world: World) -> None:
    figures = _figures(admin)

    assert figures["scope"] == {"id": world.city.id, "name": "青岛市"}
    assert figures["generated_at"].endswith("+08:00")
    assert figures["listings_by_kind"] == [
        {"kind": "job", "name": "岗位", "count": 0},
        {"kind": "training", "name": "培训", "count": 0},
        {"kind": "subsidy", "name": "补贴政策", "count": 0},
        {"kind": "event", "name": "活动", "count": 0},
    ]
    today = local_today()
    monday = today - timedelta(days=today.weekday())
    assert figures["registrations_week"] == {
        "since": monday.isoformat(),
        "total": 0,
        "by_station": [],
    }
    daily = figures["registrations_daily"]
    assert [line["day"] for line in daily] == [
        (today - timedelta(days=back)).isoformat() for back in range(13, -1, -1)
    ]
    assert {line["count"] for line in daily} == {0}
    assert [(line["status"], line["name"], line["count"]) for line in figures["outcomes"]] == [
        ("new", "新登记", 0),
        ("contacted", "已联系", 0),
        ("referred", "已推荐", 0),
        ("hired", "已上岗", 0),
        ("closed", "已关闭", 0),
    ]
    assert figures["screens"] == {
        "tv": {"online": 0, "total": 0},
        "kiosk": {"online": 0, "total": 0},
    }


def test_figures_follow_listings_registrations_follow_ups_and_screens(
    app: Flask, world: World, admin: StaffClient, client: FlaskClient
) -> None:
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    admin.publish(listing_input("event", target_id=world.city.id))
    admin.create(listing_input("training", target_id=world.jiuquhe.id))  # a draft: not live
    withdrawn = admin.publish(listing_input("job", target_id=world.qianwan.id))
    admin.post(f"/admin/api/listings/{withdrawn['id']}/withdraw")
    tv = Screen(app, world.jiuquhe.id)
    asleep = Screen(app, world.taidong1.id)
    asleep.socket.disconnect(namespace=SCREENS_NAMESPACE)
    stopped = Screen(app, world.fuxing.id)
    admin.post(f"/admin/api/screens/{stopped.id}/revoke")
    kiosk = {"X-Screen-Token": _kiosk_token(app, world, admin)}
    before = _figures(admin)

    for mobile in ("13800001111", "13800002222"):
        body = {
            "kind": "job_seeker",
            "idempotency_key": f"kiosk-{mobile}",
            "consent": True,
            "name": "王女士",
            "mobile": mobile,
            "community_id": world.jiuquhe.id,
            "age_band": "40-49",
            **REGISTRATION_ANSWERS["job_seeker"],
        }
        assert client.post("/api/registrations", json=body, headers=kiosk).status_code == 201
    called = client.post(
        f"/api/listings/{job['id']}/callback",
        json={"mobile": "13800003333", "consent": True},
        headers={"X-Screen-Token": tv.token},
    )
    by_phone = make_registration(world.taidong1)
    admin.post(f"/admin/api/registrations/{by_phone.id}/status", json={"status": "contacted"})
    after = _figures(admin)

    assert called.status_code == 201
    assert _counts(before["listings_by_kind"], "kind") == {
        "job": 1,
        "training": 0,
        "subsidy": 0,
        "event": 1,
    }
    assert before["screens"] == {
        "tv": {"online": 1, "total": 2},
        "kiosk": {"online": 0, "total": 1},
    }
    assert before["registrations_week"]["total"] == 0
    assert after["registrations_week"]["total"] == 4
    assert after["registrations_week"]["by_station"] == [
        {"site_id": world.station.id, "name": world.station.name, "count": 2},
        {"site_id": None, "name": "手机", "count": 1},
        {"site_id": None, "name": "电视", "count": 1},
    ]
    assert after["registrations_daily"][-1] == {"day": local_today().isoformat(), "count": 4}
    assert sum(line["count"] for line in after["registrations_daily"]) == 4
    assert _counts(after["outcomes"], "status") == {
        "new": 3,
        "contacted": 1,
        "referred": 0,
        "hired": 0,
        "closed": 0,
    }


def test_station_staff_count_only_their_community(
    app: Flask, world: World, admin: StaffClient, station_staff: StaffClient
) -> None:
    admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    admin.publish(listing_input("job", target_id=world.taidong1.id))
    # Reaches their screens, but is the city's to count, not the community's.
    admin.publish(listing_input("subsidy", target_id=world.city.id))
    make_registration(world.jiuquhe)
    make_registration(world.qianwan)
    make_registration(world.taidong1, kind="gig_worker")
    Screen(app, world.jiuquhe.id)
    Screen(app, world.qianwan.id)

    mine = _figures(station_staff)
    everything = _figures(admin)

    assert mine["scope"] == {"id": world.jiuquhe.id, "name": "九曲河社区"}
    assert _counts(mine["listings_by_kind"], "kind")["job"] == 1
    assert _counts(mine["listings_by_kind"], "kind")["subsidy"] == 0
    assert mine["registrations_week"]["total"] == 1
    assert mine["registrations_daily"][-1]["count"] == 1
    assert _counts(mine["outcomes"], "status")["new"] == 1
    assert mine["screens"]["tv"] == {"online": 1, "total": 1}
    assert _counts(everything["listings_by_kind"], "kind")["job"] == 2
    assert everything["registrations_week"]["total"] == 3
    assert everything["screens"]["tv"] == {"online": 2, "total": 2}


def test_the_week_and_the_days_begin_at_midnight_in_china(world: World, admin: StaffClient) -> None:
    today = local_today()
    monday = today - timedelta(days=today.weekday())
    midnight = china_midnight(monday)
    # 00:30 on Monday in China is still Sunday in UTC, and 23:30 on Sunday is Sunday in both.
    _made_at(make_registration(world.jiuquhe), midnight + timedelta(minutes=30))
    _made_at(make_registration(world.jiuquhe), midnight - timedelta(minutes=30))
    # The chart's first day begins 13 days before today; a minute earlier is left off.
    first = china_midnight(today - timedelta(days=13))
    _made_at(make_registration(world.jiuquhe), first)
    _made_at(make_registration(world.jiuquhe), first - timedelta(minutes=1))
    # The outcomes cover 30 days the same way.
    _made_at(make_registration(world.jiuquhe), china_midnight(today - timedelta(days=30)))

    figures = _figures(admin)

    assert figures["registrations_week"]["since"] == monday.isoformat()
    assert figures["registrations_week"]["total"] == 1
    daily = _counts(figures["registrations_daily"], "day")
    assert daily[monday.isoformat()] == 1
    assert daily[(monday - timedelta(days=1)).isoformat()] == 1
    assert daily[(today - timedelta(days=13)).isoformat()] == 1
    assert sum(daily.values()) == 3
    assert _counts(figures["outcomes"], "status")["new"] == 4


def test_the_dashboard_is_for_staff_and_takes_no_parameters(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    assert_error(client.get(URL), 401, code="login_required")
    assert_error(admin.get(f"{URL}?scope_id={world.taidong1.id}"), 422, fields={"scope_id"})
