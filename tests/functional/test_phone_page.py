"""The phone page a QR code opens: the listing in full, a call button, schema.org JSON-LD."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient

from kiosk_server.live.sweeper import sweep
from kiosk_server.timeutil import utcnow
from tests.factories import World, listing_input
from tests.helpers import StaffClient

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


class _Tags(HTMLParser):
    """The start tags of a page with their attributes, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _page(client: FlaskClient, listing_id: int, status: int = 200) -> str:
    response = client.get(f"/l/{listing_id}")
    assert response.status_code == status
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def _jsonld(html: str) -> dict[str, Any]:
    [block] = LD_JSON.findall(html)
    return json.loads(block)


def _calls(html: str) -> list[str]:
    return [
        attrs["href"] or ""
        for tag, attrs in _tags(html)
        if tag == "a" and (attrs.get("href") or "").startswith("tel:")
    ]


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


def test_phone_page_shows_the_job_in_full_with_a_call_button(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    body = listing_input(
        "job",
        target_id=world.jiuquhe.id,
        title="幸福食堂后厨帮工",
        summary="离家近，管午饭",
        body="负责洗菜、切配。\n每周休一天。",
        site_id=world.station.id,
        contact={"name": "王老师", "phone": "0532-8688 1234"},
        job={
            "employer": "九曲河幸福食堂",
            "category": "mom_friendly",
            "pay": {"min": 3000, "max": 4000, "unit": "month"},
            "work_hours": "9:00–14:00",
            "openings": 3,
            "requirements": "有健康证",
        },
    )
    listing = admin.publish(body)

    html = _page(client, listing["id"])

    assert re.search(r'<html lang="zh-CN"', html)
    for text in (
        "幸福食堂后厨帮工",
        "月薪3000–4000元",
        "离家近，管午饭",
        "负责洗菜、切配。\n每周休一天。",
        "九曲河幸福食堂",
        "妈妈岗",
        "9:00–14:00",
        "<dd>3人</dd>",
        "有健康证",
        world.station.name,
        "黄岛区九曲河路12号",
        "王老师",
    ):
        assert text in html, text
    assert _calls(html) == ["tel:053286881234"]
    assert "已下架" not in html


@pytest.mark.parametrize(
    ("ages", "shown", "not_shown"),
    [
        ({"age_min": 40, "age_max": 55}, "40–55岁", None),
        # "4050" posts: women over 40, with no upper limit.
        ({"age_min": 40}, "40岁以上", "40–岁"),
        ({"age_max": 50}, "50岁以下", "16–50岁"),
    ],
)
def test_age_limits_read_naturally(
    client: FlaskClient,
    world: World,
    admin: StaffClient,
    ages: dict[str, int],
    shown: str,
    not_shown: str | None,
) -> None:
    body = listing_input("job", target_id=world.jiuquhe.id)
    body["job"] = {**body["job"], **ages}
    html = _page(client, admin.publish(body)["id"])
    assert shown in html
    if not_shown:
        assert not_shown not in html


def test_job_posting_json_ld(client: FlaskClient, world: World, admin: StaffClient) -> None:
    body = listing_input(
        "job",
        target_id=world.jiuquhe.id,
        site_id=world.station.id,
        job={
            "employer": "红色物业",
            "category": "full_time",
            "pay": {"min": 3000, "max": 4000, "unit": "month"},
        },
    )
    listing = admin.publish(body)

    data = _jsonld(_page(client, listing["id"]))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "JobPosting"
    assert data["title"] == listing["title"]
    assert _moment(data["datePosted"]) == _moment(listing["published_at"])
    assert _moment(data["validThrough"]) == _moment(listing["valid_until"])
    assert data["hiringOrganization"]["name"] == "红色物业"
    assert data["employmentType"] == "FULL_TIME"
    salary = data["baseSalary"]
    assert salary["currency"] == "CNY"
    assert salary["value"]["unitText"] == "MONTH"
    assert (salary["value"]["minValue"], salary["value"]["maxValue"]) == (3000, 4000)
    assert data["jobLocation"]["address"]["streetAddress"] == "黄岛区九曲河路12号"
    assert data["url"].endswith(f"/l/{listing['id']}")


def test_course_json_ld(client: FlaskClient, world: World, admin: StaffClient) -> None:
    listing = admin.publish(listing_input("training", target_id=world.jiuquhe.id))

    data = _jsonld(_page(client, listing["id"]))

    assert data["@type"] == "Course"
    assert data["name"] == "电商直播微技能培训"
    assert data["provider"]["name"] == "黄岛街道社区夜校"
    [session] = listing["training"]["sessions"]
    [instance] = data["hasCourseInstance"]
    assert instance["@type"] == "CourseInstance"
    assert _moment(instance["startDate"]) == _moment(session["starts_at"])
    assert instance["location"]["name"] == "九曲河社区党群服务中心三楼"
    assert data["offers"]["price"] == 0


def test_government_service_json_ld(client: FlaskClient, world: World, admin: StaffClient) -> None:
    listing = admin.publish(listing_input("subsidy", target_id=world.huangdao.id))

    data = _jsonld(_page(client, listing["id"]))

    assert data["@type"] == "GovernmentService"
    assert data["name"] == "一次性创业补贴"
    assert data["areaServed"]["name"] == "黄岛区"
    assert "首次创办小微企业" in data["audience"]["audienceType"]


def test_event_json_ld(client: FlaskClient, world: World, admin: StaffClient) -> None:
    listing = admin.publish(
        listing_input("event", target_id=world.jiuquhe.id, site_id=world.station.id)
    )

    data = _jsonld(_page(client, listing["id"]))

    assert data["@type"] == "Event"
    assert _moment(data["startDate"]) == _moment(listing["event"]["starts_at"])
    assert _moment(data["endDate"]) == _moment(listing["event"]["ends_at"])
    assert data["location"]["name"] == world.station.name
    assert data["location"]["address"]["streetAddress"] == "黄岛区九曲河路12号"


def test_event_without_a_site_is_located_in_its_target_area(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    # schema.org Event and JobPosting need a location; the area is better than none.
    event = admin.publish(listing_input("event", target_id=world.huangdao_street.id))
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))

    assert _jsonld(_page(client, event["id"]))["location"]["name"] == "黄岛街道"
    assert _jsonld(_page(client, job["id"]))["jobLocation"]["name"] == "九曲河社区"


