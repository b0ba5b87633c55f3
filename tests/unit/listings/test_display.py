"""How listings read to the public: pay as people say it, money, and the public JSON."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from kiosk_server.extensions import db
from kiosk_server.listings.display import (
    PUBLIC_FORMAT,
    listing_facts,
    money,
    pay_text,
    public_listing,
)
from kiosk_server.listings.models import Listing, TrainingSession
from kiosk_server.places.models import Site
from tests.factories import World, listing_input
from tests.helpers import StaffClient

D = Decimal


@pytest.mark.parametrize(
    ("pay_min", "pay_max", "unit", "piece", "approximate", "said"),
    [
        # 社区手工坊: paid per piece; with no piece named, a piece is "件".
        (D("0.30"), None, "piece", None, False, "每件0.3元"),
        (D("0.30"), None, "piece", "朵花", False, "每朵花0.3元"),
        (D("100.00"), None, "day", None, True, "每天100元左右"),
        # Piece work on a day rate: the most one can earn, not a promise.
        (None, D("100.00"), "day", None, False, "每天最多100元"),
        (D("3000.00"), D("4000.00"), "month", None, False, "月薪3000–4000元"),
        (D("20.00"), None, "hour", None, False, "每小时20元"),
        (D("20.00"), D("20.00"), "hour", None, False, "每小时20元"),
        # A monthly floor with no ceiling is how postings say "from 3000".
        (D("3000.00"), None, "month", None, False, "月薪3000元起"),
        (D("3000.00"), None, "month", None, True, "月薪3000元左右"),
        (D("12.50"), D("15.00"), "hour", None, False, "每小时12.5–15元"),
    ],
)
def test_pay_reads_as_people_say_it(
    pay_min: Decimal | None,
    pay_max: Decimal | None,
    unit: str,
    piece: str | None,
    approximate: bool,
    said: str,
) -> None:
    assert pay_text(pay_min, pay_max, unit, piece, approximate) == said


@pytest.mark.parametrize(
    ("pay_min", "pay_max", "unit"),
    [(None, None, None), (D("3000"), None, None), (None, None, "month")],
)
def test_pay_without_an_amount_or_unit_is_negotiable(
    pay_min: Decimal | None, pay_max: Decimal | None, unit: str | None
) -> None:
    assert pay_text(pay_min, pay_max, unit) == "面议"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("3000.00"), "3000"),
        (D("0.30"), "0.3"),
        (D("100"), "100"),
        (D("10.00"), "10"),  # trailing zeros of the integer part stay
        (D("2500.50"), "2500.5"),
        (D("0.05"), "0.05"),
        (D("0.00"), "0"),
        (D("0"), "0"),
    ],
)
def test_money_drops_only_the_zeros_that_say_nothing(value: Decimal, shown: str) -> None:
    assert money(value) == shown


STAFF_FIELDS = {"created_by_id", "updated_by_id", "version", "password_hash", "created_by"}


def _keys(value: Any) -> set[str]:
    """Every key at any depth of a JSON-like value."""
    if isinstance(value, dict):
        found = set(value)
        for item in value.values():
            found |= _keys(item)
        return found
    if isinstance(value, list):
        return set().union(*(_keys(item) for item in value)) if value else set()
    return set()


@pytest.mark.parametrize("kind", ["job", "training", "subsidy", "event"])
def test_public_listing_never_carries_staff_fields(
    world: World, admin: StaffClient, kind: str
) -> None:
    written = admin.publish(listing_input(kind, target_id=world.jiuquhe.id))
    # The staff API does show who wrote it, so the fields are there to leak.
    assert written["created_by_id"] == world.admin.id
    assert "version" in written

    listing = db.session.get(Listing, written["id"])
    assert listing is not None
    shown = public_listing(listing)

    assert _keys(shown) & STAFF_FIELDS == set()
    assert shown["title"] == written["title"]
    assert shown[kind] == written[kind]


# The facts a screen lists under a listing's title, in order, as (label, value).
CHINA = timezone(timedelta(hours=8))
SITE = Site(
    name="九曲河社区服务站", address="黄岛区九曲河路12号", opening_hours="周一至周五 9:00–17:00"
)


def _facts(**fields: Any) -> list[tuple[str, str]]:
    """The facts of a listing that exists only in memory: what it says, not how it is stored."""
    facts = listing_facts(Listing(**fields))
    assert [set(fact) for fact in facts] == [{"key", "label", "value"}] * len(facts)
    return [(fact["label"], fact["value"]) for fact in facts]


def test_a_piece_rate_job_says_pay_hours_place_and_how_long_it_runs() -> None:
    assert _facts(
        kind="job",
        employer="九曲河手工坊",
        pay_min=D("0.30"),
        pay_unit="piece",
        pay_piece="朵花",
        work_hours="白天随时",
        flexible=True,
        openings=5,
        requirements="手巧",
        age_min=40,
        site=SITE,
        valid_until=datetime(2026, 12, 31, 23, 59, tzinfo=CHINA),
    ) == [
        ("用工单位", "九曲河手工坊"),
        ("工资", "每朵花0.3元"),
        ("工作时间", "白天随时（可随时离岗）"),
        ("招聘人数", "5人"),
        ("年龄", "40岁以上"),
        ("要求", "手巧"),
        ("地点", "九曲河社区服务站（黄岛区九曲河路12号）"),
        ("开放时间", "周一至周五 9:00–17:00"),
        ("有效期至", "12月31日（周四）23:59"),
    ]


def test_an_hourly_job_with_an_age_range() -> None:
    assert _facts(
        kind="job",
        employer="幸福食堂",
        pay_min=D("20"),
        pay_unit="hour",
        work_hours="9:00–14:00",
        age_min=40,
        age_max=55,
    ) == [
        ("用工单位", "幸福食堂"),
        ("工资", "每小时20元"),
        ("工作时间", "9:00–14:00"),
        ("年龄", "40–55岁"),
    ]


def test_a_monthly_job_missing_its_details_lists_only_what_it_has() -> None:
    # Nothing reads "None", "0人" or a bare "（可随时离岗）" where a field is missing.
    assert _facts(kind="job", pay_min=D("3000"), pay_unit="month", flexible=True, age_max=50) == [
        ("工资", "月薪3000元起"),
        ("工作时间", "可随时离岗"),
        ("年龄", "50岁以下"),
    ]
    assert _facts(kind="job") == [("工资", "面议")]


def test_a_free_training_lists_every_session_and_says_when_one_is_full() -> None:
    sessions = [
        TrainingSession(
            starts_at=datetime(2026, 11, 24, 19, tzinfo=CHINA),
            seats=30,
            seats_taken=12,
            venue="二楼教室",
        ),
        TrainingSession(
            starts_at=datetime(2026, 12, 1, 19, tzinfo=CHINA), seats=30, seats_taken=30
        ),
    ]
    assert _facts(
        kind="training",
        provider="区职业培训学校",
        fee=D("0"),
        fee_note="政府补贴，个人免费",
        schedule="每周二晚7点",
        certificate="育婴员证",
        sessions=sessions,
    ) == [
        ("培训机构", "区职业培训学校"),
        ("费用", "免费，政府补贴，个人免费"),
        ("上课时间", "每周二晚7点"),
        ("证书", "育婴员证"),
        ("第1期", "11月24日（周二）19:00，二楼教室，剩余名额 18/30"),
        ("第2期", "12月1日（周二）19:00，已报满，可以候补"),
    ]


def test_a_paid_training_says_its_fee_in_yuan() -> None:
    assert _facts(kind="training", fee=D("200.00")) == [("费用", "200元")]


def test_a_subsidy_says_who_how_much_how_and_by_when() -> None:
    assert _facts(
        kind="subsidy",
        eligibility="就业困难人员",
        amount="最高20000元",
        how_to_apply="到社区服务站登记",
        documents_needed="身份证",
        apply_deadline=date(2026, 12, 31),
        document_number="青人社发〔2026〕1号",
    ) == [
        ("谁可以申请", "就业困难人员"),
        ("补贴多少", "最高20000元"),
        ("怎么申请", "到社区服务站登记"),
        ("需要材料", "身份证"),
        ("截止日期", "12月31日（周四）"),
        ("政策文号", "青人社发〔2026〕1号"),
    ]
    assert _facts(kind="subsidy", eligibility="就业困难人员") == [("谁可以申请", "就业困难人员")]


def test_an_event_says_when_it_starts_and_ends() -> None:
    starts = datetime(2026, 11, 22, 9, tzinfo=CHINA)
    assert _facts(
        kind="event",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        employers_count=30,
        posts_count=200,
    ) == [("时间", "11月22日（周日）09:00–12:00"), ("参会单位", "30家"), ("岗位", "200个")]
    # Over midnight, the end says its own day.
    assert _facts(kind="event", starts_at=starts, ends_at=starts + timedelta(days=1)) == [
        ("时间", "11月22日（周日）09:00 至 11月23日（周一）09:00")
    ]
    assert _facts(kind="event") == []


def test_public_listing_carries_its_facts(world: World, admin: StaffClient) -> None:
    written = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    listing = db.session.get(Listing, written["id"])
    assert listing is not None
    assert public_listing(listing)["facts"] == listing_facts(listing)
    assert {"label": "工资", "value": written["job"]["pay"]["text"], "key": "pay"} in listing_facts(
        listing
    )


def test_a_listing_answer_names_its_wording_in_its_etag(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    # A screen holding the answer from before an upgrade of the wording gets
    # the new one, not a 304 for bytes it no longer matches.
    written = admin.publish(listing_input("event", target_id=world.jiuquhe.id))
    response = client.get(f"/api/listings/{written['id']}")
    assert response.status_code == 200
    assert f"-f{PUBLIC_FORMAT}" in (response.headers["ETag"] or "")
    assert response.get_json()["facts"][0]["label"] == "时间"
