"""What screens report (connects, acks, closes) is written in batches, and what
screens missed is read once per span: a crowd of screens costs the database
little more than one screen does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websocket
from flask import Flask
from sqlalchemy import event, select, update

from kiosk_server.extensions import db
from kiosk_server.live.push import SCREENS_NAMESPACE
from kiosk_server.screens.models import Screen as ScreenRow
from kiosk_server.screens.reports import ScreenReports
from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient, close_every_socket, open_sockets
from tests.live_server import serve_in_process


@pytest.fixture
def batched(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScreenReports]:
    """Reports kept until written, as on a server (whose writer runs every few seconds)."""
    reports = ScreenReports(app, interval=3600)
    reports._writer_started = True  # written by the test, not by a thread
    monkeypatch.setitem(app.extensions, "screen_reports", reports)
    yield reports
    reports.stop()


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the test runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _cursors_of(screen: Screen) -> dict[str, int]:
    row = db.session.get(ScreenRow, screen.id)
    cursors = dict(row.cursors or {})
    db.session.rollback()
    return cursors


def _applied(screen: Screen) -> dict[str, int]:
    cursors: dict[str, int] = {}
    for change in screen.received_changes():
        cursors[str(change["scope"])] = change["seq"]
    return cursors


def test_acks_wait_in_memory_and_one_write_stores_every_screen(
    app: Flask, world: World, admin: StaffClient, batched: ScreenReports, statements: list[str]
) -> None:
    screens = [Screen(app, world.jiuquhe.id) for _ in range(12)]
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    statements.clear()

    for screen in screens:
        assert screen.emit("ack", {"cursors": _applied(screen)}) == {"ok": True}
    unwritten = [_cursors_of(screen) for screen in screens]
    stored = batched.write()

    assert unwritten == [{}] * len(screens)
    assert stored == len(screens)
    assert all(_cursors_of(screen)[str(world.jiuquhe.id)] == listing["seq"] for screen in screens)
    updates = [sql for sql in statements if sql.lstrip().upper().startswith("UPDATE SCREENS")]
    # One statement for all of them (sent as one batch), not one commit per ack.
    assert len(updates) == 1


def test_a_late_ack_cannot_move_a_cursor_back(
    app: Flask, world: World, admin: StaffClient, batched: ScreenReports
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    admin.publish(listing_input(target_id=world.jiuquhe.id))
    newest = admin.publish(listing_input(target_id=world.jiuquhe.id))
    room = str(world.jiuquhe.id)

    screen.emit("ack", {"cursors": {room: newest["seq"]}})
    batched.write()
    screen.emit("ack", {"cursors": {room: newest["seq"] - 1}})
    batched.write()

    assert _cursors_of(screen)[room] == newest["seq"]


def test_a_stopped_screens_acks_are_dropped(
    app: Flask, world: World, admin: StaffClient, batched: ScreenReports
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    screen.emit("ack", {"cursors": {str(world.jiuquhe.id): listing["seq"]}})
    db.session.get(ScreenRow, screen.id).revoked_at = utcnow()
    db.session.commit()

    assert batched.write() == 0
    assert _cursors_of(screen) == {}


def test_reports_that_could_not_be_written_are_kept_for_the_next_try(
    app: Flask,
    world: World,
    admin: StaffClient,
    batched: ScreenReports,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kiosk_server.screens import actions

    screen = Screen(app, world.jiuquhe.id)
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    screen.emit("ack", {"cursors": {str(world.jiuquhe.id): listing["seq"]}})
    real_store = actions.do_store_reports

    def database_away(_reports: Any) -> int:
        raise RuntimeError("database away")

    monkeypatch.setattr(actions, "do_store_reports", database_away)
    with pytest.raises(RuntimeError):
        batched.write()
    monkeypatch.setattr(actions, "do_store_reports", real_store)
    batched.write()

    assert _cursors_of(screen)[str(world.jiuquhe.id)] == listing["seq"]


def _write_in_thread(batched: ScreenReports) -> tuple[threading.Thread, list[BaseException]]:
    """This process's write, started beside a transaction the test holds open."""
    failures: list[BaseException] = []

    def write_here() -> None:
        try:
            batched.write()
        except BaseException as error:
            failures.append(error)

    writer = threading.Thread(target=write_here)
    writer.start()
    return writer, failures


