"""The kiosk at city scale (issue #21), touch only: more than 10,000 listings in the
station's scope, every one within reach, with true counts, search on the server
through the pinyin keyboard, the jobs nearest the station first, and live changes
that move nobody."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing, ListingStatus
from tests.browser.conftest import Site, screenshot, serve_world
from tests.browser.test_kiosk import (
    SETTLED_LIST,
    SIZES,
    Kiosk,
    enrol,
    list_cards,
    start_at_home,
)
from tests.browser.test_tv_city_scale import COPIES, _grow
from tests.factories import listing_input

# The old design held at most the newest 5,000 listings in the browser.
OLD_CAP = 5_000
SCOPE = ("jiuquhe", "huangdao_street", "huangdao", "city")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serve_world(tmp_path_factory.mktemp("kiosk-city"), _grow) as served:
        yield served


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def kiosk(browser: Browser, city: Site, request: pytest.FixtureRequest) -> Iterator[Kiosk]:
    found = enrol(browser, city, request.param)
    yield found
    errors = found.page.errors  # type: ignore[attr-defined]
    found.page.context.close()
    assert errors == [], errors


def _published_in_scope(city: Site, *where: Any) -> list[Any]:
    scope = [city.ids[name] for name in SCOPE]
    return [Listing.status == ListingStatus.PUBLISHED, Listing.target_id.in_(scope), *where]


def _counts(city: Site) -> dict[str, int]:
    with city.app.app_context():
        rows = db.session.execute(
            select(Listing.kind, func.count())
            .where(*_published_in_scope(city))
            .group_by(Listing.kind)
        ).all()
        db.session.remove()
    return {kind: int(count) for kind, count in rows}


def test_the_home_counts_are_the_databases(kiosk: Kiosk, city: Site) -> None:
    counts = _counts(city)
    assert sum(counts.values()) > COPIES
    start_at_home(kiosk)
    for kind, name in (
        ("job", "找工作"),
        ("training", "学技能"),
        ("subsidy", "补贴政策"),
        ("event", "招聘活动"),
    ):
        tile = kiosk.page.locator(".tile", has=kiosk.page.locator(".tile-name", has_text=name))
        expect(tile.locator(".tile-count")).to_have_text(f"{counts.get(kind, 0)}条")
    screenshot(kiosk.page, "kiosk-city-home")
    kiosk.tile("找工作")
    expect(kiosk.page.locator(".lead")).to_contain_text(f"共{counts['job']}条")
    expect(kiosk.page.locator(".card").first).to_be_visible()
    shown = kiosk.page.locator(".card").count()
    pages = -(-counts["job"] // shown)
    expect(kiosk.page.locator(".pager-where")).to_have_text(f"第1页，共{pages}页")
    kiosk.tap("下一页")
    expect(kiosk.page.locator(".pager-where")).to_have_text(f"第2页，共{pages}页")
    expect(kiosk.page.locator(".card")).to_have_count(shown)
    box = kiosk.page.get_by_role("button", name="下一页", exact=True).bounding_box()
    viewport = kiosk.page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] + box["height"] <= viewport["height"]


def test_a_search_for_bao_jie_counts_listings_beyond_the_first_five_thousand(
    kiosk: Kiosk, city: Site
) -> None:
    with city.app.app_context():
        titles = db.session.scalars(
            select(Listing.title)
            .where(*_published_in_scope(city))
            .order_by(Listing.published_at.desc(), Listing.id.desc())
        ).all()
        db.session.remove()
    cleaning = [number for number, title in enumerate(titles) if "保洁" in title]
    # Some of them lie past what the old design kept.
    assert cleaning and cleaning[-1] >= OLD_CAP
    answer = requests.get(
        f"{city.server.url}/api/feed",
        params={"site_id": city.ids["station"], "q": "保洁", "per_page": 1},
        timeout=10,
    ).json()
    assert answer["total"] >= len(cleaning)
    start_at_home(kiosk)
    kiosk.tap("搜索")
    kiosk.pinyin("bao", "保")
    kiosk.pinyin("jie", "洁")
    results = kiosk.page.locator(".search-results")
    expect(results.locator(".lead")).to_have_text(f"找到{answer['total']}条")
    expect(results.locator(".card").first).to_contain_text("保洁")
    screenshot(kiosk.page, "kiosk-city-search")
    kiosk.tap(f"查看全部{answer['total']}条")
    expect(kiosk.page.locator(".heading .lead")).to_contain_text(f"共{answer['total']}条")
    expect(kiosk.page.locator(".card").first).to_contain_text("保洁")


def test_jobs_come_nearest_the_station_first(kiosk: Kiosk, city: Site) -> None:
    station = city.ids["station"]
    with city.app.app_context():
        own = set(
            db.session.scalars(
                select(Listing.title).where(
                    *_published_in_scope(city), Listing.kind == "job", Listing.site_id == station
                )
            ).all()
        )
        db.session.remove()
    assert "家政保洁（计件）" in own
    start_at_home(kiosk)
    kiosk.tile("找工作")
    expect(kiosk.page.locator(".lead")).to_contain_text("离本站近的在前")
    first = kiosk.page.locator(".card").first
    expect(first).to_be_visible()
    text = first.inner_text()
    assert any(name in text for name in own), (text, own)
    screenshot(kiosk.page, "kiosk-city-nearest")
    kiosk.tap("新发布的在前")
    expect(kiosk.page.locator(".lead")).to_contain_text("新发布的在前")


def test_a_start_asks_for_what_is_shown_not_the_whole_scope(browser: Browser, city: Site) -> None:
    """Restarted, the kiosk asks for the home answer and the first page of each
    kind (for its offline copy), a few small answers, not its 10,000 listings."""
    kiosk = enrol(browser, city, SIZES[0])
    page = kiosk.page
    asked: list[tuple[str, int]] = []

    def note(response: Any) -> None:
        if "/api/feed" in response.url or "/api/home" in response.url:
            asked.append((response.url, len(response.body()) if response.status == 200 else 0))

    page.on("response", note)
    page.reload()
    expect(page.locator(".slide-title")).not_to_be_empty()
    page.wait_for_function(
        "() => { const c = JSON.parse(localStorage.getItem('jxj.kiosk.copy') || '{}');"
        " return c.pageOrder && c.pageOrder.length >= 4; }",
        timeout=20_000,
    )
    start_at_home(kiosk)
    feeds = [url for url, _ in asked if "/api/feed" in url]
    assert len(asked) <= 10, asked
    assert all("per_page=4" in url for url in feeds), feeds
    assert sum(size for _, size in asked) < 150_000, asked
    kept = page.evaluate("() => (localStorage.getItem('jxj.kiosk.copy') || '').length")
    assert kept < 200_000
    page.context.close()


def test_live_changes_on_a_list_page_move_no_card(kiosk: Kiosk, city: Site) -> None:
    """Jobs nearest the station first: one published there now would come first,
    so it waits behind the notice; one withdrawn stays where it was, 已下架."""
    staff = city.staff()
    size = kiosk.page.viewport_size
    tag = f"{size['width']}x{size['height']}" if size else ""
    station = {"target_id": city.ids["jiuquhe"], "site_id": city.ids["station"]}
    doomed = staff.publish(listing_input("job", title=f"马上下架的计件活{tag}", **station))
    start_at_home(kiosk)
    kiosk.tile("找工作")
    kiosk.page.wait_for_function(SETTLED_LIST)
    lead = kiosk.page.locator(".heading .lead")
    total = _counts(city)["job"]
    expect(lead).to_contain_text(f"共{total}条")
    before = list_cards(kiosk)
    assert str(doomed["id"]) in [listing for listing, _ in before]

    fresh = f"刚发布的计件活{tag}"
    staff.publish(listing_input("job", title=fresh, **station))
    notice = kiosk.page.get_by_role("button", name="有1条新信息，点这里查看")
    expect(notice).to_be_visible()
    assert list_cards(kiosk) == before
    expect(kiosk.page.locator(".card", has_text=fresh)).to_have_count(0)
    expect(lead).to_contain_text(f"共{total}条")  # the new one is not on the list yet

    staff.post(f"/admin/api/listings/{doomed['id']}/withdraw", {})
    gone = kiosk.page.locator(f".screen .card[data-listing='{doomed['id']}']")
    expect(gone).to_contain_text("已下架")
    expect(lead).to_contain_text(f"共{total - 1}条")
    assert list_cards(kiosk) == before
    expect(notice).to_be_visible()
    screenshot(kiosk.page, "kiosk-city-live")

    gone.tap()
    expect(kiosk.page.locator(".heading .gone")).to_contain_text("已下架")
    expect(kiosk.page.get_by_role("button", name="我要应聘")).to_have_count(0)
    kiosk.tap("‹ 返回")
    expect(gone).to_contain_text("已下架")
    assert list_cards(kiosk) == before

    notice.tap()
    kiosk.expect_heading("新信息")
    expect(kiosk.page.locator(".screen .card").first).to_contain_text(fresh)


def _jobs_in_order(city: Site, count: int) -> list[str]:
    """The ids of the first `count` jobs of the station's list (nearest first), as
    the server orders them now."""
    answer = requests.get(
        f"{city.server.url}/api/feed",
        params={"site_id": city.ids["station"], "kind": "job", "per_page": count},
        timeout=10,
    ).json()
    return [str(item["id"]) for item in answer["items"]]


def _page_shown(kiosk: Kiosk, number: int) -> list[str | None]:
    """The listings on the page the pager says is `number`, once its cards are in."""
    expect(kiosk.page.locator(".pager-where")).to_contain_text(f"第{number}页")
    expect(kiosk.page.locator(".screen .card").first).to_be_visible()
    return [listing for listing, _ in list_cards(kiosk)]


def test_the_next_page_starts_after_the_last_card_shown(kiosk: Kiosk, city: Site) -> None:
    """A listing withdrawn from the page on screen (kept there, 已下架) does not make
    下一页 skip one, nor new ones nearest the station make it show one twice; 上一页
    shows the page as it was."""
    staff = city.staff()
    start_at_home(kiosk)
    kiosk.tile("找工作")
    kiosk.page.wait_for_function(SETTLED_LIST)
    first = _page_shown(kiosk, 1)
    order = _jobs_in_order(city, 4 * len(first))
    assert first == order[: len(first)]

    gone = kiosk.page.locator(f".screen .card[data-listing='{first[1]}']")
    staff.post(f"/admin/api/listings/{first[1]}/withdraw", {})
    expect(gone).to_contain_text("已下架")
    kiosk.tap("下一页")
    second = _page_shown(kiosk, 2)
    assert second == order[len(first) : len(first) + len(second)]

    station = {"target_id": city.ids["jiuquhe"], "site_id": city.ids["station"]}
    size = kiosk.page.viewport_size
    tag = f"{size['width']}x{size['height']}" if size else ""
    for name in ("甲", "乙"):
        staff.publish(listing_input("job", title=f"本站新岗位{name}{tag}", **station))
    expect(kiosk.page.get_by_role("button", name="有2条新信息，点这里查看")).to_be_visible()
    kiosk.tap("下一页")
    third = _page_shown(kiosk, 3)
    shown = len(first) + len(second)
    assert third == order[shown : shown + len(third)]

    kiosk.tap("上一页")
    assert _page_shown(kiosk, 2) == second
    kiosk.tap("上一页")
    assert _page_shown(kiosk, 1) == first
    expect(gone).to_contain_text("已下架")


def test_a_listing_withdrawn_while_home_is_shown_moves_nothing(kiosk: Kiosk, city: Site) -> None:
    """The kiosk's home shows counts, not cards: the newest job withdrawn takes one
    off 找工作 and moves no button."""
    start_at_home(kiosk)
    job = kiosk.page.locator(".tile-job .tile-count")
    jobs = _counts(city)["job"]
    expect(job).to_have_text(f"{jobs}条")
    newest = requests.get(
        f"{city.server.url}/api/home",
        params={"site_id": city.ids["station"], "newest": 1},
        timeout=10,
    ).json()["kinds"]["job"]["newest"][0]
    buttons = kiosk.page.locator(".screen button")
    before = [button.bounding_box() for button in buttons.all()]

    city.staff().post(f"/admin/api/listings/{newest['id']}/withdraw", {})
    expect(job).to_have_text(f"{jobs - 1}条")
    assert _counts(city)["job"] == jobs - 1
    assert [button.bounding_box() for button in buttons.all()] == before
    kiosk.tile("找工作")
    expect(kiosk.page.locator(".heading .lead")).to_contain_text(f"共{jobs - 1}条")
