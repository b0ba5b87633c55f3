"""The only code that writes registrations."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing, ListingStatus
from kiosk_server.registrations.models import Registration, RegistrationKind
from kiosk_server.registrations.schemas import CallbackIn
from kiosk_server.screens.models import Screen
from kiosk_server.timeutil import utcnow

# No 0/O or 1/I: references are read out over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _existing(listing_id: int, kind: str, mobile: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.listing_id == listing_id,
            Registration.kind == kind,
            Registration.mobile == mobile,
        )
    )


def do_request_callback(
    screen: Screen, listing: Listing, data: CallbackIn
) -> tuple[Registration, bool]:
    """Record "请工作人员联系我"; asking again returns the first request, not a second one."""
    if listing.status != ListingStatus.PUBLISHED:
        raise ApiError(410, "这条信息已下架，不能再登记", code="listing_gone")
    found = _existing(listing.id, RegistrationKind.CALLBACK, data.mobile)
    if found is not None:
        return found, False
    registration = Registration(
        kind=RegistrationKind.CALLBACK,
        reference=new_reference(),
        channel=screen.kind,
        mobile=data.mobile,
        community_id=screen.community_id,
        listing_id=listing.id,
        screen_id=screen.id,
        consented_at=utcnow(),
        idempotency_key=data.idempotency_key,
        details={},
    )
    db.session.add(registration)
    try:
        db.session.commit()
    except IntegrityError:
        # Two requests raced past the check; the unique index let one in.
        db.session.rollback()
        found = _existing(listing.id, RegistrationKind.CALLBACK, data.mobile)
        if found is None:
            raise
        return found, False
    return registration, True
