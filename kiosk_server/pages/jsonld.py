"""schema.org JSON-LD for a listing, so phones and search engines understand it.

A job is a JobPosting as Google's job-posting guidelines ask (title, description,
datePosted, hiringOrganization and jobLocation, with validThrough, employmentType,
baseSalary, identifier and directApply); a training a Course with its sessions as
CourseInstances; a subsidy a GovernmentService; an event an Event.
tests/functional/test_jsonld.py checks every kind's properties and value shapes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.listings.display import iso, pay_text
from kiosk_server.listings.models import Listing
from kiosk_server.places.models import Place, PlaceLevel

EMPLOYMENT_TYPES = {
    "full_time": "FULL_TIME",
    "part_time": "PART_TIME",
    "piece_rate": "OTHER",
    "gig": "TEMPORARY",
    "public_welfare": "PART_TIME",
    "mom_friendly": "PART_TIME",
}
# Google takes HOUR, DAY, WEEK, MONTH and YEAR; a piece rate has none (_job_pay).
UNIT_TEXT = {"hour": "HOUR", "day": "DAY", "month": "MONTH"}
# Who runs the stations, when a listing names no site of its own.
SERVICE_NAME = "就享家 就业服务站"
SUBSIDY_PROVIDER = "人力资源和社会保障局"


def _number(value: Decimal) -> int | float:
    """3000 rather than 3000.0; 0.3 stays 0.3."""
    return int(value) if value == value.to_integral_value() else float(value)


def _lineage(place: Place) -> dict[str, Place]:
    """The place and every place above it in the tree, by level."""
    above = db.session.scalars(select(Place).where(Place.id.in_(place.ancestor_ids)))
    return {ancestor.level: ancestor for ancestor in [*above, place]}


def _address(listing: Listing) -> dict[str, Any]:
    """A postal address from the place tree. schema.org puts the locality inside the
    region; the tree's top is the city, so the city is the region and the district (区,
    or a county-level 市) the locality, as a Chinese address reads: 青岛市 黄岛区 ….
    A listing for the whole city has only the city for both."""
    place = listing.site.community if listing.site is not None else listing.target
    tree = _lineage(place)
    city = tree.get(PlaceLevel.CITY, place)
    district = tree.get(PlaceLevel.DISTRICT, city)
    address: dict[str, Any] = {
        "@type": "PostalAddress",
        "addressLocality": district.name,
        "addressRegion": city.name,
        "addressCountry": "CN",
    }
    if listing.site is not None:
        address["streetAddress"] = listing.site.address
    else:
        # No street number, but the street (街道) and community are where to go.
        below = [
            tree[level].name for level in (PlaceLevel.STREET, PlaceLevel.COMMUNITY) if level in tree
        ]
        address["streetAddress"] = "".join(below) or None
    return _present(address)


def _place(
    listing: Listing, name: str | None = None, address: dict[str, Any] | None = None
) -> dict[str, Any]:
    # schema.org JobPosting and Event need a location; without a site, the
    # community or street the listing is for is where people would go.
    where = listing.site or listing.target
    place: dict[str, Any] = {
        "@type": "Place",
        "name": name or where.name,
        "address": address or _address(listing),
    }
    if name is None and where.latitude is not None and where.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": where.latitude,
            "longitude": where.longitude,
        }
    return place


def _job_pay(listing: Listing) -> dict[str, Any]:
    """baseSalary as Google reads it: one amount is `value`, a range `minValue` and
    `maxValue`; "月薪3000元起" is a floor (minValue alone), "每天最多100元" a ceiling.

    A piece rate ("每朵花0.3元") has no unit in schema.org or Google's list, and
    under HOUR or DAY the number would say the job pays 0.3 yuan an hour; a made-up
    unitText is refused as a wrong value. So it goes, in words, in
    incentiveCompensation (piecework is incentive pay) and no baseSalary is given:
    a search engine then shows no wage rather than a wrong one."""
    low, high, unit = listing.pay_min, listing.pay_max, listing.pay_unit
    if unit is None or (low is None and high is None):
        return {}
    if unit == "piece":
        words = pay_text(low, high, unit, listing.pay_piece, listing.pay_approximate)
        return {"incentiveCompensation": f"计件：{words}", "salaryCurrency": "CNY"}
    value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": UNIT_TEXT[unit]}
    if low is not None and high is not None and low != high:
        value.update(minValue=_number(low), maxValue=_number(high))
    elif low is not None and unit == "month" and high is None and not listing.pay_approximate:
        value["minValue"] = _number(low)  # 月薪3000元起 (display.pay_text)
    elif low is not None:
        value["value"] = _number(low)
    else:
        value["maxValue"] = _number(high)  # type: ignore[arg-type]
    return {"baseSalary": {"@type": "MonetaryAmount", "currency": "CNY", "value": value}}


def _job(listing: Listing, base: dict[str, Any]) -> dict[str, Any]:
    return {
        **base,
        "@type": "JobPosting",
        "title": listing.title,
        "datePosted": iso(listing.published_at),
        "validThrough": iso(listing.valid_until),
        "employmentType": EMPLOYMENT_TYPES.get(listing.job_category or "", "OTHER"),
        "hiringOrganization": {"@type": "Organization", "name": listing.employer},
        "jobLocation": _place(listing),
        # The posting's own number here, under the employer it hires for.
        "identifier": {
            "@type": "PropertyValue",
            "name": listing.employer,
            "value": str(listing.id),
        },
        # The page's 我要应聘 form registers the application from the page itself.
        "directApply": True,
        "totalJobOpenings": listing.openings,
        "workHours": listing.work_hours,
        "qualifications": listing.requirements,
        **_job_pay(listing),
    }


def _training(listing: Listing, base: dict[str, Any]) -> dict[str, Any]:
    fee = listing.fee or Decimal(0)
    address = _address(listing)
    return {
        **base,
        "@type": "Course",
        "provider": {"@type": "Organization", "name": listing.provider},
        "offers": {
            "@type": "Offer",
            "category": "Free" if fee == 0 else "Paid",
            "price": _number(fee),
            "priceCurrency": "CNY",
        },
        "educationalCredentialAwarded": listing.certificate,
        "hasCourseInstance": [
            _present(
                {
                    "@type": "CourseInstance",
                    "startDate": iso(session.starts_at),
                    "endDate": iso(session.ends_at),
                    # The session's own room if it names one, else the listing's place.
                    "location": _place(listing, session.venue or None, address),
                    "courseMode": "Onsite",
                }
            )
            for session in listing.sessions
        ],
    }


def _subsidy(listing: Listing, base: dict[str, Any]) -> dict[str, Any]:
    return {
        **base,
        "@type": "GovernmentService",
        "serviceType": "就业创业补贴",
        "areaServed": {"@type": "AdministrativeArea", "name": listing.target.name},
        "audience": {"@type": "Audience", "audienceType": listing.eligibility},
        "provider": {"@type": "GovernmentOrganization", "name": SUBSIDY_PROVIDER},
        "termsOfService": listing.how_to_apply,
        "identifier": (
            {"@type": "PropertyValue", "name": "文号", "value": listing.document_number}
            if listing.document_number
            else None
        ),
        # 政策咨询预约 from the phone.
        "availableChannel": {
            "@type": "ServiceChannel",
            "serviceUrl": _external("pages.signup_consultation", listing),
        },
    }


def _event(listing: Listing, base: dict[str, Any]) -> dict[str, Any]:
    return {
        **base,
        "@type": "Event",
        "startDate": iso(listing.starts_at),
        "endDate": iso(listing.ends_at),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled",
        "location": _place(listing),
        "organizer": {
            "@type": "Organization",
            "name": listing.site.name if listing.site is not None else SERVICE_NAME,
        },
        # Job fairs and night markets are open to anyone, free.
        "isAccessibleForFree": True,
    }


BUILDERS = {"job": _job, "training": _training, "subsidy": _subsidy, "event": _event}


def _external(endpoint: str, listing: Listing) -> str:
    """A page of the listing at the public address, as links.phone_url gives its own."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        return base + url_for(endpoint, listing_id=listing.id)
    return url_for(endpoint, listing_id=listing.id, _external=True)


def _present(data: dict[str, Any]) -> dict[str, Any]:
    """Without the properties that have no value: a validator reports "" and null as wrong."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def listing_jsonld(listing: Listing, url: str) -> dict[str, Any]:
    base = {
        "@context": "https://schema.org",
        "name": listing.title,
        # Required of a JobPosting, and what every kind is about: the summary and the body.
        "description": "\n\n".join(text for text in (listing.summary, listing.body) if text)
        or listing.title,
        "url": url,
    }
    return _present(BUILDERS[listing.kind](listing, base))
