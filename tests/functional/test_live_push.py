"""Live push: the right screens hear about each change, and catch up on what they missed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask
from PIL import Image
from socketio import packet
from sqlalchemy.exc import OperationalError

from kiosk_server.extensions import socketio
from kiosk_server.live.push import SCREENS_NAMESPACE
from kiosk_server.timeutil import utcnow
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import Screen, StaffClient


def test_street_wide_listing_reaches_every_community_under_it_and_nothing_else(
    app: Flask, world: World, admin: StaffClient
) -> None:
    inside = [Screen(app, world.jiuquhe.id), Screen(app, world.qianwan.id)]
    outside = [Screen(app, world.fuxing.id), Screen(app, world.taidong1.id)]

    listing = admin.publish(listing_input(target_id=world.huangdao_street.id))

    for screen in inside:
        [change] = screen.received_changes()
        assert change["op"] == "upsert"
        assert change["id"] == listing["id"]
        assert change["data"]["title"] == "手工花组装（计件）"
        assert change["data"]["job"]["pay"]["text"] == "每朵花0.3元"
    for screen in outside:
        assert screen.received_changes() == []


def test_a_published_listing_reaches_screens_as_its_public_page_shows_it(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    draft = admin.create(listing_input("training", target_id=world.jiuquhe.id))
    picture = Image.new("RGB", (400, 300), (200, 120, 40))
    upload = io.BytesIO()
    picture.save(upload, "JPEG")
    added = admin.post(
        f"/admin/api/listings/{draft['id']}/images",
        data={"image": (io.BytesIO(upload.getvalue()), "photo.jpg"), "alt": "教室"},
        content_type="multipart/form-data",
    )
    assert added.status_code == 201, added.json

    published = admin.post(f"/admin/api/listings/{draft['id']}/publish", json={})

    assert published.status_code == 200
    [change] = screen.received_changes()
    public = client.get(f"/api/listings/{draft['id']}").json
    # Place, sessions, picture, time of the edit and change number, all as stored.
    assert change["data"] == public
    assert change["data"]["images"] and change["data"]["training"]["sessions"]
    assert change["seq"] == public["seq"]


def test_a_removal_says_the_kind_so_screens_can_count_what_they_do_not_hold(
    app: Flask, world: World, admin: StaffClient
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    listing = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    screen.received_changes()

    admin.post(f"/admin/api/listings/{listing['id']}/withdraw")

    [change] = screen.received_changes()
    assert (change["op"], change["reason"], change["data"]) == (
        "remove",
        "withdrawn",
        {"kind": "training"},
    )


def test_a_listing_moved_into_a_scope_arrives_there_as_moved_not_as_an_edit(
    app: Flask, world: World, admin: StaffClient
) -> None:
    old_scope = Screen(app, world.taidong1.id)
    new_scope = Screen(app, world.jiuquhe.id)
    body = listing_input(target_id=world.taidong1.id)
    listing = admin.publish(body)
    old_scope.received_changes()

    moved = admin.put(
        f"/admin/api/listings/{listing['id']}",
        json={**body, "target_id": world.jiuquhe.id, "version": listing["version"]},
    )

    assert moved.status_code == 200, moved.json
    [gone] = old_scope.received_changes()
    [arrived] = new_scope.received_changes()
    assert (gone["op"], gone["reason"], gone["data"]) == ("remove", "moved", {"kind": "job"})
    assert (arrived["op"], arrived["reason"]) == ("upsert", "moved")
    assert arrived["data"]["title"] == body["title"]


def test_a_change_goes_out_with_its_chinese_text_as_utf8_not_escapes(
    app: Flask, world: World, admin: StaffClient
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    admin.publish(listing_input(target_id=world.jiuquhe.id))
    [change] = screen.received_changes()

    # The packet as the server writes it to each screen's socket.
    wire = socketio.server.packet_class(
        packet.EVENT, namespace=SCREENS_NAMESPACE, data=["change", change]
    ).encode()

    assert "手工花组装（计件）" in wire
    assert "\\u" not in wire


def test_a_packet_with_an_oversized_number_is_refused(app: Flask) -> None:
    with pytest.raises(ValueError):
        socketio.server.packet_class(encoded_packet='2/screens,["sync",' + "9" * 200 + "]")


def test_city_wide_announcement_reaches_every_screen(
    app: Flask, world: World, admin: StaffClient
) -> None:
    screens = [Screen(app, world.jiuquhe.id), Screen(app, world.taidong2.id)]
    until = (utcnow() + timedelta(hours=3)).isoformat()
    response = admin.post(
        "/admin/api/announcements",
        json={"text": "今晚7点 星光招聘夜市", "target_id": world.city.id, "valid_until": until},
    )
    assert response.status_code == 201
    for screen in screens:
        [change] = screen.received_changes()
        assert change["entity"] == "announcement"
        assert change["data"]["text"] == "今晚7点 星光招聘夜市"


def test_withdrawing_removes_the_listing_from_screens_and_the_feed(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    screen.received_changes()

    response = admin.post(f"/admin/api/listings/{listing['id']}/withdraw")

    assert response.status_code == 200
    [change] = screen.received_changes()
    assert (change["op"], change["reason"], change["id"]) == ("remove", "withdrawn", listing["id"])
    feed = client.get(f"/api/feed?community_id={world.jiuquhe.id}").json
    assert feed["items"] == []


def test_moving_a_listing_removes_it_from_the_old_scope_and_adds_it_to_the_new(
    app: Flask, world: World, admin: StaffClient
) -> None:
    old, new = Screen(app, world.jiuquhe.id), Screen(app, world.taidong1.id)
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    old.received_changes()

    body = listing_input(target_id=world.taidong_street.id, version=listing["version"])
    assert admin.put(f"/admin/api/listings/{listing['id']}", json=body).status_code == 200

    assert [c["op"] for c in old.received_changes()] == ["remove"]
    assert [c["op"] for c in new.received_changes()] == ["upsert"]


def test_a_screen_that_was_away_gets_exactly_what_it_missed_in_order(
    app: Flask, world: World, admin: StaffClient, client
) -> None:
    feed = client.get(f"/api/feed?community_id={world.jiuquhe.id}").json
    cursors = feed["cursors"]
    first = admin.publish(listing_input(target_id=world.jiuquhe.id, title="第一条"))
    admin.publish(listing_input(target_id=world.taidong1.id, title="别的社区"))
    second = admin.publish(listing_input(target_id=world.huangdao.id, title="区里的"))
    admin.post(f"/admin/api/listings/{first['id']}/withdraw")

    screen = Screen(app, world.jiuquhe.id)
    reply = screen.sync(cursors)

    missed = [(c["id"], c["op"]) for c in reply["changes"]]
    assert missed == [(first["id"], "upsert"), (second["id"], "upsert"), (first["id"], "remove")]
    seqs = [c["seq"] for c in reply["changes"]]
    assert seqs == sorted(seqs)
    # Caught up: asking again with the new cursors yields nothing.
    assert screen.sync(reply["cursors"]) == {"changes": [], "cursors": reply["cursors"]}


def test_each_pushed_change_names_the_previous_one_in_its_scope(
    app: Flask, world: World, admin: StaffClient
) -> None:
    screen = Screen(app, world.jiuquhe.id)
    admin.publish(listing_input(target_id=world.jiuquhe.id))
    admin.publish(listing_input(target_id=world.taidong1.id))
    admin.publish(listing_input(target_id=world.jiuquhe.id))

    first, second = screen.received_changes()

    assert first["prev"] == 0
    assert second["prev"] == first["seq"]
    assert second["seq"] > first["seq"] + 1  # the change in between went elsewhere


def test_too_far_behind_is_told_to_resync(app: Flask, world: World, admin: StaffClient) -> None:
    app.config["CATCHUP_LIMIT"] = 3
    try:
        screen = Screen(app, world.jiuquhe.id)
        start = screen.sync({str(i): 0 for i in world.jiuquhe.ancestor_ids})
        for n in range(4):
            admin.publish(listing_input(target_id=world.jiuquhe.id, title=f"第{n}条"))
        reply = screen.sync(start["cursors"])
    finally:
        app.config["CATCHUP_LIMIT"] = 500
    assert reply["resync"] is True
    assert reply["reason"] == "too_many"


def test_cursor_from_another_database_is_told_to_resync(app: Flask, world: World) -> None:
    screen = Screen(app, world.jiuquhe.id)
    reply = screen.sync({str(i): 99 for i in world.jiuquhe.ancestor_ids})
    assert (reply["resync"], reply["reason"]) == (True, "ahead_of_server")


def test_missing_scope_in_cursors_is_told_to_resync(app: Flask, world: World) -> None:
    screen = Screen(app, world.jiuquhe.id)
    reply = screen.sync({str(world.jiuquhe.id): 0})
    assert (reply["resync"], reply["reason"]) == (True, "unknown_scope")


def test_a_revoked_screen_is_told_at_once_and_cannot_come_back(app: Flask, world: World) -> None:
    from kiosk_server.extensions import db
    from kiosk_server.screens.actions import do_revoke_screen
    from kiosk_server.screens.models import Screen as ScreenModel

    screen = Screen(app, world.jiuquhe.id)
    with app.app_context():
        do_revoke_screen(db.session.get(ScreenModel, screen.id), None)

    events = screen.socket.get_received("/screens")
    assert [e["name"] for e in events] == ["revoked"]
    assert events[0]["args"][0]["code"] == "unknown_screen"
    assert screen.sync({})["error"]["code"] == "unknown_screen"
    again = socketio_test_client(app, screen.token)
    assert not again.is_connected("/screens")


def test_the_revoke_command_stops_a_screen(app: Flask, world: World) -> None:
    screen = Screen(app, world.jiuquhe.id)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["screens", "revoke", str(screen.id)])
    listed = runner.invoke(args=["screens", "list"])

    assert result.exit_code == 0 and "已停用" in result.output
    assert "已停用" in listed.output
    assert runner.invoke(args=["screens", "revoke", "99999"]).exit_code != 0


def socketio_test_client(app: Flask, token: str):
    from kiosk_server.extensions import socketio

    return socketio.test_client(app, namespace="/screens", auth={"token": token})


def test_a_screen_refused_for_a_database_fault_is_told_to_retry_not_that_it_is_unknown(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socketio.exceptions import ConnectionRefusedError

    from kiosk_server.live import events

    screen = Screen(app, world.jiuquhe.id)

    def pool_exhausted(_token: object) -> None:
        raise OperationalError("SELECT", {}, Exception("QueuePool limit reached"))

    monkeypatch.setattr(events, "connecting_screen", pool_exhausted)
    with app.test_request_context(), pytest.raises(ConnectionRefusedError) as refused:
        events.on_connect({"token": screen.token})

    assert refused.value.error_args["data"]["code"] == "server_busy"


def test_a_sync_that_finds_the_database_busy_is_told_to_retry(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from kiosk_server.live import events

    screen = Screen(app, world.jiuquhe.id)

    def no_connection_free(*_args: object) -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 10 reached")

    monkeypatch.setattr(events, "catch_up", no_connection_free)
    reply = screen.sync({})

    assert reply["error"]["code"] == "server_busy"
    assert screen.socket.is_connected("/screens")
