"""A passer-by's first use of the kiosk (issue #20), touched only, at both kiosk
sizes: every control a person needs is on screen without scrolling, long text
pages with buttons, every refusal offers a way on, and a form sent after the
network came back ends on the confirmation if the person is still there."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from kiosk_server.extensions import db
from kiosk_server.places.models import Place, PlaceLevel
from kiosk_server.timeutil import utcnow
from tests.browser.conftest import Site, screenshot
from tests.browser.test_kiosk import (
    LANDSCAPE,
    PORTRAIT,
    SIZES,
    Kiosk,
    consent,
    enrol,
    fill_person,
    gig_answers,
    open_listing,
    registrations,
    start_at_home,
)
from tests.factories import listing_input

LONG_TITLE = "幸福食堂午餐帮厨（妈妈岗，孩子上学时间上班）"
LONG_BODY = "\n".join(
    [
        "幸福食堂是九曲河社区的老年助餐点，每天中午为社区里八十岁以上的老人和行动不便的居民"
        "提供午餐，也对附近上班的年轻人开放。现在需要几位帮厨，在厨师的带领下择菜、洗菜、切配、"
        "分餐和打扫厨房，不需要会炒菜。",
        "上班时间是上午九点到下午一点半，正好在孩子上学的时间里。家里有事可以提前说一声离岗，"
        "由其他帮厨顶上，不扣工资。每周上五天，周末和节假日休息，寒暑假可以和食堂商量减少天数。",
        "工资按小时算，每小时二十元，每月十号发上个月的工资，直接打到本人的银行卡上。食堂管一顿"
        "午饭，提供工作服、帽子、口罩和手套。第一次上岗前由食堂带去社区卫生服务中心办健康证，"
        "费用由食堂出。",
        "要求：身体健康，爱干净，手脚麻利，能听懂青岛话或普通话，会看简单的菜单。以前在饭店、"
        "食堂、学校厨房干过的优先，没干过的也可以，厨师会手把手教，一般一个星期就能上手。",
        "报名以后，社区就业管家会在两个工作日内打电话和您约时间，先到食堂看一看，觉得合适再"
        "上岗。有问题可以直接到就享家服务站问工作人员，或者打服务站的电话。",
        "温馨提示：食堂不会以任何名义收取押金、培训费或服装费，如有人向您收钱，请立即告诉"
        "社区工作人员。",
    ]
)
# A real street holds a score of communities, not the two of the test world.
MORE_COMMUNITIES = [
    "前湾港社区", "凤凰山社区", "长江路社区", "黄河路社区", "嘉陵江路社区", "漓江路社区",
    "珠江路社区", "峨眉山路社区", "武夷山路社区", "井冈山路社区", "庐山路社区", "五台山路社区",
    "泰山路社区", "华山路社区", "衡山路社区", "嵩山路社区", "崂山路社区", "齐长城路社区",
]  # fmt: skip

# Every control a person can see, and anything that would need a drag to reach.
REACH = """() => {
  const W = innerWidth, H = innerHeight;
  const shown = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const outside = [...document.querySelectorAll(
    'button, .hg-candidate-box-list-item, .hg-candidate-box-prev, .hg-candidate-box-next')]
    .filter(shown).filter(el => { const r = el.getBoundingClientRect();
      return r.top < 0 || r.left < 0 || r.bottom > H + 0.5 || r.right > W + 0.5; })
    .map(el => el.textContent.trim().slice(0, 16) + ' '
      + Math.round(el.getBoundingClientRect().bottom));
  const scrolling = [...document.querySelectorAll('*')].filter(el => {
    const s = getComputedStyle(el);
    const can = v => v === 'auto' || v === 'scroll';
    return (can(s.overflowY) && el.scrollHeight > el.clientHeight + 1)
      || (can(s.overflowX) && el.scrollWidth > el.clientWidth + 1); })
    .map(el => el.tagName + '.' + el.className);
  const top = document.querySelector('.top').getBoundingClientRect();
  const clipped = [...document.querySelectorAll('.top h1, .top .headline, .top .lead, .top .gone')]
    .filter(el => { const r = el.getBoundingClientRect();
      return r.height > 0 && (r.top < top.top - 0.5 || r.bottom > top.bottom + 0.5); })
    .map(el => el.textContent.slice(0, 16));
  return {outside, scrolling, clipped};
}"""


def utcnow_iso(*, days: int = 0, hours: int = 0) -> str:
    return (utcnow() + timedelta(days=days, hours=hours)).isoformat()


def assert_fits(page: Page, name: str) -> None:
    """No control off screen, nothing that scrolls, the heading not cut off."""
    found = page.evaluate(REACH)
    if any(found.values()):  # what the person saw, for whoever reads the failure
        screenshot(page, "kiosk-first-use-failed-" + name.replace(" ", "-").replace(",", ""))
    assert found["outside"] == [], f"{name}: controls off screen {found['outside']}"
    assert found["scrolling"] == [], f"{name}: needs scrolling {found['scrolling']}"
    assert found["clipped"] == [], f"{name}: heading cut off {found['clipped']}"


def inside_viewport(page: Page, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


@pytest.fixture(scope="module")
def long_content(site: Site) -> dict[str, Any]:
    """Listings as long as staff really write them, and a street of many communities."""
    with site.app.app_context():
        street = db.session.get(Place, site.ids["huangdao_street"])
        for name in MORE_COMMUNITIES:
            place = Place(name=name, level=PlaceLevel.COMMUNITY, parent=street)
            db.session.add(place)
            db.session.flush()
            place.path = f"{street.path}{place.id}/"
        db.session.commit()
        db.session.remove()
    staff = site.staff()
    jiuquhe = site.ids["jiuquhe"]
    station = site.ids["station"]
    job = listing_input(
        "job",
        target_id=jiuquhe,
        site_id=station,
        title=LONG_TITLE,
        summary="在家门口上班，孩子上学的时间干活，放学前就能下班去接孩子；食堂管午饭，"
        "按小时算工资，每月按时发放。",
        body=LONG_BODY,
        job={
            "employer": "九曲河社区幸福食堂（老年助餐点）",
            "category": "mom_friendly",
            "pay": {"min": 20, "unit": "hour"},
            "work_hours": "周一至周五 9:00–13:30，寒暑假可商量",
            "flexible": True,
            "openings": 4,
            "age_min": 25,
            "age_max": 55,
            "requirements": "身体健康，爱干净，能办健康证；在饭店、食堂或学校厨房干过的优先，"
            "没干过的厨师手把手教。",
        },
    )
    sessions = []
    for day in range(6):
        starts = utcnow_iso(days=3 + day * 7)
        ends = utcnow_iso(days=3 + day * 7, hours=2)
        sessions.append(
            {
                "starts_at": starts,
                "ends_at": ends,
                "seats": 30,
                "venue": f"九曲河社区党群服务中心三楼{day + 1}号教室",
            }
        )
    training = listing_input(
        "training",
        target_id=jiuquhe,
        title="育婴员（初级）技能培训，结业可考职业技能等级证书",
        training={
            "provider": "黄岛街道社区夜校（与区职业技能培训中心合办）",
            "fee": 0,
            "fee_note": "符合条件的可享受培训补贴，个人不用交钱",
            "schedule": "每周二、周四晚上 19:00–21:00，共十二次课",
            "certificate": "育婴员职业技能等级证书（五级）",
            "sessions": sessions,
        },
    )
    subsidy = listing_input(
        "subsidy",
        target_id=jiuquhe,
        site_id=station,
        title="灵活就业人员社会保险补贴（2026年度）",
        subsidy={
            "eligibility": "男50周岁以上、女40周岁以上的就业困难人员，以灵活就业方式就业"
            "并按时缴纳社会保险费的；离校两年内未就业的高校毕业生灵活就业的，也可以申请。",
            "amount": "按实际缴纳的养老、医疗保险费的三分之二给予补贴，最长三年",
            "how_to_apply": "本人带材料到户籍所在街道“就享家”服务站或社区服务窗口申请，"
            "工作人员当场审核，审核通过后按季度发放到本人社保卡的金融账户。",
            "documents_needed": "身份证、社保卡、就业困难人员认定证明或毕业证书、"
            "灵活就业登记表（服务站可现场填写）",
        },
    )
    staff.post(
        "/admin/api/announcements",
        {
            "text": "今晚7点九曲河社区星光招聘夜市，40家单位600个岗位，欢迎来看看",
            "target_id": jiuquhe,
            "valid_until": utcnow_iso(days=1),
        },
    )
    return {
        "job": staff.publish(job),
        "training": staff.publish(training),
        "subsidy": staff.publish(subsidy),
    }


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def kiosk(
    browser: Browser, site: Site, long_content: dict[str, Any], request: pytest.FixtureRequest
) -> Iterator[Kiosk]:
    found = enrol(browser, site, request.param)
    yield found
    errors = found.page.errors  # type: ignore[attr-defined]
    found.page.context.close()
    assert errors == [], errors


def mobile_for(kiosk: Kiosk, portrait: str, landscape: str) -> str:
    size = kiosk.page.viewport_size or {"width": 0, "height": 0}
    return portrait if size["height"] > size["width"] else landscape


def open_long_job(kiosk: Kiosk) -> None:
    start_at_home(kiosk)
    kiosk.tap("妈妈岗")
    open_listing(kiosk, LONG_TITLE)


# --- 1. The action a person came for, on screen without scrolling --------------


def test_detail_keeps_the_action_in_the_bar_and_pages_long_text(kiosk: Kiosk) -> None:
    page = kiosk.page
    open_long_job(kiosk)
    screenshot(page, "kiosk-first-use-detail-long")
    bar = page.locator("nav.nav")
    apply = bar.get_by_role("button", name="我要应聘", exact=True)
    expect(apply).to_be_visible()
    assert inside_viewport(page, apply), "我要应聘 lies off screen"
    for name in ("‹ 返回", "首页"):
        assert inside_viewport(page, bar.get_by_role("button", name=name, exact=True))
    assert_fits(page, "detail, first page")
    where = page.locator(".pager-where")
    expect(where).to_have_text(re.compile(r"第 1/\d+ 页"))
    pages = int(re.search(r"/(\d+)", where.inner_text()).group(1))  # type: ignore[union-attr]
    assert pages >= 2
    expect(page.get_by_role("button", name="上一页")).to_be_disabled()
    first = page.locator(".detail").inner_text()
    for number in range(2, pages + 1):
        kiosk.tap("下一页")
        expect(where).to_have_text(f"第 {number}/{pages} 页")
        assert_fits(page, f"detail, page {number}")
        assert inside_viewport(page, apply)
    expect(page.get_by_role("button", name="下一页")).to_be_disabled()
    screenshot(page, "kiosk-first-use-detail-last-page")
    # The last page ends the text, with the way there and the QR to take it away.
    expect(page.locator(".take-away img")).to_be_in_viewport()
    kiosk.tap("上一页")
    expect(where).to_have_text(f"第 {pages - 1}/{pages} 页")
    assert page.locator(".detail").inner_text() == first  # the text is all there, paged
    apply.tap()
    kiosk.expect_heading("登记前，请先看一下")


# --- Every screen, both sizes, long content -----------------------------------


def test_browsing_screens_fit_without_scrolling(kiosk: Kiosk) -> None:
    page = kiosk.page
    assert_fits(page, "attract")
    start_at_home(kiosk)
    expect(page.locator(".banner")).to_be_visible()
    assert_fits(page, "home")
    kiosk.tile("找工作")
    assert_fits(page, "browse jobs")
    kiosk.tap("妈妈岗")
    assert_fits(page, "browse mom jobs")
    kiosk.tap("‹ 返回")
    kiosk.tile("学技能")
    assert_fits(page, "browse training")
    open_listing(kiosk, "育婴员（初级）技能培训，结业可考职业技能等级证书")
    assert_fits(page, "training detail")
    assert inside_viewport(page, page.get_by_role("button", name="我要报名", exact=True))
    kiosk.tap("首页")
    kiosk.tile("补贴政策")
    open_listing(kiosk, "灵活就业人员社会保险补贴（2026年度）")
    assert_fits(page, "subsidy detail")
    assert inside_viewport(page, page.get_by_role("button", name="预约政策咨询", exact=True))
    kiosk.tap("首页")
    kiosk.tap("搜索")
    assert_fits(page, "search")
    kiosk.pinyin("gang", "岗")
    expect(page.locator(".search-results .card").first).to_be_visible()
    assert_fits(page, "search with results")
    screenshot(page, "kiosk-first-use-search")
    kiosk.page.locator(".hg-button[data-skbtn='s']").tap()
    kiosk.page.locator(".hg-button[data-skbtn='h']").tap()
    assert_fits(page, "search with candidates")


def test_application_screens_fit_without_scrolling(
    browser: Browser, site: Site, long_content: dict[str, Any]
) -> None:
    for size in SIZES:
        kiosk = enrol(browser, site, size, query="?idle=600")
        page = kiosk.page
        open_long_job(kiosk)
        kiosk.tap("我要应聘")
        assert_fits(page, "consent")
        screenshot(page, "kiosk-first-use-consent")
        consent(kiosk)
        for letter in "zhang":
            kiosk.page.locator(f".hg-button[data-skbtn='{letter}']").tap()
        assert_fits(page, "name with candidates")
        kiosk.page.locator(".hg-candidate-box-list-item", has_text="张").first.tap()
        kiosk.tap("女士")
        kiosk.next()
        kiosk.keypad("1390000")
        assert_fits(page, "mobile")
        kiosk.keypad("1234")
        kiosk.next()
        # The station's street comes chosen, with its score of communities.
        assert_fits(page, "community with a long street")
        screenshot(page, "kiosk-first-use-community")
        kiosk.tap("九曲河社区")
        kiosk.next()
        assert_fits(page, "age")
        kiosk.tap("40–49岁")
        kiosk.next()
        assert_fits(page, "review")
        screenshot(page, "kiosk-first-use-review")
        page.context.close()


def test_other_registration_steps_fit_without_scrolling(kiosk: Kiosk) -> None:
    page = kiosk.page
    start_at_home(kiosk)
    kiosk.tap("求职登记")
    consent(kiosk)
    fill_person(kiosk, ("zhao", "赵"), "13800001111")
    assert_fits(page, "wanted")
    kiosk.tap("计件")
    kiosk.next()
    assert_fits(page, "availability")
    kiosk.tap("周末")
    kiosk.next()
    kiosk.page.locator(".hg-button[data-skbtn='f']").tap()
    assert_fits(page, "skills")
    for _ in range(7):
        kiosk.tap("‹ 上一步")
    kiosk.tap("不登记了")
    kiosk.tap("零工登记")
    consent(kiosk)
    fill_person(kiosk, ("zhao", "赵"), "13800001111")
    assert_fits(page, "trades")
    kiosk.tap("保洁")
    kiosk.next()
    assert_fits(page, "area")
    for _ in range(6):
        kiosk.tap("‹ 上一步")
    kiosk.tap("不登记了")
    kiosk.tile("学技能")
    open_listing(kiosk, "育婴员（初级）技能培训，结业可考职业技能等级证书")
    kiosk.tap("我要报名")
    consent(kiosk)
    assert_fits(page, "session with six sessions")
    screenshot(page, "kiosk-first-use-sessions")
    kiosk.tap("‹ 上一步")
    kiosk.tap("不登记了")
    kiosk.tap("首页")
    kiosk.tile("补贴政策")
    open_listing(kiosk, "灵活就业人员社会保险补贴（2026年度）")
    kiosk.tap("预约政策咨询")
    consent(kiosk)
    assert_fits(page, "consultation day")


def test_outcome_and_idle_screens_fit_without_scrolling(
    browser: Browser, site: Site, long_content: dict[str, Any]
) -> None:
    for size, mobile in ((PORTRAIT, "13800002221"), (LANDSCAPE, "13800002222")):
        kiosk = enrol(browser, site, size, query="?printer=1&idle=600")
        page = kiosk.page
        start_at_home(kiosk)
        kiosk.tap("零工登记")
        consent(kiosk)
        fill_person(kiosk, ("zhou", "周"), mobile)
        gig_answers(kiosk, "保洁", "周末")
        kiosk.tap("提交登记")
        expect(page.locator(".manage-qr img")).to_be_visible()
        assert_fits(page, "done")
        kiosk.tap("完成")
        page.close()
        page = page.context.new_page()
        page.goto(f"{site.server.url}/kiosk/?idle=2&countdown=30")
        kiosk = Kiosk(page)
        start_at_home(kiosk)
        expect(page.get_by_role("alertdialog")).to_be_visible(timeout=6000)
        assert_fits(page, "idle warning")
        page.context.close()


# --- 5. No dead ends -------------------------------------------------------------


def apply_for_long_job(kiosk: Kiosk, mobile: str) -> None:
    open_long_job(kiosk)
    kiosk.tap("我要应聘")
    consent(kiosk)
    fill_person(kiosk, ("wang", "王"), mobile)
    kiosk.expect_heading("请核对，没问题就提交")


def test_a_second_application_with_the_same_number_looks_like_the_first(
    kiosk: Kiosk, site: Site
) -> None:
    """Whoever types a number learns nothing of what it registered before (issue 22):
    the second time reads as the first, with a reference of its own, and staff still
    have one application."""
    page = kiosk.page
    mobile = mobile_for(kiosk, "13800003331", "13800003332")
    apply_for_long_job(kiosk, mobile)
    kiosk.tap("提交登记")
    expect(page.locator(".reference")).to_be_visible()
    first = page.locator(".reference").inner_text()
    kiosk.tap("完成")
    apply_for_long_job(kiosk, mobile)
    kiosk.tap("提交登记")
    kiosk.expect_heading("登记成功")
    expect(page.locator(".reference")).to_be_visible()
    assert page.locator(".reference").inner_text() != first
    assert "已经登记过" not in page.locator("body").inner_text()
    screenshot(page, "kiosk-first-use-second-application")
    assert_fits(page, "second application")
    kiosk.tap("完成")
    expect(page.locator(".start")).to_be_visible()
    assert len(registrations(site, mobile=mobile)) == 1


def test_a_rate_limited_number_is_told_what_next_and_can_leave(
    browser: Browser, site: Site, long_content: dict[str, Any]
) -> None:
    mobile = "13800004444"
    # Ten registrations of this number from this address today (the kiosk and the
    # phones here share loopback): the server takes no more of it from here.
    person = {
        "consent": True,
        "name": "钱先生",
        "mobile": mobile,
        "community_id": site.ids["jiuquhe"],
        "age_band": "25-39",
    }
    jobs = requests.get(
        f"{site.server.url}/api/feed?site_id={site.ids['station']}&kind=job&per_page=50"
    ).json()["items"]
    training = long_content["training"]
    applications = [
        {"kind": "application", "listing_id": job["id"]}
        for job in jobs
        if job["title"] != LONG_TITLE
    ]
    bodies = [
        *applications[:7],
        {"kind": "job_seeker", "wanted": ["gig"], "availability": ["weekend"]},
        {"kind": "gig_worker", "trades": ["保洁"], "service_area": "本社区附近",
         "availability": ["weekend"]},
        {"kind": "training_signup", "listing_id": training["id"],
         "session_id": training["training"]["sessions"][0]["id"]},
    ]  # fmt: skip
    assert len(bodies) == 10
    for body in bodies:
        reply = requests.post(
            f"{site.server.url}/api/registrations",
            json={**person, **body, "idempotency_key": f"phone-{time.time_ns()}"},
        )
        assert reply.status_code == 201, reply.text
    kiosk = enrol(browser, site, PORTRAIT)
    page = kiosk.page
    apply_for_long_job(kiosk, mobile)
    kiosk.tap("提交登记")
    kiosk.expect_heading("现在登记不了")
    expect(page.locator("#kiosk")).to_contain_text("今天登记太多次了")
    expect(page.locator("#kiosk")).to_contain_text("没有提交")
    screenshot(page, "kiosk-first-use-rate-limited")
    for name in ("再试一次", "完成", "返回首页"):
        assert inside_viewport(page, page.get_by_role("button", name=name, exact=True))
    assert_fits(page, "rate limited")
    kiosk.tap("再试一次")
    kiosk.expect_heading("现在登记不了")
    kiosk.tap("完成")
    expect(page.locator(".start")).to_be_visible()
    assert "钱" not in page.locator("body").inner_text()
    page.context.close()


# --- 6. A form sent once the network is back ----------------------------------


def gig_form_at_review(kiosk: Kiosk, mobile: str) -> None:
    start_at_home(kiosk)
    kiosk.tap("零工登记")
    consent(kiosk)
    fill_person(kiosk, ("lu", "陆"), mobile)
    gig_answers(kiosk, "缝纫", "周末")
    kiosk.expect_heading("请核对，没问题就提交")


def test_a_form_saved_offline_becomes_the_confirmation_when_sent(
    browser: Browser, site: Site, long_content: dict[str, Any]
) -> None:
    for size, mobile in ((PORTRAIT, "13800005551"), (LANDSCAPE, "13800005552")):
        kiosk = enrol(browser, site, size)
        page = kiosk.page
        gig_form_at_review(kiosk, mobile)
        page.context.set_offline(True)
        kiosk.tap("提交登记")
        kiosk.expect_heading("已保存")
        assert registrations(site, mobile=mobile) == []
        page.context.set_offline(False)
        kiosk.expect_heading("登记成功")
        [registration] = registrations(site, mobile=mobile)
        expect(page.locator(".reference")).to_have_text(registration.reference)
        qr = page.locator(".manage-qr img")
        expect(qr).to_have_js_property("complete", True)
        assert qr.evaluate("img => img.naturalWidth") > 100
        expect(page.locator(".badge-queued")).to_have_count(0)
        assert_fits(page, "done after the network came back")
        screenshot(page, "kiosk-first-use-sent-after-offline")
        kiosk.tap("完成")
        expect(page.locator(".start")).to_be_visible()
        page.context.close()


def test_a_form_sent_after_the_idle_reset_shows_nothing_of_the_person(
    browser: Browser, site: Site, long_content: dict[str, Any]
) -> None:
    mobile = "13800006666"
    kiosk = enrol(browser, site, PORTRAIT, query="?idle=4&countdown=2")
    page = kiosk.page
    gig_form_at_review(kiosk, mobile)
    page.context.set_offline(True)
    kiosk.tap("提交登记")
    kiosk.expect_heading("已保存")
    expect(page.locator(".start")).to_be_visible(timeout=15_000)  # nobody touched: reset
    page.context.set_offline(False)
    expect(page.locator(".badge-queued")).to_have_count(0, timeout=40_000)
    [registration] = registrations(site, mobile=mobile)
    expect(page.locator(".start")).to_be_visible()
    text = page.locator("body").inner_text()
    assert registration.reference not in text
    assert "登记成功" not in text and "陆" not in text
    assert page.locator(".manage-qr").count() == 0
    page.context.close()
