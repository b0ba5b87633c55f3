"""The kiosk at /kiosk/, touched only: Debian's Chromium with touch events, at the
portrait and landscape sizes of station kiosks, against a real server process."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.registrations.models import Registration
from kiosk_server.timeutil import utcnow
from tests.browser.conftest import Site, axe_violations, screenshot
from tests.browser.facts import phone_facts, screen_facts, shown_listing_id
from tests.factories import listing_input

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
SIZES = [PORTRAIT, LANDSCAPE]


class Kiosk:
    """A person at the kiosk: taps, the pinyin keyboard and the phone keypad."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def tap(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).tap()

    def tile(self, name: str) -> None:
        """The big home tiles, named by their first line."""
        self.page.locator(".tile", has=self.page.locator(".tile-name", has_text=name)).tap()

    def next(self) -> None:
        self.tap("下一步 ›")

    def expect_heading(self, text: str) -> None:
        expect(self.page.locator("h1")).to_have_text(text)

    def pinyin(self, syllable: str, character: str) -> None:
        for letter in syllable:
            self.page.locator(f".hg-button[data-skbtn='{letter}']").tap()
        # Past the first six candidates, people page on with ►, as here.
        wanted = self.page.locator(".hg-candidate-box-list-item", has_text=character)
        for _ in range(10):
            if wanted.count():
                break
            self.page.locator(".hg-candidate-box-next").tap()
        wanted.first.tap()

    def keypad(self, digits: str) -> None:
        for digit in digits:
            self.page.locator(f".keypad [data-key='{digit}']").tap()

    def field_error(self, field: str) -> str:
        return self.page.locator(f"#{field}-error").inner_text()


@pytest.fixture(scope="module")
def listings(site: Site) -> dict[str, dict[str, Any]]:
    """What these tests register for, published through the admin API."""
    staff = site.staff()
    station = site.ids["station"]
    jiuquhe = site.ids["jiuquhe"]
    soon = utcnow() + timedelta(days=5)

    def training(title: str, seats: int) -> dict[str, Any]:
        block = {
            "provider": "黄岛街道社区夜校",
            "fee": 0,
            "sessions": [
                {
                    "starts_at": soon.isoformat(),
                    "ends_at": (soon + timedelta(hours=2)).isoformat(),
                    "seats": seats,
                    "venue": "九曲河社区党群服务中心三楼",
                }
            ],
        }
        return staff.publish(
            listing_input("training", target_id=jiuquhe, title=title, training=block)
        )

    far_mom_job = listing_input(
        "job",
        target_id=jiuquhe,
        title="远处的妈妈岗",
        site_id=site.ids["factory"],
        job={**listing_input("job", target_id=jiuquhe)["job"], "category": "mom_friendly"},
    )
    return {
        "night_school": training("社区夜校：手机短视频剪辑", 30),
        "last_seat": training("育婴员培训（最后一个名额）", 1),
        "far_mom_job": staff.publish(far_mom_job),
        "subsidy": staff.publish(
            listing_input("subsidy", target_id=jiuquhe, site_id=station, title="灵活就业社保补贴")
        ),
    }


def enrol(browser: Browser, site: Site, size: tuple[int, int], query: str = "") -> Kiosk:
    """A new kiosk at the 九曲河 station, enrolled with a code from staff."""
    code = site.staff().post(f"/admin/api/sites/{site.ids['station']}/enrolment-codes", {})["code"]
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    page.goto(f"{site.server.url}/kiosk/{query}")
    kiosk = Kiosk(page)
    kiosk.expect_heading("绑定本机")
    kiosk.keypad(code.replace(" ", ""))
    kiosk.tap("绑定")
    expect(page.locator(".start")).to_be_visible()
    return kiosk


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def kiosk(
    browser: Browser, site: Site, listings: dict[str, Any], request: pytest.FixtureRequest
) -> Iterator[Kiosk]:
    found = enrol(browser, site, request.param)
    yield found
    errors = found.page.errors  # type: ignore[attr-defined]
    found.page.context.close()
    assert errors == [], errors


def registrations(site: Site, **where: Any) -> list[Registration]:
    with site.app.app_context():
        query = select(Registration).filter_by(**where).order_by(Registration.id)
        found = list(db.session.scalars(query))
        db.session.remove()
        return found


def start_at_home(kiosk: Kiosk) -> None:
    kiosk.page.locator(".start").tap()
    kiosk.expect_heading("您好！想找什么？")


def wait_until_kept_for_offline(page: Page) -> None:
    """Until the kiosk holds what it shows without network, as one that has run
    a while does: its pages in the service worker's cache and, kept a few seconds
    after it starts, the home screen and the first page of each kind. A test that
    pulls the network sooner races that save."""
    page.wait_for_function(
        "() => { const c = JSON.parse(localStorage.getItem('jxj.kiosk.copy') || '{}');"
        " return !!navigator.serviceWorker.controller && !!c.pageOrder"
        " && c.pageOrder.length >= 4 && c.homeOrder.length === 1; }",
        timeout=30_000,
    )


