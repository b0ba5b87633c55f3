"""The staff member's part of the place tree, for picking where a listing goes,
with how many screens each place would reach."""

from __future__ import annotations

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.live.delivery import screen_counts
from kiosk_server.places.models import LEVEL_NAMES, SITE_KIND_NAMES
from kiosk_server.places.queries import places_in_scope, sites_in_scope
from kiosk_server.staff.auth import require_staff
from kiosk_server.timeutil import utcnow
from kiosk_server.validation import NoQuery, parse_query


@bp.get("/api/places")
def place_index() -> Response:
    staff = require_staff()
    parse_query(NoQuery)
    places = places_in_scope(staff.scope)
    counts = screen_counts(places, staff.scope.path, utcnow())
    items = [
        {
            "id": place.id,
            "name": place.name,
            "level": place.level,
            "level_name": LEVEL_NAMES.get(place.level, place.level),
            # The scope's own parent is outside it, but still names where it hangs.
            "parent_id": place.parent_id,
            "screens": counts[place.id],
        }
        for place in places
    ]
    sites = [
        {
            "id": site.id,
            "name": site.name,
            "community_id": site.community_id,
            "kind": site.kind,
            "kind_name": SITE_KIND_NAMES.get(site.kind, site.kind),
        }
        for site in sites_in_scope(staff.scope.path)
    ]
    return jsonify({"items": items, "sites": sites})
