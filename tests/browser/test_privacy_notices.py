"""The kiosk's and the TV's privacy notices state the periods the server keeps to,
read from its settings: served here with periods no screen could hold as a literal."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Site, serve_world
from tests.browser.test_kiosk import LANDSCAPE, consent, enrol, fill_person, start_at_home, submit
from tests.browser.test_tv import Remote, _choose_community, _open_callback

KEEP_MONTHS = 7
LINK_DAYS = 19


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with pytest.MonkeyPatch.context() as patch:
        # The server process reads its settings from the environment it starts in.
        patch.setitem(os.environ, "REGISTRATION_KEEP_MONTHS", str(KEEP_MONTHS))
        patch.setitem(os.environ, "REGISTRATION_LINK_DAYS", str(LINK_DAYS))
        with serve_world(tmp_path_factory.mktemp("privacy")) as served:
            yield served


def test_the_kiosk_states_both_periods_before_and_after_a_registration(
    browser: Browser, site: Site
) -> None:
    kiosk = enrol(browser, site, LANDSCAPE)
    page = kiosk.page
    start_at_home(kiosk)
    kiosk.tap("零工登记")
    notice = page.locator("#privacy")
    expect(notice).to_contain_text(f"保存{KEEP_MONTHS}个月，之后删除")
    expect(notice).to_contain_text(f"登记后{LINK_DAYS}天内可以扫码查看或取消")
    expect(notice).not_to_contain_text("12个月")
    consent(kiosk)
    fill_person(kiosk, ("wang", "王"), "13900007771")
    kiosk.tap("水电维修")
    kiosk.next()
    page.locator(".choice").first.tap()
    kiosk.next()
    kiosk.tap("周末")
    kiosk.next()
    submit(kiosk)
    outcome = page.locator(".outcome")
    expect(outcome).to_contain_text(f"登记后{LINK_DAYS}天内可以扫码查看或取消")
    expect(outcome).not_to_contain_text("随时")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_the_tv_states_how_long_a_number_is_kept(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site.server.url}/tv/")
    remote = Remote(page)
    _choose_community(remote)
    _open_callback(remote)
    notice = page.locator(".callback .notice")
    expect(notice).to_contain_text(f"保存{KEEP_MONTHS}个月后删除")
    expect(notice).not_to_contain_text("12个月")
    context.close()
    assert errors == [], errors
