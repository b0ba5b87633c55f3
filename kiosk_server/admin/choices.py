"""The Chinese names of every coded value the console's forms show or send.

The tables live beside the models they name; this only lists them, in the
order of their models, so a form never has to spell a status or a kind itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.audit import models as audit
from kiosk_server.listings import models as listings
from kiosk_server.places import models as places
from kiosk_server.registrations import models as registrations
from kiosk_server.screens import actions as screens
from kiosk_server.staff import models as staff
from kiosk_server.staff.auth import require_staff
from kiosk_server.validation import NoQuery, parse_query

# Several modules call their table KIND_NAMES or STATUS_NAMES; the module says whose.
CHOICES: dict[str, Mapping[str, str]] = {
    "listing_kinds": listings.KIND_NAMES,
    "listing_statuses": listings.STATUS_NAMES,
    "job_categories": listings.JOB_CATEGORY_NAMES,
    "pay_units": listings.PAY_UNIT_NAMES,
    "event_types": listings.EVENT_TYPE_NAMES,
    "announcement_statuses": listings.ANNOUNCEMENT_STATUS_NAMES,
    "registration_kinds": registrations.KIND_NAMES,
    "registration_statuses": registrations.STATUS_NAMES,
    "registration_channels": registrations.CHANNEL_NAMES,
    "staff_roles": staff.ROLE_NAMES,
    "place_levels": places.LEVEL_NAMES,
    "site_kinds": places.SITE_KIND_NAMES,
    "screen_kinds": screens.KIND_NAMES,
    "audit_entities": audit.ENTITY_NAMES,
    "audit_actions": audit.ACTION_NAMES,
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