def fill_person(
    kiosk: Kiosk,
    name: tuple[str, str],
    mobile: str,
    community: str = "九曲河社区",
    age: str = "40–49岁",
) -> None:
    """The steps every registration asks: name, mobile, community, age band."""
    kiosk.expect_heading("怎么称呼您？")
    kiosk.pinyin(*name)
    kiosk.tap("女士")
    kiosk.next()
    kiosk.expect_heading("您的手机号码")
    kiosk.keypad(mobile)
    kiosk.next()
    kiosk.expect_heading("您住在哪个社区？")
    kiosk.tap(community)
    kiosk.next()
    kiosk.expect_heading("您的年龄段")
    kiosk.tap(age)
    kiosk.next()


def gig_answers(kiosk: Kiosk, trade: str, when: str) -> None:
    """零工登记's own steps: one trade, the nearest service area, one time."""
    kiosk.tap(trade)
    kiosk.next()
    kiosk.page.locator(".choice").first.tap()
    kiosk.next()
    kiosk.tap(when)
    kiosk.next()


def consent(kiosk: Kiosk) -> None:
    kiosk.expect_heading("登记前，请先看一下")
    kiosk.page.get_by_role("checkbox", name=re.compile("同意登记")).tap()
    kiosk.next()


def submit(kiosk: Kiosk) -> str:
    """Submit from the review; returns the reference the kiosk shows."""
    kiosk.expect_heading("请核对，没问题就提交")
    kiosk.tap("提交登记")
    expect(kiosk.page.locator(".reference")).to_be_visible()
    return kiosk.page.locator(".reference").inner_text()


# A list page once it has settled on how many cards fit: its pager counts pages of
# as many cards as it shows.
SETTLED_LIST = """() => {
  const cards = document.querySelectorAll('.screen .card');
  const where = document.querySelector('.pager-where');
  const lead = /共(\\d+)条/.exec(document.querySelector('.heading .lead').textContent);
  return cards.length > 0 && !!where && !!lead &&
    where.textContent === '第1页，共' + Math.ceil(Number(lead[1]) / cards.length) + '页';
}"""


def list_cards(kiosk: Kiosk) -> list[tuple[str | None, Any]]:
    """Each card on a list page: the listing it opens and where it stands."""
    cards = kiosk.page.locator(".screen .card")
    return [(card.get_attribute("data-listing"), card.bounding_box()) for card in cards.all()]


def list_total(kiosk: Kiosk) -> int:
    """The count a list page says it holds: 共N条."""
    lead = kiosk.page.locator(".heading .lead").inner_text()
    return int(re.search(r"共(\d+)条", lead).group(1))  # type: ignore[union-attr]


def open_listing(kiosk: Kiosk, title: str) -> None:
    kiosk.page.locator(".card", has_text=title).first.tap()
    expect(kiosk.page.locator("h1")).to_have_text(title)


# --- Enrolment and refusal --------------------------------------------------


