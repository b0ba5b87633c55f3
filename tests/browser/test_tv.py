"""The TV app, driven by the keyboard only, as a remote control would, at 720p and 1080p."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.listings.actions import do_withdraw_listing
from kiosk_server.listings.models import Listing
from kiosk_server.registrations.models import Registration
from kiosk_server.screens.models import Screen
from kiosk_server.staff.models import Staff
from kiosk_server.timeutil import utcnow
from tests.browser.conftest import Site, axe_violations, screenshot, serve_world
from tests.browser.facts import phone_facts, screen_facts, shown_listing_id
from tests.factories import listing_input, make_listing

SIZES = [(1280, 720), (1920, 1080)]


class Remote:
    """Presses keys the way a remote control sends them, and reads what has focus."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
            self.page.wait_for_timeout(40)
        self.settled()

    def settled(self) -> None:
        """Wait while the TV asks the server for the next screen (keys pressed
        meanwhile wait for it too, app.hold), as a person waits to see it."""
        self.page.wait_for_function("() => !(window.tv && window.tv.app && window.tv.app.holding)")

    def code(self, keycode: int) -> None:
        """A raw key code, for keys a PC keyboard lacks (webOS Back, colour keys...)."""
        self.page.evaluate(
            "c => document.dispatchEvent(new KeyboardEvent('keydown',"
            " {keyCode: c, which: c, bubbles: true}))",
            keycode,
        )
        self.page.wait_for_timeout(40)
        self.settled()

    def focused(self) -> str | None:
        return self.page.evaluate(
            "document.activeElement && document.activeElement.getAttribute('data-key')"
        )

    def focused_text(self) -> str:
        return self.page.evaluate("document.activeElement ? document.activeElement.innerText : ''")

    def rings(self) -> int:
        return self.page.locator(".is-focused").count()

    def move_until(self, key: str, wanted: str, limit: int = 15) -> None:
        for _ in range(limit):
            if self.focused() == wanted:
                return
            self.press(key)
        assert self.focused() == wanted, f"could not reach {wanted}, at {self.focused()}"

    def to_confirm(self) -> None:
        """Across to the keypad, down to its last row, right to 确认."""
        for _ in range(4):
            if (self.focused() or "").startswith("pad-"):
                break
            self.press("ArrowRight")
        self.press("ArrowDown", "ArrowDown", "ArrowDown", "ArrowRight", "ArrowRight")
        assert self.focused() == "pad-确认"

    def card_keys(self) -> list[str]:
        return self.page.eval_on_selector_all(
            ".screen .card", "cards => cards.map(c => c.getAttribute('data-key'))"
        )


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def tv(browser: Browser, site: Site, request: pytest.FixtureRequest) -> Iterator[Remote]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site.server.url}/tv/{getattr(request, 'tv_query', '')}")
    remote = Remote(page)
    _choose_community(remote)
    yield remote
    context.close()
    assert errors == [], errors


def _choose_community(remote: Remote) -> None:
    page = remote.page
    expect(page.locator("h1")).to_have_text("第一次使用：请选择您住的街道")
    remote.move_until("ArrowRight", remote.focused() or "")
    assert "黄岛街道" in remote.focused_text()
    remote.press("Enter")
    expect(page.locator("h1")).to_have_text("请选择您住的社区")
    assert "九曲河社区" in remote.focused_text()
    remote.press("Enter")
    expect(page.locator(".brand")).to_have_text("就享家 · 九曲河社区")


def _count(site: Site, model: Any, *where: Any) -> int:
    with site.app.app_context():
        value = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
        return int(value or 0)


def test_first_run_registers_the_tv_for_the_chosen_community(tv: Remote, site: Site) -> None:
    token = tv.page.evaluate("JSON.parse(localStorage.getItem('jxj.tv.screen')).token")
    assert token
    assert _count(site, Screen, Screen.community_id == site.ids["jiuquhe"]) >= 1
    screenshot(tv.page, "tv-home")
    # Remembered: a reload goes straight home.
    tv.page.reload()
    expect(tv.page.locator(".brand")).to_have_text("就享家 · 九曲河社区")