@pytest.mark.parametrize("how", ["withdrawn", "expired"])
def test_a_gone_listing_says_so_and_offers_no_call(
    client: FlaskClient, world: World, admin: StaffClient, how: str
) -> None:
    listing = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    assert _calls(_page(client, listing["id"])) != []
    if how == "withdrawn":
        admin.post(f"/admin/api/listings/{listing['id']}/withdraw")
    else:
        sweep(utcnow() + timedelta(days=31))

    html = _page(client, listing["id"])

    assert "已下架" in html
    assert listing["title"] in html
    assert _calls(html) == []
    # Search engines should drop a posting that can no longer be answered.
    assert LD_JSON.findall(html) == []


@pytest.mark.parametrize("which", ["draft", "scheduled", "unknown", "huge"])
def test_unpublished_and_unknown_ids_get_the_not_found_page(
    client: FlaskClient, world: World, admin: StaffClient, which: str
) -> None:
    draft = admin.create(listing_input("job", target_id=world.jiuquhe.id, title="还在写的草稿"))
    later = admin.create(listing_input("job", target_id=world.jiuquhe.id, title="明天才发布"))
    at = (utcnow() + timedelta(days=1)).isoformat()
    assert (
        admin.post(f"/admin/api/listings/{later['id']}/publish", json={"at": at}).status_code == 200
    )
    listing_id = {
        "draft": draft["id"],
        "scheduled": later["id"],
        "unknown": 999999,
        "huge": 2**40,
    }[which]

    html = _page(client, listing_id, status=404)

    assert "没有找到这条信息" in html
    assert "还在写的草稿" not in html and "明天才发布" not in html
    assert re.search(r'<html lang="zh-CN"', html)


def test_listing_text_is_shown_as_text_never_run_as_markup(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    attack = "<script>alert(1)</script>"
    body = listing_input(
        "job",
        target_id=world.jiuquhe.id,
        title=f"保洁{attack}",
        summary=f'"><img src=x onerror=alert(2)>{attack}',
        body=f"详情{attack}",
        contact={"name": f"王{attack}"[:40], "phone": "0532-86880000"},
        job={"employer": f"物业{attack}", "category": "full_time"},
    )
    listing = admin.publish(body)

    html = _page(client, listing["id"])

    tags = _tags(html)
    assert [attrs.get("type") for tag, attrs in tags if tag == "script"] == ["application/ld+json"]
    assert not any(tag == "img" for tag, _ in tags)
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    assert attack not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The one script block ends at its own closing tag, not at one the listing wrote.
    assert html.count("</script>") == 1
    data = _jsonld(html)
    assert data["title"] == f"保洁{attack}"
    assert data["hiringOrganization"]["name"] == f"物业{attack}"


@pytest.mark.parametrize("kind", ["job", "training", "subsidy", "event"])
def test_the_phone_page_lists_the_facts_the_screens_are_sent(
    client: FlaskClient, world: World, admin: StaffClient, kind: str
) -> None:
    listing = admin.publish(
        listing_input(kind, target_id=world.jiuquhe.id, site_id=world.station.id)
    )
    sent = client.get(f"/api/listings/{listing['id']}").json["facts"]

    html = _page(client, listing["id"])

    [facts] = re.findall(r'<dl class="facts">(.*?)</dl>', html, re.S)
    rows = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", facts)
    assert rows == [(fact["label"], fact["value"]) for fact in sent]
    assert ("地点", f"{world.station.name}（{world.station.address}）") in rows