def test_a_wrong_code_is_explained_beside_the_field(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    page = context.new_page()
    page.goto(f"{site.server.url}/kiosk/")
    kiosk = Kiosk(page)
    kiosk.keypad("1234")
    kiosk.tap("绑定")
    assert kiosk.field_error("code") == "请输入8位登记码"
    kiosk.keypad("5678")
    kiosk.tap("绑定")
    expect(page.locator("#code-error")).to_contain_text("登记码不对")
    screenshot(page, "kiosk-enrol-error")
    context.close()


def test_a_revoked_kiosk_asks_for_staff_at_once(browser: Browser, site: Site) -> None:
    kiosk = enrol(browser, site, PORTRAIT)
    screen_id = kiosk.page.evaluate("window.kiosk.app.settings.screen_id")
    site.staff().post(f"/admin/api/screens/{screen_id}/revoke", {})
    kiosk.expect_heading("请联系工作人员")
    screenshot(kiosk.page, "kiosk-revoked")
    kiosk.page.reload()
    kiosk.expect_heading("请联系工作人员")
    kiosk.page.context.close()


def test_an_unknown_token_shows_the_staff_screen_not_a_broken_page(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = context.new_page()
    page.goto(f"{site.server.url}/kiosk/")
    settings = {"token": "made-up", "screen_id": 1, "community_id": site.ids["jiuquhe"]}
    settings["site"] = requests.get(f"{site.server.url}/api/sites/{site.ids['station']}").json()
    page.evaluate("s => localStorage.setItem('jxj.kiosk.screen', JSON.stringify(s))", settings)
    page.reload()
    Kiosk(page).expect_heading("请联系工作人员")
    context.close()


# --- Browsing ---------------------------------------------------------------


def test_attract_loop_shows_public_listings_and_a_touch_opens_home(
    kiosk: Kiosk, site: Site
) -> None:
    slide = kiosk.page.locator(".slide-title")
    expect(slide).not_to_be_empty()
    titles = requests.get(f"{site.server.url}/api/feed?site_id={site.ids['station']}").json()
    assert slide.inner_text() in {item["title"] for item in titles["items"]}
    screenshot(kiosk.page, "kiosk-attract")
    start_at_home(kiosk)
    screenshot(kiosk.page, "kiosk-home")


def test_mom_jobs_come_nearest_the_station_first(kiosk: Kiosk) -> None:
    start_at_home(kiosk)
    kiosk.tap("妈妈岗")
    cards = kiosk.page.locator(".card")
    expect(kiosk.page.locator(".lead")).to_contain_text("离本站近的在前")
    # The station's own canteen first, the factory 4.6 km away after it.
    expect(cards.first).to_contain_text("幸福食堂午餐帮厨")
    expect(cards.filter(has_text="远处的妈妈岗")).to_have_count(1)
    screenshot(kiosk.page, "kiosk-browse-mom-near")
    kiosk.tap("新发布的在前")
    expect(kiosk.page.locator(".lead")).to_contain_text("新发布的在前")
    expect(cards.filter(has_text="幸福食堂午餐帮厨")).to_have_count(1)


def test_detail_says_pay_the_way_there_and_offers_a_qr(kiosk: Kiosk) -> None:
    start_at_home(kiosk)
    kiosk.tile("找工作")
    kiosk.tap("计件")
    open_listing(kiosk, "手工花组装（计件）")
    expect(kiosk.page.locator(".headline")).to_have_text("每朵花0.3元")
    expect(kiosk.page.locator(".directions")).to_contain_text("就在本站")
    qr = kiosk.page.locator(".take-away img")
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 100
    screenshot(kiosk.page, "kiosk-detail")


@pytest.mark.parametrize("kind", ["找工作", "学技能", "补贴政策", "招聘活动"])
def test_detail_lists_the_same_facts_as_the_phone_page(kiosk: Kiosk, site: Site, kind: str) -> None:
    start_at_home(kiosk)
    kiosk.tile(kind)
    card = kiosk.page.locator(".card").first
    title = card.locator(".card-title").inner_text()
    card.tap()
    expect(kiosk.page.locator("h1")).to_have_text(title)
    facts = kiosk.page.locator(".detail .facts")
    expect(facts.locator(".fact").first).to_be_attached()
    shown = screen_facts(facts)
    assert shown == phone_facts(site, shown_listing_id(kiosk.page))
    assert len(shown) >= 2, shown


def test_directions_from_the_station_to_another_site(kiosk: Kiosk) -> None:
    start_at_home(kiosk)
    kiosk.tap("妈妈岗")
    open_listing(kiosk, "远处的妈妈岗")
    # The factory lies south-west of the station, about 4.6 km away.
    expect(kiosk.page.locator(".directions .way")).to_have_text(
        re.compile(r"从本站出发，往西南方向约4\.\d公里。")
    )


def test_keyword_search_with_the_pinyin_keyboard(kiosk: Kiosk) -> None:
    start_at_home(kiosk)
    kiosk.tap("搜索")
    kiosk.pinyin("shou", "手")
    kiosk.pinyin("gong", "工")
    expect(kiosk.page.locator(".field-value")).to_have_text("手工")
    results = kiosk.page.locator(".search-results .card")
    expect(results.filter(has_text="手工花组装（计件）")).to_have_count(1)
    expect(results.filter(has_text="超市理货员")).to_have_count(0)
    screenshot(kiosk.page, "kiosk-search")
    results.filter(has_text="手工花组装（计件）").tap()
    kiosk.expect_heading("手工花组装（计件）")


def test_new_listing_arrives_behind_a_notice_while_browsing(kiosk: Kiosk, site: Site) -> None:
    start_at_home(kiosk)
    kiosk.tile("找工作")
    before = kiosk.page.locator(".card").first.inner_text()
    title = f"新岗位 {time.time_ns() % 10**6}"
    site.staff().publish(
        listing_input(
            "job", target_id=site.ids["jiuquhe"], title=title, site_id=site.ids["station"]
        )
    )
    notice = kiosk.page.get_by_role("button", name=re.compile(r"有\d+条新信息"))
    expect(notice).to_be_visible()
    assert kiosk.page.locator(".card").first.inner_text() == before  # nothing moved
    notice.tap()
    expect(kiosk.page.locator(".card").first).to_contain_text(title)


def test_a_list_opened_after_a_listing_arrived_shows_it_without_a_notice(
    kiosk: Kiosk, site: Site
) -> None:
    """What arrived while the person was at home is in the list they open: the
    notice is for what comes while they read it."""
    start_at_home(kiosk)
    tile = kiosk.page.locator(".tile-job .tile-count")
    count = int(tile.inner_text().removesuffix("条"))
    title = f"首页时发布的岗位 {time.time_ns() % 10**6}"
    staff = site.staff()
    job = staff.publish(
        listing_input(
            "job", target_id=site.ids["jiuquhe"], title=title, site_id=site.ids["station"]
        )
    )
    expect(tile).to_have_text(f"{count + 1}条")
    kiosk.tile("找工作")
    expect(kiosk.page.locator(".card").first).to_contain_text(title)
    expect(kiosk.page.locator(".notice-new")).to_have_count(0)
    # Out of the way of the seeded jobs that later tests find on the first page.
    staff.post(f"/admin/api/listings/{job['id']}/withdraw", {})


def test_a_listing_that_expires_on_the_page_stays_in_place_marked(kiosk: Kiosk, site: Site) -> None:
    staff = site.staff()
    title = f"今天截止的岗位 {time.time_ns() % 10**6}"
    body = listing_input(
        "job", target_id=site.ids["jiuquhe"], title=title, site_id=site.ids["station"]
    )
    job = staff.publish(body)
    start_at_home(kiosk)
    kiosk.tile("找工作")
    kiosk.page.wait_for_function(SETTLED_LIST)
    card = kiosk.page.locator(".card", has_text=title)
    expect(card).to_be_visible()
    before, total = list_cards(kiosk), list_total(kiosk)
    # Staff cut it short; the server's sweep ends it a moment later.
    until = (utcnow() + timedelta(seconds=2)).isoformat()
    staff.put(
        f"/admin/api/listings/{job['id']}",
        {**body, "valid_until": until, "version": job["version"]},
    )
    expect(card).to_contain_text("已下架")
    assert list_cards(kiosk) == before
    expect(kiosk.page.locator(".heading .lead")).to_contain_text(f"共{total - 1}条")
    card.tap()
    expect(kiosk.page.locator(".heading .gone")).to_contain_text("已下架")
    kiosk.tap("‹ 返回")
    expect(card).to_contain_text("已下架")
    assert list_cards(kiosk) == before


# --- The five registrations -------------------------------------------------


def test_apply_for_a_mom_job_near_the_station(kiosk: Kiosk, site: Site) -> None:
    start_at_home(kiosk)
    kiosk.tap("妈妈岗")
    open_listing(kiosk, "幸福食堂午餐帮厨")
    kiosk.tap("我要应聘")
    screenshot(kiosk.page, "kiosk-consent")
    kiosk.next()
    assert "请先勾选" in kiosk.field_error("consent")  # consent comes first, unticked
    share = kiosk.page.get_by_role("checkbox", name=re.compile("交给"))
    expect(share).to_have_attribute("aria-checked", "false")
    share.tap()
    consent(kiosk)
    mobile = "13900001111" if kiosk.page.viewport_size["width"] < 1500 else "13900001112"
    fill_person(kiosk, ("zhang", "张"), mobile)
    screenshot(kiosk.page, "kiosk-review")
    reference = submit(kiosk)
    screenshot(kiosk.page, "kiosk-done")
    qr = kiosk.page.locator(".manage-qr img")
    expect(qr).to_have_js_property("complete", True)
    [registration] = registrations(site, reference=reference)
    assert registration.kind == "application" and registration.channel == "kiosk"
    assert registration.listing.title == "幸福食堂午餐帮厨"
    assert (registration.name, registration.mobile) == ("张女士", mobile)
    assert registration.share_with_employer is True
    assert registration.details["age_band"] == "40-49"
    kiosk.tap("完成")
    expect(kiosk.page.locator(".start")).to_be_visible()
    assert mobile[-4:] not in kiosk.page.locator("body").inner_text()


def test_sign_up_for_a_free_night_school_course(
    kiosk: Kiosk, site: Site, listings: dict[str, Any]
) -> None:
    start_at_home(kiosk)
    kiosk.tap("免费培训")
    open_listing(kiosk, "社区夜校：手机短视频剪辑")
    kiosk.tap("我要报名")
    consent(kiosk)
    kiosk.expect_heading("报哪一期？")
    kiosk.page.locator(".choice").first.tap()
    kiosk.next()
    mobile = "13900002221" if kiosk.page.viewport_size["width"] < 1500 else "13900002222"
    fill_person(kiosk, ("li", "李"), mobile, age="25–39岁")
    reference = submit(kiosk)
    [registration] = registrations(site, reference=reference)
    session_id = listings["night_school"]["training"]["sessions"][0]["id"]
    assert (registration.kind, registration.session_id) == ("training_signup", session_id)
    assert registration.waitlisted is False


def test_register_as_a_gig_worker(kiosk: Kiosk, site: Site) -> None:
    start_at_home(kiosk)
    kiosk.tap("零工登记")
    consent(kiosk)
    mobile = "13900003331" if kiosk.page.viewport_size["width"] < 1500 else "13900003332"
    fill_person(kiosk, ("wang", "王"), mobile)
    kiosk.expect_heading("您会哪些手艺？")
    kiosk.next()
    assert kiosk.field_error("trades") == "请至少选一项"
    kiosk.tap("水电维修")
    kiosk.tap("家电维修")
    kiosk.next()
    kiosk.tap("黄岛街道范围内")
    kiosk.next()
    kiosk.tap("周末")
    kiosk.next()
    reference = submit(kiosk)
    [registration] = registrations(site, reference=reference)
    assert registration.kind == "gig_worker" and registration.name == "王女士"
    assert registration.details["trades"] == ["水电维修", "家电维修"]
    assert registration.details["service_area"] == "黄岛街道范围内"
    assert registration.details["availability"] == ["weekend"]


def test_job_seeker_registration_with_skills_typed_in_pinyin(kiosk: Kiosk, site: Site) -> None:
    start_at_home(kiosk)
    kiosk.tap("求职登记")
    consent(kiosk)
    mobile = "13900004441" if kiosk.page.viewport_size["width"] < 1500 else "13900004442"
    fill_person(kiosk, ("zhao", "赵"), mobile, age="50–59岁")
    kiosk.tap("计件")
    kiosk.tap("妈妈岗")
    kiosk.next()
    kiosk.tap("孩子上学的时间")
    kiosk.next()
    kiosk.expect_heading("有什么特长？（可以不填）")
    kiosk.pinyin("feng", "缝")
    kiosk.pinyin("ren", "纫")
    kiosk.next()
    reference = submit(kiosk)
    [registration] = registrations(site, reference=reference)
    assert registration.details["wanted"] == ["piece_rate", "mom_friendly"]
    assert registration.details["skills"] == "缝纫"


def test_book_a_consultation_about_a_subsidy(kiosk: Kiosk, site: Site) -> None:
    start_at_home(kiosk)
    kiosk.tile("补贴政策")
    open_listing(kiosk, "灵活就业社保补贴")
    kiosk.tap("预约政策咨询")
    consent(kiosk)
    kiosk.expect_heading("哪天来咨询？")
    kiosk.page.locator(".choices").first.locator(".choice").nth(1).tap()
    kiosk.tap("下午")
    kiosk.next()
    mobile = "13900005551" if kiosk.page.viewport_size["width"] < 1500 else "13900005552"
    fill_person(kiosk, ("sun", "孙"), mobile)
    reference = submit(kiosk)
    [registration] = registrations(site, reference=reference)
    assert registration.kind == "consultation" and registration.details["half_day"] == "pm"
    assert registration.details["preferred_day"] > utcnow().date().isoformat()


# --- Errors beside the fields -------------------------------------------------


def test_errors_are_in_chinese_beside_each_field(kiosk: Kiosk, site: Site) -> None:
    start_at_home(kiosk)
    kiosk.tap("求职登记")
    consent(kiosk)
    kiosk.next()
    assert "请填写称呼" in kiosk.field_error("name")
    kiosk.page.locator(".hg-button[data-skbtn='l']").tap()
    kiosk.page.locator(".hg-button[data-skbtn='i']").tap()
    kiosk.next()
    assert "拼音" in kiosk.field_error("name")  # "li" still needs a character picked
    kiosk.page.locator(".hg-candidate-box-list-item", has_text="李").first.tap()
    kiosk.next()
    kiosk.keypad("1234567890")
    kiosk.next()
    assert "11位" in kiosk.field_error("mobile")
    kiosk.keypad("1")
    expect(kiosk.page.locator("#mobile-value")).to_have_text("123 4567 8901")
    kiosk.next()
    assert "不像手机号" in kiosk.field_error("mobile")
    screenshot(kiosk.page, "kiosk-mobile-error")
    kiosk.page.locator(".keypad [data-key='clear']").tap()
    kiosk.keypad("13900006666")
    kiosk.next()
    kiosk.next()
    assert kiosk.field_error("community") == "请选择您住的社区"
    kiosk.tap("九曲河社区")
    kiosk.next()
    kiosk.tap("16岁以下")
    kiosk.next()
    assert "未满16岁不能登记" in kiosk.field_error("age_band")
    assert registrations(site, mobile="13900006666") == []


# --- Never lose a form --------------------------------------------------------


def test_network_pulled_mid_flow_keeps_the_form_and_sends_it_once(
    browser: Browser, site: Site, listings: dict[str, Any]
) -> None:
    kiosk = enrol(browser, site, PORTRAIT)
    wait_until_kept_for_offline(kiosk.page)  # it is restarted offline below
    start_at_home(kiosk)
    kiosk.tap("零工登记")
    consent(kiosk)
    fill_person(kiosk, ("wu", "吴"), "13900007777")
    gig_answers(kiosk, "保洁", "什么时候都行")
    site.server.stop()
    try:
        kiosk.expect_heading("请核对，没问题就提交")
        submit_button = kiosk.page.get_by_role("button", name="提交登记")
        submit_button.tap()
        kiosk.expect_heading("已保存")
        expect(kiosk.page.get_by_role("status").first).to_contain_text("网络恢复后自动提交")
        screenshot(kiosk.page, "kiosk-saved-offline")
        assert "13900007777" not in kiosk.page.locator("body").inner_text()
        kiosk.tap("完成")
        expect(kiosk.page.locator(".badge-queued")).to_contain_text("1份登记已保存")
        kiosk.page.reload()  # a kiosk rebooted while offline still has it
        expect(kiosk.page.locator(".badge-queued")).to_contain_text("1份登记已保存")
    finally:
        site.server.restart()
    expect(kiosk.page.locator(".badge-queued")).to_have_count(0, timeout=40_000)
    found = registrations(site, mobile="13900007777")
    assert len(found) == 1 and found[0].kind == "gig_worker"
    assert kiosk.page.evaluate("localStorage.getItem('jxj.kiosk.outbox')") == "[]"
    kiosk.page.context.close()


def test_a_queued_form_outranks_the_offline_copy_in_full_storage(
    browser: Browser, site: Site, listings: dict[str, Any]
) -> None:
    kiosk = enrol(browser, site, PORTRAIT)
    page = kiosk.page
    wait_until_kept_for_offline(page)  # the whole copy, which the form outranks
    start_at_home(kiosk)
    kiosk.tap("零工登记")
    consent(kiosk)
    fill_person(kiosk, ("wu", "吴"), "13900007788")
    gig_answers(kiosk, "保洁", "什么时候都行")
    site.server.stop()
    try:
        kiosk.expect_heading("请核对，没问题就提交")
        # Storage full to the last few bytes: only dropping the copy makes room.
        page.evaluate(
            """() => { let i = 0;
              for (const size of [65536, 4096, 64]) {
                const chunk = 'x'.repeat(size);
                try { for (;;) { localStorage.setItem('junk' + i, chunk); i++; } } catch (e) {}
              } }"""
        )
        page.get_by_role("button", name="提交登记").tap()
        kiosk.expect_heading("已保存")
        assert page.evaluate("localStorage.getItem('jxj.kiosk.copy')") is None
        assert len(json.loads(page.evaluate("localStorage.getItem('jxj.kiosk.outbox')"))) == 1
        page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('junk'))"
            ".forEach(k => localStorage.removeItem(k))"
        )
    finally:
        site.server.restart()
    expect(page.locator(".badge-queued")).to_have_count(0, timeout=40_000)
    assert len(registrations(site, mobile="13900007788")) == 1
    page.context.close()


