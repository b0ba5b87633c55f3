"""How listings read to the public: pay as people say it, and the public JSON.

Screens, the phone page and change messages all use public_listing(), so a
listing looks the same wherever it is shown. Nothing about staff goes out.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
from kiosk_server.timeutil import to_local


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
        "fee_text": "免费" if fee == 0 else f"{money(fee)}元",
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