def test_arrows_reach_every_listing_on_home_and_on_a_list_page(tv: Remote) -> None:
    reached: set[str] = set()
    tv.press("ArrowDown")
    for key in ("ArrowRight",) * 4 + ("ArrowLeft",) * 4:
        reached.add(tv.focused() or "")
        assert tv.rings() == 1
        tv.press(key)
    assert set(tv.card_keys()) <= reached

    tv.press("Digit1")
    expect(tv.page.locator("h1")).to_contain_text("岗位（共8条，离家近的在前）")
    cards = tv.card_keys()
    assert len(cards) == 6
    reached = set()
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowDown", "ArrowRight"):
        reached.add(tv.focused() or "")
        assert tv.rings() == 1
        tv.press(key)
    reached.add(tv.focused() or "")
    assert set(cards) == reached
    screenshot(tv.page, "tv-list")


def test_open_go_back_and_page_through(tv: Remote) -> None:
    page = tv.page
    tv.press("Digit1", "ArrowRight")
    chosen = tv.focused()
    title = page.locator(".is-focused .card-title").inner_text()
    tv.press("Enter")
    expect(page.locator(".detail-title")).to_have_text(title)
    expect(page.locator(".detail-key")).to_be_visible()
    screenshot(page, "tv-detail")

    tv.press("Escape")
    expect(page.locator(".pager")).to_contain_text("第1/2页")
    assert tv.focused() == chosen

    tv.press("PageDown")
    expect(page.locator(".pager")).to_contain_text("第2/2页")
    assert len(tv.card_keys()) == 2
    tv.press("PageUp")
    expect(page.locator(".pager")).to_contain_text("第1/2页")
    # Down past the last row turns the page, too.
    tv.press("ArrowDown", "ArrowDown", "ArrowDown")
    expect(page.locator(".pager")).to_contain_text("第2/2页")

    tv.press("Backspace")
    expect(page.locator(".brand")).to_be_visible()
    tv.press("Escape")
    expect(page.locator(".dialog-title")).to_have_text("退出吗？")
    assert tv.focused() == "stay"
    screenshot(page, "tv-exit")
    tv.press("Enter")
    expect(page.locator(".dialog-title")).to_have_count(0)
    assert tv.rings() == 1


@pytest.mark.parametrize("digit", ["Digit1", "Digit2", "Digit3", "Digit4"])
def test_detail_lists_the_same_facts_as_the_phone_page(tv: Remote, site: Site, digit: str) -> None:
    page = tv.page
    tv.press(digit)
    title = page.locator(".is-focused .card-title").inner_text()
    tv.press("Enter")
    expect(page.locator(".detail-title")).to_have_text(title)
    shown = screen_facts(page.locator(".detail .facts"))
    phone = phone_facts(site, shown_listing_id(page))
    assert len(phone) >= 2, phone
    # The TV adds how far the place is from its community, and the number to call.
    assert shown[-1][0] == "电话"
    assert [label for label, _ in shown[:-1]] == [label for label, _ in phone]
    for (label, value), (_, said) in zip(shown, phone, strict=False):
        assert value == said or (label == "地点" and value.startswith(said + "，距社区")), label


def test_digits_and_every_platforms_back_key(tv: Remote) -> None:
    page = tv.page
    for digit, heading in (("Digit2", "培训"), ("Digit3", "补贴"), ("Digit4", "活动")):
        tv.press(digit)
        expect(page.locator("h1")).to_contain_text(heading)
        tv.press("Digit0")
        expect(page.locator(".brand")).to_be_visible()
    for back in (461, 10009, 340, 640, 1249, 8, 27):
        tv.code(97)  # keypad 1
        expect(page.locator("h1")).to_contain_text("岗位")
        tv.code(back)
        expect(page.locator(".brand")).to_be_visible()
    tv.code(40)  # down
    tv.code(39)  # right
    assert tv.focused() and tv.focused().startswith("listing-")