def test_double_tap_on_submit_makes_one_record(kiosk: Kiosk, site: Site) -> None:
    start_at_home(kiosk)
    kiosk.tap("零工登记")
    consent(kiosk)
    mobile = "13900008881" if kiosk.page.viewport_size["width"] < 1500 else "13900008882"
    fill_person(kiosk, ("he", "何"), mobile)
    gig_answers(kiosk, "保洁", "周末")
    button = kiosk.page.get_by_role("button", name="提交登记")
    box = button.bounding_box()
    assert box is not None
    for _ in range(2):
        kiosk.page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(kiosk.page.locator(".reference")).to_be_visible()
    assert len(registrations(site, mobile=mobile)) == 1


def test_two_kiosks_take_the_last_seat_one_wins_the_other_waits(
    browser: Browser, site: Site, listings: dict[str, Any]
) -> None:
    first = enrol(browser, site, PORTRAIT)
    second = enrol(browser, site, LANDSCAPE)
    for kiosk, (syllable, character), mobile in (
        (first, ("zhou", "周"), "13900009991"),
        (second, ("zheng", "郑"), "13900009992"),
    ):
        start_at_home(kiosk)
        kiosk.tile("学技能")
        open_listing(kiosk, "育婴员培训（最后一个名额）")
        kiosk.tap("我要报名")
        consent(kiosk)
        kiosk.page.locator(".choice").first.tap()
        kiosk.next()
        fill_person(kiosk, (syllable, character), mobile)
        kiosk.expect_heading("请核对，没问题就提交")
    first.page.get_by_role("button", name="提交登记").tap(no_wait_after=True)
    second.page.get_by_role("button", name="提交登记").tap(no_wait_after=True)
    outcomes = {}
    for kiosk in (first, second):
        done = kiosk.page.locator(".reference")
        full = kiosk.page.get_by_role("button", name="我愿意排队候补")
        expect(done.or_(full)).to_be_visible()
        outcomes[kiosk] = "seat" if done.is_visible() else "full"
    assert sorted(outcomes.values()) == ["full", "seat"]
    loser = first if outcomes[first] == "full" else second
    screenshot(loser.page, "kiosk-last-seat-taken")
    loser.tap("我愿意排队候补")
    loser.tap("提交登记")
    loser.expect_heading("已排上候补")
    found = registrations(site, listing_id=listings["last_seat"]["id"])
    assert sorted(r.waitlisted for r in found) == [False, True]
    for kiosk in (first, second):
        kiosk.page.context.close()


