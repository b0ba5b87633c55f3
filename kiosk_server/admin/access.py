"""Fetching things for staff, with the scope check on the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.listings.models import Announcement, Listing, ListingStatus
from kiosk_server.places.models import Place, Site
from kiosk_server.registrations.models import Registration
from kiosk_server.screens.models import EnrolmentCode, Screen
from kiosk_server.staff.auth import require_staff
from kiosk_server.staff.models import Staff, StaffRole
from kiosk_server.validation import MAX_ID


def access_listing(staff: Staff, listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id) if listing_id <= MAX_ID else None
    if listing is None:
        raise ApiError(404, "没有找到这条信息")
    if not staff.can_manage(listing.target):
        raise ApiError(403, "这条信息不在您的管辖范围内")
    return listing


def access_announcement(staff: Staff, announcement_id: int) -> Announcement:
    item = db.session.get(Announcement, announcement_id) if announcement_id <= MAX_ID else None
    if item is None:
        raise ApiError(404, "没有找到这条通知")
    if not staff.can_manage(item.target):
        raise ApiError(403, "这条通知不在您的管辖范围内")
    return item


def access_screen(staff: Staff, screen_id: int) -> Screen:
    screen = db.session.get(Screen, screen_id) if screen_id <= MAX_ID else None
    if screen is None:
        raise ApiError(404, "没有这个屏幕")
    if not staff.can_manage(screen.community):
        raise ApiError(403, "这个屏幕不在您的管辖范围内")
    return screen


def access_site(staff: Staff, site_id: int) -> Site:
    site = db.session.get(Site, site_id) if site_id <= MAX_ID else None
    if site is None:
        raise ApiError(404, "没有这个站点")
    if not staff.can_manage(site.community):
        raise ApiError(403, "这个站点不在您的管辖范围内")
    return site


def access_place(staff: Staff, place_id: int, field: str = "place_id") -> Place:
    place = db.session.get(Place, place_id) if place_id <= MAX_ID else None
    if place is None:
        raise ApiError(404, "没有这个地点", fields={field: "没有这个地点"})
    if not staff.can_manage(place):
        raise ApiError(403, "这个地点不在您的管辖范围内", fields={field: "超出管辖范围"})
    return place


def access_registration(staff: Staff, registration_id: int) -> Registration:
    registration = (
        db.session.get(Registration, registration_id) if registration_id <= MAX_ID else None
    )
    if registration is None:
        raise ApiError(404, "没有找到这条登记")
    if not staff.can_manage(registration.community):
        raise ApiError(403, "这条登记不在您的管辖范围内")
    return registration


def access_listing_to_match(staff: Staff, listing_id: int) -> Listing:
    """A listing to find people for: one in the staff member's scope, or a published one
    that reaches it, since station staff match a city-wide job with their own residents."""
    listing = db.session.get(Listing, listing_id) if listing_id <= MAX_ID else None
    if listing is None:
        raise ApiError(404, "没有找到这条信息")
    reaches = listing.status == ListingStatus.PUBLISHED and listing.target.contains(staff.scope)
    if not staff.can_manage(listing.target) and not reaches:
        raise ApiError(403, "这条信息不在您的管辖范围内")
    return listing


def access_listing_on_branch(staff: Staff, listing_id: int, field: str) -> Listing:
    """A listing to filter by: one in the scope, or one above it that reaches it (a city
    job station staff take registrations for). Never one beside it."""
    listing = db.session.get(Listing, listing_id) if listing_id <= MAX_ID else None
    if listing is None:
        raise ApiError(404, "没有找到这条信息", fields={field: "没有找到这条信息"})
    if not staff.can_manage(listing.target) and not listing.target.contains(staff.scope):
        raise ApiError(403, "这条信息不在您的管辖范围内", fields={field: "超出管辖范围"})
    return listing


def access_colleague(staff: Staff, staff_id: int, field: str) -> Staff:
    """An account whose work shows in this staff member's scope: one inside it, or one
    above it (the street staff who edited a station's listing). Never one beside it."""
    account = db.session.get(Staff, staff_id) if staff_id <= MAX_ID else None
    if account is None:
        raise ApiError(404, "没有这个工作人员账号", fields={field: "没有这个工作人员账号"})
    if not staff.can_manage(account.scope) and not account.scope.contains(staff.scope):
        raise ApiError(403, "这个账号不在您的管辖范围内", fields={field: "超出管辖范围"})
    return account


def access_enrolment_code(staff: Staff, code_id: int) -> EnrolmentCode:
    record = db.session.get(EnrolmentCode, code_id) if code_id <= MAX_ID else None
    if record is None:
        raise ApiError(404, "没有这个登记码")
    access_site(staff, record.site_id)
    return record


@contextmanager
def naming(field: str) -> Iterator[None]:
    """Pins a refusal about an id sent in a query or a body to the field that carried it."""
    try:
        yield
    except ApiError as error:
        error.fields = error.fields or {field: error.message}
        raise


def require_account_manager() -> Staff:
    """The logged-in staff member, if a city administrator (see admin/staff.py for why)."""
    staff = require_staff()
    if staff.role != StaffRole.CITY_ADMIN:
        raise ApiError(403, "只有市级管理员可以管理工作人员账号")
    return staff


def access_account(manager: Staff, staff_id: int) -> Staff:
    account = db.session.get(Staff, staff_id) if staff_id <= MAX_ID else None
    if account is None:
        raise ApiError(404, "没有这个工作人员账号")
    if not manager.can_manage(account.scope):
        raise ApiError(403, "这个账号不在您的管辖范围内")
    return account
