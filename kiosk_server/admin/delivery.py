"""Proof of delivery: which screens a listing or announcement reaches, and which
of them have applied its latest change. Before it is published, who it will reach."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.admin.access import access_announcement, access_listing
from kiosk_server.listings.display import iso
from kiosk_server.listings.models import AnnouncementStatus, ListingStatus
from kiosk_server.live.delivery import Delivery, ScreenDelivery, delivery
from kiosk_server.places.models import Place
from kiosk_server.screens.display import screen_identity
from kiosk_server.screens.schemas import DeliveryQuery
from kiosk_server.staff.auth import require_staff
from kiosk_server.timeutil import utcnow
from kiosk_server.validation import parse_query


def _screen_json(row: ScreenDelivery) -> dict[str, Any]:
    screen = row.screen
    return {
        **screen_identity(screen),
        "online": row.online,
        "applied": row.applied,
        "last_seen_at": iso(screen.last_seen_at),
        "last_seq": row.cursor,
    }


def _delivery_json(found: Delivery, target: Place, query: DeliveryQuery) -> dict[str, Any]:
    return {
        "seq": found.seq,
        "op": found.op,
        "target": {"id": target.id, "name": target.name},
        "totals": asdict(found.totals),
        "screens": [_screen_json(row) for row in found.screens],
        "page": query.page,
        "per_page": query.per_page,
    }


@bp.get("/api/listings/<int:listing_id>/delivery")
def listing_delivery(listing_id: int) -> Response:
    listing = access_listing(require_staff(), listing_id)
    query = parse_query(DeliveryQuery)
    showing = listing.status == ListingStatus.PUBLISHED
    found = delivery(
        listing.change_seq, showing, listing.target, utcnow(), query.page, query.per_page
    )
    return jsonify(_delivery_json(found, listing.target, query))


@bp.get("/api/announcements/<int:announcement_id>/delivery")
def announcement_delivery(announcement_id: int) -> Response:
    announcement = access_announcement(require_staff(), announcement_id)
    query = parse_query(DeliveryQuery)
    showing = announcement.status == AnnouncementStatus.ACTIVE
    target = announcement.target
    found = delivery(announcement.change_seq, showing, target, utcnow(), query.page, query.per_page)
    return jsonify(_delivery_json(found, target, query))
