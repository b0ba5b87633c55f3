"""The public read API: place tree, sites, the feed with its filters and ETag, one listing."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from PIL import Image

from kiosk_server.api import views
from kiosk_server.extensions import db
from kiosk_server.listings.feed_cache import feed_cache
from kiosk_server.live.sweeper import sweep
from kiosk_server.places.models import Site
from kiosk_server.timeutil import utcnow
from tests.factories import World, listing_input, make_registration
from tests.helpers import Screen, StaffClient, enrol_kiosk, qr_encodes


def _feed(client: FlaskClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/feed", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def _titles(feed: dict[str, Any]) -> set[str]:
    return {item["title"] for item in feed["items"]}


def _job(
    title: str, target_id: int, job: dict[str, Any] | None = None, **top: Any
) -> dict[str, Any]:
    """A full-time job body; `job` adds to the job block, `top` replaces top-level keys."""
    block = {"employer": "幸福食堂", "category": "full_time", **(job or {})}
    return listing_input("job", target_id=target_id, title=title, job=block, **top)


# The place tree and sites


def _shape(nodes: list[dict[str, Any]]) -> list[Any]:
    return [(node["name"], node["level"], _shape(node["children"])) for node in nodes]


def test_place_tree_nests_city_district_street_community(client: FlaskClient, world: World) -> None:
    places = client.get("/api/places").json["places"]

    assert _shape(places) == [
        (
            "青岛市",
            "city",
            [
                (
                    "黄岛区",
                    "district",
                    [
                        (
                            "黄岛街道",
                            "street",
                            [("九曲河社区", "community", []), ("前湾社区", "community", [])],
                        ),
                        ("珠海街道", "street", [("复兴社区", "community", [])]),
                    ],
                ),
                (
                    "市北区",
                    "district",
                    [
                        (
                            "台东街道",
                            "street",
                            [("台东一路社区", "community", []), ("威海路社区", "community", [])],
                        )
                    ],
                ),
            ],
        )
    ]
    jiuquhe = places[0]["children"][0]["children"][0]["children"][0]
    assert jiuquhe["id"] == world.jiuquhe.id


def test_sites_filter_by_community_and_kind(client: FlaskClient, world: World) -> None:
    kiosk = Site(community=world.jiuquhe, kind="kiosk", name="九曲河随享亭", address="九曲河路口")
    db.session.add(kiosk)
    db.session.commit()

    def names(**params: Any) -> list[str]:
        response = client.get("/api/sites", query_string=params)
        assert response.status_code == 200, response.json
        return [site["name"] for site in response.json["sites"]]

    station, factory = world.station.name, world.factory.name
    assert names() == [station, factory, "九曲河随享亭"]
    assert names(community_id=world.jiuquhe.id) == [station, "九曲河随享亭"]
    assert names(kind="kiosk") == ["九曲河随享亭"]
    assert names(community_id=world.fuxing.id, kind="micro_factory") == [factory]
    assert names(community_id=world.jiuquhe.id, kind="micro_factory") == []
    assert names(community_id=world.taidong1.id) == []

    assert client.get("/api/sites?community_id=999999").status_code == 404
    # A street is not a community: a screen must pick the level it lives at.
    street = client.get(f"/api/sites?community_id={world.huangdao_street.id}")
    assert street.status_code == 422


# What the feed shows


def test_a_community_sees_its_own_street_district_and_city_listings_only(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    for place in (
        world.jiuquhe,
        world.huangdao_street,
        world.huangdao,
        world.city,
        world.qianwan,  # sibling community
        world.zhuhai_street,  # sibling street
        world.fuxing,  # community under the sibling street
        world.shibei,  # the other district
        world.taidong1,
    ):
        admin.publish(_job(f"发往{place.name}", place.id))

    feed = _feed(client, community_id=world.jiuquhe.id)

    assert _titles(feed) == {"发往九曲河社区", "发往黄岛街道", "发往黄岛区", "发往青岛市"}
    assert feed["total"] == 4
    assert feed["community"] == {"id": world.jiuquhe.id, "name": "九曲河社区"}
    assert feed["scope"] == [
        world.city.id,
        world.huangdao.id,
        world.huangdao_street.id,
        world.jiuquhe.id,
    ]
    other = _feed(client, community_id=world.taidong2.id)
    assert _titles(other) == {"发往青岛市", "发往市北区"}


def test_a_site_sees_what_its_community_sees(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    for place in (world.jiuquhe, world.huangdao_street, world.qianwan, world.fuxing):
        admin.publish(_job(f"发往{place.name}", place.id))

    by_site = _feed(client, site_id=world.station.id)
    by_community = _feed(client, community_id=world.jiuquhe.id)

    assert by_site["items"] == by_community["items"]
    assert by_site["community"]["id"] == world.jiuquhe.id
    assert _titles(by_site) == {"发往九曲河社区", "发往黄岛街道"}
    assert client.get("/api/feed?site_id=999999").status_code == 404


def test_feed_filters_by_kind_category_and_pay_unit(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    place = world.jiuquhe.id
    admin.publish(_job("保洁员", place, {"pay": {"min": 3000, "max": 3500, "unit": "month"}}))
    admin.publish(
        _job("妈妈岗收银", place, {"category": "mom_friendly", "pay": {"min": 18, "unit": "hour"}})
    )
    admin.publish(
        _job(
            "粉扑包装",
            place,
            {"category": "piece_rate", "pay": {"min": 0.2, "unit": "piece", "piece": "个"}},
        )
    )
    for kind in ("training", "subsidy", "event"):
        admin.publish(listing_input(kind, target_id=place))

    def titles(**params: Any) -> set[str]:
        return _titles(_feed(client, community_id=place, **params))

    assert titles(kind="training") == {"电商直播微技能培训"}
    assert titles(kind="subsidy") == {"一次性创业补贴"}
    assert titles(kind="event") == {"星光招聘夜市"}
    assert titles(kind="job") == {"保洁员", "妈妈岗收银", "粉扑包装"}
    assert titles(category="mom_friendly") == {"妈妈岗收银"}
    assert titles(category="piece_rate") == {"粉扑包装"}
    assert titles(pay_unit="month") == {"保洁员"}
    assert titles(pay_unit="day") == set()
    assert titles(kind="job", pay_unit="hour", category="mom_friendly") == {"妈妈岗收银"}
    assert titles(kind="training", category="mom_friendly") == set()
    assert client.get(f"/api/feed?community_id={place}&kind=house").status_code == 422


def test_search_finds_chinese_text_in_title_summary_and_employer_not_the_body(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    place = world.jiuquhe.id
    admin.publish(_job("后厨帮工", place, {"employer": "幸福食堂"}))
    admin.publish(
        listing_input(
            "job", target_id=place, title="快递分拣", summary="京东快递驿站，离家近", body="早班"
        )
    )
    admin.publish(
        listing_input(
            "job",
            target_id=place,
            title="保洁",
            summary="",
            body="每小时25元，负责红色物业小区楼道",
        )
    )
    admin.publish(listing_input("subsidy", target_id=place))

    def titles(q: str) -> set[str]:
        return _titles(_feed(client, community_id=place, q=q))

    assert titles("帮工") == {"后厨帮工"}  # title
    assert titles("驿站") == {"快递分拣"}  # summary
    # The body's words are not searched: a short word there matches by accident.
    assert titles("红色物业") == set()
    assert titles("25") == {"保洁"}  # 保洁's keys, not the body's 25元
    assert titles("食堂") == {"后厨帮工"}  # employer
    assert titles("创业补贴") == {"一次性创业补贴"}
    assert titles("夜市") == set()


def test_search_ignores_the_case_of_latin_letters(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    # 社区夜校 courses are named "AI", "PS"; people type them on a kiosk in lower case.
    place = world.jiuquhe.id
    admin.publish(listing_input("training", target_id=place, title="AI绘画入门（社区夜校）"))
    admin.publish(_job("Excel文员", place))

    def titles(q: str) -> set[str]:
        return _titles(_feed(client, community_id=place, q=q))

    assert titles("ai") == {"AI绘画入门（社区夜校）"}
    assert titles("AI") == {"AI绘画入门（社区夜校）"}
    assert titles("EXCEL") == {"Excel文员"}


def test_search_takes_percent_and_underscore_literally(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    place = world.jiuquhe.id
    admin.publish(_job("好评率100%的家政", place))
    admin.publish(_job("编号A_1 绿化", place))
    admin.publish(_job("编号AB1 保洁", place))
    admin.publish(_job("反斜杠\\岗位", place))

    def titles(q: str) -> set[str]:
        return _titles(_feed(client, community_id=place, q=q))

    assert titles("%") == {"好评率100%的家政"}
    assert titles("100%") == {"好评率100%的家政"}
    assert titles("_") == {"编号A_1 绿化"}
    assert titles("A_1") == {"编号A_1 绿化"}
    assert titles("\\") == {"反斜杠\\岗位"}


def test_free_filter_picks_free_or_paid_trainings(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    place = world.jiuquhe.id
    free = listing_input("training", target_id=place, title="电商直播（免费）")
    paid = listing_input("training", target_id=place, title="育婴师（自费）")
    paid["training"] = {**paid["training"], "fee": 380}
    admin.publish(free)
    admin.publish(paid)
    admin.publish(_job("保洁员", place))

    assert _titles(_feed(client, community_id=place, free="true")) == {"电商直播（免费）"}
    assert _titles(_feed(client, community_id=place, free="false")) == {"育婴师（自费）"}
    assert len(_feed(client, community_id=place)["items"]) == 3


def test_feed_pages_newest_first(client: FlaskClient, world: World, admin: StaffClient) -> None:
    place = world.jiuquhe.id
    for n in range(1, 6):
        admin.publish(_job(f"第{n}条", place))

    pages = [_feed(client, community_id=place, per_page=2, page=page) for page in (1, 2, 3, 4)]

    assert [[item["title"] for item in page["items"]] for page in pages] == [
        ["第5条", "第4条"],
        ["第3条", "第2条"],
        ["第1条"],
        [],
    ]
    assert {(page["page"], page["per_page"], page["total"]) for page in pages} == {
        (1, 2, 5),
        (2, 2, 5),
        (3, 2, 5),
        (4, 2, 5),
    }
    default = _feed(client, community_id=place)
    assert (default["page"], default["per_page"], len(default["items"])) == (1, 20, 5)


def test_drafts_scheduled_withdrawn_and_expired_listings_stay_out_of_the_feed(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    place = world.jiuquhe.id
    far = (utcnow() + timedelta(days=90)).isoformat()
    admin.publish(_job("在招", place, valid_until=far))
    admin.create(_job("草稿", place))
    scheduled = admin.create(_job("明天发布", place, valid_until=far))
    at = (utcnow() + timedelta(days=1)).isoformat()
    response = admin.post(f"/admin/api/listings/{scheduled['id']}/publish", json={"at": at})
    assert response.status_code == 200
    assert response.json["status"] == "scheduled"
    withdrawn = admin.publish(_job("已下架", place, valid_until=far))
    admin.post(f"/admin/api/listings/{withdrawn['id']}/withdraw")
    admin.publish(_job("三十天后过期", place))
    assert _titles(_feed(client, community_id=place)) == {"在招", "三十天后过期"}

    # A month on, the sweep has started the scheduled one and expired the short one.
    sweep(utcnow() + timedelta(days=31))

    assert _titles(_feed(client, community_id=place)) == {"在招", "明天发布"}


# ETag


def test_unchanged_feed_answers_304_without_a_body(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    admin.publish(_job("保洁员", world.jiuquhe.id))
    url = f"/api/feed?community_id={world.jiuquhe.id}"
    first = client.get(url)
    etag = first.headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    # Another query is another answer, even with nothing changed.
    other = client.get(url + "&kind=job", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["ETag"] != etag


@pytest.mark.parametrize("answer", ["feed", "home", "listing"])
def test_a_screen_holding_an_older_servers_answer_gets_the_new_format(
    app: Flask,
    client: FlaskClient,
    world: World,
    admin: StaffClient,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
) -> None:
    """An upgrade that changes what an answer holds (a listing's facts) reaches a
    screen whose copy still matches the data it was made from."""
    written = admin.publish(_job("保洁员", world.jiuquhe.id))
    place = f"community_id={world.jiuquhe.id}"
    url = {
        "feed": f"/api/feed?{place}",
        "home": f"/api/home?{place}",
        "listing": f"/api/listings/{written['id']}",
    }[answer]
    monkeypatch.setattr(views, "PUBLIC_FORMAT", views.PUBLIC_FORMAT - 1)
    older = client.get(url).headers["ETag"]
    monkeypatch.undo()
    feed_cache(app).clear()  # what a restarted process holds: nothing

    upgraded = client.get(url, headers={"If-None-Match": older})

    assert upgraded.status_code == 200
    assert upgraded.headers["ETag"] != older


def test_feed_etag_changes_with_every_change_in_scope_and_only_then(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    url = f"/api/feed?community_id={world.jiuquhe.id}"
    etag = client.get(url).headers["ETag"]

    def changed() -> dict[str, Any] | None:
        """The new feed if the old ETag no longer holds, else None."""
        nonlocal etag
        response = client.get(url, headers={"If-None-Match": etag})
        if response.status_code == 304:
            return None
        assert response.status_code == 200
        assert response.headers["ETag"] != etag
        etag = response.headers["ETag"]
        return response.json

    # Elsewhere: a sibling community, a sibling street, the other district.
    for place in (world.qianwan, world.zhuhai_street, world.shibei):
        admin.publish(_job(f"发往{place.name}", place.id))
    assert changed() is None

    listing = admin.publish(_job("街道岗位", world.huangdao_street.id))
    feed = changed()
    assert feed is not None and _titles(feed) == {"街道岗位"}
    assert changed() is None

    body = _job("街道岗位（已调薪）", world.huangdao_street.id, version=listing["version"])
    assert admin.put(f"/admin/api/listings/{listing['id']}", json=body).status_code == 200
    feed = changed()
    assert feed is not None and _titles(feed) == {"街道岗位（已调薪）"}

    admin.post(f"/admin/api/listings/{listing['id']}/withdraw")
    feed = changed()
    assert feed is not None and feed["items"] == []

    until = (utcnow() + timedelta(hours=3)).isoformat()
    banner = {"text": "今晚7点 星光招聘夜市", "target_id": world.city.id, "valid_until": until}
    assert admin.post("/admin/api/announcements", json=banner).status_code == 201
    feed = changed()
    assert feed is not None
    assert [item["text"] for item in feed["announcements"]] == ["今晚7点 星光招聘夜市"]


# One listing


def test_listing_detail_shows_live_and_gone_listings_but_not_drafts(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    live = admin.publish(_job("在招", world.jiuquhe.id))
    gone = admin.publish(_job("已下架", world.jiuquhe.id))
    admin.post(f"/admin/api/listings/{gone['id']}/withdraw")
    draft = admin.create(_job("草稿", world.jiuquhe.id))
    scheduled = admin.create(_job("待发布", world.jiuquhe.id))
    at = (utcnow() + timedelta(days=1)).isoformat()
    admin.post(f"/admin/api/listings/{scheduled['id']}/publish", json={"at": at})

    shown = client.get(f"/api/listings/{live['id']}")
    assert shown.status_code == 200
    assert (shown.json["title"], shown.json["status"]) == ("在招", "published")
    assert shown.json["job"]["pay"]["text"] == "面议"

    withdrawn = client.get(f"/api/listings/{gone['id']}")
    assert withdrawn.status_code == 200
    assert withdrawn.json["status"] == "withdrawn"

    for hidden in (draft["id"], scheduled["id"], 999999, 2**31, 2**40):
        response = client.get(f"/api/listings/{hidden}")
        assert response.status_code == 404, hidden
        assert response.json["error"]["code"] == "not_found"


def test_listing_detail_etag_holds_until_the_listing_changes(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    listing = admin.publish(_job("保洁员", world.jiuquhe.id))
    url = f"/api/listings/{listing['id']}"
    etag = client.get(url).headers["ETag"]

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    body = _job("保洁员（已调薪）", world.jiuquhe.id, version=listing["version"])
    assert admin.put(url.replace("/api/", "/admin/api/"), json=body).status_code == 200
    edited = client.get(url, headers={"If-None-Match": etag})
    assert (edited.status_code, edited.json["title"]) == (200, "保洁员（已调薪）")

    withdrawn_etag = edited.headers["ETag"]
    admin.post(f"/admin/api/listings/{listing['id']}/withdraw")
    gone = client.get(url, headers={"If-None-Match": withdrawn_etag})
    assert (gone.status_code, gone.json["status"]) == (200, "withdrawn")


# QR code


def test_qr_code_is_a_png_that_opens_the_phone_page(
    app: Flask, client: FlaskClient, world: World, admin: StaffClient
) -> None:
    listing = admin.publish(_job("保洁员", world.jiuquhe.id))
    app.config["PUBLIC_BASE_URL"] = "https://jiuye.example.cn"
    try:
        response = client.get(f"/api/listings/{listing['id']}/qr.png")
    finally:
        app.config["PUBLIC_BASE_URL"] = ""

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG"
    # Big enough to scan from a TV across a room, small enough for old set-top boxes.
    assert image.size[0] == image.size[1]
    assert 150 <= image.size[0] <= 1000
    assert qr_encodes(response.data, f"https://jiuye.example.cn/l/{listing['id']}")
    assert not qr_encodes(response.data, f"https://jiuye.example.cn/l/{listing['id'] + 1}")


def test_qr_code_without_a_public_base_url_points_at_this_server(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    listing = admin.publish(_job("保洁员", world.jiuquhe.id))
    response = client.get(f"/api/listings/{listing['id']}/qr.png")
    assert qr_encodes(response.data, f"http://localhost/l/{listing['id']}")


def test_no_qr_code_for_a_draft(client: FlaskClient, world: World, admin: StaffClient) -> None:
    draft = admin.create(_job("草稿", world.jiuquhe.id))
    assert client.get(f"/api/listings/{draft['id']}/qr.png").status_code == 404


# OpenAPI


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_document_is_valid_and_describes_every_json_route(
    app: Flask, client: FlaskClient
) -> None:
    document = client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.1")
    validate(document)

    served = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/api/", "/admin/api/"))
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    described = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "put", "post", "delete", "patch"}
    }
    assert served  # the comparison below means nothing without routes
    assert served - described == set(), "routes missing from the OpenAPI document"
    assert described - served == set(), "the OpenAPI document describes routes that do not exist"
    for path, operations in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, operation in operations.items():
            given = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert given == names, (path, method)


def test_every_refusal_of_a_json_body_is_documented(
    app: Flask, world: World, admin: StaffClient
) -> None:
    """Not JSON (415), broken JSON (400) and a body over the limit (413) can reach every
    operation that reads a JSON body, so each one lists them."""
    document = admin.get("/api/openapi.json").json
    ids = {
        "listing_id": admin.create(_job("保洁员", world.jiuquhe.id))["id"],
        "registration_id": make_registration(world.jiuquhe).id,
        "staff_id": world.station_staff.id,
    }
    kiosk = enrol_kiosk(app, admin, world.station.id)
    tv = Screen(app, world.jiuquhe.id).token
    too_big = "x" * app.config["MAX_CONTENT_LENGTH"]
    sends = {
        415: {"data": "{}", "content_type": "text/plain"},
        400: {"data": "{", "content_type": "application/json"},
        413: {"json": {"note": too_big}},
    }
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                continue
            url = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)
            token = tv if path.endswith("/callback") else kiosk
            for status, body in sends.items():
                headers = {"X-Screen-Token": token, "X-CSRFToken": admin.csrf}
                reply = admin.http.open(url, method=method.upper(), headers=headers, **body)
                assert reply.status_code == status, (method, path, reply.status_code)
                assert str(status) in operation["responses"], (method, path, status)
                checked += 1
    assert checked >= 3 * 12
