"""The Chinese names of every coded value the console's forms show or send.

The tables live beside the models they name; this only lists them, in the
order of their models, so a form never has to spell a status or a kind itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.audit.models import ACTION_NAMES, ENTITY_NAMES
from kiosk_server.listings.models import (
    ANNOUNCEMENT_STATUS_NAMES,
    EVENT_TYPE_NAMES,
    JOB_CATEGORY_NAMES,
    KIND_NAMES,
    PAY_UNIT_NAMES,
    STATUS_NAMES,
)
from kiosk_server.places.models import LEVEL_NAMES, SITE_KIND_NAMES
from kiosk_server.registrations.models import (
    CHANNEL_NAMES,
)
from kiosk_server.registrations.models import (
    KIND_NAMES as REGISTRATION_KIND_NAMES,
)
from kiosk_server.registrations.models import (
    STATUS_NAMES as REGISTRATION_STATUS_NAMES,
)
from kiosk_server.screens.actions import KIND_NAMES as SCREEN_KIND_NAMES
from kiosk_server.staff.auth import require_staff
from kiosk_server.staff.models import ROLE_NAMES
from kiosk_server.validation import NoQuery, parse_query

CHOICES: dict[str, Mapping[str, str]] = {
    "listing_kinds": KIND_NAMES,
    "listing_statuses": STATUS_NAMES,
    "job_categories": JOB_CATEGORY_NAMES,
    "pay_units": PAY_UNIT_NAMES,
    "event_types": EVENT_TYPE_NAMES,
    "announcement_statuses": ANNOUNCEMENT_STATUS_NAMES,
    "registration_kinds": REGISTRATION_KIND_NAMES,
    "registration_statuses": REGISTRATION_STATUS_NAMES,
    "registration_channels": CHANNEL_NAMES,
    "staff_roles": ROLE_NAMES,
    "place_levels": LEVEL_NAMES,
    "site_kinds": SITE_KIND_NAMES,
    "screen_kinds": SCREEN_KIND_NAMES,
    "audit_entities": ENTITY_NAMES,
    "audit_actions": ACTION_NAMES,
}


@bp.get("/api/choices")
def choices() -> Response:
    require_staff()
    parse_query(NoQuery)
    return jsonify(
        {
            key: [{"value": str(value), "name": name} for value, name in names.items()]
            for key, names in CHOICES.items()
        }
    )
