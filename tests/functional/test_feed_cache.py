"""A repeated public read (the feed, the home screen, a listing, its phone page) is
answered from memory, and never with a body staler than what this process has heard."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, text, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from kiosk_server.extensions import db, socketio
from kiosk_server.listings.feed_cache import TRUST_SECONDS, FeedCache, FeedKey, feed_cache
from kiosk_server.listings.models import Listing
from kiosk_server.live.models import Change, ChangeCounter
from kiosk_server.live.push import SCREENS_NAMESPACE, room
from kiosk_server.live.sweeper import sweep
from kiosk_server.places.models import Place
from kiosk_server.timeutil import utcnow
from tests.factories import World, listing_input, make_registration
from tests.helpers import StaffClient


def _url(place: Place, **params: Any) -> str:
    extra = "".join(f"&{key}={value}" for key, value in params.items())
    return f"/api/feed?community_id={place.id}{extra}"


def _titles(response: TestResponse) -> set[str]:
    assert response.status_code == 200, response.json
    return {item["title"] for item in response.json["items"]}


class Statements:
    """The SQL statements the app sends while a test watches."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def during(self, client: FlaskClient, url: str, **kwargs: Any) -> TestResponse:
        self.sent.clear()
        return client.get(url, **kwargs)


@pytest.fixture
def statements(app: Flask) -> Iterator[Statements]:
    watched = Statements()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        watched.sent.append(statement)

    engine = db.engines[None]
    event.listen(engine, "before_cursor_execute", record)
    yield watched
    event.remove(engine, "before_cursor_execute", record)


# Cost