def test_two_writers_with_the_same_screens_take_turns_instead_of_deadlocking(
    app: Flask, world: World, backend: str, batched: ScreenReports
) -> None:
    """A screen that moved between processes is in both processes' reports; at a
    restart, a process's last write can also meet its timer's."""
    if backend == "sqlite":
        pytest.skip("SQLite locks the whole database, not rows")
    first, second = Screen(app, world.jiuquhe.id), Screen(app, world.jiuquhe.id)
    low, high = sorted([first.id, second.id])
    # Rows are stored where they were last written: the lower screen now comes after.
    db.session.execute(update(ScreenRow).where(ScreenRow.id == low).values(app_version="v1"))
    db.session.commit()
    # Here the reports are held higher screen first.
    batched.seen(high, app_version="v2")
    batched.seen(low, app_version="v2")
    with app.app_context():
        other = db.engine.connect()
    other_writer = other.begin()
    other.execute(update(ScreenRow).where(ScreenRow.id == low).values(app_version="other"))
    writer, failures = _write_in_thread(batched)
    time.sleep(0.5)  # long enough for this write to reach the other's lock
    try:
        # The other writer goes on to the second screen, as with a batch of its own.
        other.execute(update(ScreenRow).where(ScreenRow.id == high).values(app_version="other"))
        other_writer.commit()
    finally:
        other.close()
        writer.join(timeout=30)

    assert failures == []
    rows = db.session.scalars(select(ScreenRow).where(ScreenRow.id.in_([low, high]))).all()
    assert [row.app_version for row in rows] == ["v2", "v2"]


def test_a_write_waits_for_another_process_on_the_same_screen_and_keeps_its_cursor(
    app: Flask, world: World, backend: str, batched: ScreenReports
) -> None:
    """The screen moved to another process, which stores a newer cursor while this
    process still holds an older ack: the older one must not win."""
    if backend == "sqlite":
        pytest.skip("SQLite locks the whole database, not rows")
    screen = Screen(app, world.jiuquhe.id)
    scope = str(world.jiuquhe.id)
    batched.acked(screen.id, {scope: 5})
    with app.app_context():
        other = db.engine.connect()
    other_writer = other.begin()
    other.execute(
        update(ScreenRow).where(ScreenRow.id == screen.id).values(cursors={scope: 9}, last_seq=9)
    )
    writer, failures = _write_in_thread(batched)
    time.sleep(0.5)  # long enough for this write to reach the other's lock
    try:
        other_writer.commit()
    finally:
        other.close()
        writer.join(timeout=30)

    assert failures == []
    assert _cursors_of(screen) == {scope: 9}


def test_a_screen_that_moved_on_shows_online_when_its_old_process_writes_last(
    app: Flask, world: World, admin: StaffClient, batched: ScreenReports
) -> None:
    """The old process saw the screen and then its socket close; the new one has
    seen it since and written first. The old news must not win."""
    screen = Screen(app, world.jiuquhe.id)
    batched.seen(screen.id)
    batched.gone(screen.id)
    db.session.execute(
        update(ScreenRow)
        .where(ScreenRow.id == screen.id)
        .values(last_seen_at=utcnow(), disconnected_at=None)
    )
    db.session.commit()

    batched.write()

    listed = admin.get("/admin/api/screens").json["items"]
    assert [item["online"] for item in listed] == [True]


def test_a_screen_that_connected_and_closed_between_writes_shows_offline(
    app: Flask, world: World, admin: StaffClient, batched: ScreenReports
) -> None:
    staying, leaving = Screen(app, world.jiuquhe.id), Screen(app, world.jiuquhe.id)
    leaving.socket.disconnect(namespace=SCREENS_NAMESPACE)
    batched.write()

    listed = admin.get("/admin/api/screens").json["items"]
    online = {item["id"]: item["online"] for item in listed}

    assert online == {staying.id: True, leaving.id: False}