def test_channel_keys_turn_pages(tv: Remote) -> None:
    tv.press("Digit1")
    tv.code(428)  # channel down
    expect(tv.page.locator(".pager")).to_contain_text("第2/2页")
    tv.code(427)  # channel up
    expect(tv.page.locator(".pager")).to_contain_text("第1/2页")


def layout(tv: Remote) -> list[tuple[str | None, Any]]:
    """Where the title and everything the remote can reach stand on screen."""
    found = tv.page.locator(".screen h1, .screen [data-focusable]")
    return [(item.get_attribute("data-key"), item.bounding_box()) for item in found.all()]


def reach(tv: Remote, key: str) -> None:
    """Across the cards of a list page, row by row, until `key` has focus."""
    for move in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowDown", "ArrowRight"):
        if tv.focused() == key:
            return
        tv.press(move)
    assert tv.focused() == key, f"could not reach {key}, at {tv.focused()}"


def test_withdrawn_listings_stay_in_their_place_marked_and_focus_stays(
    tv: Remote, site: Site
) -> None:
    """Nothing on the page moves: each card withdrawn says 已下架 where it was,
    the count drops, and the person stays on the card they were on."""
    page = tv.page
    staff = site.staff()
    here = {"target_id": site.ids["jiuquhe"]}
    doomed = staff.publish(listing_input(title="将被撤下", **here))
    other = staff.publish(listing_input(title="也将被撤下", **here))
    expect(page.locator(".badge-new")).to_be_visible()
    tv.code(403)
    tv.press("Digit1")
    key = f"listing-{doomed['id']}"
    card = page.locator(f".screen [data-key={key}]")
    other_card = page.locator(f".screen [data-key=listing-{other['id']}]")
    expect(other_card).to_be_visible()
    reach(tv, key)
    total = _count_in_title(page)
    before = layout(tv)

    staff.post(f"/admin/api/listings/{other['id']}/withdraw", {})
    expect(other_card).to_contain_text("已下架")
    expect(page.locator("h1")).to_contain_text(f"共{total - 1}条")
    assert (tv.focused(), tv.rings()) == (key, 1)
    assert layout(tv) == before
    screenshot(page, "tv-list-gone")

    staff.post(f"/admin/api/listings/{doomed['id']}/withdraw", {})
    expect(card).to_contain_text("已下架")
    expect(page.locator("h1")).to_contain_text(f"共{total - 2}条")
    assert (tv.focused(), tv.rings()) == (key, 1)
    assert layout(tv) == before
    screenshot(page, "tv-list-gone-focused")
    assert axe_violations(page, enhanced_contrast=True) == []

    # OK opens it: 已下架, with 返回 chosen.
    tv.press("Enter")
    expect(page.locator(".detail-title")).to_have_text("将被撤下")
    expect(page.locator(".gone")).to_contain_text("已下架")
    assert tv.focused() == "back"
    tv.press("Enter")
    expect(card).to_contain_text("已下架")
    assert (tv.focused(), tv.rings()) == (key, 1)
    assert layout(tv) == before


def test_a_withdrawn_search_result_stays_in_its_place_marked(tv: Remote, site: Site) -> None:
    page = tv.page
    staff = site.staff()
    here = {"target_id": site.ids["jiuquhe"]}
    doomed = staff.publish(listing_input(title="蜡染体验员", **here))
    kept = staff.publish(listing_input(title="蜡染体验员助手", **here))
    tv.press("Digit5")
    expect(page.locator("h1")).to_contain_text("搜索")
    tv.press("Digit5", "Digit7", "Digit8", "Digit9", "Digit9")  # L R T Y Y
    total = page.locator(".search-total")
    expect(total).to_have_text("找到2条")
    key = f"listing-{doomed['id']}"
    tv.press("ArrowRight")  # from the typed line to the results
    tv.move_until("ArrowDown", key, limit=3)
    before = layout(tv)

    staff.post(f"/admin/api/listings/{doomed['id']}/withdraw", {})
    card = page.locator(f".screen [data-key={key}]")
    expect(card).to_contain_text("已下架")
    expect(total).to_have_text("找到1条")
    assert (tv.focused(), tv.rings()) == (key, 1)
    assert layout(tv) == before
    screenshot(page, "tv-search-gone")
    staff.post(f"/admin/api/listings/{kept['id']}/withdraw", {})
    expect(page.locator(f".screen [data-key=listing-{kept['id']}]")).to_contain_text("已下架")
    expect(total).to_have_text("找到0条")
    assert layout(tv) == before


