"""The console on an office PC (1366×768, and 1920×1080): on every view, no control or
field lies under another element or sticks out of the side of the window, notices
included; and with the browser in English, every form still speaks Chinese: times are
written as people in China write them (2026-12-07 14:30), the picture button is
选择图片, never "mm/dd/yyyy" or "Choose File", and confirmations ask on the page with
取消 and a button naming the action, never in the browser's "OK / Cancel" box."""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing
from kiosk_server.places.models import Site as SiteModel
from kiosk_server.timeutil import to_local, utcnow
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CONSOLE_VIEWPORT,
    Site,
    screenshot,
)
from tests.live_server import StaffSession

FULL_HD = {"width": 1920, "height": 1080}

# Everything a person can click or type in.
CONTROLS = (
    "a[href], button, input, select, textarea, summary, label.file-pick, "
    "[tabindex]:not([tabindex='-1'])"
)

# For each control and each line of text shown on the page, at each scroll position a
# person can scroll the page to: the points near its middle and both ends must hit the
# control (or the text's own element) itself, and it must lie within the window's width.
# Points that a scrolling panel has scrolled out of view are skipped (the panel scrolls
# to them); a panel that cuts a control off without scrolling is a fault. And nothing
# fixed to the window (a notice, say) may have content pass under it as the page scrolls.
LAYOUT_FAULTS = """
(selector) => {
  const faults = [];
  const width = window.innerWidth;
  const height = window.innerHeight;
  const describe = (el) => {
    if (!el) { return 'nothing'; }
    const bits = [el.tagName.toLowerCase()];
    if (el.id) { bits.push('#' + el.id); }
    const field = el.getAttribute('data-field');
    if (field) { bits.push('[data-field=' + field + ']'); }
    if (el.className && typeof el.className === 'string') {
      bits.push('.' + el.className.trim().split(/\\s+/).join('.'));
    }
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    return bits.join('') + (text ? ' "' + text.slice(0, 24) + '"' : '');
  };
  const shown = (el) => {
    const rect = el.getBoundingClientRect();
    if (rect.width <= 2 || rect.height <= 2) { return false; }
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && Number(style.opacity) > 0;
  };
  // The part of the page a control can show in: its scrolling panels' boxes.
  const scrollBox = (el) => {
    let box = { left: 0, top: 0, right: width, bottom: height };
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (/(auto|scroll)/.test(style.overflowX + style.overflowY)) {
        const r = up.getBoundingClientRect();
        box = { left: Math.max(box.left, r.left), top: Math.max(box.top, r.top),
                right: Math.min(box.right, r.right), bottom: Math.min(box.bottom, r.bottom) };
      }
    }
    return box;
  };
  const seen = new Set();
  const record = (text) => { if (!seen.has(text)) { seen.add(text); faults.push(text); } };
  const root = document.scrollingElement;
  if (root.scrollWidth > width + 1) {
    record('the page is ' + root.scrollWidth + ' px wide in a ' + width + ' px window');
  }
  const last = Math.max(0, root.scrollHeight - height);
  const stops = [];
  for (let y = 0; y < last; y += Math.round(height / 3)) { stops.push(y); }
  stops.push(last);
  // Each thing to check: [element, its box now, what to call it].
  const things = () => {
    const out = [];
    for (const el of document.querySelectorAll(selector)) {
      if (shown(el)) { out.push([el, el.getBoundingClientRect(), describe(el)]); }
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      const text = node.nodeValue.trim();
      if (!text || !el || el.closest('script, style, select, textarea') || !shown(el)) { continue; }
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const line of range.getClientRects()) {
        if (line.width > 2) { out.push([el, line, 'text "' + text.slice(0, 20) + '"']); }
      }
    }
    return out;
  };
  window.scrollTo(0, 0);
  const fixed = [...document.querySelectorAll('body *')].filter(
    (el) => getComputedStyle(el).position === 'fixed' && shown(el));
  for (const over of fixed) {
    const f = over.getBoundingClientRect();
    for (const [el, r, name] of things()) {
      const across = Math.min(f.right, r.right) - Math.max(f.left, r.left);
      if (over.contains(el) || across <= 1) { continue; }
      // At scroll position s the thing is at r.top - s: does it meet the fixed box's band?
      if (r.top - f.bottom < last - 1 && r.bottom > f.top + 1) {
        record(name + ' passes under ' + describe(over) + ' (fixed) as the page scrolls');
      }
    }
  }
  for (const y of stops) {
    window.scrollTo(0, y);
    for (const [el, r, name] of things()) {
      if (r.left < -1 || r.right > width + 1) {
        const span = Math.round(r.left) + '–' + Math.round(r.right);
        record(name + ' runs out of the window sideways (' + span + ')');
        continue;
      }
      const box = scrollBox(el);
      const middle = (r.top + r.bottom) / 2;
      const inset = Math.min(6, r.width / 4);
      const points = [
        [(r.left + r.right) / 2, middle], [r.left + inset, middle], [r.right - inset, middle]];
      for (const [x, py] of points) {
        if (py < 0 || py >= height) { continue; }  // not on screen at this scroll position
        if (x < box.left || x >= box.right || py < box.top || py >= box.bottom) { continue; }
        const hit = document.elementFromPoint(x, py);
        if (hit && (el.contains(hit) || hit.contains(el))) { continue; }
        const at = Math.round(x) + ',' + Math.round(py + y);
        record(name + ' is covered by ' + describe(hit) + ' at ' + at);
        break;
      }
    }
  }
  window.scrollTo(0, 0);
  return faults;
}
"""


