"""The first-run path of `make run`: demo data into an empty database, then a working login."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.listings.models import Announcement, Listing
from kiosk_server.live.models import Change
from kiosk_server.places.models import Place, Site
from kiosk_server.staff.models import Staff
from tests.helpers import StaffClient


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
            select(func.count(Listing.id)).where(Listing.search_text == "")
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