def test_a_listing_published_meanwhile_waits_behind_the_notice(tv: Remote, site: Site) -> None:
    page = tv.page
    tv.press("Digit1", "ArrowRight", "ArrowDown")
    focused, cards = tv.focused(), tv.card_keys()

    listing = site.staff().publish(listing_input(target_id=site.ids["jiuquhe"], title="新来的岗位"))

    expect(page.locator(".badge-new")).to_have_text("1条新信息：按上键选这里，再按OK查看")
    assert tv.focused() == focused
    assert tv.card_keys() == cards
    screenshot(page, "tv-notice")

    tv.code(403)  # red
    expect(page.locator("h1")).to_contain_text("新信息（1条）")
    assert tv.card_keys() == [f"listing-{listing['id']}"]
    with site.app.app_context():
        do_withdraw_listing(db.session.get(Listing, listing["id"]), db.session.get(Staff, 1))
        db.session.remove()


def test_an_open_listing_that_is_withdrawn_says_so(tv: Remote, site: Site) -> None:
    page = tv.page
    listing = site.staff().publish(listing_input(target_id=site.ids["jiuquhe"], title="马上下架"))
    expect(page.locator(".badge-new")).to_be_visible()
    tv.code(403)
    tv.press("Enter")
    expect(page.locator(".detail-title")).to_have_text("马上下架")

    site.staff().post(f"/admin/api/listings/{listing['id']}/withdraw", {})

    expect(page.locator(".gone")).to_contain_text("已下架")
    expect(page.locator("[data-key=callback]")).to_have_attribute("aria-disabled", "true")
    assert tv.rings() == 1
    screenshot(page, "tv-withdrawn")


def test_the_tv_catches_up_after_the_connection_drops(tv: Remote, site: Site) -> None:
    page = tv.page
    tv.press("Digit1")
    before = tv.card_keys()
    gone_id = int(before[-1].removeprefix("listing-"))
    site.server.stop()
    try:
        expect(page.locator(".badge-offline")).to_have_text("网络已断开，正在重连", timeout=15000)
        screenshot(page, "tv-offline")
        # Still showing what it had.
        assert tv.card_keys() == before

        # Staff work on while this TV is cut off; the database keeps the changes.
        with site.app.app_context():
            added_id = make_listing(target=site.place("jiuquhe"), title="断网时发布").id
            do_withdraw_listing(db.session.get(Listing, gone_id), db.session.get(Staff, 1))
            db.session.remove()
    finally:
        site.server.restart()

    expect(page.locator(".badge-offline")).to_have_count(0, timeout=20000)
    expect(page.locator(".badge-new")).to_have_text("1条新信息：按上键选这里，再按OK查看")
    # Caught up by sequence: the page changes in place, nothing on it moves.
    expect(page.locator(f".screen [data-key=listing-{gone_id}]")).to_contain_text("已下架")
    assert tv.card_keys() == before
    tv.code(403)
    assert tv.card_keys() == [f"listing-{added_id}"]


def _count_in_title(page: Page) -> int:
    title = page.locator("h1").inner_text()
    return int(title.split("共")[1].split("条")[0])


