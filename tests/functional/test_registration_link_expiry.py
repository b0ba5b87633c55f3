"""The see-or-cancel link behind a registration's QR code works for the period the
privacy notice states, then shows a page saying it has expired and what to do."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from kiosk_server.extensions import db
from kiosk_server.registrations.models import Registration
from tests.conftest import World


def _register(client: FlaskClient, world: World) -> dict:
    body = {
        "kind": "job_seeker",
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "王女士",
        "mobile": "13900005678",
        "community_id": world.jiuquhe.id,
        "age_band": "40-49",
        "wanted": ["mom_friendly"],
        "availability": ["weekend"],
    }
    response = client.post("/api/registrations", json=body)
    assert response.status_code == 201, response.json
    return response.json


def _age(app: Flask, reference: str, days: float) -> None:
    with app.app_context():
        registered = db.session.scalar(
            db.select(Registration.created_at).where(Registration.reference == reference)
        )
        db.session.execute(
            update(Registration)
            .where(Registration.reference == reference)
            .values(created_at=registered - timedelta(days=days))
        )
        db.session.commit()


def test_the_link_works_within_the_period_and_is_refused_after_it(
    app: Flask, world: World, client: FlaskClient
) -> None:
    days = app.config["REGISTRATION_LINK_DAYS"]
    registration = _register(client, world)
    path = registration["manage_url"].removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    # The page itself says how long the link lasts.
    assert f"{days}天" in page.get_data(as_text=True)

    _age(app, registration["reference"], days - 0.5)
    assert client.get(path).status_code == 200

    _age(app, registration["reference"], 1)
    expired = client.get(path)
    text = expired.get_data(as_text=True)
    assert expired.status_code == 410
    assert "已过期" in text and "服务站" in text  # what happened, and whom to ask
    assert "139****5678" not in text and "王女士" not in text  # nothing of theirs

    token = path.split("t=")[1]
    cancel = client.post(
        f"/r/{registration['reference']}/cancel", data={"csrf_token": csrf, "t": token}
    )
    assert cancel.status_code == 410 and "已过期" in cancel.get_data(as_text=True)
    done = client.get(f"/r/{registration['reference']}/done?t={token}")
    assert done.status_code == 410
    with app.app_context():
        status = db.session.scalar(
            db.select(Registration.status).where(
                Registration.reference == registration["reference"]
            )
        )
    assert status == "new"  # the expired link cancelled nothing


def test_the_privacy_notice_states_the_period(app: Flask, world: World, client) -> None:
    days = app.config["REGISTRATION_LINK_DAYS"]
    form = client.get("/register/job-seeker").get_data(as_text=True)
    assert re.search(rf"{days}天内[^<]*查看或取消", form), form[:2000]
