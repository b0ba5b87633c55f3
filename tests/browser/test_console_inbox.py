"""The console's 登记跟进 inbox at /admin/#/registrations, at office-PC size: registrations
arrive live, mobiles stay masked until an audited reveal, staff follow up with notes,
export CSV, and see only their own part of the place tree."""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing
from tests.browser.conftest import Site, axe_violations, open_console, screenshot
from tests.live_server import StaffSession

MASKED = re.compile(r"^1[3-9][0-9]\*{4}[0-9]{4}$")
_numbers = itertools.count(1)


# Logins are rate-limited per address (10 a minute), so each module logs in once per
# account and the tests share the session and the open console.
@pytest.fixture(scope="module")
def staff(site: Site) -> StaffSession:
    return site.staff()


@pytest.fixture(scope="module")
def kiosk_token(site: Site, staff: StaffSession) -> str:
    """A kiosk enrolled at the 九曲河 station, to register people as residents do."""
    code = staff.post(f"/admin/api/sites/{site.ids['station']}/enrolment-codes", {})["code"]
    reply = requests.post(f"{site.server.url}/api/screens/enrol", json={"code": code}, timeout=10)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["token"])


def register(
    site: Site, staff: StaffSession, token: str, name: str, community: str = "jiuquhe"
) -> dict[str, Any]:
    """A job seeker registered at the kiosk through the public API; returns the inbox line."""
    mobile = f"1390000{next(_numbers):04d}"
    body = {
        "kind": "job_seeker",
        "idempotency_key": secrets.token_hex(8),
        "consent": True,
        "name": name,
        "mobile": mobile,
        "community_id": site.ids[community],
        "age_band": "25-39",
        "wanted": ["part_time", "mom_friendly"],
        "skills": "会做饭",
        "availability": ["weekday_day"],
    }
    reply = requests.post(
        f"{site.server.url}/api/registrations",
        json=body,
        headers={"X-Screen-Token": token},
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    reference = reply.json()["reference"]
    found = staff.http.get(f"{site.server.url}/admin/api/registrations?q={reference}").json()
    [line] = found["items"]
    return {**line, "full_mobile": mobile}


@pytest.fixture
def inbox(console: Page) -> Iterator[Page]:
    """The city administrator's console; a script error fails the test that caused it."""
    console.errors.clear()  # type: ignore[attr-defined]
    yield console
    assert console.errors == [], console.errors  # type: ignore[attr-defined]


def go(page: Page, site: Site, hash_: str) -> None:
    """Open the console afresh at `hash_` (a hash-only goto would not reload the page)."""
    page.goto(f"{site.server.url}/admin/{hash_}")
    page.reload()
    page.wait_for_selector(".inbox-list table, .inbox-list .empty")


def row(page: Page, registration: dict[str, Any]) -> Any:
    return page.locator(f".inbox-list tr[data-id='{registration['id']}']")


def test_a_new_registration_appears_at_the_top_without_a_reload(
    inbox: Page, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    go(inbox, site, "#/registrations")
    inbox.evaluate("window.notReloaded = true")

    arrived = register(site, staff, kiosk_token, "刘女士")

    line = row(inbox, arrived)
    expect(line).to_be_visible(timeout=5_000)
    expect(line).to_have_class(re.compile(r"\bfresh\b"))
    assert inbox.locator(".inbox-list tbody tr").first.get_attribute("data-id") == str(
        arrived["id"]
    )
    assert inbox.evaluate("window.notReloaded") is True
    mobile = line.locator("td.mobile").inner_text().strip()
    assert MASKED.match(mobile), mobile
    assert arrived["full_mobile"] not in inbox.content()
    expect(line).to_contain_text("求职登记")
    expect(line).to_contain_text("九曲河社区")
    screenshot(inbox, "console-inbox-live")


def test_a_pushed_registration_outside_the_filters_stays_out(
    inbox: Page, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    go(inbox, site, "#/registrations?kind=consultation")
    before = inbox.locator(".inbox-list tbody tr").count()

    arrived = register(site, staff, kiosk_token, "孙先生")

    inbox.wait_for_timeout(1_500)  # the push and the re-fetch it makes
    expect(row(inbox, arrived)).to_have_count(0)
    assert inbox.locator(".inbox-list tbody tr").count() == before


def test_reveal_shows_the_full_number_once_and_is_audited(
    inbox: Page, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    person = register(site, staff, kiosk_token, "王女士")
    go(inbox, site, f"#/registrations/{person['id']}")
    panel = inbox.locator(".inbox-panel[aria-label='登记详情']")
    expect(panel).to_contain_text(person["reference"])
    expect(panel.locator(".mobile")).to_have_text(person["mobile"])
    assert person["full_mobile"] not in panel.inner_text()
    expect(row(inbox, person)).to_have_class(re.compile(r"\bselected\b"))
    # A job seeker's panel lists the open jobs that fit, with reasons.
    expect(panel.locator(".inbox-matches .match").first).to_be_visible()
    expect(panel.locator(".inbox-matches")).to_contain_text("分")

    panel.get_by_role("button", name="查看完整号码").click()

    full = panel.locator(".mobile-full")
    expect(full).to_have_text(
        re.sub(r"^(\d{3})(\d{4})(\d{4})$", r"\1 \2 \3", person["full_mobile"])
    )
    expect(panel).to_contain_text("已记入操作记录")
    # The list keeps the mask.
    assert MASKED.match(row(inbox, person).locator("td.mobile").inner_text().strip())
    audit = staff.http.get(
        f"{site.server.url}/admin/api/audit",
        params={"action": "registration.reveal_mobile", "entity_id": person["id"]},
    )
    [entry] = audit.json()["items"]
    assert entry["actor"] == "市管理员"
    assert entry["entity"] == {"type": "registration", "type_name": "登记", "id": person["id"]}
    screenshot(inbox, "console-inbox-revealed")


def test_follow_up_moves_the_status_and_keeps_the_note(
    inbox: Page, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    person = register(site, staff, kiosk_token, "赵先生")
    go(inbox, site, f"#/registrations/{person['id']}")
    panel = inbox.locator(".inbox-panel[aria-label='登记详情']")
    expect(panel.locator(".inbox-detail-head .pill")).to_have_text("新登记")

    # A note alone needs words: the server's message shows beside the buttons.
    panel.get_by_role("button", name="只加备注").click()
    expect(panel.locator("[data-error-for=status]")).to_contain_text("只加备注请填写备注")

    panel.locator("[data-field=note]").fill("电话打通，约下周一来站里")
    panel.get_by_role("button", name="标记为已联系").click()

    expect(panel.locator(".inbox-detail-head .pill")).to_have_text("已联系")
    expect(panel.locator(".notes li").last).to_contain_text(
        "新登记 → 已联系，电话打通，约下周一来站里"
    )
    expect(panel.locator("[data-error-for=status]")).to_be_empty()
    expect(row(inbox, person).locator(".pill")).to_have_text("已联系")
    expect(panel.get_by_role("button", name="标记为已推荐")).to_be_visible()
    shown = staff.http.get(f"{site.server.url}/admin/api/registrations/{person['id']}")
    assert shown.json()["status"] == "contacted"
    screenshot(inbox, "console-inbox-followed-up")


def test_the_csv_link_downloads_a_file_excel_reads_as_utf8(
    inbox: Page, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    register(site, staff, kiosk_token, "钱女士")
    go(inbox, site, "#/registrations?status=new")
    link = inbox.get_by_role("link", name="导出CSV")
    assert "status=new" in (link.get_attribute("href") or "")

    with inbox.expect_download() as started:
        link.click()

    path = started.value.path()
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("登记号,类型,状态")
    assert "钱女士" in text
    assert not re.search(r"1[3-9][0-9]{9}", text)  # masked in the export too


def test_a_bad_date_range_is_explained_beside_the_date_and_kept_on_reload(
    inbox: Page, site: Site
) -> None:
    go(inbox, site, "#/registrations")
    inbox.fill("[data-field=from]", "2025-05-10")
    inbox.fill("[data-field=to]", "2025-05-01")

    message = inbox.locator("[data-error-for=to]")
    expect(message).to_have_text("结束日期不能早于开始日期")
    expect(inbox.locator("[data-field=to]")).to_have_attribute("aria-invalid", "true")
    expect(inbox.locator(".inbox-list")).to_contain_text("筛选条件有误")
    assert "from=2025-05-10" in inbox.url and "to=2025-05-01" in inbox.url
    screenshot(inbox, "console-inbox-bad-range")

    inbox.reload()
    expect(inbox.locator("[data-field=from]")).to_have_value("2025-05-10")
    expect(inbox.locator("[data-error-for=to]")).to_have_text("结束日期不能早于开始日期")

    inbox.fill("[data-field=to]", "2025-05-20")
    expect(message).to_be_empty()


def test_filters_narrow_the_list_and_survive_a_reload(
    inbox: Page, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    here = register(site, staff, kiosk_token, "周女士")
    there = register(site, staff, kiosk_token, "吴先生", community="qianwan")
    go(inbox, site, "#/registrations")
    expect(row(inbox, there)).to_be_visible()

    inbox.select_option("[data-field=community_id]", str(site.ids["jiuquhe"]))
    expect(row(inbox, there)).to_have_count(0)
    expect(row(inbox, here)).to_be_visible()

    inbox.fill("[data-field=q]", here["reference"])
    inbox.press("[data-field=q]", "Enter")
    expect(inbox.locator(".inbox-list tbody tr")).to_have_count(1)

    inbox.reload()
    expect(inbox.locator("[data-field=q]")).to_have_value(here["reference"])
    expect(inbox.locator(".inbox-list tbody tr")).to_have_count(1)
    expect(row(inbox, here)).to_be_visible()


def test_a_jobs_people_show_beside_its_registrations(
    inbox: Page, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    person = register(site, staff, kiosk_token, "郑女士")
    with site.app.app_context():
        job = db.session.scalar(select(Listing).where(Listing.title == "幸福食堂午餐帮厨"))
        assert job is not None
        job_id = job.id
    go(inbox, site, f"#/registrations?listing_id={job_id}")

    people = inbox.locator(".inbox-listing-matches")
    expect(people.locator("h2")).to_have_text("适合「幸福食堂午餐帮厨」的人")
    candidate = people.locator(".match", has_text="郑女士")
    expect(candidate).to_be_visible()
    expect(candidate).to_contain_text("就在本社区")
    assert MASKED.match(candidate.locator(".mobile").inner_text().strip())
    expect(inbox.locator(".inbox-chip")).to_contain_text("幸福食堂午餐帮厨")

    candidate.get_by_role("link", name="郑女士").click()
    expect(inbox.locator(".inbox-panel[aria-label='登记详情']")).to_contain_text(
        person["reference"]
    )
    screenshot(inbox, "console-inbox-job-matches")


def test_station_staff_see_only_their_own_community(
    browser: Browser, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    ours = register(site, staff, kiosk_token, "冯女士")
    theirs = register(site, staff, kiosk_token, "陈先生", community="qianwan")
    page = open_console(browser, site, "jiuquhe")
    go(page, site, "#/registrations")
    expect(row(page, ours)).to_be_visible()
    expect(row(page, theirs)).to_have_count(0)
    assert "陈先生" not in page.inner_text(".inbox-list")

    # Arriving while the page is open changes nothing either.
    later = register(site, staff, kiosk_token, "褚先生", community="qianwan")
    mine = register(site, staff, kiosk_token, "卫女士")
    expect(row(page, mine)).to_be_visible(timeout=5_000)
    expect(row(page, later)).to_have_count(0)

    # Nor can the other community's registration be opened by its address.
    go(page, site, f"#/registrations/{theirs['id']}")
    expect(page.locator(".inbox-detail")).to_contain_text("不在您的管辖范围内")
    options = page.locator("[data-field=community_id] option").all_inner_texts()
    assert not any("前湾" in option for option in options)
    screenshot(page, "console-inbox-station")
    page.context.close()


def test_the_inbox_passes_axe(
    inbox: Page, site: Site, staff: StaffSession, kiosk_token: str
) -> None:
    person = register(site, staff, kiosk_token, "蒋女士")
    go(inbox, site, f"#/registrations/{person['id']}")
    expect(inbox.locator(".inbox-matches .match, .inbox-matches .empty").first).to_be_visible()
    assert axe_violations(inbox) == []
