"""The facts a listing shows, read as a person reads them: from the phone page
a QR code opens, and from a screen's detail view."""

from __future__ import annotations

import html
import re

import requests
from playwright.sync_api import Locator, Page

from tests.browser.conftest import Site

_ROW = re.compile(r"<dt>(.*?)</dt><dd>(.*?)</dd>", re.S)
_QR = re.compile(r"/api/listings/(\d+)/qr\.png")


def phone_facts(site: Site, listing_id: int) -> list[tuple[str, str]]:
    """The label/value rows of the phone page for the listing."""
    page = requests.get(f"{site.server.url}/l/{listing_id}", timeout=10)
    assert page.status_code == 200
    [facts] = re.findall(r'<dl class="facts">(.*?)</dl>', page.text, re.S)
    return [(html.unescape(dt), html.unescape(dd)) for dt, dd in _ROW.findall(facts)]


def screen_facts(facts: Locator) -> list[tuple[str, str]]:
    """The label/value rows a screen's detail shows, in order."""
    rows = facts.locator(".fact")
    return [
        (row.locator("dt").inner_text().strip(), row.locator("dd").inner_text().strip())
        for row in rows.all()
    ]


def shown_listing_id(page: Page) -> int:
    """The listing a detail view shows, by the QR code it offers to take it away."""
    found = _QR.search(page.locator("img.qr").get_attribute("src") or "")
    assert found, "the detail offers no QR code"
    return int(found.group(1))