# --- Session hygiene ----------------------------------------------------------


def test_idle_warning_then_a_full_reset(browser: Browser, site: Site) -> None:
    kiosk = enrol(browser, site, PORTRAIT, query="?idle=3&countdown=4")
    page = kiosk.page
    start_at_home(kiosk)
    kiosk.tap("求职登记")
    consent(kiosk)
    kiosk.pinyin("zhang", "张")
    page.evaluate("sessionStorage.setItem('jxj.kiosk.draft', 'x')")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=6000)
    expect(dialog).to_contain_text("秒后清除")
    screenshot(page, "kiosk-idle-warning")
    kiosk.tap("继续")
    expect(dialog).to_have_count(0)
    expect(page.locator("#name-value")).to_have_text("张")  # "继续" keeps the form
    expect(dialog).to_be_visible(timeout=6000)
    expect(page.locator(".start")).to_be_visible(timeout=8000)  # no touch: back to the loop
    assert "张" not in page.locator("body").inner_text()
    assert page.evaluate("sessionStorage.length") == 0
    start_at_home(kiosk)
    kiosk.tap("求职登记")
    expect(page.get_by_role("checkbox", name=re.compile("同意登记"))).to_have_attribute(
        "aria-checked", "false"
    )
    consent(kiosk)
    expect(page.locator("#name-value")).to_have_text(re.compile("可以只写姓"))
    page.context.close()


