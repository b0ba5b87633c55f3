"""The phone page behind a registration's QR code: see it, cancel it, nobody else can."""

from __future__ import annotations

import re
import uuid

from flask import Flask

from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import StaffClient


def _sign_up(client, world: World, training: dict) -> dict:
    body = {
        "kind": "training_signup",
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "李先生",
        "mobile": "13900001234",
        "community_id": world.jiuquhe.id,
        "age_band": "50-59",
        "listing_id": training["id"],
        "session_id": training["training"]["sessions"][0]["id"],
    }
    response = client.post("/api/registrations", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_the_qr_link_shows_the_registration_and_cancelling_frees_the_seat(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    training = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    registration = _sign_up(client, world, training)
    path = registration["manage_url"].removeprefix("http://localhost")

    page = client.get(path)

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert registration["reference"] in text and "139****1234" in text
    assert "13900001234" not in text  # the full number never shows, even to its owner
    left = client.get(f"/api/listings/{training['id']}").json["training"]["sessions"][0]
    assert left["seats_left"] == left["seats"] - 1

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
    token = re.search(r'name="t" value="([^"]+)"', text).group(1)
    cancelled = client.post(
        f"/r/{registration['reference']}/cancel", data={"csrf_token": csrf, "t": token}
    )

    assert cancelled.status_code == 200 and "已取消" in cancelled.get_data(as_text=True)
    left = client.get(f"/api/listings/{training['id']}").json["training"]["sessions"][0]
    assert left["seats_left"] == left["seats"]
    [item] = admin.get("/admin/api/registrations").json["items"]
    assert item["status"] == "closed"


def test_a_wrong_or_missing_token_shows_nothing(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    training = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    reference = _sign_up(client, world, training)["reference"]

    for url in (f"/r/{reference}", f"/r/{reference}?t=0123456789abcdef01234567"):
        response = client.get(url)
        assert response.status_code == 404
        assert "李先生" not in response.get_data(as_text=True)
    refused = client.post(f"/r/{reference}/cancel", data={"t": "x"})
    assert refused.status_code == 400  # no CSRF token
    assert "页面已过期" in refused.get_data(as_text=True)
    assert admin.get("/admin/api/registrations").json["items"][0]["status"] == "new"
