"""A saved change is never reported as an error (issue #22, point 11).

During a database restart, the connection a request holds can die after the
request committed and built its answer: ending the request then rolls back and
closes on a dead connection. That failure happened after the change was kept,
so the caller gets the view's answer, not a bare 500 that makes it retry into a
409. A connection that dies before the commit still gives the documented 503.

The restart is played on the connection of the request under test only: its
server process is ended from another connection, so the shared PostgreSQL of
the other tests keeps running.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, Response
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing
from kiosk_server.registrations.models import Registration
from tests.conftest import POSTGRES_ADMIN_URL, World
from tests.factories import listing_input
from tests.helpers import StaffClient, assert_error, enrol_kiosk

LISTINGS = "/admin/api/listings"


@pytest.fixture
def postgresql(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no server connection that can die under a request")


def _end_backend(pid: int) -> None:
    """End one server process, as a restart ends them all, from a connection of its own."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


def _held_backend_pid() -> int | None:
    """The server process of the connection this request's session holds, if any."""
    session = db.session()
    if not session.in_transaction():
        return None
    return int(session.connection().connection.dbapi_connection.info.backend_pid)  # type: ignore[union-attr]


@contextmanager
def connection_dies_after_the_answer(app: Flask) -> Iterator[list[int]]:
    """After the view answered (its commit done, its JSON built), the connection its
    session still holds dies; the request's end then meets the dead connection."""
    ended: list[int] = []

    def end_held_connection(response: Response) -> Response:
        pid = _held_backend_pid()
        if pid is not None:
            _end_backend(pid)
            ended.append(pid)
        return response

    # Added to the list: app.after_request refuses once the shared app has served.
    app.after_request_funcs.setdefault(None, []).append(end_held_connection)
    try:
        yield ended
    finally:
        app.after_request_funcs[None].remove(end_held_connection)
        with app.app_context():
            db.engine.dispose()  # nothing dead left in the pool for the next test


@contextmanager
def connection_dies_before_commit(app: Flask) -> Iterator[list[int]]:
    """The connection of the first session to commit dies just before its COMMIT."""
    ended: list[int] = []

    def before_commit(session: Session) -> None:
        if ended:
            return
        session.flush()
        pid = session.connection().connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        _end_backend(pid)
        ended.append(pid)

    event.listen(Session, "before_commit", before_commit)
    try:
        yield ended
    finally:
        event.remove(Session, "before_commit", before_commit)
        with app.app_context():
            db.engine.dispose()


def _registration(world: World) -> dict[str, Any]:
    return {
        "kind": "job_seeker",
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "王女士",
        "mobile": "138 0000 1234",
        "community_id": world.jiuquhe.id,
        "age_band": "40-49",
        "wanted": ["gig"],
        "availability": ["anytime"],
    }


def _count(*where: Any, model: type[Any]) -> int:
    with db.engine.connect() as connection:  # not the test's session: what is committed
        return connection.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.usefixtures("postgresql")
def test_an_edit_saved_before_its_connection_died_answers_200_and_a_retry_works(
    app: Flask, admin: StaffClient, world: World
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    url = f"{LISTINGS}/{listing['id']}"
    edit = listing_input(
        target_id=world.jiuquhe.id, title="重启时的修改", version=listing["version"]
    )

    with connection_dies_after_the_answer(app) as ended:
        saved = admin.put(url, json=edit)

    assert ended, "the request held no connection at its end: nothing was tested"
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.json["title"] == "重启时的修改"
    assert saved.json["version"] != listing["version"]
    with app.app_context():
        assert _count(Listing.title == "重启时的修改", model=Listing) == 1
    again = listing_input(
        target_id=world.jiuquhe.id, title="再改一次", version=saved.json["version"]
    )
    retried = admin.put(url, json=again)
    assert retried.status_code == 200, retried.json
    assert retried.json["title"] == "再改一次"


@pytest.mark.usefixtures("postgresql")
def test_a_registration_saved_before_its_connection_died_answers_201_and_a_retry_is_the_same(
    app: Flask, admin: StaffClient, world: World, client: Any
) -> None:
    kiosk = {"X-Screen-Token": enrol_kiosk(app, admin, world.station.id)}
    body = _registration(world)
    key = body["idempotency_key"]

    with connection_dies_after_the_answer(app) as ended:
        saved = client.post("/api/registrations", json=body, headers=kiosk)

    assert ended, "the request held no connection at its end: nothing was tested"
    assert saved.status_code == 201, saved.get_data(as_text=True)
    assert saved.json["created"] is True
    retried = client.post("/api/registrations", json=body, headers=kiosk)
    assert retried.status_code == 200, retried.json
    assert retried.json["reference"] == saved.json["reference"]
    with app.app_context():
        assert _count(Registration.idempotency_key == key, model=Registration) == 1


@pytest.mark.usefixtures("postgresql")
def test_an_edit_whose_connection_died_before_commit_is_a_503_and_leaves_nothing(
    app: Flask, admin: StaffClient, world: World
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    url = f"{LISTINGS}/{listing['id']}"
    edit = listing_input(
        target_id=world.jiuquhe.id, title="没存上的修改", version=listing["version"]
    )

    with connection_dies_before_commit(app) as ended:
        lost = admin.put(url, json=edit)

    assert ended
    assert_error(lost, 503, code="database_unavailable")
    assert lost.headers["Retry-After"] == "5"
    with app.app_context():
        assert _count(Listing.title == "没存上的修改", model=Listing) == 0
    retried = admin.put(url, json=edit)
    assert retried.status_code == 200, retried.json


def test_a_failure_ending_the_request_is_logged_without_personal_data_and_the_answer_stands(
    app: Flask, admin: StaffClient, world: World, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """On either database: the closing rollback fails, whatever the cause."""
    kiosk = {"X-Screen-Token": enrol_kiosk(app, admin, world.station.id)}
    body = _registration(world)
    failed: list[bool] = []

    def rollback_fails(_connection: Any) -> None:
        failed.append(True)
        raise OperationalError("ROLLBACK", {}, Exception("the connection is gone"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "rollback", rollback_fails)
    try:
        saved = client.post("/api/registrations", json=body, headers=kiosk)
    finally:
        event.remove(engine, "rollback", rollback_fails)

    assert failed, "the request ended without a rollback: nothing was tested"
    assert saved.status_code == 201, saved.get_data(as_text=True)
    reference = saved.json["reference"]
    with app.app_context():
        assert _count(Registration.reference == reference, model=Registration) == 1
    assert any("not closed cleanly" in message for message in caplog.messages)
    for secret in (reference, body["name"], "1234"):
        assert all(secret not in message for message in caplog.messages)
