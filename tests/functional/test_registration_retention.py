"""Registrations are kept for the period the privacy notices state, then the sweep
erases them: every kind, with the repeats sent for them, in batches, and the audit
log says how many went without saying whose."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from kiosk_server.audit.models import AuditEntry
from kiosk_server.extensions import db
from kiosk_server.live import sweeper
from kiosk_server.registrations import actions
from kiosk_server.registrations.models import Registration, RegistrationRepeat
from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient

OLD_MOBILE = "13900001111"
YOUNG_MOBILE = "13900002222"


def _job_seeker(client: FlaskClient, world: World, mobile: str, name: str) -> dict:
    body = {
        "kind": "job_seeker",
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": name,
        "mobile": mobile,
        "community_id": world.jiuquhe.id,
        "age_band": "40-49",
        "wanted": ["mom_friendly"],
        "availability": ["weekend"],
    }
    response = client.post("/api/registrations", json=body)
    assert response.status_code == 201, response.json
    return response.json


def _apply(client: FlaskClient, world: World, listing_id: int, mobile: str) -> dict:
    body = {
        "kind": "application",
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "赵先生",
        "mobile": mobile,
        "community_id": world.jiuquhe.id,
        "age_band": "25-39",
        "listing_id": listing_id,
    }
    response = client.post("/api/registrations", json=body)
    assert response.status_code == 201, response.json
    return response.json


def _callback(client: FlaskClient, screen: Screen, listing_id: int, mobile: str) -> None:
    response = client.post(
        f"/api/listings/{listing_id}/callback",
        json={"mobile": mobile, "consent": True},
        headers={"X-Screen-Token": screen.token},
    )
    assert response.status_code == 201, response.json


def _age_everything_of(app: Flask, mobile: str, days: int) -> None:
    """Move a person's registrations and repeats `days` into the past, as time would."""
    then = utcnow() - timedelta(days=days)
    with app.app_context():
        for model in (Registration, RegistrationRepeat):
            db.session.execute(update(model).where(model.mobile == mobile).values(created_at=then))
        db.session.commit()


def _count(app: Flask, model: type, mobile: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(model.mobile == mobile)) or 0


def _sweep(app: Flask) -> None:
    with app.app_context():
        sweeper.sweep(prune=True)
        db.session.remove()


def _everything_of(
    app: Flask, world: World, admin: StaffClient, client: FlaskClient, mobile: str, name: str
) -> None:
    """One of each kind a resident can leave, and a repeat."""
    job = admin.publish(listing_input(target_id=world.jiuquhe.id))
    _job_seeker(client, world, mobile, name)
    _job_seeker(client, world, mobile, name)  # the same again: a repeat
    _apply(client, world, job["id"], mobile)
    _callback(client, Screen(app, world.jiuquhe.id), job["id"], mobile)


@pytest.fixture
def months(app: Flask) -> int:
    return int(app.config["REGISTRATION_KEEP_MONTHS"])


def test_a_sweep_erases_what_is_older_than_the_period_and_keeps_the_rest(
    app: Flask, world: World, admin: StaffClient, client: FlaskClient, months: int
) -> None:
    _everything_of(app, world, admin, client, OLD_MOBILE, "王女士")
    _everything_of(app, world, admin, client, YOUNG_MOBILE, "李女士")
    assert (_count(app, Registration, OLD_MOBILE), _count(app, RegistrationRepeat, OLD_MOBILE)) == (
        3,
        1,
    )
    # Past the longest `months` months can be, and within the shortest.
    _age_everything_of(app, OLD_MOBILE, days=months * 31 + 1)
    _age_everything_of(app, YOUNG_MOBILE, days=months * 28 - 1)

    _sweep(app)

    assert _count(app, Registration, OLD_MOBILE) == 0
    assert _count(app, RegistrationRepeat, OLD_MOBILE) == 0
    assert _count(app, Registration, YOUNG_MOBILE) == 3
    assert _count(app, RegistrationRepeat, YOUNG_MOBILE) == 1
    # Staff's list holds what is kept, no more.
    listed = admin.get("/admin/api/registrations").json
    assert listed["total"] == 3
    assert {item["mobile"] for item in listed["items"]} == {"139****2222"}


