"""How listings read to the public: pay as people say it, money, and the public JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kiosk_server.extensions import db
from kiosk_server.listings.display import money, pay_text, public_listing
from kiosk_server.listings.models import Listing
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
