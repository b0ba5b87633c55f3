"""Staff preview: the console's iframes of /tv/?preview=<id> and /kiosk/?preview=<id>
show a draft through the apps' own views, with its picture, its markup as text,
a 预览 mark, and no enrolment, live connection, storage or registration."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.registrations.models import Registration
from tests.browser.conftest import Site, screenshot
from tests.factories import listing_input

TITLE = "<script>window.pwned=1</script><b>手工花</b>组装"
BODY = '<img src=x onerror="window.pwned=2">在家门口做手工花，按件计酬。'
TV = (1920, 1080)
PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
# What a preview must never ask for: enrolment, the feed, the live connection.
LIVE_PATHS = ("/socket.io/", "/api/screens", "/api/feed", "/api/places", "/kiosk/sw.js")


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def draft(site: Site) -> dict[str, Any]:
    """A job saved as a draft, never published, with an uploaded picture."""
    staff = site.staff()
    body = listing_input(
        "job",
        target_id=site.ids["jiuquhe"],
        title=TITLE,
        body=BODY,
        site_id=site.ids["station"],
    )
    listing = staff.post("/admin/api/listings", body)
    assert listing["status"] == "draft"
    staff.upload(listing["id"], _photo(), "手工花")
    return listing


def _log_in(context: BrowserContext, site: Site, username: str = "admin") -> None:
    """As the console does: the CSRF token from GET, then POST; the cookie stays in the context."""
    url = f"{site.server.url}/admin/api/session"
    token = context.request.get(url).json()["csrf_token"]
    reply = context.request.post(
        url,
        data={"username": username, "password": site.passwords[username]},
        headers={"X-CSRFToken": token},
    )
    assert reply.ok, reply.text()


class Preview:
    """One page of a preview, with what it asked the server for and its script errors."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page: Page = context.new_page()
        self.page.set_default_timeout(10_000)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, site: Site, path: str) -> Page:
        self.page.goto(f"{site.server.url}{path}")
        return self.page

    def assert_quiet(self) -> None:
        """Nothing stored, nothing live, nothing run from the listing's text."""
        asked = [url for url in self.requests if any(path in url for path in LIVE_PATHS)]
        assert asked == []
        assert self.page.evaluate("window.localStorage.length") == 0
        assert self.page.evaluate("window.pwned === undefined")
        assert self.errors == []


def _preview(
    browser: Browser, site: Site, size: tuple[int, int], **options: Any
) -> Iterator[Preview]:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="zh-CN", **options
    )
    _log_in(context, site)
    yield Preview(context)
    context.close()


@pytest.fixture
def tv(browser: Browser, site: Site) -> Iterator[Preview]:
    yield from _preview(browser, site, TV)


@pytest.fixture(params=[PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def kiosk(browser: Browser, site: Site, request: pytest.FixtureRequest) -> Iterator[Preview]:
    yield from _preview(browser, site, request.param, has_touch=True)


def _registrations(site: Site, listing_id: int) -> int:
    with site.app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.listing_id == listing_id)
        )
        db.session.remove()
        return int(count or 0)


def _loaded(page: Page, selector: str) -> int:
    locator = page.locator(selector)
    expect(locator).to_be_visible()
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete; }", arg=selector
    )
    return int(locator.evaluate("image => image.naturalWidth"))


def _as_text(page: Page, selector: str) -> None:
    """The markup in the title is its text: no element made of it."""
    title = page.locator(selector)
    expect(title).to_have_text(TITLE)
    assert title.evaluate("t => t.children.length") == 0


def test_the_tv_shows_a_draft_as_a_tv_will_show_it(tv: Preview, site: Site, draft: Any) -> None:
    page = tv.open(site, f"/tv/?preview={draft['id']}")

    _as_text(page, ".detail-title")
    expect(page.locator(".body-text")).to_have_text(BODY)
    expect(page.locator(".preview-mark")).to_have_text("预览")
    expect(page.locator(".gone")).to_have_count(0)  # a draft shows as it will once published
    assert _loaded(page, "img.photo") == 540  # the tv rendition of a 3:2 picture
    assert _loaded(page, "img.qr") > 0
    screenshot(page, "preview-tv-detail")

    ask = page.locator("[data-key='callback']")
    expect(ask).to_have_text("请工作人员联系我")
    expect(ask).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".badge-preview")).to_have_text("预览中，不能登记")
    _as_text(page, ".detail-title")  # still on the listing, no callback form
    screenshot(page, "preview-tv-refused")
    assert _registrations(site, draft["id"]) == 0
    tv.assert_quiet()


def test_the_tv_card_view_lists_the_draft_alone(tv: Preview, site: Site, draft: Any) -> None:
    page = tv.open(site, f"/tv/?preview={draft['id']}&view=card")

    expect(page.locator(".screen .card")).to_have_count(1)
    _as_text(page, ".card-title")
    expect(page.locator("h1")).to_have_text("岗位（共1条）")
    expect(page.locator(".preview-mark")).to_be_visible()
    screenshot(page, "preview-tv-card")

    page.keyboard.press("Enter")
    _as_text(page, ".detail-title")
    page.keyboard.press("Escape")
    expect(page.locator(".screen .card")).to_have_count(1)
    tv.assert_quiet()


