"""How listings read to the public: pay as people say it, its facts, and the public JSON.

Screens, the phone page and change messages all use public_listing(), so a
listing looks the same wherever it is shown. Nothing about staff goes out.
The facts under a listing's title (pay, hours, place, openings, validity...)
are worded here once, as label/value rows the TV, the kiosk and the phone
page list as they come.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict

from kiosk_server.listings.images import RENDITIONS
from kiosk_server.listings.models import (
    EVENT_TYPE_NAMES,
    JOB_CATEGORY_NAMES,
    KIND_NAMES,
    Announcement,
    Listing,
    ListingKind,
)
from kiosk_server.places.models import SITE_KIND_NAMES, Place, Site
from kiosk_server.timeutil import day_label, to_local

# In every public answer's ETag: a screen holding an answer worded the old way
# gets the new one after an upgrade, not a 304. Bump it when the wording or
# the shape of public_listing() changes.
PUBLIC_FORMAT = 2


def money(value: Decimal) -> str:
    """3000.00 → "3000", 0.30 → "0.3"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def pay_text(
    pay_min: Decimal | None,
    pay_max: Decimal | None,
    unit: str | None,
    piece: str | None = None,
    approximate: bool | None = False,
) -> str:
    """ "每件0.3元", "每天100元左右", "每天最多100元", "月薪3000–4000元", or "面议"."""
    if unit is None or (pay_min is None and pay_max is None):
        return "面议"
    if pay_min is not None and pay_max is not None and pay_min != pay_max:
        amount = f"{money(pay_min)}–{money(pay_max)}元"
    elif pay_min is not None:
        amount = f"{money(pay_min)}元" + ("左右" if approximate else "")
    else:
        amount = f"最多{money(pay_max)}元" if pay_max is not None else ""
    if unit == "month":
        if pay_min is not None and pay_max is None and not approximate:
            return f"月薪{amount}起"
        return f"月薪{amount}"
    prefix = {"hour": "每小时", "day": "每天", "piece": f"每{piece or '件'}"}[unit]
    return prefix + amount


def iso(moment: datetime | None) -> str | None:
    return to_local(moment).isoformat() if moment else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


class Fact(TypedDict):
    """One row under a listing's title. `key` names the row for a screen that
    adds to it (the TV says how far the place is); people see label and value."""

    key: str
    label: str
    value: str


# (key, label, value); a row with no value is left out.
Row = tuple[str, str, str | None]


def _when(moment: datetime) -> str:
    """ "11月22日（周日）09:00", as every screen says a moment."""
    local = to_local(moment)
    return f"{day_label(local)}{local:%H:%M}"


def _span(starts: datetime, ends: datetime | None) -> str:
    """ "11月22日（周日）09:00–12:00"; the end's day only when it is another day."""
    if ends is None:
        return _when(starts)
    if to_local(ends).date() == to_local(starts).date():
        return f"{_when(starts)}–{to_local(ends):%H:%M}"
    return f"{_when(starts)} 至 {_when(ends)}"


def _count(value: int | None, unit: str) -> str | None:
    return f"{value}{unit}" if value else None


def _ages(age_min: int | None, age_max: int | None) -> str | None:
    if age_min and age_max:
        return f"{age_min}–{age_max}岁"
    if age_min:
        return f"{age_min}岁以上"
    return f"{age_max}岁以下" if age_max else None


def _hours(work_hours: str | None, flexible: bool | None) -> str | None:
    if not flexible:
        return work_hours
    return f"{work_hours}（可随时离岗）" if work_hours else "可随时离岗"


def _job_facts(listing: Listing) -> list[Row]:
    return [
        ("employer", "用工单位", listing.employer),
        ("pay", "工资", listing_pay_text(listing)),
        ("work_hours", "工作时间", _hours(listing.work_hours, listing.flexible)),
        ("openings", "招聘人数", _count(listing.openings, "人")),
        ("age", "年龄", _ages(listing.age_min, listing.age_max)),
        ("requirements", "要求", listing.requirements),
    ]


def _fee_text(fee: Decimal | None) -> str:
    return f"{money(fee)}元" if fee else "免费"


def _seats(seats: int, taken: int) -> str:
    left = max(seats - taken, 0)
    return f"剩余名额 {left}/{seats}" if left else "已报满，可以候补"


def _training_facts(listing: Listing) -> list[Row]:
    fee = _fee_text(listing.fee) + (f"，{listing.fee_note}" if listing.fee_note else "")
    rows: list[Row] = [
        ("provider", "培训机构", listing.provider),
        ("fee", "费用", fee),
        ("schedule", "上课时间", listing.schedule),
        ("certificate", "证书", listing.certificate),
    ]
    for number, session in enumerate(listing.sessions, start=1):
        parts = [
            _when(session.starts_at),
            session.venue,
            _seats(session.seats, session.seats_taken),
        ]
        rows.append(("session", f"第{number}期", "，".join(part for part in parts if part)))
    return rows


def _subsidy_facts(listing: Listing) -> list[Row]:
    deadline = listing.apply_deadline
    return [
        ("eligibility", "谁可以申请", listing.eligibility),
        ("amount", "补贴多少", listing.amount),
        ("how_to_apply", "怎么申请", listing.how_to_apply),
        ("documents_needed", "需要材料", listing.documents_needed),
        ("apply_deadline", "截止日期", day_label(deadline) if deadline else None),
        ("document_number", "政策文号", listing.document_number),
    ]


