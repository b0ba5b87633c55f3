"""Two editors, one listing: an edit says which version it started from, and the
one that started from an old version is refused with 409, never merged, never a 500.

The race is real: the second editor's request has read the listing and passed
every check when the first one's edit commits, on a connection of its own; the
second's UPDATE then meets the ORM's version check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from kiosk_server.audit.models import AuditEntry
from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing
from kiosk_server.live.models import Change
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient, assert_error, database_unchanged

LISTINGS = "/admin/api/listings"


@contextmanager
def first_flush_of_listing(listing_id: int, meanwhile: Callable[[], None]) -> Iterator[None]:
    """Run `meanwhile` once, when a session is about to write `listing_id` for the
    first time: after that request read the listing and passed its checks, before
    its UPDATE. `meanwhile` runs on connections of its own and commits."""
    fired: list[bool] = []

    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        if fired:  # the other request's own flush, or a later one
            return
        if any(isinstance(row, Listing) and row.id == listing_id for row in session.dirty):
            fired.append(True)
            meanwhile()

    event.listen(Session, "before_flush", before_flush)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", before_flush)


def _count(model: type[Any], *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _other_editor(app: Flask, world: World) -> StaffClient:
    """A second staff member who may edit listings in 九曲河 (the street's staff)."""
    return StaffClient(app, "huangdao", world.passwords["huangdao"])


def test_the_slower_of_two_edits_from_the_same_version_is_a_409_and_leaves_nothing(
    app: Flask, admin: StaffClient, world: World, client: FlaskClient
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    url = f"{LISTINGS}/{listing['id']}"
    started_from = listing["version"]
    other = _other_editor(app, world)
    screen = Screen(app, world.jiuquhe.id)
    first = listing_input(target_id=world.jiuquhe.id, title="先到的修改", version=started_from)
    second = listing_input(target_id=world.jiuquhe.id, title="后到的修改", version=started_from)
    second["job"]["openings"] = 99
    edits_before = _count(AuditEntry, AuditEntry.action == "listing.update")
    answers: list[Any] = []

    with first_flush_of_listing(listing["id"], lambda: answers.append(other.put(url, json=first))):
        late = admin.put(url, json=second)

    assert answers and answers[0].status_code == 200, answers and answers[0].json
    assert_error(late, 409, code="stale_version")
    # Nothing of the late edit: not its fields, not an audit line, not a change to screens.
    shown = client.get(f"/api/listings/{listing['id']}").json
    assert (shown["title"], shown["job"]["openings"]) == ("先到的修改", 10)
    db.session.expire_all()
    row = db.session.get_one(Listing, listing["id"])
    assert (row.title, row.openings) == ("先到的修改", 10)
    assert row.version == answers[0].json["version"] > started_from
    assert _count(AuditEntry, AuditEntry.action == "listing.update") == edits_before + 1
    assert [change["data"]["title"] for change in _listing_changes(screen)] == ["先到的修改"]
    # The late editor reloads and saves again: the session it used is clean.
    again = {**second, "version": row.version}
    saved = admin.put(url, json=again)
    assert saved.status_code == 200, saved.json
    assert saved.json["title"] == "后到的修改" and saved.json["version"] > row.version


def _listing_changes(screen: Screen) -> list[dict[str, Any]]:
    return [change for change in screen.received_changes() if change.get("entity") == "listing"]


def test_a_draft_edited_by_two_at_once_keeps_the_first_and_refuses_the_second(
    app: Flask, admin: StaffClient, world: World
) -> None:
    """A draft reaches no screen, so its edit writes nothing but the row: the race
    meets the version check at the commit itself."""
    body = listing_input("training", target_id=world.jiuquhe.id)
    draft = admin.create(body)
    url = f"{LISTINGS}/{draft['id']}"
    other = _other_editor(app, world)
    first = {**body, "title": "先到的修改", "version": draft["version"]}
    second = {**body, "title": "后到的修改", "version": draft["version"]}
    answers: list[Any] = []

    with first_flush_of_listing(draft["id"], lambda: answers.append(other.put(url, json=first))):
        late = admin.put(url, json=second)

    assert answers and answers[0].status_code == 200, answers and answers[0].json
    assert_error(late, 409, code="stale_version")
    shown = admin.get(url).json
    assert (shown["title"], shown["version"]) == ("先到的修改", answers[0].json["version"])
    assert shown["version"] > draft["version"]
    assert len(shown["training"]["sessions"]) == 1


def test_an_edit_of_training_sessions_alone_moves_the_version_on(
    admin: StaffClient, world: World
) -> None:
    """Otherwise a form opened before it, saved after, would silently put the old
    sessions back."""
    body = listing_input("training", target_id=world.jiuquhe.id)
    draft = admin.create(body)
    url = f"{LISTINGS}/{draft['id']}"
    kept = draft["training"]["sessions"][0]
    sessions = [{**body["training"]["sessions"][0], "id": kept["id"], "seats": 30}]
    edited = {**body, "training": {**body["training"], "sessions": sessions}}

    saved = admin.put(url, json={**edited, "version": draft["version"]})
    assert saved.status_code == 200, saved.json
    assert saved.json["version"] > draft["version"]

    with database_unchanged():
        stale = admin.put(url, json={**body, "version": draft["version"]})
    assert_error(stale, 409, code="stale_version")
    assert admin.get(url).json["training"]["sessions"][0]["seats"] == 30


def test_an_edit_without_the_version_it_started_from_is_refused(
    admin: StaffClient, world: World
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    body = listing_input(target_id=world.jiuquhe.id, title="没带版本的修改")

    with database_unchanged():
        response = admin.put(f"{LISTINGS}/{listing['id']}", json=body)

    error = assert_error(response, 422, code="validation_failed", fields={"version"})
    assert error["fields"]["version"] == "必填"


def test_a_new_listing_needs_no_version(admin: StaffClient, world: World) -> None:
    created = admin.create(listing_input(target_id=world.jiuquhe.id))
    assert created["version"] == 1


def test_a_stale_version_is_refused_before_anything_is_written(
    admin: StaffClient, world: World
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    url = f"{LISTINGS}/{listing['id']}"
    fresh = listing_input(target_id=world.jiuquhe.id, title="第一次", version=listing["version"])
    assert admin.put(url, json=fresh).status_code == 200
    changes = _count(Change)

    with database_unchanged():
        stale = admin.put(url, json={**fresh, "title": "第二次"})

    assert_error(stale, 409, code="stale_version")
    assert _count(Change) == changes


def test_a_withdrawal_that_meets_an_edit_in_flight_is_a_409_not_a_500(
    app: Flask, admin: StaffClient, world: World, client: FlaskClient
) -> None:
    """Withdrawing sends no version, but its write meets the same check."""
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    url = f"{LISTINGS}/{listing['id']}"
    other = _other_editor(app, world)
    edit = listing_input(target_id=world.jiuquhe.id, title="先到的修改", version=listing["version"])
    answers: list[Any] = []

    with first_flush_of_listing(listing["id"], lambda: answers.append(other.put(url, json=edit))):
        late = admin.post(f"{url}/withdraw")

    assert answers and answers[0].status_code == 200, answers and answers[0].json
    assert_error(late, 409, code="stale_version")
    shown = client.get(f"/api/listings/{listing['id']}")
    assert (shown.status_code, shown.json["title"]) == (200, "先到的修改")