def test_the_kiosk_shows_a_draft_as_a_kiosk_will_show_it(
    kiosk: Preview, site: Site, draft: Any
) -> None:
    page = kiosk.open(site, f"/kiosk/?preview={draft['id']}")

    _as_text(page, "h1")
    expect(page.locator(".detail .body")).to_have_text(BODY)
    expect(page.locator(".preview-mark")).to_have_text("预览")
    expect(page.locator(".gone")).to_have_count(0)
    assert _loaded(page, "img.qr") > 0
    screenshot(page, "preview-kiosk-detail")

    page.get_by_role("button", name="我要应聘", exact=True).tap()

    expect(page.locator(".badge-preview")).to_have_text("预览中，不能登记")
    _as_text(page, "h1")
    screenshot(page, "preview-kiosk-refused")
    assert _registrations(site, draft["id"]) == 0
    # Home and back lead to the listing again, never to an attract loop.
    page.get_by_role("button", name="首页", exact=True).tap()
    _as_text(page, "h1")
    kiosk.assert_quiet()


def test_the_kiosk_card_view_lists_the_draft_alone(kiosk: Preview, site: Site, draft: Any) -> None:
    page = kiosk.open(site, f"/kiosk/?preview={draft['id']}&view=card")

    expect(page.locator(".cards .card")).to_have_count(1)
    _as_text(page, ".card-title")
    expect(page.locator(".preview-mark")).to_be_visible()
    screenshot(page, "preview-kiosk-card")

    page.locator(".cards .card").tap()
    _as_text(page, "h1")
    kiosk.assert_quiet()


# The console's frames: full-size screens, scaled down; the kiosk's orientation
# follows the frame's shape (its style sheet's orientation media query).
FRAMES = {
    "tv": ("/tv/?preview={id}", 1920, 1080),
    "portrait": ("/kiosk/?preview={id}", 1080, 1920),
    "landscape": ("/kiosk/?preview={id}&view=card", 1920, 1080),
}


def test_the_console_can_frame_both_apps_scaled_down(tv: Preview, site: Site, draft: Any) -> None:
    page = tv.open(site, "/api/openapi.json")  # a page of the origin, as the console is
    page.set_content(
        "<!DOCTYPE html><body style='margin:0;background:#ddd'><input id=editor></body>"
    )
    page.focus("#editor")
    for name, (path, width, height) in FRAMES.items():
        page.evaluate(
            """([name, src, width, height]) => {
              const box = document.createElement('div');
              box.style.cssText = `display:inline-block;vertical-align:top;margin:8px;` +
                `width:${width / 4}px;height:${height / 4}px;overflow:hidden`;
              const frame = document.createElement('iframe');
              frame.name = name;
              frame.src = src;
              frame.style.cssText = `width:${width}px;height:${height}px;border:0;` +
                `transform:scale(0.25);transform-origin:0 0`;
              box.appendChild(frame);
              document.body.appendChild(box);
            }""",
            [name, path.format(id=draft["id"]), width, height],
        )
    for name in FRAMES:
        title = page.frame_locator(f"iframe[name={name}]").locator(
            ".card-title" if name == "landscape" else "h1"
        )
        expect(title).to_have_text(TITLE)
    landscape = {name: page.frame(name=name) for name in ("portrait", "landscape")}
    query = "matchMedia('(orientation: landscape)').matches"
    assert landscape["landscape"] and landscape["landscape"].evaluate(query)
    assert landscape["portrait"] and not landscape["portrait"].evaluate(query)
    # Staff typing in the console keep their keys: no frame took the focus.
    page.keyboard.type("标题")
    expect(page.locator("#editor")).to_have_value("标题")
    screenshot(page, "preview-console-frames")
    tv.assert_quiet()


@pytest.mark.parametrize("frontend", ["tv", "kiosk"])
def test_without_a_staff_session_the_preview_asks_to_log_in(
    browser: Browser, site: Site, draft: Any, frontend: str
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    preview = Preview(context)
    page = preview.open(site, f"/{frontend}/?preview={draft['id']}")

    expect(page.get_by_text("请先登录管理后台，再打开预览")).to_be_visible()
    expect(page.locator(".preview-mark")).to_be_visible()
    assert TITLE not in page.content()
    screenshot(page, f"preview-{frontend}-logged-out")
    preview.assert_quiet()
    context.close()


def test_a_listing_out_of_scope_or_missing_says_so(browser: Browser, site: Site) -> None:
    elsewhere = site.staff().post(
        "/admin/api/listings", listing_input("job", target_id=site.ids["taidong1"])
    )
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    _log_in(context, site, "jiuquhe")  # station staff of 九曲河社区
    preview = Preview(context)

    page = preview.open(site, f"/tv/?preview={elsewhere['id']}")
    expect(page.get_by_text("这条信息不在您的管辖范围内，不能预览")).to_be_visible()
    page = preview.open(site, "/kiosk/?preview=999999")
    expect(page.get_by_text("没有找到这条信息")).to_be_visible()
    page = preview.open(site, "/kiosk/?preview=abc")
    expect(page.get_by_text("没有找到这条信息")).to_be_visible()
    preview.assert_quiet()
    context.close()
