"""The console's 概览 page: its figures agree with the lists, and 刷新 shows new ones."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import requests
from playwright.sync_api import Browser, Page, expect

from kiosk_server.extensions import db
from tests.browser.conftest import (
    Site,
    axe_violations,
    open_console,
    screenshot,
    wait_until_written,
)
from tests.factories import REGISTRATION_ANSWERS, make_registration
from tests.live_server import RemoteScreen


def published(site: Site, kind: str) -> int:
    staff = site.staff()
    reply = staff.http.get(
        f"{site.server.url}/admin/api/listings", params={"status": "published", "kind": kind}
    )
    reply.raise_for_status()
    return int(reply.json()["total"])


def register_by_phone(site: Site) -> None:
    body = {
        "kind": "job_seeker",
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "李女士",
        "mobile": "13900001234",
        "community_id": site.ids["jiuquhe"],
        "age_band": "40-49",
        **REGISTRATION_ANSWERS["job_seeker"],
    }
    reply = requests.post(f"{site.server.url}/api/registrations", json=body)
    assert reply.status_code == 201, reply.text


def registered_days_ago(site: Site, counts: dict[int, int]) -> None:
    """{days back: how many}: registrations made earlier, for the chart to show."""
    with site.app.app_context():
        for back, count in counts.items():
            for _ in range(count):
                registration = make_registration(site.place("jiuquhe"))
                registration.created_at -= timedelta(days=back)
        db.session.commit()
        db.session.remove()


def figure(page: Page, name: str) -> int:
    return int(page.locator(f"[data-figure={name}] .value").inner_text())


def refresh(page: Page) -> None:
    before = page.locator(".page-head .hint").inner_text()
    page.wait_for_timeout(1000)  # the clock shows seconds: let it move on
    page.get_by_role("button", name="刷新").click()
    expect(page.locator(".page-head .hint")).not_to_have_text(before)


def test_the_dashboard_counts_what_the_lists_hold_and_refreshes(
    browser: Browser, site: Site
) -> None:
    registered_days_ago(site, {1: 2, 2: 5, 3: 1, 13: 3})
    page = open_console(browser, site)
    # The landing page.
    expect(page.get_by_role("heading", name=re.compile("^概览"))).to_be_visible()
    expect(page.locator(".page-head .hint")).to_have_text(re.compile(r"^更新于 \d\d:\d\d:\d\d$"))

    kinds = {"job": 0, "training": 0, "subsidy": 0, "event": 0}
    for kind in kinds:
        kinds[kind] = published(site, kind)
        shown = page.locator(f"[data-figure=listings] [data-kind={kind}]")
        expect(shown).to_have_attribute("data-count", str(kinds[kind]))
    assert kinds["job"] >= 8
    assert figure(page, "listings") == sum(kinds.values())

    # One bar a day for two weeks, described for screen readers too.
    chart = page.locator("svg.dashboard-daily")
    expect(chart.locator("rect.bar")).to_have_count(14)
    expect(chart).to_have_attribute("role", "img")
    expect(chart).to_have_attribute("aria-label", re.compile(r"^近14天共 \d+ 条登记"))
    expect(page.locator(".dashboard-hidden table tbody tr")).to_have_count(14)
    bars = chart.locator("rect.bar")
    counts = [int(bars.nth(n).get_attribute("data-count") or "") for n in range(14)]
    assert counts[0] == 3 and counts[-4:-1] == [1, 5, 2]
    heights = [float(bars.nth(n).get_attribute("height") or "") for n in range(14)]
    assert heights[-3] == max(heights) > heights[-2] > heights[-4] > 0
    today = chart.locator(".today rect.bar")
    today_count = int(today.get_attribute("data-count") or "0")

    week = figure(page, "week")
    tvs = figure(page, "tv")
    register_by_phone(site)
    tv = RemoteScreen(site.server, site.ids["jiuquhe"])
    wait_until_written(site, tv.token)
    refresh(page)
    expect(page.locator("[data-figure=week] .value")).to_have_text(str(week + 1))
    expect(page.locator("[data-figure=tv] .value")).to_have_text(str(tvs + 1))
    expect(today).to_have_attribute("data-count", str(today_count + 1))
    expect(page.locator(".dashboard table tr", has_text="手机")).to_be_visible()
    expect(page.locator("tr[data-status=new]")).to_be_visible()
    screenshot(page, "console-dashboard")
    assert axe_violations(page) == []
    tv.client.disconnect()
    page.context.close()


def test_station_staff_see_their_own_community(browser: Browser, site: Site) -> None:
    page = open_console(browser, site, "jiuquhe")
    expect(page.get_by_role("heading", name="概览 · 九曲河社区")).to_be_visible()
    expect(page.locator("svg.dashboard-daily rect.bar")).to_have_count(14)
    page.context.close()