def layout_faults(page: Page) -> list[str]:
    return list(page.evaluate(LAYOUT_FAULTS, CONTROLS))


@pytest.fixture(scope="module")
def staff(site: Site) -> StaffSession:
    return site.staff()


@pytest.fixture(scope="module")
def world(site: Site, staff: StaffSession) -> dict[str, Any]:
    """What the views show: the seeded listings, a kiosk, a registration, a draft, and a
    site with a name as long as real ones get (the demo's run to 17 characters), which
    the listing form offers in its 所在站点 list."""
    with site.app.app_context():
        rows = db.session.execute(select(Listing.id, Listing.kind, Listing.title)).all()
        db.session.add(
            SiteModel(
                community_id=site.ids["qianwan"],
                kind="training_venue",
                name="黄岛街道特色技能培训中心（前湾社区综合楼三楼）",
                address="青岛市黄岛区前湾港路226号 前湾社区综合楼三楼",
                latitude=35.976,
                longitude=120.211,
            )
        )
        db.session.commit()
        db.session.remove()
    ids = {}
    for row in rows:
        ids.setdefault(row.kind, row.id)
    code = staff.post(f"/admin/api/sites/{site.ids['station']}/enrolment-codes", {})["code"]
    reply = requests.post(f"{site.server.url}/api/screens/enrol", json={"code": code}, timeout=10)
    assert reply.status_code == 201, reply.text
    body = {
        "kind": "job_seeker",
        "idempotency_key": secrets.token_hex(8),
        "consent": True,
        "name": "孙女士",
        "mobile": "13900005555",
        "community_id": site.ids["jiuquhe"],
        "age_band": "25-39",
        "wanted": ["part_time", "mom_friendly"],
        "skills": "会做饭",
        "availability": ["weekday_day"],
    }
    reply = requests.post(
        f"{site.server.url}/api/registrations",
        json=body,
        headers={"X-Screen-Token": reply.json()["token"]},
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    reference = reply.json()["reference"]
    [line] = staff.http.get(f"{site.server.url}/admin/api/registrations?q={reference}").json()[
        "items"
    ]
    draft = staff.post(
        "/admin/api/listings",
        {
            "kind": "training",
            "title": "养老护理员培训（草稿）",
            "summary": "免费培训，结业发证",
            "body": "",
            "contact": {"name": "王老师", "phone": "0532-86000000"},
            "target_id": site.ids["huangdao_street"],
            "site_id": None,
            "valid_until": None,
            "training": {
                "provider": "黄岛区职业培训学校",
                "fee": 0,
                "sessions": [
                    {
                        "starts_at": "2026-12-07T14:30:00+08:00",
                        "ends_at": "2026-12-07T17:00:00+08:00",
                        "seats": 30,
                        "venue": "九曲河社区活动室",
                    }
                ],
            },
        },
    )
    return {**ids, "draft": draft["id"], "registration": line["id"]}


def _open(page: Page, site: Site, hash_: str) -> None:
    page.goto(f"{site.server.url}/admin/{hash_}")
    page.reload()  # a hash-only goto would not load the page afresh


def _wait_for_listing(page: Page) -> None:
    expect(page.locator(".listing-title")).not_to_be_empty()
    expect(page.locator(".delivery-count")).to_be_visible()
    expect(page.locator(".preview iframe").first).to_be_visible()


# name → (hash, how to tell the view has loaded, an optional step after it has)
VIEWS: dict[str, tuple[str, Any]] = {
    "dashboard": ("#/dashboard", lambda p: expect(p.locator(".figures")).to_be_visible()),
    "listings": ("#/listings", lambda p: expect(p.locator("main table")).to_be_visible()),
    "new-job": ("#/listings/new/job", lambda p: expect(p.locator(".listing-form")).to_be_visible()),
    "new-training": (
        "#/listings/new/training",
        lambda p: p.get_by_role("button", name="添加一期").click(),
    ),
    "new-subsidy": (
        "#/listings/new/subsidy",
        lambda p: expect(p.locator(".listing-form")).to_be_visible(),
    ),
    "new-event": (
        "#/listings/new/event",
        lambda p: expect(p.locator(".listing-form")).to_be_visible(),
    ),
    "job": ("#/listings/{job}", _wait_for_listing),
    "training-draft": ("#/listings/{draft}", _wait_for_listing),
    "subsidy": ("#/listings/{subsidy}", _wait_for_listing),
    "event": ("#/listings/{event}", _wait_for_listing),
    "announcements": (
        "#/announcements",
        lambda p: expect(p.locator("[data-reach-line]")).to_contain_text("块"),
    ),
    "registrations": (
        "#/registrations",
        lambda p: expect(p.locator(".inbox-list table")).to_be_visible(),
    ),
    "registration": (
        "#/registrations/{registration}",
        lambda p: expect(p.locator(".inbox-matches")).to_be_visible(),
    ),
    "matching": (
        "#/registrations?listing_id={job}",
        lambda p: expect(p.locator(".inbox-listing-matches .panel")).to_be_visible(),
    ),
    "screens": ("#/screens", lambda p: expect(p.locator(".screens-list table")).to_be_visible()),
    "staff": ("#/staff", lambda p: expect(p.locator("main table")).to_be_visible()),
    "staff-edit": (
        "#/staff",
        lambda p: p.locator("main table tbody tr").first.get_by_role("button").click(),
    ),
    "audit": ("#/audit", lambda p: expect(p.locator(".audit-list table")).to_be_visible()),
}


@pytest.fixture
def office(console: Page) -> Iterator[Page]:
    console.set_viewport_size(CONSOLE_VIEWPORT)
    console.errors.clear()  # type: ignore[attr-defined]
    yield console
    assert console.errors == [], console.errors  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [CONSOLE_VIEWPORT, FULL_HD], ids=["1366x768", "1920x1080"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_no_control_on_a_view_is_covered_or_off_the_side(
    office: Page, site: Site, world: dict[str, Any], view: str, size: dict[str, int]
) -> None:
    office.set_viewport_size(size)
    hash_, ready = VIEWS[view]
    _open(office, site, hash_.format(**world))
    ready(office)
    if view == "staff-edit":
        expect(office.locator(".staff-side form").first).to_be_visible()
    faults = layout_faults(office)
    if view in ("new-job", "job", "training-draft"):
        screenshot(office, f"console-layout-{view}")
    assert faults == [], "\n".join(faults)


def test_login_leaves_nothing_covered(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport=CONSOLE_VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{site.server.url}/admin/")
    expect(page.locator("[data-field=password]")).to_be_visible()
    try:
        assert layout_faults(page) == []
    finally:
        context.close()


def test_saved_draft_notice_covers_nothing(office: Page, site: Site) -> None:
    _open(office, site, "#/listings/new/job")
    office.fill("[data-field=title]", "社区食堂帮厨")
    office.select_option("[data-field=target_id]", str(site.ids["huangdao_street"]))
    office.fill("[data-field='job.employer']", "幸福食堂")
    office.select_option("[data-field='job.category']", "mom_friendly")
    office.get_by_role("button", name="保存草稿").click()
    expect(office.locator(".notice")).to_have_text("草稿已保存")
    _wait_for_listing(office)
    faults = layout_faults(office)
    screenshot(office, "console-layout-draft-saved")
    assert faults == [], "\n".join(faults)


# --- In an English browser -------------------------------------------------------------

ENGLISH_PHRASES = ("mm/dd/yyyy", "Choose File", "No file chosen", "Show date picker")
# Controls whose insides the browser draws from the page's own text.
TEXT_CONTROLS = {
    "textarea",
    "select",
    "text",
    "search",
    "password",
    "tel",
    "number",
    "email",
    "url",
}

# Whether a control is drawn where people can see it (a hidden file input is not).
SHOWN = """
function () {
  const rect = this.getBoundingClientRect();
  const style = getComputedStyle(this);
  return rect.width > 2 && rect.height > 2 && style.visibility !== 'hidden'
    && Number(style.opacity) > 0;
}
"""


def _attributes(node: dict[str, Any]) -> dict[str, str]:
    flat = node.get("attributes", [])
    return dict(zip(flat[::2], flat[1::2], strict=True))


def browser_drawn_words(page: Page) -> list[str]:
    """The English the browser draws inside the page's shown controls (their user-agent
    shadow trees, which only Chromium's DevTools protocol can read, not the page):
    placeholders such as mm/dd/yyyy, the file button's Choose File, and titles such as
    Show date picker."""
    session = page.context.new_cdp_session(page)
    try:
        document = session.send("DOM.getDocument", {"depth": -1, "pierce": True})
        found: list[tuple[int, str]] = []

        def texts(node: dict[str, Any]) -> list[str]:
            out = []
            if node.get("nodeType") == 3 and node.get("nodeValue", "").strip():
                out.append(node["nodeValue"].strip())
            for name, value in _attributes(node).items():
                if name in ("value", "title", "aria-placeholder", "aria-label") and value:
                    out.append(value)
            for child in node.get("children", []) + node.get("shadowRoots", []):
                out.extend(texts(child))
            return out

        def walk(node: dict[str, Any]) -> None:
            for shadow in node.get("shadowRoots", []):
                if shadow.get("shadowRootType") == "user-agent":
                    kind = (
                        _attributes(node).get("type", "text")
                        if node["localName"] == "input"
                        else node["localName"]
                    )
                    if kind not in TEXT_CONTROLS:
                        english = [t for t in texts(shadow) if re.search(r"[A-Za-z]{2,}", t)]
                        if english:
                            found.append((node["backendNodeId"], f"<{kind}> " + " ".join(english)))
                else:
                    walk(shadow)
            for child in node.get("children", []):
                walk(child)

        walk(document["root"])
        words = []
        for backend_id, text in found:
            handle = session.send("DOM.resolveNode", {"backendNodeId": backend_id})
            shown = session.send(
                "Runtime.callFunctionOn",
                {
                    "objectId": handle["object"]["objectId"],
                    "functionDeclaration": SHOWN,
                    "returnByValue": True,
                },
            )
            if shown["result"]["value"]:
                words.append(text)
        return words
    finally:
        session.detach()


@pytest.fixture(scope="module")
def english(browser: Browser, site: Site) -> Iterator[Page]:
    """The console in a Chromium whose language is English (the others run in Chinese)."""
    args = [arg for arg in CHROMIUM_ARGS if not arg.startswith("--lang=")] + ["--lang=en-US"]
    launched = browser.browser_type.launch(executable_path=str(CHROMIUM), args=args)
    context = launched.new_context(viewport=CONSOLE_VIEWPORT, locale="en-US")
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    page.goto(f"{site.server.url}/admin/")
    page.fill("[data-field=username]", "admin")
    page.fill("[data-field=password]", site.passwords["admin"])
    page.click("button[type=submit]")
    page.wait_for_selector("nav.sidebar")
    yield page
    launched.close()


def test_no_form_speaks_english_in_an_english_browser(
    english: Page, site: Site, world: dict[str, Any]
) -> None:
    assert english.evaluate("navigator.language") == "en-US"
    for view in VIEWS:
        hash_, ready = VIEWS[view]
        _open(english, site, hash_.format(**world))
        ready(english)
        drawn = browser_drawn_words(english)
        text = english.locator("body").inner_text()
        placeholders = english.eval_on_selector_all(
            "input, textarea", "els => els.map(el => el.placeholder || '')"
        )
        said = [p for p in ENGLISH_PHRASES if p in text or any(p in x for x in placeholders)]
        if view == "training-draft":
            screenshot(english, "console-english-training-draft")
        assert drawn == [] and said == [], f"{view}: {drawn} {said}"
    assert english.errors == []  # type: ignore[attr-defined]


def test_times_are_typed_as_people_in_china_write_them(
    english: Page, site: Site, staff: StaffSession
) -> None:
    page = english
    day = to_local(utcnow() + timedelta(days=10)).date()
    after = day + timedelta(days=1)
    _open(page, site, "#/listings/new/event")
    starts = page.locator("[data-field='event.starts_at']")
    expect(starts).to_have_attribute("placeholder", "如 2026-12-07 14:30")
    page.fill("[data-field=title]", "星光招聘夜市（第二场）")
    page.select_option("[data-field=target_id]", str(site.ids["huangdao"]))
    page.select_option("[data-field='event.event_type']", index=1)
    starts.fill(f"{day.year}年{day.month}月{day.day}日 14:30")
    page.fill("[data-field='event.ends_at']", f"{day.year}/{day.month}/{day.day} 17:00")
    until = page.locator("[data-field=valid_until]")
    until.fill(f"{after:%Y-%m-%d} 24:00")
    until.press("Tab")
    # Left, a readable time is written the usual way; an impossible one says why.
    expect(starts).to_have_value(f"{day:%Y-%m-%d} 14:30")
    expect(page.locator("[data-error-for=valid_until]")).to_have_text(
        "时间不对：小时是 0–23，分钟是 0–59"
    )
    expect(until).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".form-error").first).to_have_text("请按提示修改标红的项目")
    assert "/new/event" in page.url

    until.fill(f"{after.year}-02-30 12:00")
    until.press("Tab")
    expect(page.locator("[data-error-for=valid_until]")).to_have_text("没有这一天，请检查月和日")
    until.fill(f"{after:%Y-%m-%d} 12:00")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".listing-title")).to_have_text("星光招聘夜市（第二场）")
    listing_id = page.url.rsplit("/", 1)[1]
    saved = staff.http.get(f"{site.server.url}/admin/api/listings/{listing_id}").json()
    # What the server receives is what it always did: China time, to the minute.
    assert saved["event"]["starts_at"] == f"{day:%Y-%m-%d}T14:30:00+08:00"
    assert saved["event"]["ends_at"] == f"{day:%Y-%m-%d}T17:00:00+08:00"
    assert saved["valid_until"] == f"{after:%Y-%m-%d}T12:00:00+08:00"
    expect(starts).to_have_value(f"{day:%Y-%m-%d} 14:30")

    # Publishing later takes a time written the same way.
    at = page.locator(".schedule [data-field=at]")
    at.fill("明天")
    page.get_by_role("button", name="到时自动发布").click()
    expect(page.locator("[data-error-for=at]")).to_have_text(
        "请按“2026-12-07 14:30”这样的格式填写日期和时间"
    )
    later = to_local(utcnow() + timedelta(days=3))
    at.fill(f"{later.year}年{later.month}月{later.day}日 8:05")
    page.get_by_role("button", name="到时自动发布").click()
    expect(page.locator(".status-panel .pill")).to_have_text("待发布")
    expect(page.locator(".status-panel")).to_contain_text(f"将于 {later:%Y-%m-%d} 08:05 自动发布")
    assert page.errors == []  # type: ignore[attr-defined]