# --- Live ---------------------------------------------------------------------


def test_a_listing_withdrawn_during_an_application(browser: Browser, site: Site) -> None:
    staff = site.staff()
    job = staff.publish(
        listing_input(
            "job",
            target_id=site.ids["jiuquhe"],
            title="马上要下架的岗位",
            site_id=site.ids["station"],
        )
    )
    kiosk = enrol(browser, site, LANDSCAPE)
    start_at_home(kiosk)
    kiosk.tile("找工作")
    open_listing(kiosk, "马上要下架的岗位")
    kiosk.tap("我要应聘")
    consent(kiosk)
    kiosk.pinyin("qian", "钱")
    kiosk.next()
    kiosk.keypad("13900001234")
    staff.post(f"/admin/api/listings/{job['id']}/withdraw", {})
    kiosk.expect_heading("已下架")
    expect(kiosk.page.locator(".gone")).to_contain_text("马上要下架的岗位")
    expect(kiosk.page.locator("main")).to_contain_text("没有提交")
    screenshot(kiosk.page, "kiosk-withdrawn-during-application")
    kiosk.tap("改做求职登记")
    kiosk.expect_heading("登记前，请先看一下")
    assert registrations(site, mobile="13900001234") == []
    kiosk.page.context.close()


def test_offline_the_kiosk_keeps_browsing_with_a_badge(browser: Browser, site: Site) -> None:
    kiosk = enrol(browser, site, LANDSCAPE)
    wait_until_kept_for_offline(kiosk.page)  # the list opened offline is the one kept then
    start_at_home(kiosk)
    site.server.stop()
    try:
        expect(kiosk.page.locator(".badge-offline")).to_be_visible(timeout=15_000)
        kiosk.tile("找工作")
        open_listing(kiosk, "超市理货员")
        screenshot(kiosk.page, "kiosk-offline")
    finally:
        site.server.restart()
    expect(kiosk.page.locator(".badge-offline")).to_have_count(0, timeout=30_000)
    kiosk.page.context.close()


