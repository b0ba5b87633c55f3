"""The first-run path of `make run`: demo data into an empty database, then a working login."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from unittest.mock import ANY

from flask import Flask
from pypinyin import Style, lazy_pinyin
from sqlalchemy import event, func, select

from kiosk_server.extensions import db
from kiosk_server.listings.models import Announcement, Listing
from kiosk_server.live.models import Change
from kiosk_server.places.models import Place, Site
from kiosk_server.registrations.models import Registration
from kiosk_server.screens.models import Screen as ScreenRow
from kiosk_server.staff.models import Staff
from tests.helpers import Screen, StaffClient


def _load(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_data_is_a_whole_city_with_every_kind_of_listing(app: Flask, client) -> None:
    _load(app, "--if-empty")

    with app.app_context():
        levels = Counter(db.session.scalars(select(Place.level)))
        sites = Counter(db.session.scalars(select(Site.kind)))
        kinds = Counter(
            db.session.scalars(select(Listing.kind).where(Listing.status == "published"))
        )
        units = Counter(db.session.scalars(select(Listing.pay_unit).where(Listing.kind == "job")))
        announcements = db.session.scalar(select(func.count(Announcement.id)))
        community_ids = db.session.scalars(select(Place.id).where(Place.level == "community")).all()

    assert levels["city"] == 1
    assert levels["district"] >= 3 and levels["street"] >= 6 and levels["community"] >= 12
    assert {"station", "kiosk", "micro_factory"} <= set(sites)
    assert sum(kinds.values()) >= 60 and set(kinds) == {"job", "training", "subsidy", "event"}
    assert units["piece"] > 0 and units["day"] > 0 and units["month"] > 0
    assert announcements > 0
    # Every community's screens have something to show.
    for community_id in community_ids:
        feed = client.get(f"/api/feed?community_id={community_id}").json
        assert feed["total"] > 0, community_id
    # Piece-rate pay reads the way people say it.
    pieces = client.get(f"/api/feed?community_id={community_ids[0]}&pay_unit=piece").json
    for item in pieces["items"]:
        assert item["job"]["pay"]["text"].startswith("每"), item["job"]["pay"]


def test_loading_twice_skips_with_if_empty_and_refuses_without(app: Flask) -> None:
    _load(app)
    with app.app_context():
        before = db.session.scalar(select(func.count(Listing.id)))

    assert "跳过" in _load(app, "--if-empty")
    refused = app.test_cli_runner().invoke(args=["demo", "load"])

    assert refused.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Listing.id))) == before


def test_the_printed_admin_login_works_and_can_be_reset(app: Flask) -> None:
    _load(app)
    username, password = (Path(app.instance_path) / "initial-admin.txt").read_text().split()

    admin = StaffClient(app, username, password)

    assert admin.get("/admin/api/session").json["staff"]["role"] == "city_admin"
    with app.app_context():
        scoped = db.session.scalars(select(Staff).where(Staff.role != "city_admin")).all()
        assert scoped and all(staff.scope.level != "city" for staff in scoped)

    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "--username", "admin"], input="new-secret-9\nnew-secret-9\n"
    )
    assert result.exit_code == 0, result.output

    StaffClient(app, "admin", "new-secret-9")  # logs in, or fails the test
    short = runner.invoke(args=["create-admin"], input="short\nshort\n")
    assert short.exit_code != 0 and "至少8位" in short.output


def test_grow_makes_a_city_whose_feeds_reach_every_listing_in_scope(app: Flask, client) -> None:
    _load(app)
    size = ["--listings", "300", "--communities", "40", "--registrations", "300"]
    result = app.test_cli_runner().invoke(args=["demo", "grow", *size, "--screens", "200"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        communities = db.session.scalars(select(Place).where(Place.level == "community")).all()
        levels = Counter(
            db.session.scalars(select(Place.level).join(Listing, Listing.target_id == Place.id))
        )
        published = {
            community.id: db.session.scalar(
                select(func.count(Listing.id)).where(
                    Listing.status == "published", Listing.target_id.in_(community.ancestor_ids)
                )
            )
            for community in communities
        }
        unsearchable = db.session.scalar(
            select(func.count(Listing.id)).where(Listing.search_words == "")
        )

    # Screens are sent each copy as the API shows it.
    with app.app_context():
        last = db.session.scalars(
            select(Change).where(Change.entity == "listing").order_by(Change.seq.desc())
        ).first()
        assert last is not None
        sent, listing_id = last.payload, last.entity_id
    assert sent == client.get(f"/api/listings/{listing_id}").json
    assert len(communities) == 40
    # Aimed at every level of the tree, as a city's staff aim them.
    assert set(levels) == {"city", "district", "street", "community"}
    assert unsearchable == 0
    for community_id in (communities[0].id, communities[-1].id):
        feed = client.get(f"/api/feed?community_id={community_id}").json
        assert feed["total"] == published[community_id]


def test_grow_asks_for_the_demo_first(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "grow", "--listings", "10"])

    assert result.exit_code != 0
    assert "flask demo load" in result.output


def _grow(app: Flask, *args: str) -> dict[str, int]:
    """Run `flask demo grow`, small unless told, and read back what it says it added."""
    sizes = {"--listings": "0", "--communities": "0", "--registrations": "0", "--screens": "0"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    options = [item for pair in {**sizes, **given}.items() for item in pair]
    result = app.test_cli_runner().invoke(args=["demo", "grow", *options])
    assert result.exit_code == 0, result.output
    return {name: int(count) for name, count in re.findall(r"([^：，\s]+) (\d+)", result.output)}


def _counts() -> dict[str, int]:
    return {
        name: db.session.scalar(select(func.count()).select_from(model))
        for name, model in {
            "社区": select(Place).where(Place.level == "community").subquery(),
            "信息": Listing,
            "登记": Registration,
            "屏幕": ScreenRow,
        }.items()
    }


def _initials(name: str) -> str:
    """What a resident types for a name on the TV's letter grid: 幸福3社区 → xf3sq."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))


