"""The console's 操作记录 page at /admin/#/audit, at office-PC size: who did what, a row
opens to its before and after, search and filters narrow it, one thing's history has an
address of its own, and there is nothing to edit or delete."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, axe_violations, screenshot
from tests.factories import listing_input
from tests.live_server import StaffSession

MARKUP_TITLE = '<img src=x onerror="window.hacked=1">社区帮厨'


# Logins are rate-limited per address, so each account logs in once for the module.
@pytest.fixture(scope="module")
def staff(site: Site) -> StaffSession:
    return site.staff()


@pytest.fixture(scope="module")
def followed_up(site: Site, staff: StaffSession) -> dict[str, Any]:
    """A kiosk registration that 九曲河站点 marked 已联系 with a note."""
    code = staff.post(f"/admin/api/sites/{site.ids['station']}/enrolment-codes", {})["code"]
    token = requests.post(f"{site.server.url}/api/screens/enrol", json={"code": code}, timeout=10)
    body = {
        "kind": "job_seeker",
        "idempotency_key": secrets.token_hex(8),
        "consent": True,
        "name": "韩女士",
        "mobile": "13700001111",
        "community_id": site.ids["jiuquhe"],
        "age_band": "40-49",
        "wanted": ["piece_rate"],
        "availability": ["school_hours"],
    }
    reply = requests.post(
        f"{site.server.url}/api/registrations",
        json=body,
        headers={"X-Screen-Token": token.json()["token"]},
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    reference = reply.json()["reference"]
    inbox = staff.http.get(f"{site.server.url}/admin/api/registrations", params={"q": reference})
    [line] = inbox.json()["items"]
    station = StaffSession(site.server.url, "jiuquhe", site.passwords["jiuquhe"])
    station.post(
        f"/admin/api/registrations/{line['id']}/status",
        {"status": "contacted", "note": "已电话联系，周三来站里"},
    )
    return {**line, "reference": reference}


@pytest.fixture(scope="module")
def listing_with_markup(site: Site, staff: StaffSession) -> dict[str, Any]:
    return staff.post(
        "/admin/api/listings",
        listing_input("training", target_id=site.ids["jiuquhe"], title=MARKUP_TITLE),
    )


@pytest.fixture
def audit(console: Page) -> Iterator[Page]:
    console.errors.clear()  # type: ignore[attr-defined]
    yield console
    assert console.errors == [], console.errors  # type: ignore[attr-defined]


def go(page: Page, site: Site, hash_: str) -> None:
    """Open the console afresh at `hash_` (a hash-only goto would not reload the page)."""
    page.goto(f"{site.server.url}/admin/{hash_}")
    page.reload()
    page.wait_for_selector(".audit-list table, .audit-list .empty")


def entry_row(page: Page, action_name: str, text: str) -> Any:
    return page.locator(".audit-list tr[data-id]", has_text=action_name).filter(has_text=text)


def test_a_follow_up_is_listed_with_who_and_what_and_opens_to_before_and_after(
    audit: Page, site: Site, followed_up: dict[str, Any]
) -> None:
    go(audit, site, "#/audit")
    line = entry_row(audit, "跟进登记", followed_up["reference"])
    expect(line).to_have_count(1)
    cells = line.locator("td").all_inner_texts()
    assert cells[2] == "九曲河站点"  # 操作人, as named at the time
    assert cells[3] == "跟进登记"
    assert cells[4] == f"登记 #{followed_up['id']}"
    assert cells[5] == "九曲河社区"
    assert followed_up["reference"] in cells[6]

    line.click()

    diff = audit.locator("tr.audit-expanded table.diff")
    expect(diff).to_be_visible()
    status = diff.locator("tr[data-key=status]")
    expect(status.locator("td.before")).to_have_text("新登记")
    expect(status.locator("td.after")).to_have_text("已联系")
    note = diff.locator("tr[data-key=note]")
    expect(note.locator("td.before")).to_have_text("（空）")  # recorded as null
    expect(note.locator("td.after")).to_have_text("已电话联系，周三来站里")
    expect(line.locator(".audit-toggle")).to_have_attribute("aria-expanded", "true")
    screenshot(audit, "console-audit-expanded")

    line.click()
    expect(audit.locator("tr.audit-expanded")).to_have_count(0)


def test_search_narrows_the_log_and_survives_a_reload(
    audit: Page, site: Site, followed_up: dict[str, Any], listing_with_markup: dict[str, Any]
) -> None:
    go(audit, site, "#/audit")
    everything = audit.locator(".audit-list tr[data-id]").count()

    audit.fill("[data-field=q]", followed_up["reference"])
    audit.press("[data-field=q]", "Enter")

    rows = audit.locator(".audit-list tr[data-id]")
    expect(rows).not_to_have_count(everything)
    for text in rows.all_inner_texts():
        assert followed_up["reference"] in text
    expect(rows).to_have_count(2)
    assert sorted(rows.locator("td:nth-child(4)").all_inner_texts()) == ["新登记", "跟进登记"]

    audit.reload()
    expect(audit.locator("[data-field=q]")).to_have_value(followed_up["reference"])
    expect(rows.filter(has_text="跟进登记")).to_have_count(1)

    audit.get_by_role("button", name="清除").click()
    expect(rows).to_have_count(everything)


def test_one_things_history_has_its_own_address(
    audit: Page, site: Site, followed_up: dict[str, Any]
) -> None:
    go(audit, site, f"#/audit?entity_type=registration&entity_id={followed_up['id']}")
    rows = audit.locator(".audit-list tr[data-id]")
    expect(rows).to_have_count(2)  # the resident's registration, then the follow-up
    expect(rows.nth(0)).to_contain_text("跟进登记")
    expect(rows.nth(1)).to_contain_text("居民（自助机）")
    expect(audit.locator(".audit-chip")).to_contain_text(f"只看登记 #{followed_up['id']}")
    expect(audit.locator("[data-field=entity_type]")).to_have_value("registration")

    audit.locator(".audit-chip button").click()
    expect(rows.filter(has_text="跟进登记").first).to_be_visible()
    assert "entity_id" not in audit.url


def test_the_object_type_filter_and_json_values_shown_as_text(
    audit: Page, site: Site, listing_with_markup: dict[str, Any]
) -> None:
    go(audit, site, "#/audit")
    audit.select_option("[data-field=entity_type]", "listing")
    rows = audit.locator(".audit-list tr[data-id]")
    expect(rows.filter(has_text="登记 #")).to_have_count(0)
    expect(rows.first).to_contain_text("信息 #")
    assert "entity_type=listing" in audit.url
    for text in rows.all_inner_texts():
        assert "登记 #" not in text

    created = entry_row(audit, "新建信息", "社区帮厨")  # a training, with its sessions
    expect(created).to_have_count(1)
    # Markup in a title is text on this page, never markup.
    expect(created.locator("td.audit-summary")).to_contain_text(MARKUP_TITLE)
    assert audit.evaluate("window.hacked") is None
    created.click()
    sessions = audit.locator("tr.audit-expanded tr[data-key=sessions] td.after")
    [session] = json.loads(sessions.inner_text())
    assert session["venue"] == "九曲河社区党群服务中心三楼"
    expect(audit.locator("tr.audit-expanded tr[data-key=title] td.after")).to_have_text(
        MARKUP_TITLE
    )
    screenshot(audit, "console-audit-listing")


def test_a_bad_date_range_is_explained_beside_the_date(audit: Page, site: Site) -> None:
    go(audit, site, "#/audit")
    audit.fill("[data-field=from]", "2025-06-10")
    audit.fill("[data-field=to]", "2025-06-01")
    expect(audit.locator("[data-error-for=to]")).to_have_text("结束日期不能早于开始日期")
    expect(audit.locator(".audit-list")).to_contain_text("筛选条件有误")


def test_the_log_offers_nothing_to_change(
    audit: Page, site: Site, followed_up: dict[str, Any]
) -> None:
    go(audit, site, "#/audit")
    main = audit.locator("main")
    for word in ("删除", "编辑", "修改记录", "撤销"):
        expect(main.get_by_role("button", name=word)).to_have_count(0)
    assert axe_violations(audit) == []
    screenshot(audit, "console-audit")
