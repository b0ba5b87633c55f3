"""The OpenAPI document is true: schemathesis sends every operation what the document
allows and what it forbids, and every answer must be one the document describes
(issue 22, point 8).

Each answer is checked for a 5xx, an undocumented status, a body or a header that
breaks its schema, and an undocumented content type; a request the document forbids
must be refused. The app runs in-process (WSGI) on SQLite, with the test world and a
few listings, registrations, screens and announcements for the ids to find.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from kiosk_server import create_app
from kiosk_server.api.openapi import openapi_document
from kiosk_server.extensions import db
from kiosk_server.listings.actions import do_create_announcement
from kiosk_server.listings.schemas import AnnouncementIn
from kiosk_server.places.models import Place, PlaceLevel
from kiosk_server.staff.actions import do_create_staff
from kiosk_server.staff.models import StaffRole
from kiosk_server.timeutil import utcnow
from tests.conftest import make_config
from tests.factories import build_world, make_listing, make_registration
from tests.helpers import IsolatedClient, StaffClient, enrol_kiosk

# Bounded and reproducible: the same cases every run, a few per operation.
FUZZ = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    # Health checks judge generation speed and filtering, which a shared machine and
    # the document's patterns upset; what is judged here is the answers.
    suppress_health_check=list(HealthCheck),
)
# A request the document allows may still be refused by a rule a JSON Schema cannot
# state: one field against another (valid_until after valid_from, pay min ≤ max), a
# day counted from today, or an id that must name a row in the staff member's scope.
# Those answers are checked like any other (status, body, content type); only the
# check that every allowed request is accepted is left out.
EXCLUDED = [positive_data_acceptance]
# An HTTP client undoes the compression it asks for; the in-process one does not.
PLAIN = {"Accept-Encoding": "identity"}

# The document the server serves at /api/openapi.json, read where it is built, so
# that each operation is a test of its own.
schema = schemathesis.openapi.from_dict(openapi_document())
_accounts = itertools.count(1)
_phones = itertools.count()


@dataclass
class Service:
    app: Flask
    tv_token: str
    kiosk_token: str
    # Each role's login; only a case on the session or on accounts can end one.
    sessions: dict[str, StaffClient] = field(default_factory=dict)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    instance: Path = tmp_path_factory.mktemp("instance-fuzz")
    # Rate limits off (make_config), so the cases reach the views rather than a 429.
    app = create_app(make_config(f"sqlite:///{instance / 'fuzz.sqlite3'}", instance))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        world = build_world()
        for kind in ("job", "training", "subsidy", "event"):
            make_listing(kind, target=world.huangdao_street)
        make_listing("job", target=world.jiuquhe, publish=False)
        for kind in ("job_seeker", "gig_worker"):
            make_registration(world.jiuquhe, kind)
        until = utcnow() + timedelta(days=1)
        do_create_announcement(
            AnnouncementIn(text="明天上午停水", target_id=world.huangdao.id, valid_until=until),
            None,
        )
        station_id, community_id, password = (
            world.station.id,
            world.jiuquhe.id,
            world.passwords["admin"],
        )
        db.session.remove()
    kiosk_token = enrol_kiosk(app, StaffClient(app, "admin", password), station_id)
    tv = app.test_client().post("/api/screens", json={"community_id": community_id})
    yield Service(app, tv.json["token"], kiosk_token)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# Who the staff API is fuzzed as: everything in sight, and a station's staff, who are
# refused (403) whatever lies outside their community.
STAFF = {
    "city_admin": (StaffRole.CITY_ADMIN, PlaceLevel.CITY),
    "station": (StaffRole.STATION, PlaceLevel.COMMUNITY),
}


ENDS_SESSIONS = ("/admin/api/session", "/admin/api/staff")


def _logged_in(service: Service, role: str, case: Case) -> StaffClient:
    if case.path.startswith(ENDS_SESSIONS) or role not in service.sessions:
        service.sessions[role] = _new_account(service.app, role)
    return service.sessions[role]


def _new_account(app: Flask, role: str) -> StaffClient:
    """An account of its own, logged in afresh: a case may log out, deactivate or set a
    new password for any account, its own included."""
    username, password = f"fuzz{next(_accounts)}", "fuzz-password-1"
    staff_role, level = STAFF[role]
    with app.app_context():
        scope = db.session.scalars(
            select(Place).where(Place.level == level).order_by(Place.id).limit(1)
        ).one()
        do_create_staff(
            username=username,
            display_name="接口测试",
            password=password,
            role=staff_role,
            scope=scope,
            by=None,
        )
        db.session.remove()
    return StaffClient(app, username, password)


def _as_a_screen(case: Case, service: Service) -> None:
    """A screen's real token where the case carries one: a made-up token is refused (401)
    before anything else is read. A registration from a phone carries none: every other
    case of it is sent so."""
    if "X-Screen-Token" not in (case.headers or {}):
        return
    if case.path == "/api/listings/{listing_id}/callback":
        case.headers["X-Screen-Token"] = service.tv_token
    elif case.path == "/api/registrations" and next(_phones) % 2:
        del case.headers["X-Screen-Token"]
    else:
        case.headers["X-Screen-Token"] = service.kiosk_token


@schema.include(tag_regex="^(public|screens)$").parametrize()
@FUZZ
def test_public_api_answers_as_its_document_says(case: Case, service: Service) -> None:
    _as_a_screen(case, service)
    case.call_and_validate(app=service.app, headers=PLAIN, excluded_checks=EXCLUDED)


@schema.include(tag="staff").parametrize()
@FUZZ
def test_staff_api_answers_a_stranger_as_its_document_says(case: Case, service: Service) -> None:
    # No session and no CSRF token: refused, but as the document says (401, or 400).
    case.call_and_validate(app=service.app, headers=PLAIN, excluded_checks=EXCLUDED)


@schema.include(tag="staff").parametrize()
@FUZZ
@pytest.mark.parametrize("role", list(STAFF))
def test_staff_api_answers_as_its_document_says(case: Case, service: Service, role: str) -> None:
    staff = _logged_in(service, role, case)
    # As the console sends it: the session cookie, and the CSRF token in a header.
    case.call_and_validate(
        app=service.app,
        session=staff.http,
        headers={**PLAIN, "X-CSRFToken": staff.csrf},
        excluded_checks=EXCLUDED,
    )