def test_a_repeat_older_than_the_period_goes_while_its_registration_stays(
    app: Flask, world: World, client: FlaskClient, months: int
) -> None:
    _job_seeker(client, world, OLD_MOBILE, "王女士")
    _job_seeker(client, world, OLD_MOBILE, "王女士")
    with app.app_context():
        db.session.execute(
            update(RegistrationRepeat).values(created_at=utcnow() - timedelta(days=months * 31 + 1))
        )
        db.session.commit()

    _sweep(app)

    assert (_count(app, Registration, OLD_MOBILE), _count(app, RegistrationRepeat, OLD_MOBILE)) == (
        1,
        0,
    )


def test_the_erasure_is_audited_by_counts_alone_and_runs_in_batches(
    app: Flask,
    world: World,
    admin: StaffClient,
    client: FlaskClient,
    months: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Smaller batches than the rows to erase: every batch must be taken.
    monkeypatch.setattr(actions, "ERASE_BATCH", 2)
    _everything_of(app, world, admin, client, OLD_MOBILE, "王女士")
    references = []
    with app.app_context():
        references = list(db.session.scalars(select(Registration.reference)))
        references += list(db.session.scalars(select(RegistrationRepeat.reference)))
    _age_everything_of(app, OLD_MOBILE, days=months * 31 + 1)

    _sweep(app)
    _sweep(app)  # nothing left: no second entry

    assert _count(app, Registration, OLD_MOBILE) == 0
    with app.app_context():
        entries = list(
            db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.erase"))
        )
        assert len(entries) == 1
        [entry] = entries
        assert entry.after == {"registrations": 3, "repeats": 1}
        written = json.dumps(
            [entry.summary, entry.before, entry.after, entry.actor], ensure_ascii=False
        )
    for secret in (OLD_MOBILE, OLD_MOBILE[-4:], "王女士", *references):
        assert secret not in written
    # Staff read it in the log of their scope, in words.
    log = admin.get("/admin/api/audit").json
    assert any("3" in item["summary"] and "删除" in item["summary"] for item in log["items"])


@pytest.fixture
def unusual_periods(app: Flask, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Periods no page could state by chance: they must come from the settings."""
    monkeypatch.setitem(app.config, "REGISTRATION_KEEP_MONTHS", 7)
    monkeypatch.setitem(app.config, "REGISTRATION_LINK_DAYS", 19)
    return 7, 19


def test_the_phone_pages_state_the_periods_the_server_keeps(
    app: Flask, world: World, client: FlaskClient, unusual_periods: tuple[int, int]
) -> None:
    months, days = unusual_periods
    form = client.get("/register/job-seeker").get_data(as_text=True)
    assert f"{months}个月，到期删除" in form and f"登记后{days}天内" in form
    assert "12个月" not in form
    registration = _job_seeker(client, world, OLD_MOBILE, "王女士")
    page = client.get(registration["manage_url"].removeprefix("http://localhost"))
    text = page.get_data(as_text=True)
    assert f"保存{months}个月后删除" in text and f"登记后{days}天内有效" in text
    assert "12个月" not in text


def test_the_phone_confirmation_says_how_long_the_link_works(
    app: Flask, world: World, client: FlaskClient, unusual_periods: tuple[int, int]
) -> None:
    from tests.functional.test_phone_signup import _person, _register

    _, days = unusual_periods
    done = _register(
        client,
        "/register/job-seeker",
        _person(world, wanted=["mom_friendly"], availability=["weekend"]),
    )
    assert f"登记后{days}天内" in done
    assert "随时" not in done