def test_the_background_writer_shows_an_ack_to_staff_within_its_interval(
    app: Flask, world: World, admin: StaffClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = ScreenReports(app, interval=0.2)
    monkeypatch.setitem(app.extensions, "screen_reports", reports)
    try:
        screen = Screen(app, world.jiuquhe.id)
        listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
        screen.emit("ack", {"cursors": _applied(screen)})
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            delivery = admin.get(f"/admin/api/listings/{listing['id']}/delivery").json
            if delivery["totals"]["applied"] == 1:
                break
            time.sleep(0.05)
    finally:
        reports.stop()

    assert delivery["totals"] == {"screens": 1, "online": 1, "applied": 1, "online_applied": 1}


def test_screens_behind_by_the_same_changes_cost_one_read_of_them(
    app: Flask, world: World, admin: StaffClient, statements: list[str]
) -> None:
    room = str(world.jiuquhe.id)
    away = [Screen(app, world.jiuquhe.id) for _ in range(5)]
    scope = db.session.get(ScreenRow, away[0].id).community.ancestor_ids
    db.session.rollback()
    before = {str(place): 0 for place in scope}
    published = [admin.publish(listing_input(target_id=world.jiuquhe.id)) for _ in range(3)]
    statements.clear()

    replies = [screen.sync(before) for screen in away]

    reads_of_changes = [sql for sql in statements if "FROM changes" in sql and "ORDER BY" in sql]
    assert len(reads_of_changes) == 1
    for reply in replies:
        assert [change["seq"] for change in reply["changes"]] == [p["seq"] for p in published]
        assert reply["cursors"][room] == published[-1]["seq"]


def test_a_shared_answer_still_gives_each_screen_its_own_cursors(
    app: Flask, world: World, admin: StaffClient
) -> None:
    here, there = Screen(app, world.jiuquhe.id), Screen(app, world.qianwan.id)
    street_wide = admin.publish(listing_input(target_id=world.huangdao_street.id))
    only_there = admin.publish(listing_input(target_id=world.qianwan.id))
    street = str(world.huangdao_street.id)

    def behind_on_the_street(screen: Screen) -> dict[str, int]:
        cursors = dict(screen.sync({})["cursors"])
        cursors[street] = 0
        return cursors

    here_reply = here.sync(behind_on_the_street(here))
    there_reply = there.sync(behind_on_the_street(there))

    assert [c["seq"] for c in here_reply["changes"]] == [street_wide["seq"]]
    assert [c["seq"] for c in there_reply["changes"]] == [street_wide["seq"]]
    assert there_reply["cursors"][str(world.qianwan.id)] == only_there["seq"]
    assert str(world.qianwan.id) not in here_reply["cursors"]


def _online(admin: StaffClient) -> list[bool]:
    return [item["online"] for item in admin.get("/admin/api/screens").json["items"]]


def test_the_sockets_a_test_left_open_are_closed_and_stored_before_the_next_test(
    app: Flask, world: World, admin: StaffClient
) -> None:
    """What each test's end does (conftest's _empty_tables): with the closes
    stored now, none can land later on the next test's screen of the same id."""
    left_open = [Screen(app, world.jiuquhe.id) for _ in range(2)]
    assert _online(admin) == [True, True]

    close_every_socket(app)

    assert _online(admin) == [False, False]
    assert not any(screen.socket.is_connected(SCREENS_NAMESPACE) for screen in left_open)
    assert open_sockets(app) == []


def test_a_socket_whose_line_died_without_a_close_is_closed_before_the_next_test(
    app: Flask, world: World, admin: StaffClient
) -> None:
    """A screen that sends something not Engine.IO loses its line, but
    python-engineio keeps its session until the ping timeout, some 45 s on; its
    close, written then, once marked a screen of a later test offline."""
    token = (
        app.test_client()
        .post("/api/screens", json={"community_id": world.jiuquhe.id, "app_version": "test"})
        .json["token"]
    )
    with serve_in_process(app) as url:
        address = url.removeprefix("http://")
        raw = websocket.create_connection(
            f"ws://{address}/socket.io/?EIO=4&transport=websocket", timeout=10
        )
        try:
            assert raw.recv().startswith("0")  # Engine.IO open
            raw.send(f"40{SCREENS_NAMESPACE}," + json.dumps({"token": token}))
            assert raw.recv().startswith(f"40{SCREENS_NAMESPACE},")
            raw.send("hello")
            with pytest.raises(websocket.WebSocketException):
                raw.recv()  # the server hung up …
        finally:
            raw.close()
        assert _online(admin) == [True]  # … and still holds the session

        close_every_socket(app)

    assert _online(admin) == [False]
    assert open_sockets(app) == []
