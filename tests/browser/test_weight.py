"""What a TV on a slow line downloads before its first screen shows: at most 150 KB
over the wire (compressed, headers included), for a TV already registered at home and
for one starting for the first time (the street picker). The figures themselves, with
Lighthouse's score, are in docs/benchmarks.md (bench/frontend.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from kiosk_server.extensions import db
from tests.browser.conftest import Site
from tests.factories import make_listing

BUDGET_BYTES = 150_000
# A full first page of the feed (it asks for 100 at a time), not the few of the seed.
LISTINGS = 100


@dataclass
class Wire:
    """Bytes received per URL, as Chromium counts them (Network.loadingFinished's
    encodedDataLength: headers and body as sent, before decompression), and the
    frames of the live connection."""

    by_url: dict[str, int] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    frames: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_url.values()) + self.frames


@pytest.fixture(scope="module", autouse=True)
def _full_feed(site: Site) -> None:
    with site.app.app_context():
        street = site.place("huangdao_street")
        for n in range(LISTINGS):
            make_listing(["job", "training", "subsidy", "event"][n % 4], target=street)
        db.session.remove()


@pytest.fixture
def tv(browser: Browser) -> Iterator[tuple[Page, Wire]]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    wire = Wire()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # A fresh context has an empty cache; make sure nothing is served from memory.
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def sent(event: dict[str, Any]) -> None:
        wire.urls[event["requestId"]] = event["request"]["url"]

    def finished(event: dict[str, Any]) -> None:
        url = wire.urls.get(event["requestId"], event["requestId"])
        wire.by_url[url] = wire.by_url.get(url, 0) + int(event["encodedDataLength"])

    def frame(event: dict[str, Any]) -> None:
        wire.frames += len(event["response"]["payloadData"].encode("utf-8"))

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    yield page, wire
    context.close()


def _report(name: str, wire: Wire) -> str:
    lines = [f"{name}: {wire.total} bytes ({len(wire.by_url)} requests)"]
    for url, size in sorted(wire.by_url.items(), key=lambda item: -item[1]):
        lines.append(f"  {size:>7}  {url}")
    return "\n".join(lines)


def test_a_registered_tv_shows_home_within_150_kb(site: Site, tv: tuple[Page, Wire]) -> None:
    page, wire = tv
    reply = requests.post(
        f"{site.server.url}/api/screens", json={"community_id": site.ids["jiuquhe"]}
    )
    reply.raise_for_status()
    saved = {
        "token": reply.json()["token"],
        "community": {"id": site.ids["jiuquhe"], "name": "九曲河社区"},
        "street": {"id": 0, "name": ""},
    }
    page.add_init_script(f"localStorage.setItem('jxj.tv.screen', {json.dumps(json.dumps(saved))})")

    page.goto(f"{site.server.url}/tv/")
    expect(page.locator(".row-cards .card")).to_have_count(3)
    page.wait_for_load_state("networkidle")

    print(_report("registered TV, home", wire))
    # The home screen is one answer from the server: counts and the newest of each kind.
    assert any("/api/home" in url for url in wire.by_url)
    assert wire.total <= BUDGET_BYTES, _report("registered TV, home", wire)


def test_a_new_tv_shows_the_street_picker_within_150_kb(site: Site, tv: tuple[Page, Wire]) -> None:
    page, wire = tv
    page.goto(f"{site.server.url}/tv/")
    expect(page.locator(".grid-choices [data-focusable]").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    print(_report("new TV, street picker", wire))
    assert any("/api/places" in url for url in wire.by_url)
    assert wire.total <= BUDGET_BYTES, _report("new TV, street picker", wire)
