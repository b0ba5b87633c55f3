"""Time-driven changes: listings and announcements expire, scheduled listings go live, once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.live import sweeper
from kiosk_server.live.models import Change
from kiosk_server.live.sweeper import SweepResult, sweep
from kiosk_server.timeutil import utcnow
from tests.factories import World, listing_input
from tests.helpers import Screen, StaffClient

NOTHING = SweepResult(started=0, expired=0, announcements_expired=0)


def _changes(entity: str, entity_id: int) -> list[tuple[str, str]]:
    """(op, reason) of every change recorded about one thing, oldest first."""
    db.session.rollback()  # see what other sessions committed
    rows = db.session.scalars(
        select(Change)
        .where(Change.entity == entity, Change.entity_id == entity_id)
        .order_by(Change.seq)
    )
    return [(change.op, change.reason) for change in rows]


def _feed_titles(client: FlaskClient, community_id: int) -> set[str]:
    feed = client.get(f"/api/feed?community_id={community_id}").json
    return {item["title"] for item in feed["items"]}


def _schedule(admin: StaffClient, body: dict[str, Any], at: datetime) -> dict[str, Any]:
    listing = admin.create(body)
    response = admin.post(
        f"/admin/api/listings/{listing['id']}/publish", json={"at": at.isoformat()}
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "scheduled"
    return response.json


def _announce(admin: StaffClient, text: str, target_id: int, until: datetime) -> dict[str, Any]:
    response = admin.post(
        "/admin/api/announcements",
        json={"text": text, "target_id": target_id, "valid_until": until.isoformat()},
    )
    assert response.status_code == 201, response.json
    return response.json


# Expiry


def test_an_expired_listing_leaves_the_screens_in_its_scope_once(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    inside = [Screen(app, world.jiuquhe.id), Screen(app, world.qianwan.id)]
    outside = Screen(app, world.taidong1.id)
    listing = admin.publish(listing_input(target_id=world.huangdao_street.id))
    for screen in inside:
        screen.received_changes()

    result = sweep(utcnow() + timedelta(days=31))

    assert result == SweepResult(started=0, expired=1, announcements_expired=0)
    for screen in inside:
        [change] = screen.received_changes()
        assert (change["entity"], change["id"]) == ("listing", listing["id"])
        assert (change["op"], change["reason"]) == ("remove", "expired")
        assert change["scope"] == world.huangdao_street.id
    assert outside.received_changes() == []
    assert _feed_titles(client, world.jiuquhe.id) == set()
    detail = client.get(f"/api/listings/{listing['id']}")
    assert (detail.status_code, detail.json["status"]) == (200, "expired")

    # The next sweep, a minute or a day later, has nothing more to say.
    assert sweep(utcnow() + timedelta(days=31, minutes=1)) == NOTHING
    assert sweep(utcnow() + timedelta(days=32)) == NOTHING
    for screen in inside:
        assert screen.received_changes() == []
    assert _changes("listing", listing["id"]) == [("upsert", "published"), ("remove", "expired")]


def test_listings_still_in_date_are_left_alone(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    month = admin.publish(listing_input(target_id=world.jiuquhe.id, title="一个月"))
    open_ended = admin.publish(
        listing_input(target_id=world.jiuquhe.id, title="长期招聘", valid_until=None)
    )
    screen.received_changes()

    assert sweep(utcnow() + timedelta(days=29)) == NOTHING

    assert screen.received_changes() == []
    assert _feed_titles(client, world.jiuquhe.id) == {"一个月", "长期招聘"}
    assert _changes("listing", month["id"]) == [("upsert", "published")]

    # Years on, only the dated one has gone.
    assert sweep(utcnow() + timedelta(days=3650)).expired == 1
    assert _feed_titles(client, world.jiuquhe.id) == {"长期招聘"}
    assert _changes("listing", open_ended["id"]) == [("upsert", "published")]


def test_two_sweeps_at_the_same_time_record_each_change_once(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    far = utcnow() + timedelta(days=90)
    expiring = [
        admin.publish(listing_input(target_id=world.jiuquhe.id, title=f"到期{n}")) for n in range(4)
    ]
    starting = [
        _schedule(
            admin,
            listing_input(
                target_id=world.jiuquhe.id, title=f"定时{n}", valid_until=far.isoformat()
            ),
            utcnow() + timedelta(days=1),
        )
        for n in range(4)
    ]
    banners = [
        _announce(admin, f"通知{n}", world.huangdao.id, utcnow() + timedelta(hours=3))
        for n in range(2)
    ]
    screen.received_changes()
    later = utcnow() + timedelta(days=31)
    barrier = threading.Barrier(2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        # Each thread is its own server process as far as the database can tell.
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(sweep(later))
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 2
    assert sum(r.started for r in results) == 4
    assert sum(r.expired for r in results) == 4
    assert sum(r.announcements_expired for r in results) == 2
    for listing in expiring:
        assert _changes("listing", listing["id"]) == [
            ("upsert", "published"),
            ("remove", "expired"),
        ]
    for listing in starting:
        assert _changes("listing", listing["id"]) == [("upsert", "published")]
    for banner in banners:
        assert _changes("announcement", banner["id"]) == [
            ("upsert", "published"),
            ("remove", "expired"),
        ]
    pushed = [(c["entity"], c["id"], c["op"]) for c in screen.received_changes()]
    assert sorted(pushed) == sorted(
        [("listing", item["id"], "remove") for item in expiring]
        + [("listing", item["id"], "upsert") for item in starting]
        + [("announcement", item["id"], "remove") for item in banners]
    )
    seqs = db.session.scalars(select(Change.seq)).all()
    assert len(seqs) == len(set(seqs))
    assert _feed_titles(client, world.jiuquhe.id) == {f"定时{n}" for n in range(4)}


# Scheduled publishing


def test_a_scheduled_listing_waits_then_goes_live_once(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    at = utcnow() + timedelta(days=1)
    listing = _schedule(admin, listing_input(target_id=world.jiuquhe.id, title="明早上线"), at)

    assert screen.received_changes() == []
    assert _feed_titles(client, world.jiuquhe.id) == set()
    assert client.get(f"/api/listings/{listing['id']}").status_code == 404
    assert sweep(at - timedelta(minutes=1)) == NOTHING
    assert _feed_titles(client, world.jiuquhe.id) == set()

    result = sweep(at + timedelta(seconds=5))

    assert result == SweepResult(started=1, expired=0, announcements_expired=0)
    [change] = screen.received_changes()
    assert (change["op"], change["reason"], change["id"]) == ("upsert", "published", listing["id"])
    assert change["data"]["title"] == "明早上线"
    assert change["data"]["status"] == "published"
    assert _feed_titles(client, world.jiuquhe.id) == {"明早上线"}
    assert client.get(f"/api/listings/{listing['id']}").json["status"] == "published"

    assert sweep(at + timedelta(minutes=1)) == NOTHING
    assert screen.received_changes() == []
    assert _changes("listing", listing["id"]) == [("upsert", "published")]


def test_editing_a_scheduled_listing_keeps_its_start_time(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    at = utcnow() + timedelta(days=1)
    listing = _schedule(admin, listing_input(target_id=world.jiuquhe.id, title="错别子"), at)

    # The editor sends the listing back without valid_from, as a form would.
    body = listing_input(target_id=world.jiuquhe.id, title="错别字", version=listing["version"])
    edited = admin.put(f"/admin/api/listings/{listing['id']}", json=body)
    assert edited.status_code == 200, edited.json
    assert edited.json["status"] == "scheduled"

    assert sweep(at + timedelta(seconds=5)).started == 1
    assert _feed_titles(client, world.jiuquhe.id) == {"错别字"}


def test_a_scheduled_listing_cannot_be_edited_to_end_before_it_starts(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    at = utcnow() + timedelta(days=2)
    listing = _schedule(admin, listing_input(target_id=world.jiuquhe.id, title="后天上线"), at)
    until = (at - timedelta(days=1)).isoformat()

    body = listing_input(
        target_id=world.jiuquhe.id, title="后天上线", valid_until=until, version=listing["version"]
    )
    refused = admin.put(f"/admin/api/listings/{listing['id']}", json=body)

    assert refused.status_code == 422
    assert "valid_until" in refused.json["error"]["fields"]
    assert sweep(at + timedelta(seconds=5)).started == 1
    assert _feed_titles(client, world.jiuquhe.id) == {"后天上线"}


def test_a_scheduled_listing_whose_time_passed_unseen_never_goes_live(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    # Scheduled for tomorrow, valid for 30 days from today; the sweep next runs in 31.
    screen = Screen(app, world.jiuquhe.id)
    at = utcnow() + timedelta(days=1)
    listing = _schedule(admin, listing_input(target_id=world.jiuquhe.id), at)

    result = sweep(utcnow() + timedelta(days=31))

    assert (result.started, result.expired) == (0, 1)
    assert screen.received_changes() == []
    assert _changes("listing", listing["id"]) == []
    assert _feed_titles(client, world.jiuquhe.id) == set()


# Announcements


def test_an_announcement_expires_once(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    inside, outside = Screen(app, world.fuxing.id), Screen(app, world.taidong1.id)
    until = utcnow() + timedelta(hours=3)
    banner = _announce(admin, "今晚7点 星光招聘夜市", world.huangdao.id, until)
    lasting = _announce(admin, "本周六 微招聘", world.huangdao.id, until + timedelta(days=3))
    inside.received_changes()

    assert sweep(until - timedelta(minutes=1)) == NOTHING
    result = sweep(until + timedelta(minutes=1))

    assert result == SweepResult(started=0, expired=0, announcements_expired=1)
    [change] = inside.received_changes()
    assert (change["entity"], change["id"]) == ("announcement", banner["id"])
    assert (change["op"], change["reason"]) == ("remove", "expired")
    assert outside.received_changes() == []
    listed = client.get(f"/api/announcements?community_id={world.fuxing.id}").json
    assert [item["text"] for item in listed["announcements"]] == ["本周六 微招聘"]
    feed = client.get(f"/api/feed?community_id={world.fuxing.id}").json
    assert [item["id"] for item in feed["announcements"]] == [lasting["id"]]

    assert sweep(until + timedelta(hours=1)) == NOTHING
    assert inside.received_changes() == []
    assert _changes("announcement", banner["id"]) == [
        ("upsert", "published"),
        ("remove", "expired"),
    ]


# The console command


def test_flask_sweep_command_expires_what_is_due(
    app: Flask,
    client: FlaskClient,
    world: World,
    admin: StaffClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gone = admin.publish(listing_input(target_id=world.jiuquhe.id, title="一个月"))
    far = (utcnow() + timedelta(days=90)).isoformat()
    admin.publish(listing_input(target_id=world.jiuquhe.id, title="三个月", valid_until=far))
    later = utcnow() + timedelta(days=31)
    monkeypatch.setattr(sweeper, "utcnow", lambda: later)

    outcome = app.test_cli_runner().invoke(args=["sweep"])

    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.strip()
    assert client.get(f"/api/listings/{gone['id']}").json["status"] == "expired"
    assert _feed_titles(client, world.jiuquhe.id) == {"三个月"}
    assert _changes("listing", gone["id"])[-1] == ("remove", "expired")
