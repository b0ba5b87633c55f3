"""Each app runs under the site's Content-Security-Policy without a single violation:
the TV, the kiosk, the staff console, and the console framing both apps' previews."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import Site, open_console
from tests.factories import listing_input

# Every frame reports its violations into its own list, which the test reads.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


class Watched:
    """A page whose CSP reports, from the console and from every frame's events, are kept."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.reports: list[str] = []
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.reports.append(message.text)

    def violations(self) -> list[str]:
        found = list(self.reports)
        for frame in self.page.frames:
            found += frame.evaluate("window.__violations || []")
        return found


def _watch(context: BrowserContext) -> Watched:
    context.add_init_script(LISTEN)
    return Watched(context.new_page())


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    yield context
    context.close()


@pytest.mark.parametrize("path", ["/tv/", "/kiosk/"])
def test_the_screens_start_without_a_violation(context: BrowserContext, site: Site, path: str):
    watched = _watch(context)
    watched.page.goto(f"{site.server.url}{path}")
    watched.page.wait_for_load_state("networkidle")
    # The app drew its first screen, so its scripts and styles all ran.
    watched.page.wait_for_function("document.body.innerText.trim().length > 0")
    assert watched.violations() == []


def test_the_console_and_its_framed_previews_run_without_a_violation(
    browser: Browser, site: Site
) -> None:
    draft = site.staff().post("/admin/api/listings", listing_input(target_id=site.ids["jiuquhe"]))
    page = open_console(browser, site)
    page.context.add_init_script(LISTEN)
    watched = Watched(page)
    page.reload()
    page.wait_for_selector("nav.sidebar")
    for app in ("tv", "kiosk"):
        page.evaluate(
            """([src]) => new Promise(function (resolve) {
                 var frame = document.createElement('iframe');
                 frame.onload = resolve;
                 frame.src = src;
                 document.body.appendChild(frame);
               })""",
            [f"/{app}/?preview={draft['id']}"],
        )
    page.wait_for_load_state("networkidle")
    frames = [frame for frame in page.frames if "preview=" in frame.url]
    assert len(frames) == 2
    for frame in frames:
        # Framed, the preview drew the draft: framing by the console is allowed.
        frame.wait_for_function("document.body.innerText.indexOf('手工花') >= 0")
    assert watched.violations() == []
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()
