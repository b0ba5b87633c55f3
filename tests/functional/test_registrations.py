"""On-site registration: each kind recorded once, seats that never oversell, nothing lost."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from kiosk_server.registrations import actions
from kiosk_server.timeutil import local_today
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient, enrol_kiosk, qr_encodes

URL = "/api/registrations"


def _kiosk(app: Flask, world: World, admin: StaffClient) -> dict[str, str]:
    return {"X-Screen-Token": enrol_kiosk(app, admin, world.station.id)}


def _person(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "王女士",
        "mobile": "138 0000 1234",
        "community_id": world.jiuquhe.id,
        "age_band": "40-49",
        **extra,
    }


def test_every_kind_is_recorded_and_reaches_the_staff_inbox(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    kiosk = _kiosk(app, world, admin)
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    training = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    subsidy = admin.publish(listing_input("subsidy", target_id=world.city.id))
    session_id = training["training"]["sessions"][0]["id"]
    bodies = [
        _person(
            world,
            kind="job_seeker",
            wanted=["mom_friendly", "piece_rate"],
            skills="会缝纫",
            availability=["school_hours"],
        ),
        _person(
            world,
            kind="gig_worker",
            trades=["家电维修", "保洁"],
            service_area="黄岛街道",
            availability=["weekend"],
            mobile="13900001111",
        ),
        _person(world, kind="training_signup", listing_id=training["id"], session_id=session_id),
        _person(
            world,
            kind="consultation",
            listing_id=subsidy["id"],
            preferred_day=(local_today() + timedelta(days=2)).isoformat(),
            half_day="am",
        ),
        _person(world, kind="application", listing_id=job["id"], share_with_employer=True),
    ]
    for body in bodies:
        response = client.post(URL, json=body, headers=kiosk)
        assert response.status_code == 201, response.json
        assert len(response.json["reference"]) == 8

    inbox = admin.get("/admin/api/registrations").json
    assert sorted(item["kind"] for item in inbox["items"]) == sorted(b["kind"] for b in bodies)
    assert {item["channel"] for item in inbox["items"]} == {"kiosk"}
    assert all("****" in item["mobile"] for item in inbox["items"])
    seats = client.get(f"/api/listings/{training['id']}").json["training"]["sessions"][0]
    assert seats["seats_left"] == seats["seats"] - 1


def test_a_retried_submission_makes_one_record(app: Flask, world: World, admin, client) -> None:
    kiosk = _kiosk(app, world, admin)
    body = _person(world, kind="job_seeker", wanted=["gig"], availability=["anytime"])

    first = client.post(URL, json=body, headers=kiosk)
    again = client.post(URL, json=body, headers=kiosk)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["reference"] == first.json["reference"]
    assert admin.get("/admin/api/registrations").json["total"] == 1


def test_the_last_seat_goes_to_one_person_the_other_is_offered_the_waiting_list(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    body = listing_input("training", target_id=world.jiuquhe.id)
    body["training"]["sessions"][0]["seats"] = 1
    training = admin.publish(body)
    session_id = training["training"]["sessions"][0]["id"]
    screen = Screen(app, world.jiuquhe.id)
    results: list[int] = []
    bodies = {
        mobile: _person(
            world,
            kind="training_signup",
            listing_id=training["id"],
            session_id=session_id,
            mobile=mobile,
        )
        for mobile in ("13800000001", "13800000002")
    }

    def sign_up(mobile: str) -> None:
        results.append(app.test_client().post(URL, json=bodies[mobile]).status_code)

    threads = [threading.Thread(target=sign_up, args=(m,)) for m in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [201, 409]
    left = client.get(f"/api/listings/{training['id']}").json["training"]["sessions"][0]
    assert left["seats_left"] == 0
    pushed = [c for c in screen.received_changes() if c["id"] == training["id"]]
    assert pushed[-1]["data"]["training"]["sessions"][0]["seats_left"] == 0
    queued = client.post(
        URL,
        json=_person(
            world,
            kind="training_signup",
            listing_id=training["id"],
            session_id=session_id,
            mobile="13800000003",
            waitlist=True,
        ),
    )
    assert queued.status_code == 201 and queued.json["waitlisted"] is True
    assert "候补" in queued.json["message"]


def test_refusals_say_why_and_record_nothing_twice(app: Flask, world: World, admin, client) -> None:
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    training = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    apply = _person(world, kind="application", listing_id=job["id"])
    assert client.post(URL, json=apply).status_code == 201

    duplicate = client.post(URL, json={**apply, "idempotency_key": uuid.uuid4().hex})
    wrong_kind = client.post(
        URL,
        json={
            **apply,
            "idempotency_key": uuid.uuid4().hex,
            "listing_id": training["id"],
            "mobile": "13900000000",
        },
    )
    admin.post(f"/admin/api/listings/{job['id']}/withdraw")
    gone = client.post(
        URL, json=_person(world, kind="application", listing_id=job["id"], mobile="13700000000")
    )
    child = client.post(
        URL,
        json=_person(
            world, kind="job_seeker", wanted=["gig"], availability=["weekend"], age_band="under_16"
        ),
    )
    no_consent = client.post(
        URL,
        json=_person(
            world, kind="job_seeker", wanted=["gig"], availability=["weekend"], consent=False
        ),
    )

    # Answered as a first registration is (test_repeat_requests.py), and not recorded twice.
    assert duplicate.status_code == 201
    assert wrong_kind.status_code == 422 and "listing_id" in wrong_kind.json["error"]["fields"]
    assert gone.status_code == 410 and "已下架" in gone.json["error"]["message"]
    assert child.json["error"]["fields"]["age_band"] == "未满16岁不能登记，欢迎满16岁后再来"
    assert "consent" in no_consent.json["error"]["fields"]
    assert admin.get("/admin/api/registrations").json["total"] == 1


def test_names_lose_markup_and_reach_staff_as_text(app: Flask, world: World, admin, client) -> None:
    body = _person(
        world,
        kind="job_seeker",
        wanted=["gig"],
        availability=["weekend"],
        name="<b onclick=steal()>王</b>女士",
    )
    assert client.post(URL, json=body).status_code == 201
    [item] = admin.get("/admin/api/registrations").json["items"]
    assert item["name"] == "王女士"
    assert "<" not in item["name"] and item["channel"] == "phone"


def test_one_number_cannot_flood_staff(
    app: Flask, world: World, admin, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "RATE_PER_MOBILE", (2, timedelta(days=1)))
    jobs = [admin.publish(listing_input("job", target_id=world.jiuquhe.id)) for _ in range(3)]
    codes = [
        client.post(URL, json=_person(world, kind="application", listing_id=job["id"])).status_code
        for job in jobs
    ]
    assert codes == [201, 201, 429]


def test_the_kiosk_that_took_it_can_print_a_ticket_others_cannot(
    app: Flask, world: World, admin: StaffClient, client, tmp_path
) -> None:
    from PIL import Image

    kiosk = _kiosk(app, world, admin)
    other = _kiosk(app, world, admin)
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    body = _person(world, kind="application", listing_id=job["id"])
    reference = client.post(URL, json=body, headers=kiosk).json["reference"]

    ticket = client.get(f"{URL}/{reference}/ticket.png", headers=kiosk)
    stolen = client.get(f"{URL}/{reference}/ticket.png", headers=other)
    anonymous = client.get(f"{URL}/{reference}/ticket.png")

    assert ticket.status_code == 200 and ticket.mimetype == "image/png"
    image = Image.open(io.BytesIO(ticket.data))
    assert image.width == 384 and image.mode == "1"  # 58 mm at 203 dpi, black and white
    (tmp_path / "ticket.png").write_bytes(ticket.data)
    (Path(__file__).parents[1] / "browser" / "screenshots").mkdir(exist_ok=True)
    (Path(__file__).parents[1] / "browser" / "screenshots" / "kiosk-ticket.png").write_bytes(
        ticket.data
    )
    assert stolen.status_code == 404 and anonymous.status_code == 401


def test_the_kiosk_shows_a_qr_of_the_manage_link_only_to_itself(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    kiosk = _kiosk(app, world, admin)
    other = _kiosk(app, world, admin)
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    answer = client.post(
        URL, json=_person(world, kind="application", listing_id=job["id"]), headers=kiosk
    ).json

    qr = client.get(f"{URL}/{answer['reference']}/qr.png", headers=kiosk)
    stolen = client.get(f"{URL}/{answer['reference']}/qr.png", headers=other)

    assert qr.status_code == 200 and qr.headers["Cache-Control"] == "no-store"
    assert qr_encodes(qr.data, answer["manage_url"])
    assert stolen.status_code == 404


@pytest.mark.parametrize("days_ahead", [-1, 0, 15])
def test_a_consultation_is_booked_within_the_next_two_weeks_only(
    world: World, admin: StaffClient, client, days_ahead: int
) -> None:
    subsidy = admin.publish(listing_input("subsidy", target_id=world.city.id))
    day = local_today() + timedelta(days=days_ahead)
    body = _person(
        world, kind="consultation", listing_id=subsidy["id"], preferred_day=day.isoformat()
    )
    response = client.post(URL, json={**body, "half_day": "pm"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"preferred_day": "请在今后14天里选一天"}