def _event_facts(listing: Listing) -> list[Row]:
    starts = listing.starts_at
    return [
        ("time", "时间", _span(starts, listing.ends_at) if starts else None),
        ("employers", "参会单位", _count(listing.employers_count, "家")),
        ("posts", "岗位", _count(listing.posts_count, "个")),
    ]


def _common_facts(listing: Listing) -> list[Row]:
    site = listing.site
    return [
        ("place", "地点", f"{site.name}（{site.address}）" if site else None),
        ("opening_hours", "开放时间", site.opening_hours if site else None),
        ("valid_until", "有效期至", _when(listing.valid_until) if listing.valid_until else None),
    ]


KIND_FACTS = {
    ListingKind.JOB: _job_facts,
    ListingKind.TRAINING: _training_facts,
    ListingKind.SUBSIDY: _subsidy_facts,
    ListingKind.EVENT: _event_facts,
}


def listing_facts(listing: Listing) -> list[Fact]:
    """The rows under a listing's title, in the order people read them; a
    missing field is left out, never shown empty."""
    rows = KIND_FACTS[ListingKind(listing.kind)](listing) + _common_facts(listing)
    return [Fact(key=key, label=label, value=value) for key, label, value in rows if value]


def public_place(place: Place) -> dict[str, Any]:
    return {"id": place.id, "name": place.name, "level": place.level}


def public_site(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "kind": site.kind,
        "kind_name": SITE_KIND_NAMES.get(site.kind, site.kind),
        "community_id": site.community_id,
        "address": site.address,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "opening_hours": site.opening_hours,
        "phone": site.phone,
    }


def listing_pay_text(listing: Listing) -> str:
    """A job's pay as people say it, from its stored fields."""
    return pay_text(
        listing.pay_min,
        listing.pay_max,
        listing.pay_unit,
        listing.pay_piece,
        listing.pay_approximate,
    )


def _job(listing: Listing) -> dict[str, Any]:
    return {
        "employer": listing.employer,
        "category": listing.job_category,
        "category_name": JOB_CATEGORY_NAMES.get(listing.job_category or "", ""),
        "pay": {
            "min": _number(listing.pay_min),
            "max": _number(listing.pay_max),
            "unit": listing.pay_unit,
            "piece": listing.pay_piece,
            "approximate": bool(listing.pay_approximate),
            "text": listing_pay_text(listing),
        },
        "work_hours": listing.work_hours,
        "flexible": bool(listing.flexible),
        "openings": listing.openings,
        "requirements": listing.requirements,
        "age_min": listing.age_min,
        "age_max": listing.age_max,
    }


def _training(listing: Listing) -> dict[str, Any]:
    fee = listing.fee or Decimal(0)
    return {
        "provider": listing.provider,
        "fee": _number(listing.fee),
        "free": fee == 0,
        "fee_text": _fee_text(fee),
        "fee_note": listing.fee_note,
        "certificate": listing.certificate,
        "schedule": listing.schedule,
        "sessions": [
            {
                "id": session.id,
                "starts_at": iso(session.starts_at),
                "ends_at": iso(session.ends_at),
                "seats": session.seats,
                "seats_left": max(session.seats - session.seats_taken, 0),
                "venue": session.venue,
            }
            for session in listing.sessions
        ],
    }


def _subsidy(listing: Listing) -> dict[str, Any]:
    return {
        "eligibility": listing.eligibility,
        "amount": listing.amount,
        "document_number": listing.document_number,
        "how_to_apply": listing.how_to_apply,
        "documents_needed": listing.documents_needed,
        "apply_deadline": _day(listing.apply_deadline),
    }


def _event(listing: Listing) -> dict[str, Any]:
    return {
        "event_type": listing.event_type,
        "event_type_name": EVENT_TYPE_NAMES.get(listing.event_type or "", ""),
        "starts_at": iso(listing.starts_at),
        "ends_at": iso(listing.ends_at),
        "employers_count": listing.employers_count,
        "posts_count": listing.posts_count,
    }


KIND_DETAILS = {
    ListingKind.JOB: _job,
    ListingKind.TRAINING: _training,
    ListingKind.SUBSIDY: _subsidy,
    ListingKind.EVENT: _event,
}


def public_listing(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.id,
        "kind": listing.kind,
        "kind_name": KIND_NAMES[listing.kind],
        "status": listing.status,
        "title": listing.title,
        "summary": listing.summary,
        "body": listing.body,
        "contact": {"name": listing.contact_name, "phone": listing.contact_phone},
        "site": public_site(listing.site) if listing.site else None,
        "target": public_place(listing.target),
        "valid_from": iso(listing.valid_from),
        "valid_until": iso(listing.valid_until),
        "published_at": iso(listing.published_at),
        "updated_at": iso(listing.updated_at),
        "seq": listing.change_seq,
        "images": [
            {
                "id": image.id,
                "alt": image.alt,
                "width": image.width,
                "height": image.height,
                # Each screen takes the size it shows; none downloads the original.
                "urls": {name: f"/api/images/{image.id}/{name}.jpg" for name in RENDITIONS},
            }
            for image in listing.images
        ],
        "url": f"/l/{listing.id}",
        "facts": listing_facts(listing),
        listing.kind: KIND_DETAILS[ListingKind(listing.kind)](listing),
    }


def public_announcement(announcement: Announcement) -> dict[str, Any]:
    return {
        "id": announcement.id,
        "text": announcement.text,
        "target": public_place(announcement.target),
        "valid_until": iso(announcement.valid_until),
        "status": announcement.status,
        "seq": announcement.change_seq,
    }
