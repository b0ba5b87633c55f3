"""The console's 账号管理 page: city administrators create, check and stop accounts."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Site, axe_violations, open_console, screenshot
from tests.live_server import StaffSession

PASSWORD = "station-password-9"


def usernames(site: Site) -> list[str]:
    reply = site.staff().http.get(f"{site.server.url}/admin/api/staff?per_page=100")
    reply.raise_for_status()
    return [item["username"] for item in reply.json()["items"]]


def test_an_administrator_creates_checks_and_stops_a_station_account(
    browser: Browser, site: Site
) -> None:
    page = open_console(browser, site)
    page.get_by_role("link", name="账号管理").click()
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    expect(page.locator("tr[data-staff-id]")).to_have_count(3)
    screenshot(page, "console-staff")

    form = page.get_by_role("form", name="新建账号")
    form.locator("[data-field=username]").fill("zhou.min")
    form.locator("[data-field=display_name]").fill("周敏")
    form.locator("[data-field=role]").select_option("station")
    # A station's staff look after a community, not a whole street.
    form.locator("[data-field=scope_id]").select_option(str(site.ids["huangdao_street"]))
    form.locator("[data-field=password]").fill(PASSWORD)
    form.get_by_role("button", name="新建账号").click()

    error = form.locator("[data-error-for=scope_id]")
    expect(error).to_have_text("站点工作人员的管辖范围应是一个社区")
    expect(form.locator("[data-field=scope_id]")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "console-staff-error")
    assert "zhou.min" not in usernames(site)

    form.locator("[data-field=scope_id]").select_option(str(site.ids["jiuquhe"]))
    form.get_by_role("button", name="新建账号").click()
    row = page.locator("tr", has_text="zhou.min")
    expect(row).to_contain_text("周敏")
    expect(row).to_contain_text("站点工作人员")
    expect(row).to_contain_text("九曲河社区")
    expect(row).to_contain_text("在用")
    expect(row).to_contain_text("从未登录")
    assert "zhou.min" in usernames(site)

    StaffSession(site.server.url, "zhou.min", PASSWORD)
    page.reload()
    page.wait_for_selector("nav.sidebar")
    row = page.locator("tr", has_text="zhou.min")
    expect(row).not_to_contain_text("从未登录")

    # The account opened in the side panel: stop it.
    row.get_by_role("button", name=re.compile("^修改")).click()
    expect(page.get_by_role("heading", name="修改账号：周敏")).to_be_visible()
    screenshot(page, "console-staff-edit")
    assert axe_violations(page) == []
    page.get_by_role("button", name="停用账号").click()
    confirmation = page.get_by_role("dialog")
    expect(confirmation).to_contain_text("停用「周敏」（zhou.min）的账号？")
    expect(confirmation).to_contain_text("不能再登录")
    screenshot(page, "console-staff-confirm")
    assert axe_violations(page) == []
    confirmation.get_by_role("button", name="确认停用").click()
    expect(row).to_contain_text("已停用")
    with pytest.raises(requests.HTTPError):
        StaffSession(site.server.url, "zhou.min", PASSWORD)

    page.get_by_role("button", name="启用账号").click()
    confirmation.get_by_role("button", name="确认启用").click()
    expect(row).to_contain_text("在用")
    StaffSession(site.server.url, "zhou.min", PASSWORD)
    page.context.close()


# Wrong passwords lock the guesser's address, never the account (issue #22.4,
# tests/functional/test_login_throttle.py), so an account has no lock to show here.
def test_an_edit_that_does_not_fit_shows_beside_the_field_and_a_new_password_works(
    browser: Browser, site: Site
) -> None:
    page = open_console(browser, site)
    page.goto(f"{site.server.url}/admin/#/staff")
    row = page.locator("tr", has_text="jiuquhe")
    expect(row.locator(".pill")).to_have_text("在用")
    row.get_by_role("button", name=re.compile("^修改")).click()
    edit = page.get_by_role("form", name="修改账号")
    edit.locator("[data-field=role]").select_option("district")
    edit.get_by_role("button", name="保存").click()
    expect(edit.locator("[data-error-for=scope_id]")).to_have_text(
        "区级就业服务专员的管辖范围应是一个区（市）"
    )
    expect(row).to_contain_text("站点工作人员")

    reset = page.get_by_role("form", name="重设密码")
    reset.locator("[data-field=password]").fill("short")
    reset.get_by_role("button", name="重设密码").click()
    expect(reset.locator("[data-error-for=password]")).to_contain_text("至少8位")
    reset.locator("[data-field=password]").fill("a-new-password-2")
    reset.get_by_role("button", name="重设密码").click()
    expect(page.locator(".notice")).to_contain_text("已重设")
    expect(row.locator(".pill")).to_have_text("在用")
    StaffSession(site.server.url, "jiuquhe", "a-new-password-2")
    site.passwords["jiuquhe"] = "a-new-password-2"
    page.context.close()


def test_street_staff_are_told_only_the_city_manages_accounts(browser: Browser, site: Site) -> None:
    page = open_console(browser, site, "huangdao")
    expect(page.get_by_role("link", name="账号管理")).to_have_count(0)
    page.goto(f"{site.server.url}/admin/#/staff")
    expect(page.locator("main .form-error")).to_have_text("只有市级管理员可以管理工作人员账号")
    expect(page.locator("main table")).to_have_count(0)
    screenshot(page, "console-staff-refused")
    page.context.close()