def _late_answer(page: Page, site: Site, hash_: str, wait: str, api: str) -> None:
    _open(page, site, hash_)
    expect(page.locator(wait)).to_be_visible()
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route(f"**{api}?*", hold)
    try:
        start = page.locator("[data-field=from]")
        # A whole date asks for the list as soon as it is typed: held unanswered.
        with page.expect_request(lambda request: api in request.url):
            start.fill("2025-05-01")
            start.press("Tab")
        end = page.locator("[data-field=to]")
        end.fill("2025/2/30")
        end.press("Enter")
        error = page.locator("[data-error-for=to]")
        expect(error).to_have_text("没有这一天，请检查月和日")
        with page.expect_response(lambda response: api in response.url):
            for route in held:
                route.continue_()
    finally:
        page.unroute(f"**{api}?*", hold)
    expect(page.locator(wait)).to_be_visible()
    expect(error).to_have_text("没有这一天，请检查月和日")
    end.fill("")
    end.press("Enter")


def test_a_late_answer_leaves_a_wrong_date_its_message(
    english: Page, site: Site, world: dict[str, Any]
) -> None:
    """The list asked for with the first date answers after the second date was typed
    wrong: the message beside the second stays (it used to be wiped under load)."""
    _late_answer(english, site, "#/registrations", ".inbox-list table", "/admin/api/registrations")
    _late_answer(english, site, "#/audit", ".audit-list table", "/admin/api/audit")