def test_a_kiosk_restarted_offline_shows_its_bounded_copy(browser: Browser, site: Site) -> None:
    """Restarted without network, the kiosk still shows the home counts, the first
    page of each kind and what was opened last, with the offline badge; the copy
    it keeps stays small."""
    kiosk = enrol(browser, site, LANDSCAPE)
    page = kiosk.page
    wait_until_kept_for_offline(page)
    start_at_home(kiosk)
    count = page.locator(".tile-job .tile-count").inner_text()
    kiosk.tile("找工作")
    open_listing(kiosk, "超市理货员")
    size = page.evaluate("() => (localStorage.getItem('jxj.kiosk.copy') || '').length")
    assert 0 < size < 200_000
    site.server.stop()
    try:
        page.reload()
        expect(page.locator(".start")).to_be_visible(timeout=15_000)
        expect(page.locator(".slide-title")).not_to_be_empty()
        start_at_home(kiosk)
        expect(page.locator(".badge-offline")).to_be_visible(timeout=15_000)
        expect(page.locator(".tile-job .tile-count")).to_have_text(count)
        kiosk.tile("找工作")
        open_listing(kiosk, "超市理货员")
        screenshot(page, "kiosk-restarted-offline")
    finally:
        site.server.restart()
    kiosk.page.context.close()


# --- Sizes, reach and accessibility --------------------------------------------

MEASURE = """() => {
  const visible = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight; };
  const targets = [...document.querySelectorAll(
    'button, .hg-candidate-box-list-item, .hg-candidate-box-prev, .hg-candidate-box-next')]
    .filter(visible).map(el => { const r = el.getBoundingClientRect();
      const text = el.textContent.trim().slice(0, 20);
      return {text, x: r.left, y: r.top, w: r.width, h: r.height}; });
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !visible(el) || el.closest('.print-area')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 24) small.push(node.textContent.trim().slice(0, 20) + ' ' + size);
  }
  return {targets, small};
}"""


def _gap(a: dict[str, float], b: dict[str, float]) -> float:
    dx = max(b["x"] - (a["x"] + a["w"]), a["x"] - (b["x"] + b["w"]), 0)
    dy = max(b["y"] - (a["y"] + a["h"]), a["y"] - (b["y"] + b["h"]), 0)
    return max(dx, dy)


def _check_screen(page: Page, name: str) -> None:
    measured = page.evaluate(MEASURE)
    targets = measured["targets"]
    assert measured["small"] == [], f"{name}: text under 24 px"
    too_small = [t for t in targets if t["w"] < 60 or t["h"] < 60]
    assert too_small == [], f"{name}: targets under 60×60"
    crowded = [
        (a["text"], b["text"])
        for i, a in enumerate(targets)
        for b in targets[i + 1 :]
        if _gap(a, b) < 8
    ]
    assert crowded == [], f"{name}: targets closer than 8 px"
    viewport = page.viewport_size or {"width": 0, "height": 0}
    if viewport["height"] > viewport["width"]:
        out_of_reach = [t["text"] for t in targets if t["y"] < viewport["height"] / 3]
        assert out_of_reach == [], f"{name}: controls in the top third of a portrait screen"
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


def test_every_screen_meets_the_kiosk_sizes_reach_and_axe(kiosk: Kiosk) -> None:
    page = kiosk.page
    _check_screen(page, "attract")
    start_at_home(kiosk)
    _check_screen(page, "home")
    kiosk.tile("找工作")
    _check_screen(page, "browse")
    screenshot(page, "kiosk-browse")
    kiosk.tap("妈妈岗")
    open_listing(kiosk, "幸福食堂午餐帮厨")
    _check_screen(page, "detail")
    kiosk.tap("我要应聘")
    _check_screen(page, "consent")
    consent(kiosk)
    kiosk.page.locator(".hg-button[data-skbtn='l']").tap()
    kiosk.page.locator(".hg-button[data-skbtn='i']").tap()
    _check_screen(page, "name with candidates")
    screenshot(page, "kiosk-name")
    kiosk.page.locator(".hg-candidate-box-list-item", has_text="李").first.tap()
    kiosk.next()
    kiosk.keypad("139")
    _check_screen(page, "mobile")
    screenshot(page, "kiosk-mobile")
    kiosk.keypad("00000000")
    kiosk.next()
    _check_screen(page, "community")
    screenshot(page, "kiosk-community")
    kiosk.tap("九曲河社区")
    kiosk.next()
    kiosk.tap("60岁以上")
    kiosk.next()
    _check_screen(page, "review")


