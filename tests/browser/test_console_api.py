"""The console's requests (admin_ui/src/api.js over shared_ui/http.js): a session
that ended sends staff to the login, and after it writes carry the new CSRF token."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Site, open_console


def test_a_session_that_ended_sends_staff_to_the_login_and_writes_work_after_it(
    browser: Browser, site: Site
) -> None:
    console = open_console(browser, site)
    # The same staff member logs out in another tab: this tab's session is over.
    other = console.context.new_page()
    other.goto(f"{site.server.url}/admin/")
    other.click("button:has-text('退出')")
    expect(other.locator("[data-field=password]")).to_be_visible()
    other.close()
    console.click("nav.sidebar a:has-text('信息发布')")
    expect(console.locator("[data-field=password]")).to_be_visible()
    expect(console.locator("nav.sidebar")).to_have_count(0)

    console.fill("[data-field=username]", "admin")
    console.fill("[data-field=password]", site.passwords["admin"])
    console.click("button[type=submit]")
    expect(console.locator("nav.sidebar")).to_be_visible()

    # A write the server checks the token of first: refused fields, named beside
    # them, mean the token passed.
    console.goto(f"{site.server.url}/admin/#/listings/new/job")
    console.fill("[data-field=title]", "会话之后的岗位")
    console.click("button:has-text('保存草稿')")
    expect(console.locator("[data-error-for='job.employer']")).not_to_be_empty()
    errors = console.errors  # type: ignore[attr-defined]
    console.context.close()
    assert errors == [], errors