def test_a_repeated_read_and_a_304_cost_no_query(
    client: FlaskClient, world: World, admin: StaffClient, statements: Statements
) -> None:
    listing = admin.publish(listing_input("job", target_id=world.jiuquhe.id, title="保洁员"))
    admin.publish(listing_input("training", target_id=world.city.id))
    community = f"community_id={world.jiuquhe.id}"
    for url in (
        _url(world.jiuquhe),
        f"/api/feed?site_id={world.station.id}",
        f"/api/feed?{community}&kind=job&q=bj",
        f"/api/home?{community}",
        f"/api/listings/{listing['id']}",
        f"/l/{listing['id']}",
    ):
        first = client.get(url)
        assert first.status_code == 200

        again = statements.during(client, url)
        assert again.status_code == 200
        assert again.data == first.data
        assert statements.sent == [], url

        unchanged = statements.during(client, url, headers={"If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304
        assert statements.sent == [], url


def test_an_answer_from_memory_is_the_answer_made_afresh(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    admin.publish(listing_input("job", target_id=world.jiuquhe.id, body="详细说明。" * 200))
    url = _url(world.jiuquhe)
    made = client.get(url)
    kept = client.get(url)
    feed_cache(app).clear()
    remade = client.get(url)

    for response in (kept, remade):
        assert response.data == made.data
        assert response.headers == made.headers
    assert made.headers["Content-Type"] == "application/json"
    assert made.headers["Cache-Control"] == "no-cache"
    # Still compressed for clients that accept it, from memory too.
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == made.data
    assert packed.headers["ETag"] == made.headers["ETag"]


def test_a_304_says_what_its_answer_says_except_the_body(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    """A cache revalidating with a 304 keeps the answer's caching and security rules:
    the same headers as the 200, less those that describe a body (RFC 9110, 15.4.5),
    whether the view made it or it came from the answer kept whole."""
    listing = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    # Date is the moment of sending, which the server (gunicorn) writes.
    body_headers = {"Content-Type", "Content-Length", "Content-Encoding", "Date"}

    def kept(response: TestResponse) -> set[tuple[str, str]]:
        return {(k, v) for k, v in response.headers if k not in body_headers}

    urls = (_url(world.jiuquhe), f"/api/listings/{listing['id']}", f"/l/{listing['id']}", "/tv/")
    for url in urls:
        for coding in ("identity", "gzip"):
            answers = [client.get(url, headers={"Accept-Encoding": coding}) for _ in range(2)]
            assert answers[1].data == answers[0].data, url
            assert {*answers[1].headers} - {*answers[0].headers} == set(), url
            expected = kept(answers[0])
            conditional = {"Accept-Encoding": coding, "If-None-Match": answers[0].headers["ETag"]}
            feed_cache(app).heard_change()  # nothing kept: the view answers the first
            # The view's 304, the 304 kept from it, and the 304 kept with a whole answer.
            for whole_answer_first in (False, False, True):
                if whole_answer_first:
                    client.get(url, headers={"Accept-Encoding": coding})
                unchanged = client.get(url, headers=conditional)
                assert unchanged.status_code == 304, url
                assert unchanged.data == b""
                assert kept(unchanged) == expected, url


# Never stale


def test_publish_edit_and_withdraw_show_in_the_next_answer(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    url = _url(world.jiuquhe)
    first = client.get(url)
    assert _titles(first) == set()

    street = world.huangdao_street.id
    listing = admin.publish(listing_input("job", target_id=street, title="面点师"))
    published = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert _titles(published) == {"面点师"}
    assert published.headers["ETag"] != first.headers["ETag"]

    body = listing_input(
        "job", target_id=street, title="面点师（已调薪）", version=listing["version"]
    )
    assert admin.put(f"/admin/api/listings/{listing['id']}", json=body).status_code == 200
    assert _titles(client.get(url)) == {"面点师（已调薪）"}

    admin.post(f"/admin/api/listings/{listing['id']}/withdraw")
    withdrawn = client.get(url)
    assert _titles(withdrawn) == set()
    # The first answer had no items either, but it is not this one: its ETag is stale.
    stale = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200
    assert stale.headers["ETag"] == withdrawn.headers["ETag"]
    current = client.get(url, headers={"If-None-Match": withdrawn.headers["ETag"]})
    assert current.status_code == 304


def test_expiry_by_the_sweeper_shows_in_the_next_answer(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    place = world.jiuquhe.id
    admin.publish(listing_input("job", target_id=place, title="短期工", valid_until=soon))
    admin.publish(listing_input("job", target_id=place, title="长期工"))
    banner = {"text": "今晚7点 星光招聘夜市", "target_id": world.city.id, "valid_until": soon}
    assert admin.post("/admin/api/announcements", json=banner).status_code == 201
    url = _url(world.jiuquhe)
    before = client.get(url)
    assert _titles(before) == {"短期工", "长期工"}
    assert [item["text"] for item in before.json["announcements"]] == ["今晚7点 星光招聘夜市"]

    sweep(utcnow() + timedelta(hours=2))

    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert _titles(after) == {"长期工"}
    assert after.json["announcements"] == []


def test_a_seat_taken_shows_in_the_next_answer(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    training = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    session_id = training["training"]["sessions"][0]["id"]
    url = _url(world.jiuquhe)

    def seats_left() -> int:
        [item] = client.get(url).json["items"]
        return int(item["training"]["sessions"][0]["seats_left"])

    assert seats_left() == 20
    make_registration(
        world.jiuquhe, "training_signup", listing_id=training["id"], session_id=session_id
    )
    assert seats_left() == 19


def test_a_new_banner_shows_in_the_next_answer(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    url = _url(world.jiuquhe)
    assert client.get(url).json["announcements"] == []
    until = (utcnow() + timedelta(hours=3)).isoformat()
    banner = {"text": "停水通知", "target_id": world.huangdao.id, "valid_until": until}
    assert admin.post("/admin/api/announcements", json=banner).status_code == 201

    assert [item["text"] for item in client.get(url).json["announcements"]] == ["停水通知"]


def test_each_query_string_gets_its_own_answer(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    admin.publish(listing_input("job", target_id=world.jiuquhe.id, title="保洁员"))
    admin.publish(listing_input("training", target_id=world.jiuquhe.id, title="育婴师"))
    everything = client.get(_url(world.jiuquhe))
    jobs = client.get(_url(world.jiuquhe, kind="job"))
    courses = client.get(_url(world.jiuquhe, kind="training"))
    other_place = client.get(_url(world.qianwan))

    assert _titles(everything) == {"保洁员", "育婴师"}
    assert _titles(jobs) == {"保洁员"}
    assert _titles(courses) == {"育婴师"}
    assert _titles(other_place) == set()
    assert _titles(client.get(_url(world.jiuquhe, kind="job"))) == {"保洁员"}
    etags = {response.headers["ETag"] for response in (everything, jobs, courses, other_place)}
    assert len(etags) == 4


def test_a_database_restored_under_the_server_is_not_answered_from_memory(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    listing = admin.publish(listing_input("job", target_id=world.jiuquhe.id, title="旧岗位"))
    url = _url(world.jiuquhe)
    assert _titles(client.get(url)) == {"旧岗位"}
    # As after restoring an older backup: the change log starts again, so the
    # next publish takes the same seq the old one had.
    db.session.execute(text("DELETE FROM changes"))
    db.session.execute(text("UPDATE change_counter SET value = 0"))
    db.session.execute(text("UPDATE listings SET status = 'withdrawn'"))
    db.session.commit()

    fresh = admin.publish(listing_input("job", target_id=world.jiuquhe.id, title="新岗位"))

    assert fresh["seq"] == listing["seq"]
    assert _titles(client.get(url)) == {"新岗位"}


def test_a_community_moved_by_hand_gets_its_new_scope(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    admin.publish(listing_input("job", target_id=world.huangdao_street.id, title="黄岛街道岗位"))
    admin.publish(listing_input("job", target_id=world.zhuhai_street.id, title="珠海街道岗位"))
    admin.publish(listing_input("job", target_id=world.city.id, title="全市岗位"))
    url = _url(world.jiuquhe)
    assert _titles(client.get(url)) == {"黄岛街道岗位", "全市岗位"}
    # Places have no editing screen; an administrator moving one in the database
    # records no change, and the newest change in scope (the city's) stays the same.
    street = world.zhuhai_street
    db.session.execute(
        update(Place)
        .where(Place.id == world.jiuquhe.id)
        .values(parent_id=street.id, path=f"{street.path}{world.jiuquhe.id}/")
    )
    db.session.commit()
    scope = [world.city.id, world.huangdao.id, street.id, world.jiuquhe.id]

    moved = client.get(url)
    assert _titles(moved) == {"珠海街道岗位", "全市岗位"}
    assert moved.json["scope"] == scope
    assert list(moved.json["cursors"]) == [str(place) for place in scope]
    # Changes in the new street now move the feed.
    admin.publish(listing_input("job", target_id=street.id, title="珠海街道新岗位"))
    assert _titles(client.get(url)) == {"珠海街道岗位", "全市岗位", "珠海街道新岗位"}


# Other processes


def _withdraw_elsewhere(listing_id: int, scope_id: int) -> dict[str, Any]:
    """What another process writes when staff withdraw a listing through it: the
    listing and its change, committed on a connection of its own (this process's
    session sees none of it), and the message it sends to the listing's scope."""
    with Session(db.engine) as other:
        seq = other.scalar(
            update(ChangeCounter)
            .where(ChangeCounter.id == 1)
            .values(value=ChangeCounter.value + 1)
            .returning(ChangeCounter.value)
        )
        prev = other.scalar(select(func.max(Change.seq)).where(Change.scope_id == scope_id))
        other.execute(
            update(Listing)
            .where(Listing.id == listing_id)
            .values(status="withdrawn", version=Listing.version + 1)
        )
        change = Change(seq=seq, scope_id=scope_id, prev_seq=prev or 0, entity="listing",
                        entity_id=listing_id, op="upsert", reason="withdrawn")  # fmt: skip
        other.add(change)
        other.flush()
        message = change.to_message()
        other.commit()
    return message


def _hear(message: dict[str, Any]) -> None:
    """The message as the queue hands it to this process (as it hands it to every one)."""
    socketio.emit("change", message, to=room(message["scope"]), namespace=SCREENS_NAMESPACE)


def _reads(world: World, listing_id: int) -> list[str]:
    community = f"community_id={world.jiuquhe.id}"
    return [
        f"/api/feed?{community}",
        f"/api/home?{community}",
        f"/api/listings/{listing_id}",
        f"/l/{listing_id}",
    ]


def _gone(response: TestResponse) -> bool:
    """Whether an answer shows the listing withdrawn (or no longer lists it)."""
    assert response.status_code == 200, response.status_code
    if response.mimetype == "text/html":
        return "已下架" in response.get_data(as_text=True)
    body = response.json
    if "items" in body:
        return body["items"] == []
    if "kinds" in body:
        return body["kinds"]["job"]["total"] == 0
    return bool(body["status"] == "withdrawn")


def test_a_change_committed_by_another_process_ends_every_304_when_its_message_arrives(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    listing = admin.publish(listing_input("job", target_id=world.jiuquhe.id, title="保洁员"))
    urls = _reads(world, listing["id"])
    tags = {url: client.get(url).headers["ETag"] for url in urls}

    message = _withdraw_elsewhere(listing["id"], world.jiuquhe.id)
    _hear(message)

    for url in urls:
        after = client.get(url, headers={"If-None-Match": tags[url]})
        assert _gone(after), url
        assert after.headers["ETag"] != tags[url]
    feed = client.get(urls[0]).json
    assert feed["cursors"][str(world.jiuquhe.id)] == message["seq"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_change_from_another_process_whose_message_is_lost_shows_once_memory_is_due(
    app: Flask,
    client: FlaskClient,
    world: World,
    admin: StaffClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    monkeypatch.setattr(feed_cache(app), "clock", clock)
    listing = admin.publish(listing_input("job", target_id=world.jiuquhe.id, title="保洁员"))
    urls = _reads(world, listing["id"])
    tags = {url: client.get(url).headers["ETag"] for url in urls}

    _withdraw_elsewhere(listing["id"], world.jiuquhe.id)  # and its message never comes
    # Until then this process answers from what it knew, a consistent older state.
    for url in urls:
        assert client.get(url, headers={"If-None-Match": tags[url]}).status_code == 304

    clock.now += TRUST_SECONDS
    for url in urls:
        after = client.get(url, headers={"If-None-Match": tags[url]})
        assert _gone(after), url


def test_refusals_are_unchanged(client: FlaskClient, world: World) -> None:
    assert client.get("/api/feed?community_id=999999").status_code == 404
    assert client.get("/api/feed?site_id=999999").status_code == 404
    street = client.get(_url(world.huangdao_street))
    assert street.status_code == 422
    assert street.json["error"]["fields"] == {"community_id": "请选择社区一级的地点"}


# Bounds


def _key(number: int) -> FeedKey:
    query = f"community_id=1&page={number}".encode()
    return FeedKey("feed", 1, "/1/", "社区", number, None, None, query)


def test_the_cache_keeps_the_most_recently_used_within_its_count() -> None:
    cache = FeedCache(max_entries=2)
    cache.put(_key(1), b"one")
    cache.put(_key(2), b"two")
    assert cache.get(_key(1)) == b"one"  # now the most recently used
    cache.put(_key(3), b"three")

    assert (cache.get(_key(1)), cache.get(_key(2)), cache.get(_key(3))) == (b"one", None, b"three")
    assert len(cache) == 2


def test_the_cache_stays_within_its_bytes() -> None:
    cache = FeedCache(max_bytes=10_000)
    for number in range(10):
        cache.put(_key(number), bytes(3_000))
    assert cache.bytes_held <= 10_000
    assert len(cache) == 3
    assert cache.get(_key(9)) is not None
    cache.put(_key(99), bytes(20_000))  # larger than the whole cache: not kept
    assert cache.get(_key(99)) is None
    assert cache.get(_key(9)) is not None


def test_each_app_has_its_own_cache() -> None:
    first, second = Flask("first"), Flask("second")
    assert feed_cache(first) is feed_cache(first)
    assert feed_cache(first) is not feed_cache(second)


def test_a_due_entry_is_read_again_by_one_request_while_the_others_go_on_with_it() -> None:
    cache = FeedCache()
    cache.clock = clock = Clock()
    assert cache.remember("feed", lambda: "old") == "old"
    clock.now += TRUST_SECONDS
    reads: list[str] = []

    def read_again() -> str:
        reads.append("again")
        # Another request meanwhile: the same consistent answer, no second read.
        assert cache.remember("feed", lambda: reads.append("twice") or "new") == "old"
        return "new"

    assert cache.remember("feed", read_again) == "new"
    assert reads == ["again"]
    assert cache.remember("feed", lambda: "never") == "new"
    # After a change is heard nothing older is handed out: each request reads.
    cache.heard_change()
    assert cache.remember("feed", lambda: "newer") == "newer"