def test_printer_kiosk_prints_the_ticket(browser: Browser, site: Site) -> None:
    kiosk = enrol(browser, site, PORTRAIT, query="?printer=1")
    # Headless Chromium has no printer; count what would have gone to it.
    kiosk.page.evaluate("() => { window.printed = 0; window.print = () => { window.printed++; }; }")
    start_at_home(kiosk)
    kiosk.tap("零工登记")
    consent(kiosk)
    fill_person(kiosk, ("he", "何"), "13900001357")
    gig_answers(kiosk, "保洁", "周末")
    submit(kiosk)
    kiosk.tap("打印回执")
    expect(kiosk.page.get_by_text("回执已打印，请在出纸口取走")).to_be_visible()
    assert kiosk.page.evaluate("window.printed") == 1
    ticket = kiosk.page.locator("#print img")
    assert ticket.evaluate("img => img.naturalWidth") == 384  # the 58 mm receipt
    kiosk.tap("完成")
    expect(kiosk.page.locator("#print img")).to_have_count(0)
    kiosk.page.context.close()


def test_done_when_three_registrations_by_touch_one_with_the_network_pulled(
    browser: Browser, site: Site, listings: dict[str, Any]
) -> None:
    """The issue's "done when": a mom job near the station, a free night-school
    course and a gig-worker registration, the network pulled out halfway through
    one; the server holds exactly those three, each once."""
    kiosk = enrol(browser, site, PORTRAIT)
    numbers = {"application": "13700000001", "training": "13700000002", "gig": "13700000003"}

    start_at_home(kiosk)
    kiosk.tap("妈妈岗")
    open_listing(kiosk, "幸福食堂午餐帮厨")
    kiosk.tap("我要应聘")
    consent(kiosk)
    fill_person(kiosk, ("liu", "刘"), numbers["application"])
    submit(kiosk)
    kiosk.tap("完成")

    start_at_home(kiosk)
    kiosk.tap("免费培训")
    open_listing(kiosk, "社区夜校：手机短视频剪辑")
    kiosk.tap("我要报名")
    consent(kiosk)
    kiosk.page.locator(".choice").first.tap()
    kiosk.next()
    fill_person(kiosk, ("liu", "刘"), numbers["training"])
    submit(kiosk)
    kiosk.tap("完成")

    start_at_home(kiosk)
    kiosk.tap("零工登记")
    consent(kiosk)
    fill_person(kiosk, ("liu", "刘"), numbers["gig"])
    site.server.stop()  # the cable comes out halfway through
    try:
        gig_answers(kiosk, "缝纫", "工作日白天")
        kiosk.tap("提交登记")
        kiosk.expect_heading("已保存")
        kiosk.tap("完成")
    finally:
        site.server.restart()
    expect(kiosk.page.locator(".badge-queued")).to_have_count(0, timeout=40_000)

    found = {number: registrations(site, mobile=number) for number in numbers.values()}
    assert [len(records) for records in found.values()] == [1, 1, 1]
    assert found[numbers["application"]][0].listing.title == "幸福食堂午餐帮厨"
    assert found[numbers["training"]][0].listing.title == "社区夜校：手机短视频剪辑"
    assert found[numbers["gig"]][0].details["trades"] == ["缝纫"]
    kiosk.page.context.close()


def test_the_same_number_for_the_same_job_is_answered_as_the_first_time(
    browser: Browser, site: Site
) -> None:
    """Nothing tells the second person the number had applied (issue 22)."""
    kiosk = enrol(browser, site, LANDSCAPE)
    references = []
    for _ in range(2):
        start_at_home(kiosk)
        kiosk.tap("计件活")
        open_listing(kiosk, "粉扑包装（计件）")
        kiosk.tap("我要应聘")
        consent(kiosk)
        fill_person(kiosk, ("wang", "王"), "13900002468")
        references.append(submit(kiosk))
        kiosk.expect_heading("登记成功")
        kiosk.tap("完成")
    assert references[0] != references[1]
    assert len(registrations(site, mobile="13900002468")) == 1
    expect(kiosk.page.locator(".start")).to_be_visible()
    kiosk.page.context.close()


def test_a_changed_listing_updates_on_screen_without_reload(
    browser: Browser, site: Site, listings: dict[str, Any]
) -> None:
    kiosk = enrol(browser, site, PORTRAIT)
    start_at_home(kiosk)
    kiosk.tap("免费培训")
    open_listing(kiosk, "社区夜校：手机短视频剪辑")
    facts = kiosk.page.locator(".facts")
    left = int(re.search(r"剩余名额 (\d+)/30", facts.inner_text()).group(1))  # type: ignore[union-attr]
    training = listings["night_school"]
    taken = requests.post(
        f"{site.server.url}/api/registrations",
        json={
            "kind": "training_signup",
            "idempotency_key": f"phone-{time.time_ns()}",
            "consent": True,
            "name": "周先生",
            "mobile": "13600000001",
            "community_id": site.ids["jiuquhe"],
            "age_band": "25-39",
            "listing_id": training["id"],
            "session_id": training["training"]["sessions"][0]["id"],
        },
    )
    assert taken.status_code == 201, taken.text
    expect(facts).to_contain_text(f"剩余名额 {left - 1}/30")
    kiosk.page.context.close()
