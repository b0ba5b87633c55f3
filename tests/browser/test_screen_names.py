"""The TV and the kiosk name kinds and job categories as the server's home answer
does: renamed on the way (as a renamed table would), the screens follow, so no
name written into their scripts can stand in for it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import Site
from tests.browser.test_kiosk import Kiosk, start_at_home
from tests.browser.test_tv import Remote, _choose_community

RENAMED = {
    "kinds": {"job": "岗位信息", "training": "技能培训班"},
    "job_categories": {"piece_rate": "按件计酬"},
    "category_groups": {"full_or_part_time": "长期或短期"},
}


def _rename(route: Route) -> None:
    """The server's answer, with the names in RENAMED as if its table said them."""
    response = route.fetch()
    if response.status != 200:
        route.fulfill(response=response)
        return
    answer = response.json()
    for table, names in RENAMED.items():
        answer["names"][table].update(names)
    route.fulfill(response=response, body=json.dumps(answer))


def _renaming(browser: Browser, **options: object) -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.route("**/api/home?*", _rename)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


@pytest.fixture
def tv(browser: Browser, site: Site) -> Iterator[Remote]:
    context, page, errors = _renaming(browser, viewport={"width": 1280, "height": 720})
    page.goto(f"{site.server.url}/tv/")
    remote = Remote(page)
    _choose_community(remote)
    yield remote
    context.close()
    assert errors == [], errors


@pytest.fixture
def kiosk(browser: Browser, site: Site) -> Iterator[Kiosk]:
    code = site.staff().post(f"/admin/api/sites/{site.ids['station']}/enrolment-codes", {})["code"]
    context, page, errors = _renaming(
        browser, viewport={"width": 1080, "height": 1920}, has_touch=True, locale="zh-CN"
    )
    page.goto(f"{site.server.url}/kiosk/")
    found = Kiosk(page)
    found.expect_heading("绑定本机")
    found.keypad(code.replace(" ", ""))
    found.tap("绑定")
    expect(page.locator(".start")).to_be_visible()
    yield found
    context.close()
    assert errors == [], errors


def test_the_tv_names_a_kind_and_its_filters_as_the_server_does(tv: Remote) -> None:
    page = tv.page
    tv.press("Digit1")
    expect(page.locator("h1")).to_contain_text("岗位信息（共")
    tv.press("ArrowUp")
    tv.move_until("ArrowRight", "filter-piece_rate")
    assert tv.focused_text() == "按件计酬"
    tv.press("Enter")
    expect(page.locator("[data-key=filter-piece_rate]")).to_have_attribute("aria-pressed", "true")
    tv.move_until("ArrowRight", "filter-full_or_part_time")
    assert tv.focused_text() == "长期或短期"


def test_the_kiosk_names_kinds_and_categories_as_the_server_does(kiosk: Kiosk) -> None:
    page = kiosk.page
    start_at_home(kiosk)
    kiosk.tile("找工作")
    kinds = page.get_by_role("group", name="类型")
    expect(kinds.get_by_role("button", name="技能培训班", exact=True)).to_be_visible()
    # The kind chosen is marked ✓ before its name.
    expect(kinds.get_by_role("button", name="✓ 岗位信息", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    categories = page.get_by_role("group", name="岗位类别")
    expect(categories.get_by_role("button", name="长期或短期", exact=True)).to_be_visible()
    categories.get_by_role("button", name="按件计酬", exact=True).tap()
    expect(categories.get_by_role("button", name="✓ 按件计酬", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
