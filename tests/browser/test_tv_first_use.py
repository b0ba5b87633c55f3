"""A resident's first use of the TV, keys only, at 720p and 1080p: sending one's number
without a stumble, every control on screen whatever the top strip shows, and the
new-listings notice reached with the arrows and OK."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from kiosk_server.registrations.models import Registration
from kiosk_server.timeutil import utcnow
from tests.browser.conftest import Site, screenshot
from tests.browser.test_tv import SIZES, Remote, _choose_community, _count
from tests.factories import listing_input

# Everything a remote can reach, as a person sees it: the layer on top (a dialog, the
# idle carousel) or the whole stage, each box without the focused item's growth.
CONTROLS_JS = """() => {
  const layers = [...document.querySelectorAll('[data-focus-layer]')]
    .filter(l => l.offsetParent !== null);
  const root = layers.length ? layers[layers.length - 1] : document.getElementById('stage');
  return [...root.querySelectorAll('[data-focusable]')]
    .filter(e => e.getBoundingClientRect().width > 0 && e.offsetParent !== null)
    .map(e => {
      const r = e.getBoundingClientRect();
      const grow = e.classList.contains('is-focused')
        ? (getComputedStyle(e).transform.match(/matrix\\(([\\d.]+)/) || [0, 1])[1] : 1;
      const w = r.width / grow, h = r.height / grow;
      const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
      return {key: e.getAttribute('data-key') || e.className, text: e.innerText.slice(0, 20),
              left: cx - w / 2, right: cx + w / 2, top: cy - h / 2, bottom: cy + h / 2};
    });
}"""

# The screen's hint lines, unless a dialog or the idle carousel covers the screen.
HINTS_JS = """() => document.querySelector('.overlay.is-open') ? [] :
  [...document.querySelectorAll('.screen .hints, .screen .pager')]
  .filter(e => e.innerText.trim())
  .map(e => { const r = e.getBoundingClientRect();
    return {key: e.className, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })"""


class CountingRemote(Remote):
    """A remote that counts the buttons pressed on it."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.presses: list[str] = []

    def press(self, *keys: str) -> None:
        self.presses.extend(keys)
        super().press(*keys)

    def code(self, keycode: int) -> None:
        self.presses.append(str(keycode))
        super().code(keycode)


def _open_tv(
    browser: Browser, site: Site, size: tuple[int, int], query: str = ""
) -> CountingRemote:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    page.goto(f"{site.server.url}/tv/{query}")
    remote = CountingRemote(page)
    _choose_community(remote)
    remote.presses.clear()
    return remote


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param


@pytest.fixture
def tv(browser: Browser, site: Site, size: tuple[int, int]) -> Iterator[CountingRemote]:
    remote = _open_tv(browser, site, size)
    yield remote
    errors = remote.page.errors  # type: ignore[attr-defined]
    remote.page.context.close()
    assert errors == [], errors


def _safe_area(page: Page) -> tuple[float, float, float, float]:
    """UX.md's 5% safe area: 64×36 px at 720p, 96×54 px at 1080p."""
    size = page.viewport_size or {"width": 0, "height": 0}
    width, height = size["width"], size["height"]
    return width * 0.05, height * 0.05, width * 0.95, height * 0.95


def _assert_controls_inside(page: Page, where: str) -> list[dict[str, Any]]:
    """Every control the remote can reach lies inside the safe area, none under a hint line."""
    left, top, right, bottom = _safe_area(page)
    # Focus on something out of the stage would have scrolled the whole stage to it.
    assert page.evaluate("document.getElementById('stage').scrollTop") == 0, where
    controls = page.evaluate(CONTROLS_JS)
    assert controls, f"{where}: nothing to focus"
    outside = [
        c
        for c in controls
        if c["left"] < left - 1
        or c["top"] < top - 1
        or c["right"] > right + 1
        or c["bottom"] > bottom + 1
    ]
    assert outside == [], f"{where}: outside the safe area {left, top, right, bottom}: {outside}"
    hints = page.evaluate(HINTS_JS)
    for line in hints:
        assert line["top"] >= top - 1 and line["bottom"] <= bottom + 1, f"{where}: {line}"
        covered = [
            c
            for c in controls
            if c["left"] < line["right"]
            and line["left"] < c["right"]
            and c["top"] < line["bottom"]
            and line["top"] < c["bottom"]
        ]
        assert covered == [], f"{where}: the hint line {line} lies over {covered}"
    return controls


def _assert_focus_on_screen(remote: Remote, wanted: str) -> None:
    """Focus is on `wanted` and the person can see it: inside the window."""
    assert remote.focused() == wanted, f"focus on {remote.focused()}, not {wanted}"
    box = remote.page.locator(f"[data-key='{wanted}']").bounding_box()
    size = remote.page.viewport_size or {"width": 0, "height": 0}
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], box


def _announce(site: Site, text: str) -> None:
    until = (utcnow() + timedelta(minutes=10)).isoformat()
    site.staff().post(
        "/admin/api/announcements",
        {"text": text, "target_id": site.ids["huangdao_street"], "valid_until": until},
    )


# 80 characters, the most staff may write.
LONG_TITLE = (
    "社区微工厂手工花、粉扑、发饰组装与包装计件岗位，材料送到家门口，"
    "做好按件结算，欢迎有空的居民来做，不限年龄，男女都可以，老人也可以来试试看"
)[:80]
LONG_REQUIREMENTS = (
    "眼睛好、手稳，能坐得住；会用针线的优先；每批活按时交回微工厂；"
    "不收任何押金和材料费；做得多拿得多，每周五在服务站结算一次；"
) * 4


def _long_listing(site: Site, title: str = LONG_TITLE) -> dict[str, Any]:
    """A job with everything as long as staff may write it, and a picture."""
    body = listing_input(target_id=site.ids["jiuquhe"], title=title[:80])
    body["site_id"] = site.ids["station"]
    body["summary"] = "在家门口就能做的计件活，时间自己安排。" * 5
    body["body"] = "\n".join(
        f"第{i}条：" + "材料由微工厂送到家，做好后送回服务站验收。" * 3 for i in range(1, 30)
    )
    body["job"] = {
        **body["job"],
        "employer": "青岛西海岸新区黄岛街道九曲河社区“就享家”乐业服务站"
        "合作微工厂（手工花、粉扑、发饰）",
        "work_hours": "每天8:30–11:00、13:30–15:30，也可以把材料带回家里做，"
        "时间自己安排，交货时间另行约定",
        "requirements": LONG_REQUIREMENTS[:300],
    }
    staff = site.staff()
    listing = staff.publish(body)
    photo = io.BytesIO()
    Image.new("RGB", (1600, 1200), (180, 90, 60)).save(photo, "JPEG", quality=80)
    staff.upload(listing["id"], photo.getvalue(), "手工花样品")
    return listing


# --- Point 2: OK after typing the number sends it, and never undoes the consent ---------


def test_ok_after_typing_the_number_sends_it_in_the_fewest_presses(
    tv: CountingRemote, site: Site, size: tuple[int, int]
) -> None:
    page = tv.page
    number = f"1380000{size[0]:04d}"
    # Home → the 岗位 tile has focus: OK opens the job list.
    tv.press("Enter")
    expect(page.locator("h1")).to_contain_text("岗位")
    # Up to the filters, right to 计件, OK: the piece-rate jobs.
    tv.press("ArrowUp", "ArrowRight")
    assert tv.focused() == "filter-piece_rate"
    tv.press("Enter")
    expect(page.locator("[data-key=filter-piece_rate]")).to_have_attribute("aria-pressed", "true")
    # Down to the first of them, OK to open it.
    tv.press("ArrowDown")
    assert "计件" in page.locator(".is-focused .card-tag").inner_text()
    tv.press("Enter")
    expect(page.locator(".detail-title")).to_be_visible()
    # 请工作人员联系我 has focus: OK.
    tv.press("Enter")
    expect(page.locator("h1")).to_have_text("请工作人员联系我")
    # The consent box has focus: OK ticks it.
    assert tv.focused() == "consent"
    tv.press("Enter")
    expect(page.locator("[data-key=consent]")).to_have_attribute("aria-checked", "true")
    # Eleven digits, then OK as anyone would to finish.
    tv.press(*[f"Digit{d}" for d in number])
    expect(page.locator("[data-key=consent]")).to_have_attribute("aria-checked", "true")
    assert tv.focused() != "consent"
    screenshot(page, "tv-first-use-number-typed")
    tv.press("Enter")
    expect(page.locator("h1")).to_have_text("登记成功")
    screenshot(page, "tv-first-use-sent")
    assert _count(site, Registration, Registration.mobile == number) == 1
    # From home: OK (岗位), ↑ → OK (计件), ↓ OK (the job), OK (请工作人员联系我),
    # OK (我同意), 11 digits, OK (send) = 1 + 3 + 2 + 1 + 1 + 11 + 1.
    assert len(tv.presses) <= 20, tv.presses


def test_ok_on_an_unfinished_number_says_so_and_keeps_the_consent(tv: CountingRemote) -> None:
    page = tv.page
    number = f"1360000{(page.viewport_size or {'width': 0})['width']:04d}"
    tv.press("Digit1", "Enter", "Enter")
    expect(page.locator("h1")).to_have_text("请工作人员联系我")
    tv.press("Enter")
    expect(page.locator("[data-key=consent]")).to_have_attribute("aria-checked", "true")
    tv.press(*[f"Digit{d}" for d in number[:10]])
    tv.press("Enter")
    expect(page.locator(".field-error")).to_contain_text("11位")
    expect(page.locator("[data-key=consent]")).to_have_attribute("aria-checked", "true")
    # The last digit, then OK: sent.
    tv.press(f"Digit{number[10]}")
    tv.press("Enter")
    expect(page.locator("h1")).to_have_text("登记成功")


def test_ok_without_the_consent_asks_for_it_and_two_presses_send(tv: CountingRemote) -> None:
    page = tv.page
    number = f"1370000{(page.viewport_size or {'width': 0})['width']:04d}"
    tv.press("Digit1", "Enter", "Enter")
    expect(page.locator("h1")).to_have_text("请工作人员联系我")
    tv.press(*[f"Digit{d}" for d in number])
    tv.press("Enter")
    expect(page.locator(".field-error").first).to_contain_text("请先选中")
    expect(page.locator("[data-key=consent]")).to_have_attribute("aria-checked", "false")
    # The person is taken to the box the message names, and ticks it themselves.
    _assert_focus_on_screen(tv, "consent")
    tv.press("Enter")
    expect(page.locator("[data-key=consent]")).to_have_attribute("aria-checked", "true")
    tv.press("ArrowDown", "Enter")
    expect(page.locator("h1")).to_have_text("登记成功")


# --- Point 3: a withdrawn listing keeps its way out on screen, and every screen fits ---


def test_a_withdrawn_listing_keeps_back_on_screen_with_the_banner_and_notice(
    tv: CountingRemote, site: Site
) -> None:
    page = tv.page
    _announce(
        site,
        "今晚7点 星光招聘夜市，40家企业600个岗位，地点：九曲河社区文化广场（下雨改在党群服务中心）",
    )
    expect(page.locator(".banner")).to_be_visible()
    listing = _long_listing(site, "即将下架的计件岗位：" + LONG_TITLE)
    expect(page.locator(".badge-new")).to_be_visible()
    tv.code(403)  # red: the new listing
    tv.press("Enter")
    expect(page.locator(".detail-title")).to_contain_text("即将下架")
    _assert_focus_on_screen(tv, "callback")
    site.staff().publish(listing_input(target_id=site.ids["jiuquhe"], title="又一条新岗位"))
    expect(page.locator(".badge-new")).to_be_visible()

    site.staff().post(f"/admin/api/listings/{listing['id']}/withdraw", {})

    expect(page.locator(".gone")).to_contain_text("已下架")
    expect(page.locator("[data-key=callback]")).to_contain_text("已下架，不能再登记")
    screenshot(page, "tv-first-use-withdrawn")
    _assert_focus_on_screen(tv, "back")
    _assert_controls_inside(page, "withdrawn detail")
    tv.press("Enter")
    expect(page.locator("h1")).to_contain_text("新信息")


def test_every_screen_keeps_its_controls_inside_the_safe_area(
    browser: Browser, site: Site, size: tuple[int, int]
) -> None:
    # Setup: no strip yet, but two pages of streets or communities.
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(f"{site.server.url}/tv/?idle=3")
    expect(page.locator("h1")).to_have_text("第一次使用：请选择您住的街道")
    _assert_controls_inside(page, "setup, streets")
    remote = Remote(page)
    remote.press("Enter")
    expect(page.locator("h1")).to_have_text("请选择您住的社区")
    _assert_controls_inside(page, "setup, communities")
    context.close()

    _long_listing(site)
    tv = _open_tv(browser, site, size, "?idle=3")
    page = tv.page
    _announce(
        site,
        "通知居民：本周六上午9点在九曲河社区文化广场举办招聘会，请带好身份证和简历，下雨改在党群服务中心三楼",
    )
    # Waiting listings of another kind, so the job list keeps the long one first.
    waiting = listing_input("subsidy", target_id=site.ids["jiuquhe"], title="等在提示后面的补贴")
    site.staff().publish(waiting)
    expect(page.locator(".badge-new")).to_be_visible()
    expect(page.locator(".banner")).to_be_visible()

    seen: dict[str, list[dict[str, Any]]] = {}
    seen["home"] = _assert_controls_inside(page, "home")
    screenshot(page, "tv-first-use-home-strip")
    tv.press("Digit1")  # a fresh list takes the waiting one in
    expect(page.locator(".grid-cards .card")).to_have_count(6)
    tv.code(405)  # yellow: newest first (jobs open nearest first), the long one on top
    expect(page.locator("h1")).to_contain_text("新发布的在前")
    site.staff().publish({**waiting, "title": "又一条等着的补贴"})
    expect(page.locator(".badge-new")).to_be_visible()
    seen["list"] = _assert_controls_inside(page, "list")
    screenshot(page, "tv-first-use-list-strip")
    tv.press("Enter")
    expect(page.locator(".detail-title")).to_contain_text("社区微工厂")
    seen["detail"] = _assert_controls_inside(page, "detail")
    screenshot(page, "tv-first-use-detail-strip")
    # The rest of the long text is read with up to it, then down.
    tv.press("ArrowUp")
    assert tv.focused() == "body"
    tv.press("ArrowDown")
    assert tv.focused() == "body"
    assert page.locator("[data-key=body]").evaluate("e => e.scrollTop") > 0
    _assert_controls_inside(page, "detail, reading")
    screenshot(page, "tv-first-use-detail-reading")
    tv.press("Escape", "Enter")
    expect(page.locator(".detail-title")).to_contain_text("社区微工厂")
    assert tv.focused() == "callback"
    tv.press("Enter")
    expect(page.locator("h1")).to_have_text("请工作人员联系我")
    tv.press(*[f"Digit{d}" for d in "1234"])
    tv.to_confirm()
    tv.press("Enter")
    expect(page.locator(".field-error")).to_have_count(2)
    seen["callback"] = _assert_controls_inside(page, "callback with errors")
    screenshot(page, "tv-first-use-callback-strip")
    tv.press("Escape", "Escape", "Escape")
    expect(page.locator(".brand")).to_be_visible()
    tv.press("Escape")
    expect(page.locator(".dialog-title")).to_have_text("退出吗？")
    seen["exit"] = _assert_controls_inside(page, "exit dialog")
    tv.press("Enter")
    expect(page.locator(".overlay.is-idle")).to_be_visible(timeout=8000)
    seen["idle"] = _assert_controls_inside(page, "idle")
    screenshot(page, "tv-first-use-idle")
    errors = page.errors  # type: ignore[attr-defined]
    page.context.close()
    assert errors == [], errors
    # The detail's way out and way on are both there.
    assert {"callback", "back"} <= {c["key"] for c in seen["detail"]}


# --- Point 4: the new-listings notice is reached with the arrows and opened with OK ----


def test_the_new_listings_notice_is_reached_with_arrows_and_opened_with_ok(
    tv: CountingRemote, site: Site
) -> None:
    page = tv.page
    tv.press("Digit1", "ArrowRight", "ArrowDown")
    focused, cards = tv.focused(), tv.card_keys()
    where = page.locator(f"[data-key='{focused}']").bounding_box()

    fresh = site.staff().publish(
        listing_input(target_id=site.ids["jiuquhe"], title="按OK就能看的新岗位")
    )

    notice = page.locator(".badge-new")
    expect(notice).to_be_visible()
    # Its coming moves nothing: not the focus, not the cards, not a pixel of them.
    assert tv.focused() == focused
    assert tv.card_keys() == cards
    assert page.locator(f"[data-key='{focused}']").bounding_box() == where
    screenshot(page, "tv-first-use-notice")
    # The list's hint line stays clear of every card, the fifth one too.
    _assert_controls_inside(page, "list with the notice")
    # Up, as far as it goes, reaches it; it says what OK does there.
    for _ in range(4):
        if tv.focused() == "new-listings":
            break
        tv.press("ArrowUp")
    _assert_focus_on_screen(tv, "new-listings")
    expect(notice).to_contain_text("按OK查看")
    expect(notice).not_to_contain_text("红键")
    screenshot(page, "tv-first-use-notice-focused")
    tv.press("Enter")
    expect(page.locator("h1")).to_contain_text("新信息（1条）")
    assert tv.card_keys() == [f"listing-{fresh['id']}"]
    assert tv.focused() == f"listing-{fresh['id']}"


def test_the_red_key_still_opens_the_new_listings_from_home(tv: CountingRemote, site: Site) -> None:
    page = tv.page
    before = tv.focused()
    site.staff().publish(listing_input(target_id=site.ids["jiuquhe"], title="红键直达的新岗位"))
    expect(page.locator(".badge-new")).to_be_visible()
    assert tv.focused() == before
    _assert_controls_inside(page, "home with the notice")
    tv.code(403)
    expect(page.locator("h1")).to_contain_text("新信息（1条）")
