"""Searching and ordering the feed on the server: pinyin initials, keypad keys,
nearest first, closing soon; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from kiosk_server.timeutil import utcnow
from tests.factories import World, listing_input
from tests.helpers import StaffClient


def _feed(client: FlaskClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/feed", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def _titles(feed: dict[str, Any]) -> list[str]:
    return [item["title"] for item in feed["items"]]


def _job(title: str, target_id: int, **top: Any) -> dict[str, Any]:
    block = {"employer": "社区微工厂", "category": "part_time"}
    return listing_input("job", target_id=target_id, title=title, job=block, **top)


def test_a_search_finds_words_their_initials_and_the_keys_a_remote_types(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    place = world.jiuquhe.id
    for title in ("小区绿化保洁", "电工学徒", "面点师", "超市理货员"):
        admin.publish(_job(title, place, summary=""))

    def found(q: str) -> set[str]:
        return set(_titles(_feed(client, community_id=place, q=q)))

    assert found("保洁") == found("bj") == found("25") == {"小区绿化保洁"}
    assert found("电工") == found("DG") == found("34") == {"电工学徒"}
    assert found("面点") == found("md") == {"面点师"}
    # Two words: both must be found, in any of the three ways.
    assert found("lh 保洁") == {"小区绿化保洁"}
    assert found("保洁 电工") == set()


def test_a_search_lists_title_matches_before_matches_elsewhere(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    place = world.jiuquhe.id
    admin.publish(_job("保洁员", place, summary=""))
    # Newer, and 百佳 reads B J too, but in the employer's name, not the title.
    block = {"employer": "百佳超市", "category": "part_time"}
    admin.publish(listing_input("job", target_id=place, title="理货员", summary="", job=block))

    for q in ("25", "bj"):
        found = _feed(client, community_id=place, q=q, sort="newest")
        assert _titles(found) == ["保洁员", "理货员"], q
    # Without a search, newest first as asked.
    assert _titles(_feed(client, community_id=place, sort="newest")) == ["理货员", "保洁员"]


def test_a_search_counts_every_match_in_scope_and_pages_through_them(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    for n in range(5):
        admin.publish(_job(f"保洁员{n}号", world.city.id))
    admin.publish(_job("保洁员（别处）", world.taidong1.id))
    admin.publish(_job("电工", world.jiuquhe.id))

    pages = [
        _feed(client, community_id=world.jiuquhe.id, q="bj", per_page=2, page=page)
        for page in (1, 2, 3)
    ]

    assert {page["total"] for page in pages} == {5}
    assert sorted(title for page in pages for title in _titles(page)) == [
        f"保洁员{n}号" for n in range(5)
    ]


def test_jobs_come_nearest_first_unless_asked_otherwise(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    # Published nearest first, so newest first is the other way round.
    admin.publish(_job("九曲河社区的岗位", world.jiuquhe.id))
    admin.publish(_job("九曲河服务站的岗位", world.city.id, site_id=world.station.id))
    admin.publish(_job("复兴微工厂的岗位", world.city.id, site_id=world.factory.id))
    admin.publish(_job("全市的岗位", world.city.id))
    nearest = ["九曲河社区的岗位", "九曲河服务站的岗位", "复兴微工厂的岗位", "全市的岗位"]

    jobs = _feed(client, community_id=world.jiuquhe.id, kind="job")
    newest = _feed(client, community_id=world.jiuquhe.id, kind="job", sort="newest")

    assert (jobs["sort"], _titles(jobs)) == ("nearest", nearest)
    assert _titles(newest) == list(reversed(nearest))
    # From the kiosk at the factory, the factory's job is the nearest.
    at_factory = _feed(client, site_id=world.factory.id, kind="job")
    assert _titles(at_factory)[0] == "复兴微工厂的岗位"


def test_nearest_first_pages_without_losing_or_repeating_a_listing(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    # Many at one distance: the order must still be total for pages to be exact.
    for n in range(7):
        admin.publish(_job(f"服务站岗位{n}", world.city.id, site_id=world.station.id))

    pages = [
        _titles(_feed(client, community_id=world.jiuquhe.id, kind="job", per_page=3, page=page))
        for page in (1, 2, 3)
    ]

    assert sorted(title for page in pages for title in page) == [f"服务站岗位{n}" for n in range(7)]


def test_closing_soon_orders_by_the_last_day_with_open_ended_ones_last(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    now = utcnow()
    admin.publish(
        _job("下月截止", world.jiuquhe.id, valid_until=(now + timedelta(days=30)).isoformat())
    )
    admin.publish(_job("长期有效", world.jiuquhe.id, valid_until=None))
    admin.publish(
        _job("明天截止", world.jiuquhe.id, valid_until=(now + timedelta(days=1)).isoformat())
    )

    closing = _feed(client, community_id=world.jiuquhe.id, sort="closing")

    assert _titles(closing) == ["明天截止", "下月截止", "长期有效"]


def test_each_order_has_its_own_etag(client: FlaskClient, world: World, admin: StaffClient) -> None:
    admin.publish(_job("岗位", world.jiuquhe.id))
    url = f"/api/feed?community_id={world.jiuquhe.id}"
    nearest = client.get(url)
    newest = client.get(f"{url}&sort=newest")

    assert nearest.headers["ETag"] != newest.headers["ETag"]
    again = client.get(f"{url}&sort=newest", headers={"If-None-Match": newest.headers["ETag"]})
    assert again.status_code == 304


def test_an_unknown_order_is_refused_by_name(client: FlaskClient, world: World) -> None:
    response = client.get(f"/api/feed?community_id={world.jiuquhe.id}&sort=random")

    assert response.status_code == 422
    assert "sort" in response.json["error"]["fields"]


def test_full_or_part_time_takes_in_both_categories(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    for title, category in (("全职", "full_time"), ("兼职", "part_time"), ("计件", "piece_rate")):
        block = {"employer": "社区微工厂", "category": category}
        admin.publish(listing_input("job", target_id=world.jiuquhe.id, title=title, job=block))

    both = _feed(client, community_id=world.jiuquhe.id, category="full_or_part_time")

    assert sorted(_titles(both)) == ["全职", "兼职"]


# The home screen


def test_home_counts_every_live_listing_in_scope_and_shows_the_newest_of_each_kind(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    for n in range(5):
        admin.publish(_job(f"岗位{n}", world.city.id))
    admin.publish(listing_input("training", target_id=world.huangdao_street.id))
    admin.publish(_job("别的社区的岗位", world.taidong1.id))
    gone = admin.publish(_job("已下架的岗位", world.jiuquhe.id))
    admin.post(f"/admin/api/listings/{gone['id']}/withdraw")

    home = client.get(f"/api/home?community_id={world.jiuquhe.id}&newest=2").json

    assert {kind: part["total"] for kind, part in home["kinds"].items()} == {
        "job": 5,
        "training": 1,
        "subsidy": 0,
        "event": 0,
    }
    assert [item["title"] for item in home["kinds"]["job"]["newest"]] == ["岗位4", "岗位3"]
    assert home["community"]["name"] == "九曲河社区"
    assert set(home["cursors"]) == {str(place) for place in home["scope"]}


def test_home_answers_304_until_something_in_scope_changes(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    admin.publish(_job("岗位", world.jiuquhe.id))
    url = f"/api/home?site_id={world.station.id}"
    first = client.get(url)
    feed = client.get(f"/api/feed?site_id={world.station.id}")

    assert first.headers["ETag"] != feed.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    admin.publish(_job("新岗位", world.city.id))
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.json["kinds"]["job"]["total"] == 2


def test_home_refuses_a_missing_place_and_too_many_newest(
    client: FlaskClient, world: World
) -> None:
    assert client.get("/api/home?community_id=999999").status_code == 404
    too_many = client.get(f"/api/home?community_id={world.jiuquhe.id}&newest=50")
    assert too_many.status_code == 422
    assert "newest" in too_many.json["error"]["fields"]
    assert client.get("/api/home").status_code == 422
