"""schema.org JSON-LD for a listing, so phones and search engines understand it."""

from __future__ import annotations

from typing import Any

from kiosk_server.listings.display import iso
from kiosk_server.listings.models import Listing

EMPLOYMENT_TYPES = {
    "full_time": "FULL_TIME",
    "part_time": "PART_TIME",
    "piece_rate": "OTHER",
    "gig": "TEMPORARY",
    "public_welfare": "PART_TIME",
    "mom_friendly": "PART_TIME",
}
UNIT_TEXT = {"hour": "HOUR", "day": "DAY", "month": "MONTH", "piece": "PIECE"}


def _place(listing: Listing) -> dict[str, Any]:
    # schema.org JobPosting and Event need a location; without a site, the
    # community or street the listing is for is where people would go.
    where = listing.site or listing.target
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "CN"}
    if listing.site is not None:
        address["streetAddress"] = listing.site.address
    place: dict[str, Any] = {"@type": "Place", "name": where.name, "address": address}
    if where.latitude is not None and where.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": where.latitude,
            "longitude": where.longitude,
        }
    return place


def _job(listing: Listing, base: dict[str, Any]) -> dict[str, Any]:
    data = {
        **base,
        "@type": "JobPosting",
        "title": listing.title,
        "datePosted": iso(listing.published_at),
        "validThrough": iso(listing.valid_until),
        "employmentType": EMPLOYMENT_TYPES.get(listing.job_category or "", "OTHER"),
        "hiringOrganization": {"@type": "Organization", "name": listing.employer},
        "jobLocation": _place(listing),
        "totalJobOpenings": listing.openings,
        "qualifications": listing.requirements or None,
    }
    if listing.pay_unit and (listing.pay_min is not None or listing.pay_max is not None):
        value: dict[str, Any] = {
            "@type": "QuantitativeValue",
            "unitText": UNIT_TEXT[listing.pay_unit],
        }
        if listing.pay_min is not None:
            value["minValue"] = float(listing.pay_min)
        if listing.pay_max is not None:
            value["maxValue"] = float(listing.pay_max)
        if listing.pay_unit == "piece":
            # schema.org has no piece rate; say what a piece is beside the unit.
            value["unitCode"] = "PIECE"
            value["description"] = f"每{listing.pay_piece or '件'}"
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "CNY", "value": value}
    return data


def _training(listing: Listing, base: dict[str, Any]) -> dict[str, Any]:
    return {
        **base,
        "@type": "Course",
        "provider": {"@type": "Organization", "name": listing.provider},
        "offers": {"@type": "Offer", "price": float(listing.fee or 0), "priceCurrency": "CNY"},
        "educationalCredentialAwarded": listing.certificate or None,
        "hasCourseInstance": [
            {
                "@type": "CourseInstance",
                "startDate": iso(session.starts_at),
                "endDate": iso(session.ends_at),
                "location": session.venue or (listing.site.name if listing.site else None),
                "courseMode": "onsite",
            }
            for session in listing.sessions
        ],
    }


def _subsidy(listing: Listing, base: dict[str, Any]) -> dict[str, Any]:
    return {
        **base,
        "@type": "GovernmentService",
        "serviceType": "就业创业补贴",
        "areaServed": listing.target.name,
        "audience": {"@type": "Audience", "audienceType": listing.eligibility},
        "provider": {"@type": "GovernmentOrganization", "name": "人力资源和社会保障局"},
        "termsOfService": listing.how_to_apply,
        "identifier": listing.document_number or None,
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
    }


BUILDERS = {"job": _job, "training": _training, "subsidy": _subsidy, "event": _event}


def listing_jsonld(listing: Listing, url: str) -> dict[str, Any]:
    base = {
        "@context": "https://schema.org",
        "name": listing.title,
        "description": listing.body or listing.summary,
        "url": url,
    }
    data = BUILDERS[listing.kind](listing, base)
    return {key: value for key, value in data.items() if value not in (None, "", [])}