def test_date_filters_read_dates_as_written_in_china(
    english: Page, site: Site, world: dict[str, Any]
) -> None:
    page = english
    for hash_, wait in (("#/registrations", ".inbox-list table"), ("#/audit", ".audit-list table")):
        _open(page, site, hash_)
        expect(page.locator(wait)).to_be_visible()
        start = page.locator("[data-field=from]")
        expect(start).to_have_attribute("placeholder", "如 2026-12-07")
        start.fill("2025年5月1日")
        start.press("Tab")
        expect(start).to_have_value("2025-05-01")
        expect(page).to_have_url(re.compile(r"from=2025-05-01"))
        end = page.locator("[data-field=to]")
        end.fill("2025/2/30")
        end.press("Enter")
        expect(page.locator("[data-error-for=to]")).to_have_text("没有这一天，请检查月和日")
        assert not re.search(r"to=2025", page.url)
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_picture_is_chosen_with_a_chinese_button(
    english: Page, site: Site, world: dict[str, Any], tmp_path: Path
) -> None:
    page = english
    _open(page, site, f"#/listings/{world['draft']}")
    _wait_for_listing(page)
    button = page.locator(".image-form label.file-pick")
    expect(button).to_have_text("选择图片")
    expect(page.locator(".image-form .file-name")).to_have_text("未选择文件")
    page.get_by_role("button", name="上传图片").click()
    expect(page.locator("[data-error-for=image]")).to_have_text("请选择一张图片")

    photo = tmp_path / "养老护理课堂.png"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 160, 200)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(photo))
    expect(page.locator(".image-form .file-name")).to_have_text("养老护理课堂.png")
    expect(page.locator("[data-error-for=image]")).to_be_empty()
    screenshot(page, "console-english-file-chosen")
    page.get_by_role("button", name="上传图片").click()
    expect(page.locator(".images img")).to_have_count(1)
    assert page.errors == []  # type: ignore[attr-defined]