def test_filters_narrow_the_list(tv: Remote) -> None:
    page = tv.page
    tv.press("Digit1")
    every_job = _count_in_title(page)
    tv.press("ArrowUp")
    tv.move_until("ArrowRight", "filter-piece_rate")
    tv.press("Enter")
    expect(page.locator("[data-key=filter-piece_rate]")).to_have_attribute("aria-pressed", "true")
    piece_rate = _count_in_title(page)
    assert 0 < piece_rate < every_job
    tags = page.locator(".card .card-tag").all_inner_texts()
    assert tags and set(tags) == {"岗位 · 计件"}
    tv.press("Digit2", "ArrowUp")
    tv.move_until("ArrowRight", "filter-free")
    tv.press("Enter")
    expect(page.locator("[data-key=filter-free]")).to_have_attribute("aria-pressed", "true")
    assert all("免费" in text for text in page.locator(".card .card-key").all_inner_texts())


def test_announcements_show_as_a_banner_at_once(tv: Remote, site: Site) -> None:
    until = (utcnow() + timedelta(minutes=5)).isoformat()
    text = f"今晚7点 星光招聘夜市（{tv.page.viewport_size['width']}）"
    site.staff().post(
        "/admin/api/announcements",
        {"text": text, "target_id": site.ids["huangdao_street"], "valid_until": until},
    )
    expect(tv.page.locator(".banner")).to_have_text(f"通知：{text}")
    screenshot(tv.page, "tv-banner")


def test_pictures_arrive_in_the_size_the_tv_shows(tv: Remote, site: Site) -> None:
    staff = site.staff()
    listing = staff.publish(listing_input(target_id=site.ids["jiuquhe"], title="有照片的岗位"))
    photo = io.BytesIO()
    Image.new("RGB", (4000, 3000), (180, 90, 60)).save(photo, "JPEG", quality=95)
    staff.upload(listing["id"], photo.getvalue(), "手工坊")
    expect(tv.page.locator(".badge-new")).to_be_visible()
    tv.code(403)
    tv.press("Enter")
    picture = tv.page.locator(".photo")
    expect(picture).to_be_visible()
    natural = picture.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[0] <= 640 and natural[1] <= 360
    screenshot(tv.page, "tv-detail-photo")
    staff.post(f"/admin/api/listings/{listing['id']}/withdraw", {})


def _open_callback(tv: Remote) -> None:
    tv.press("Digit1", "Enter")
    expect(tv.page.locator(".detail-title")).to_be_visible()
    assert tv.focused() == "callback"
    tv.press("Enter")
    expect(tv.page.locator("h1")).to_have_text("请工作人员联系我")


def test_asking_staff_to_call_back_records_the_number_once(tv: Remote, site: Site) -> None:
    page = tv.page
    width = (page.viewport_size or {"width": 0})["width"]
    number = f"1390000{width:04d}"  # one per screen size: each run asks afresh
    grouped = f"{number[:3]} {number[3:7]} {number[7:]}"
    _open_callback(tv)
    tv.press(*[f"Digit{d}" for d in number[:10]])
    tv.to_confirm()
    tv.press("Enter")
    expect(page.locator(".field-error").first).to_be_visible()
    assert "请先选中" in page.locator(".field-error").first.inner_text()
    assert "11位" in page.locator(".field-error").nth(1).inner_text()
    screenshot(page, "tv-callback-errors")

    tv.press(f"Digit{number[10]}")  # a digit takes focus to the number; the box is above it
    tv.move_until("ArrowUp", "consent")
    tv.press("Enter")
    expect(page.locator("[data-key=consent]")).to_have_attribute("aria-checked", "true")
    tv.to_confirm()
    tv.press("Enter")
    expect(page.locator("h1")).to_have_text("登记成功")
    expect(page.locator(".big-message")).to_contain_text(grouped)
    screenshot(page, "tv-callback-done")
    assert _count(site, Registration, Registration.mobile == number) == 1

    tv.press("Enter")  # 好的，返回
    tv.press("Enter")  # 请工作人员联系我, again
    tv.press(*[f"Digit{d}" for d in number])
    tv.move_until("ArrowUp", "consent")
    tv.press("Enter")
    tv.to_confirm()
    tv.press("Enter")
    # Answered as the first was, so no one learns the number asked before; still one record.
    expect(page.locator("h1")).to_have_text("登记成功")
    assert _count(site, Registration, Registration.mobile == number) == 1