def _demo_community(app: Flask) -> Place:
    with app.app_context():
        community = db.session.scalars(
            select(Place).where(Place.level == "community").order_by(Place.id)
        ).first()
        assert community is not None
        db.session.expunge(community)
        return community


def test_grow_prints_what_it_added_and_grows_again_on_a_second_run(app: Flask) -> None:
    _load(app)
    with app.app_context():
        before = _counts()

    first = _grow(app, "--listings", "50", "--communities", "40", "--registrations", "30")
    with app.app_context():
        middle = _counts()
    second = _grow(app, "--listings", "25", "--screens", "20")
    with app.app_context():
        after = _counts()

    assert first == {name: middle[name] - before[name] for name in before}
    assert first["社区"] > 0 and first["信息"] == 50 and first["登记"] == 30
    assert second == {name: after[name] - middle[name] for name in before}
    assert second == {"社区": 0, "信息": 25, "登记": 0, "屏幕": 20}


def test_grow_writes_in_batches_so_a_city_takes_minutes_not_hours(app: Flask) -> None:
    _load(app)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    try:
        _grow(app, "--listings", "40", "--registrations", "40", "--screens", "40")
        few = len(statements)
        statements.clear()
        _grow(app, "--listings", "320", "--registrations", "320", "--screens", "320")
        many = len(statements)
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", count)

    # Eight times the rows, in about as many statements: nothing is written one by one.
    assert many <= few + 10, (few, many, Counter(s[:50] for s in statements).most_common(5))


def test_grown_copies_are_found_by_the_pinyin_initials_of_their_place(app: Flask, client) -> None:
    _load(app)
    _grow(app, "--listings", "400", "--communities", "40")

    with app.app_context():
        aimed = Counter(
            db.session.execute(
                select(Place.id, Place.name)
                .join(Listing, Listing.target_id == Place.id)
                .where(Place.level == "community", Listing.title.endswith("·" + Place.name))
            ).all()
        )
    (community_id, name), copies = aimed.most_common(1)[0]

    found = client.get(f"/api/feed?community_id={community_id}&q={_initials(name)}").json
    assert found["total"] == copies > 1
    assert all(item["title"].endswith("·" + name) for item in found["items"])


def test_in_scope_of_aims_every_copy_at_that_community_or_above_it(app: Flask, client) -> None:
    _load(app)
    community = _demo_community(app)
    before = client.get(f"/api/feed?community_id={community.id}").json["total"]
    with app.app_context():
        newest = db.session.scalar(select(func.max(Listing.id)))

    _grow(app, "--listings", "120", "--in-scope-of", str(community.id))

    after = client.get(f"/api/feed?community_id={community.id}").json["total"]
    assert after - before == 120
    with app.app_context():
        targets = db.session.execute(
            select(Place.id, Place.level)
            .join(Listing, Listing.target_id == Place.id)
            .where(Listing.id > newest)
        ).all()
    assert {place_id for place_id, _level in targets} <= set(community.ancestor_ids)
    # By the same shares as across the city: some city-wide, some for the community alone.
    assert {level for _id, level in targets} == {"city", "district", "street", "community"}


def test_in_scope_of_refuses_what_is_not_a_community(app: Flask) -> None:
    _load(app)
    community = _demo_community(app)
    runner = app.test_cli_runner()
    with app.app_context():
        before = _counts()

    for wrong in (community.ancestor_ids[0], 999_999):
        result = runner.invoke(
            args=["demo", "grow", "--listings", "5", "--in-scope-of", str(wrong)]
        )
        assert result.exit_code != 0
        assert "没有这个社区" in result.output
    with app.app_context():
        assert _counts() == before


def test_a_screen_catches_up_on_a_grow_exactly_or_is_told_to_reload(app: Flask, client) -> None:
    _load(app)
    community = _demo_community(app)
    screen = Screen(app, community.id)
    cursors = client.get(f"/api/feed?community_id={community.id}").json["cursors"]

    _grow(app, "--listings", "30", "--in-scope-of", str(community.id))

    # Woken by the grow: each message is the newest in its scope, and one the
    # screen either applies or sees it missed changes before (prev), so it syncs.
    woken = screen.received_changes()
    assert woken and len({change["scope"] for change in woken}) == len(woken)
    # Too far behind for the catch-up limit: told to reload.
    app.config["CATCHUP_LIMIT"] = 10
    try:
        assert screen.sync(cursors) == {"resync": True, "reason": "too_many", "cursors": ANY}
    finally:
        app.config["CATCHUP_LIMIT"] = 500
        app.extensions["catch_ups"].clear()
    # Within it: exactly the changes made, in order, each naming the one before it.
    answer = screen.sync(cursors)
    changes = answer["changes"]
    assert len(changes) == 30 and all(c["reason"] == "published" for c in changes)
    assert [c["seq"] for c in changes] == sorted(c["seq"] for c in changes)
    last = {int(scope): seq for scope, seq in cursors.items()}
    for change in changes:
        assert change["prev"] == last[change["scope"]], change
        last[change["scope"]] = change["seq"]
        assert change["data"] == client.get(f"/api/listings/{change['id']}").json
    assert answer["cursors"] == {str(scope): seq for scope, seq in last.items()}
    assert client.get(f"/api/feed?community_id={community.id}").json["cursors"] == answer["cursors"]
    for change in woken:
        assert change == next(c for c in changes if c["seq"] == change["seq"])