# --- Confirmations ----------------------------------------------------------------------

# The focused element is inside the open confirmation.
FOCUS_IN_DIALOG = (
    "() => !!(document.activeElement && document.activeElement.closest('[role=dialog]'))"
)


def _confirmation(page: Page, opener: Any, confirm: str, says: list[str], data: str = "") -> Any:
    """Open a confirmation with its button and check it as a person with an English
    browser meets it: an in-page dialog, in Chinese, with 取消 and a button naming the
    action, the keyboard inside it. Returns the dialog, still open."""
    opener.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    for words in says:
        expect(dialog).to_contain_text(words)
    expect(dialog.get_by_role("button")).to_have_text(["取消", confirm])
    # Only the data it names (a login name) may be in Latin letters.
    text = dialog.inner_text().replace(data, "") if data else dialog.inner_text()
    assert not re.search(r"[A-Za-z]{2,}", text), text
    assert page.evaluate(FOCUS_IN_DIALOG)
    box = dialog.bounding_box()
    size = page.viewport_size
    assert box and size and box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"]
    return dialog


def _escape(page: Page, dialog: Any, opener: Any) -> None:
    """Esc leaves the confirmation, changing nothing, with the focus back where it was."""
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()


def test_every_confirmation_asks_in_chinese_on_the_page(
    english: Page, site: Site, world: dict[str, Any], staff: StaffSession
) -> None:
    """下架, 撤下, stopping a screen and (de)activating an account ask on the page, never
    with the browser's own box, whose buttons read "OK" and "Cancel" in English."""
    page = english
    native: list[str] = []

    def refuse(dialog: Any) -> None:
        native.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    try:
        # 下架: how many screens it leaves, and what becomes of the listing.
        _open(page, site, f"#/listings/{world['job']}")
        _wait_for_listing(page)
        opener = page.locator("[data-action=withdraw]")
        dialog = _confirmation(page, opener, "确认下架", ["下架", "1 块屏幕", "撤下这条信息"])
        screenshot(page, "console-english-confirm-withdraw")
        _escape(page, dialog, opener)
        expect(page.locator(".status-panel .pill")).to_have_text("已发布")

        # 撤下 an announcement.
        until = to_local(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:00+08:00")
        staff.post(
            "/admin/api/announcements",
            {"text": "明早9点 停水通知", "target_id": site.ids["huangdao"], "valid_until": until},
        )
        _open(page, site, "#/announcements")
        opener = page.locator("tr", has_text="明早9点 停水通知").get_by_role("button", name="撤下")
        dialog = _confirmation(page, opener, "确认撤下", ["撤下", "块屏幕", "不再显示这条通知"])
        _escape(page, dialog, opener)

        # 停用 a screen.
        _open(page, site, "#/screens")
        opener = (
            page.locator("tr[data-screen-id]").get_by_role("button", name=re.compile("^停用")).first
        )
        dialog = _confirmation(page, opener, "确认停用", ["停用", "立即停止显示信息"])
        screenshot(page, "console-english-confirm-screen")
        _escape(page, dialog, opener)

        # 停用账号, then 启用账号, with the keyboard alone.
        _open(page, site, "#/staff")
        page.get_by_role("button", name="修改九曲河站点的账号").click()
        opener = page.get_by_role("button", name="停用账号")
        dialog = _confirmation(page, opener, "确认停用", ["不能再登录"], data="jiuquhe")
        _escape(page, dialog, opener)
        dialog = _confirmation(page, opener, "确认停用", ["不能再登录"], data="jiuquhe")
        page.keyboard.press("Tab")
        expect(dialog.get_by_role("button", name="确认停用")).to_be_focused()
        page.keyboard.press("Enter")
        row = page.locator("tr", has_text="jiuquhe")
        expect(row).to_contain_text("已停用")
        opener = page.get_by_role("button", name="启用账号")
        dialog = _confirmation(page, opener, "确认启用", ["可以再次登录"], data="jiuquhe")
        expect(dialog.get_by_role("button", name="确认启用")).to_be_focused()
        page.keyboard.press("Enter")
        expect(row).to_contain_text("在用")
    finally:
        page.remove_listener("dialog", refuse)
    assert native == []
    assert page.errors == []  # type: ignore[attr-defined]