def test_after_idle_the_carousel_shows_and_any_key_returns(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{site.server.url}/tv/?idle=2")
    tv = Remote(page)
    _choose_community(tv)
    tv.press("Digit1", "ArrowRight")
    before = tv.focused()

    expect(page.locator(".overlay.is-idle")).to_be_visible(timeout=5000)
    expect(page.locator(".idle-title")).not_to_be_empty()
    screenshot(page, "tv-idle")
    tv.press("ArrowDown")

    expect(page.locator(".overlay.is-idle")).to_have_count(0)
    assert tv.focused() == before
    context.close()


@pytest.mark.parametrize("where", ["home", "list", "detail", "callback"])
def test_no_serious_accessibility_violations(tv: Remote, where: str) -> None:
    steps = {"home": [], "list": ["Digit1"], "detail": ["Digit1", "Enter"]}
    if where == "callback":
        _open_callback(tv)
    else:
        tv.press(*steps[where])
    tv.page.wait_for_timeout(200)
    assert axe_violations(tv.page, enhanced_contrast=True) == []


def test_a_revoked_tv_asks_for_staff_and_can_start_again(tv: Remote, site: Site) -> None:
    newest = None
    for _ in range(50):  # until this TV's live connection is up
        with site.app.app_context():
            newest, seen = db.session.execute(
                select(Screen.id, Screen.last_seen_at).order_by(Screen.id.desc())
            ).first()
            db.session.remove()
        if seen is not None:
            break
        tv.page.wait_for_timeout(100)
    site.staff().post(f"/admin/api/screens/{newest}/revoke", {})

    expect(tv.page.locator("h1")).to_have_text("请联系工作人员")
    assert tv.focused() == "again"
    screenshot(tv.page, "tv-revoked")
    tv.press("Enter")
    expect(tv.page.locator("h1")).to_have_text("第一次使用：请选择您住的街道")


@pytest.fixture(scope="module")
def far_behind_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server that tells a screen two changes behind to resync (docs/protocol.md)."""
    instance = tmp_path_factory.mktemp("resync")
    with serve_world(instance, settings={"CATCHUP_LIMIT": "2"}) as served:
        yield served


def test_a_tv_told_to_resync_shows_what_the_server_holds_now(
    browser: Browser, far_behind_site: Site
) -> None:
    """Answers the TV fetched a moment before it lost its line missed the changes
    made meanwhile: a resync shows the page on screen afresh, not as it was kept."""
    site = far_behind_site
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    tv = Remote(context.new_page())
    tv.page.goto(f"{site.server.url}/tv/")
    _choose_community(tv)
    tv.press("Digit1")
    jobs = _count_in_title(tv.page)
    shown = tv.card_keys()
    site.server.stop()
    try:
        expect(tv.page.locator(".badge-offline")).to_be_visible(timeout=15000)
        with site.app.app_context():
            gone_id = int(shown[0].removeprefix("listing-"))
            do_withdraw_listing(db.session.get(Listing, gone_id), db.session.get(Staff, 1))
            for n in range(3):
                make_listing(target=site.place("jiuquhe"), title=f"断网时发布{n}")
            db.session.remove()
    finally:
        site.server.restart()

    expect(tv.page.locator(".badge-offline")).to_have_count(0, timeout=20000)
    # Three new jobs and one withdrawn: the list as the server now has it.
    expect(tv.page.locator("h1")).to_contain_text(f"共{jobs + 2}条")
    expect(tv.page.locator(f".screen [data-key=listing-{gone_id}]")).to_have_count(0)
    context.close()
