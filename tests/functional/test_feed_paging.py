"""Paging the feed from the last listing shown (`after=`), on SQLite and PostgreSQL:
listings withdrawn or published between two page requests neither hide a
listing from the resident nor show one twice, in every order and in a search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing
from kiosk_server.timeutil import utcnow
from tests.factories import World, listing_input
from tests.helpers import StaffClient

PER_PAGE = 3


def _feed(client: FlaskClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/feed", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def _ids(answer: dict[str, Any]) -> list[int]:
    return [item["id"] for item in answer["items"]]


def _job(admin: StaffClient, world: World, n: int, **top: Any) -> dict[str, Any]:
    """A job with ties in every order: three per site (so three per distance),
    three per last day, three open-ended; two in three say 保洁 in their title,
    the rest only in their employer's name (百佳 reads b j too)."""
    site = (world.station.id, world.factory.id, None)[n % 3]
    until = (None, utcnow() + timedelta(days=9), utcnow() + timedelta(days=n + 1))[(n // 3) % 3]
    in_title = n % 3 != 2
    block = {"employer": "社区微工厂" if in_title else "百佳超市", "category": "part_time"}
    body = listing_input(
        "job",
        target_id=world.jiuquhe.id if n % 2 else world.city.id,
        title=f"保洁员{n}号" if in_title else f"理货员{n}号",
        summary="",
        site_id=site,
        valid_until=until.isoformat() if until else None,
        job=block,
        **top,
    )
    return admin.publish(body)


def _withdraw(admin: StaffClient, listing_id: int) -> None:
    response = admin.post(f"/admin/api/listings/{listing_id}/withdraw")
    assert response.status_code == 200, response.json


ORDERS = [
    pytest.param({"sort": "newest"}, id="newest"),
    pytest.param({"sort": "closing"}, id="closing"),
    pytest.param({"sort": "nearest"}, id="nearest"),
    pytest.param({"q": "bj"}, id="search"),
    pytest.param({"q": "bj", "sort": "closing"}, id="search-closing"),
    pytest.param({"q": "bj", "sort": "nearest"}, id="search-nearest"),
]


@pytest.mark.parametrize("order", ORDERS)
def test_the_next_page_starts_after_the_last_listing_shown_whatever_changed_meanwhile(
    client: FlaskClient, world: World, admin: StaffClient, ctx: None, order: dict[str, Any]
) -> None:
    for n in range(14):
        _job(admin, world, n)
    # Half of them published at the same moment: only the id tells them apart.
    db.session.execute(
        update(Listing)
        .where(Listing.id % 2 == 0)
        .values(published_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    where = {"community_id": world.jiuquhe.id, "per_page": PER_PAGE, **order}
    before = _ids(_feed(client, **{**where, "per_page": 100}))
    live = len(before)

    shown: list[int] = []
    after: int | None = None
    added = 14
    while True:
        page = _feed(client, **where, **({"after": after} if after else {}))
        assert page["items"], "a page announced by more is never empty"
        assert page["total"] == live
        shown += _ids(page)
        if not page["more"]:
            break
        after = shown[-1]
        # While the resident looks at the page: its first listing and the one
        # the next page starts after are withdrawn (the screen keeps both in
        # place, 已下架), and a new listing is published.
        _withdraw(admin, shown[-PER_PAGE])
        _withdraw(admin, after)
        _job(admin, world, added)
        added += 1
        live += 1 - 2

    assert len(shown) == len(set(shown)), "a listing shown twice"
    assert [i for i in shown if i in before] == before, "a listing skipped or out of order"


def test_the_last_page_says_there_is_no_more_and_totals_stay_true(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    for n in range(4):
        _job(admin, world, n)
    where = {"community_id": world.jiuquhe.id, "per_page": 2, "sort": "newest"}

    first = _feed(client, **where)
    second = _feed(client, **where, after=first["items"][-1]["id"])

    assert (first["more"], second["more"]) == (True, False)
    assert (first["total"], second["total"]) == (4, 4)
    assert second["after"] == first["items"][-1]["id"]
    assert not set(_ids(first)) & set(_ids(second))


def test_after_a_listing_no_screen_was_shown_is_an_empty_page(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    _job(admin, world, 0)
    draft = admin.create(listing_input("job", target_id=world.jiuquhe.id))

    for after in (draft["id"], 999_999):
        answer = _feed(client, community_id=world.jiuquhe.id, after=after)
        assert (answer["items"], answer["more"], answer["total"]) == ([], False, 1)


def test_after_goes_with_the_first_page_only(client: FlaskClient, world: World) -> None:
    response = client.get(f"/api/feed?community_id={world.jiuquhe.id}&after=1&page=2")

    assert response.status_code == 422
    assert "after" in response.json["error"]["fields"]
