"""The console's 屏幕 page: which screens are online, stopping one, and kiosk binding codes."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import requests
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing
from kiosk_server.live.models import Change
from kiosk_server.screens.models import Screen
from kiosk_server.screens.presence import is_online
from kiosk_server.timeutil import utcnow
from tests.browser.conftest import (
    Site,
    axe_violations,
    open_console,
    screenshot,
    wait_until_written,
)
from tests.live_server import RemoteScreen


def open_screens(browser: Browser, site: Site) -> Page:
    page = open_console(browser, site)
    page.goto(f"{site.server.url}/admin/#/screens")
    expect(page.get_by_role("heading", name="屏幕", exact=True)).to_be_visible()
    expect(page.locator(".screens-summary")).to_contain_text("共")
    return page


def refresh(page: Page) -> None:
    before = page.locator(".page-head .hint").text_content()
    page.wait_for_timeout(1000)  # the clock shows seconds: let it move on
    page.get_by_role("button", name="刷新").click()
    expect(page.locator(".page-head .hint")).not_to_have_text(before or "")


def test_a_connected_tv_shows_online_then_offline_and_stopping_it_refuses_its_token(
    browser: Browser, site: Site
) -> None:
    tv = RemoteScreen(site.server, site.ids["jiuquhe"])
    row_id = wait_until_written(site, tv.token)
    page = open_screens(browser, site)
    row = page.locator(f"tr[data-screen-id='{row_id}']")
    expect(row).to_contain_text("电视")
    expect(row).to_contain_text("九曲河社区")
    expect(row.locator(".pill")).to_have_text("在线")
    expect(page.locator(".page-head .hint")).to_have_text(re.compile(r"^更新于 \d\d:\d\d:\d\d$"))
    screenshot(page, "console-screens")
    assert axe_violations(page) == []

    tv.client.disconnect()
    wait_until_written(site, tv.token, gone=True)
    refresh(page)
    expect(row.locator(".pill")).to_have_text("离线")

    # Filters: an offline TV is not among the online ones, and is among the offline TVs.
    page.select_option("[data-field=screen-status]", "online")
    expect(row).to_have_count(0)
    page.select_option("[data-field=screen-status]", "offline")
    page.select_option("[data-field=screen-kind]", "tv")
    expect(row).to_have_count(1)

    row.get_by_role("button", name=re.compile("^停用")).click()
    confirmation = page.get_by_role("dialog")
    expect(confirmation).to_contain_text("立即停止显示信息")
    confirmation.get_by_role("button", name="确认停用").click()
    page.select_option("[data-field=screen-status]", "")
    expect(row.locator(".pill")).to_have_text("已停用")
    expect(row.get_by_role("button")).to_have_count(0)

    refused = requests.post(
        f"{site.server.url}/api/registrations", json={}, headers={"X-Screen-Token": tv.token}
    )
    assert refused.status_code == 401
    page.context.close()


def test_a_screen_that_is_not_stopped_stays_when_staff_cancel(browser: Browser, site: Site) -> None:
    tv = RemoteScreen(site.server, site.ids["qianwan"])
    row_id = wait_until_written(site, tv.token)
    page = open_screens(browser, site)
    row = page.locator(f"tr[data-screen-id='{row_id}']")
    stop = row.get_by_role("button", name=re.compile("^停用"))
    stop.click()
    page.get_by_role("dialog").get_by_role("button", name="取消").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(stop).to_be_focused()
    refresh(page)
    expect(row.locator(".pill")).to_have_text("在线")
    tv.client.disconnect()
    page.context.close()


def test_a_binding_code_made_on_the_page_enrols_a_kiosk(browser: Browser, site: Site) -> None:
    page = open_screens(browser, site)
    panel = page.locator(".screens-enrolment")

    # With one station in scope it is chosen already; without a choice, the field says so.
    choice = panel.locator("[data-field=site_id]")
    expect(choice).to_have_value(str(site.ids["station"]))
    choice.select_option("")
    panel.get_by_role("button", name="生成绑定码").click()
    expect(panel.locator("[data-error-for=site_id]")).to_have_text("请先选择自助机所在的站点")

    choice.select_option(str(site.ids["station"]))
    panel.get_by_role("button", name="生成绑定码").click()
    code = panel.locator("[data-enrolment-code]")
    expect(code).to_have_text(re.compile(r"^\d{4} \d{4}$"))
    expect(panel).to_contain_text("绑定本机")
    expect(panel).to_contain_text("有效期至")
    expect(panel.locator("[data-error-for=site_id]")).to_be_empty()
    screenshot(page, "console-screens-code")

    reply = requests.post(
        f"{site.server.url}/api/screens/enrol", json={"code": code.text_content()}
    )
    assert reply.status_code == 201, reply.text
    kiosk = reply.json()
    assert kiosk["site"]["id"] == site.ids["station"]

    # The new kiosk is listed with its station.
    page.select_option("[data-field=screen-kind]", "kiosk")
    row = page.locator(f"tr[data-screen-id='{kiosk['screen']['id']}']")
    expect(row).to_contain_text("自助机")
    expect(row).to_contain_text("乐业服务站")

    # The code worked once.
    again = requests.post(
        f"{site.server.url}/api/screens/enrol", json={"code": code.text_content()}
    )
    assert again.status_code == 422
    page.context.close()


def test_a_screen_left_behind_on_changes_stands_out(browser: Browser, site: Site) -> None:
    tv = RemoteScreen(site.server, site.ids["fuxing"])
    row_id = wait_until_written(site, tv.token)
    # The seeded listings' changes, made three minutes ago: a screen should have them by now.
    with site.app.app_context():
        for change in db.session.scalars(select(Change)):
            change.created_at -= timedelta(minutes=3)
        db.session.commit()
        db.session.remove()
    page = open_screens(browser, site)
    row = page.locator(f"tr[data-screen-id='{row_id}']")
    expect(row).to_have_class("stale")
    expect(row.locator(".pill")).to_have_text(["在线", "落后"])
    expect(row.locator(".screens-seq")).to_have_text(re.compile(r"^0 / [1-9]\d*$"))

    page.select_option("[data-field=screen-status]", "stale")
    expect(page.locator(".screens-summary")).to_have_text(re.compile(r"^符合条件的共 [1-9]\d* 块$"))
    expect(row).to_be_visible()
    expect(page.locator("tr[data-screen-id]:not(.stale)")).to_have_count(0)
    screenshot(page, "console-screens-stale")
    tv.client.disconnect()
    page.context.close()


def test_many_screens_are_listed_a_page_at_a_time_with_the_true_total(
    browser: Browser, site: Site
) -> None:
    with site.app.app_context():
        db.session.add_all(
            Screen(kind="tv", community_id=site.ids["taidong2"], token_hash=secrets.token_hex(32))
            for _ in range(120)
        )
        db.session.commit()
        ids = list(db.session.scalars(select(Screen.id).order_by(Screen.id)))
        db.session.remove()
    pages = -(-len(ids) // 50)
    page = open_screens(browser, site)
    # How many are online is counted in tests/functional/test_admin_screens.py; the
    # module's earlier tests may leave a screen online here.
    expect(page.locator(".screens-summary")).to_have_text(
        re.compile(rf"^共 {len(ids)} 块，在线 \d+ 块$")
    )
    rows = page.locator("tr[data-screen-id]")
    expect(rows).to_have_count(50)
    expect(rows.first).to_have_attribute("data-screen-id", str(ids[0]))
    pager = page.locator(".pager")
    expect(pager).to_contain_text(f"第 1 / {pages} 页，共 {len(ids)} 条")
    screenshot(page, "console-screens-pages")

    following = pager.get_by_role("button", name="下一页")
    following.click()
    expect(pager).to_contain_text(f"第 2 / {pages} 页")
    expect(rows.first).to_have_attribute("data-screen-id", str(ids[50]))
    for _ in range(pages - 2):
        following.click()
    expect(pager).to_contain_text(f"第 {pages} / {pages} 页")
    expect(rows).to_have_count(len(ids) - 50 * (pages - 1))
    expect(rows.last).to_have_attribute("data-screen-id", str(ids[-1]))
    expect(following).to_be_disabled()

    # A filter starts again at its first page, with its own total.
    page.select_option("[data-field=screen-status]", "offline")
    expect(page.locator(".screens-summary")).to_have_text(re.compile(r"^符合条件的共 \d+ 块$"))
    expect(pager).to_contain_text("第 1 / ")

    # A city-wide listing's delivery counts every one of them, not a page.
    with site.app.app_context():
        listing = db.session.scalar(select(Listing).where(Listing.title == "一次性创业补贴"))
        assert listing is not None
        listing_id = listing.id
        active = list(db.session.scalars(select(Screen).where(Screen.revoked_at.is_(None))))
        online = sum(is_online(screen, utcnow()) for screen in active)
        db.session.remove()
    page.goto(f"{site.server.url}/admin/#/listings/{listing_id}")
    panel = page.locator(".delivery-panel")
    expect(panel).to_contain_text(
        f"范围「青岛市」内共 {len(active)} 块屏幕，离线 {len(active) - online} 块"
    )
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()
