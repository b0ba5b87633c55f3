"""The console names every coded value in Chinese from one answer, in a fixed order."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import get_args

import pytest
from flask.testing import FlaskClient

from kiosk_server.audit.models import RESIDENT_BY_CHANNEL
from kiosk_server.audit.schemas import AuditQuery
from kiosk_server.listings.models import (
    AnnouncementStatus,
    EventType,
    JobCategory,
    ListingKind,
    ListingStatus,
    PayUnit,
)
from kiosk_server.places.models import PlaceLevel, SiteKind
from kiosk_server.registrations.models import RegistrationKind, RegistrationStatus
from kiosk_server.screens.models import ScreenKind
from kiosk_server.staff.models import StaffRole
from tests.conftest import World
from tests.helpers import StaffClient, assert_error

CHOICES = "/admin/api/choices"
HAN = re.compile(r"[\u4e00-\u9fff]")

ENUMS: dict[str, type[StrEnum]] = {
    "listing_kinds": ListingKind,
    "listing_statuses": ListingStatus,
    "job_categories": JobCategory,
    "pay_units": PayUnit,
    "event_types": EventType,
    "announcement_statuses": AnnouncementStatus,
    "registration_kinds": RegistrationKind,
    "registration_statuses": RegistrationStatus,
    "staff_roles": StaffRole,
    "place_levels": PlaceLevel,
    "site_kinds": SiteKind,
    "screen_kinds": ScreenKind,
}


@pytest.mark.parametrize("key, enum", ENUMS.items(), ids=list(ENUMS))
def test_every_value_the_server_knows_has_a_chinese_name_in_the_models_order(
    station_staff: StaffClient, key: str, enum: type[StrEnum]
) -> None:
    choices = station_staff.get(CHOICES).json[key]

    assert [choice["value"] for choice in choices] == [member.value for member in enum]
    for choice in choices:
        assert HAN.search(choice["name"]), choice


def _literal_values(annotation: object) -> list[str]:
    """The choices of a `Literal[...] | None` query field."""
    literal = next(arg for arg in get_args(annotation) if arg is not type(None))
    return list(get_args(literal))


def test_filters_without_an_enum_are_named_too(admin: StaffClient) -> None:
    body = admin.get(CHOICES).json
    # A registration comes from a screen of some kind, or a phone.
    channels = [*(kind.value for kind in ScreenKind), "phone"]
    entities = _literal_values(AuditQuery.model_fields["entity_type"].annotation)

    assert [choice["value"] for choice in body["registration_channels"]] == channels
    assert set(channels) == set(RESIDENT_BY_CHANNEL)
    assert [choice["value"] for choice in body["audit_entities"]] == entities
    assert {"value": "listing.create", "name": "新建信息"} in body["audit_actions"]


def test_listing_statuses_read_as_the_console_shows_them(admin: StaffClient) -> None:
    names = {
        choice["value"]: choice["name"] for choice in admin.get(CHOICES).json["listing_statuses"]
    }
    assert names == {
        "draft": "草稿",
        "scheduled": "待发布",
        "published": "已发布",
        "withdrawn": "已下架",
        "expired": "已过期",
    }


def test_choices_need_a_login(client: FlaskClient, world: World) -> None:
    assert_error(client.get(CHOICES), 401, code="login_required")
