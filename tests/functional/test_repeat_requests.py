"""A mobile number cannot be looked up (issue 22, point 2): asking again what a number
already asked is answered exactly as a first request, records nothing twice, and
gives the new requester nothing of the first one: not its reference, its name, its
status, nor a way to cancel it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk_server.extensions import limiter
from kiosk_server.registrations import actions
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import StaffClient, enrol_kiosk, hidden_fields

URL = "/api/registrations"


def _kiosk(app: Flask, world: World, admin: StaffClient) -> dict[str, str]:
    return {"X-Screen-Token": enrol_kiosk(app, admin, world.station.id)}


def _person(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "王女士",
        "mobile": "13800001234",
        "community_id": world.jiuquhe.id,
        "age_band": "40-49",
        **extra,
    }


def _shape(answer: dict[str, Any]) -> dict[str, Any]:
    """What may differ between two people's answers: their own reference and link."""
    return {key: value for key, value in answer.items() if key not in ("reference", "manage_url")}


def _page(client: FlaskClient, manage_url: str) -> str:
    parts = urlsplit(manage_url)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_applying_again_with_a_number_is_answered_as_a_first_application(
    app: Flask, world: World, admin: StaffClient, client: FlaskClient
) -> None:
    kiosk = _kiosk(app, world, admin)
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    first = client.post(URL, json=_person(world, kind="application", listing_id=job["id"]))
    probe = _person(world, kind="application", listing_id=job["id"], name="李先生")

    again = client.post(URL, json=probe, headers=kiosk)

    assert (again.status_code, _shape(again.json)) == (first.status_code, _shape(first.json))
    assert again.json["created"] is True and again.json["reference"] != first.json["reference"]
    assert first.json["reference"] not in again.get_data(as_text=True)
    # Staff have one application, as before.
    listed = admin.get("/admin/api/registrations").json
    assert listed["total"] == 1 and listed["items"][0]["reference"] == first.json["reference"]
    # The repeat's link shows what was sent now, not the first person's name.
    page = _page(client, again.json["manage_url"])
    assert "李先生" in page and "王女士" not in page
    assert first.json["reference"] not in page
    # The kiosk that took it may show its QR code, as for any registration.
    qr = client.get(f"{URL}/{again.json['reference']}/qr.png", headers=kiosk)
    assert qr.status_code == 200


def test_a_retried_repeat_is_answered_as_a_retried_first(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    body = _person(world, kind="job_seeker", wanted=["gig"], availability=["weekend"])
    first, first_retry = client.post(URL, json=body), client.post(URL, json=body)
    repeat = {**body, "idempotency_key": uuid.uuid4().hex}
    again, again_retry = client.post(URL, json=repeat), client.post(URL, json=repeat)

    assert [first.status_code, first_retry.status_code] == [201, 200]
    assert [again.status_code, again_retry.status_code] == [201, 200]
    assert again_retry.json == {**again.json, "created": False}
    assert admin.get("/admin/api/registrations").json["total"] == 1


def test_cancelling_through_a_repeat_leaves_the_first_registration(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    training = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    session = training["training"]["sessions"][0]
    body = _person(world, kind="training_signup", listing_id=training["id"])
    first = client.post(URL, json={**body, "session_id": session["id"]})
    seats_left = client.get(f"/api/listings/{training['id']}").json["training"]["sessions"][0]

    again = client.post(
        URL, json={**body, "session_id": session["id"], "idempotency_key": uuid.uuid4().hex}
    )
    form = hidden_fields(_page(client, again.json["manage_url"]))
    cancelled = client.post(f"{urlsplit(again.json['manage_url']).path}/cancel", data=form)

    assert again.status_code == 201 and again.json["message"] == first.json["message"]
    # A repeat takes no seat, and its cancellation gives none back.
    after = client.get(f"/api/listings/{training['id']}").json["training"]["sessions"][0]
    assert after["seats_left"] == seats_left["seats_left"]
    assert cancelled.status_code == 200 and "已取消" in cancelled.get_data(as_text=True)
    [kept] = admin.get("/admin/api/registrations").json["items"]
    assert kept["status"] == "new"
    notes = admin.get(f"/admin/api/registrations/{kept['id']}").json["notes"]
    assert any("取消了那次重复登记" in line for line in notes)


def test_a_phone_cannot_tell_a_repeat_callback_from_a_first(
    app: Flask, world: World, admin: StaffClient, client: FlaskClient
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    tvs = [
        app.test_client().post("/api/screens", json={"community_id": world.jiuquhe.id}).json
        for _ in range(2)
    ]
    answers = [
        client.post(
            f"/api/listings/{listing['id']}/callback",
            json={"mobile": "13800001234", "consent": True},
            headers={"X-Screen-Token": tv["token"]},
        )
        for tv in tvs
    ]

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json == answers[1].json
    assert admin.get("/admin/api/registrations").json["total"] == 1


def _kiosk_at(app: Flask, world: World, admin: StaffClient, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_X_SCREEN_TOKEN"] = enrol_kiosk(app, admin, world.station.id)
    return client


def test_a_number_used_up_elsewhere_answers_as_a_fresh_one(
    app: Flask, world: World, admin: StaffClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily limit on one number is counted where it is used: a stranger probing the
    number from another kiosk and address cannot tell it from one never used, nor use
    it up for its owner."""
    monkeypatch.setattr(actions, "RATE_PER_MOBILE", (2, timedelta(days=1)))
    jobs = [admin.publish(listing_input("job", target_id=world.jiuquhe.id)) for _ in range(4)]
    owner = _kiosk_at(app, world, admin, "198.51.100.20")
    stranger = _kiosk_at(app, world, admin, "203.0.113.30")

    def apply(kiosk: FlaskClient, job: dict[str, Any], mobile: str) -> Any:
        body = _person(world, kind="application", listing_id=job["id"], mobile=mobile)
        return kiosk.post(URL, json=body)

    used = [apply(owner, job, "13800001234").status_code for job in jobs[:3]]
    probed = apply(stranger, jobs[3], "13800001234")
    fresh = apply(stranger, jobs[3], "13900005678")

    # The limit still holds where the number was used.
    assert used == [201, 201, 429]
    assert (probed.status_code, _shape(probed.json)) == (fresh.status_code, _shape(fresh.json))
    assert probed.status_code == 201 and set(probed.headers) == set(fresh.headers)


class _StorageAway:
    def hit(self, *args: Any) -> bool:
        raise ConnectionError("the limits' storage is away")


def test_a_number_is_taken_while_the_limits_storage_is_away(
    app: Flask, world: World, admin: StaffClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like Flask-Limiter's own limits, the count of a number's uses lets a registration
    through while its storage (Redis) cannot be reached, rather than fail it."""
    kiosk = _kiosk_at(app, world, admin, "198.51.100.21")
    monkeypatch.setattr(type(limiter), "limiter", property(lambda _: _StorageAway()))
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))

    answer = kiosk.post(URL, json=_person(world, kind="application", listing_id=job["id"]))

    assert answer.status_code == 201, answer.json
    assert admin.get("/admin/api/registrations").json["total"] == 1
