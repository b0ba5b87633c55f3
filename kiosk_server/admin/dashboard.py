"""The figures on the console's first page, for the staff member's part of the tree.

Each is counted from the database on every request: staff act on them, so they
must agree with the lists one click away. Names come with the codes, so the page
needs no tables of its own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Response, jsonify

from kiosk_server.admin import bp
from kiosk_server.listings.display import iso
from kiosk_server.listings.models import KIND_NAMES, ListingKind
from kiosk_server.listings.queries import published_by_kind
from kiosk_server.places.models import Place
from kiosk_server.registrations.models import CHANNEL_NAMES, STATUS_NAMES
from kiosk_server.registrations.queries import (
    SourceCount,
    counts_by_day,
    counts_by_source,
    counts_by_status,
)
from kiosk_server.screens.models import ScreenKind
from kiosk_server.screens.queries import presence_by_kind
from kiosk_server.staff.auth import require_staff
from kiosk_server.timeutil import china_midnight, to_local, utcnow
from kiosk_server.validation import Strict, parse_query

DAILY_DAYS = 14  # the chart: two weeks, today included
OUTCOME_DAYS = 30


class DashboardQuery(Strict):
    """None: the figures are always for the whole of the staff member's scope."""


def _listings(scope: Place) -> list[dict[str, Any]]:
    counts = published_by_kind(scope.path)
    return [
        {"kind": kind.value, "name": KIND_NAMES[kind], "count": counts.get(kind, 0)}
        for kind in ListingKind
    ]


def _station(source: SourceCount) -> tuple[int | None, str]:
    """Where a registration was taken: a kiosk's site, or else its channel."""
    if source.site_id is not None and source.site_name is not None:
        return source.site_id, source.site_name
    return None, CHANNEL_NAMES.get(source.channel, source.channel)


def _week(scope: Place, today: date) -> dict[str, Any]:
    monday = today - timedelta(days=today.weekday())
    counts: dict[tuple[int | None, str], int] = {}
    for source in counts_by_source(scope.path, china_midnight(monday)):
        station = _station(source)
        counts[station] = counts.get(station, 0) + source.count
    by_station = [
        {"site_id": site_id, "name": name, "count": count}
        for (site_id, name), count in counts.items()
    ]
    by_station.sort(key=lambda line: (-line["count"], line["name"]))
    return {"since": monday.isoformat(), "total": sum(counts.values()), "by_station": by_station}


def _daily(scope: Place, today: date) -> list[dict[str, Any]]:
    days = [today - timedelta(days=back) for back in range(DAILY_DAYS - 1, -1, -1)]
    counts = counts_by_day(scope.path, days)
    return [{"day": day.isoformat(), "count": counts[day]} for day in days]


def _outcomes(scope: Place, today: date) -> list[dict[str, Any]]:
    since = china_midnight(today - timedelta(days=OUTCOME_DAYS - 1))
    counts = counts_by_status(scope.path, since)
    return [
        {"status": status, "name": name, "count": counts.get(status, 0)}
        for status, name in STATUS_NAMES.items()
    ]


def _screens(scope: Place, now: datetime) -> dict[str, Any]:
    counts = presence_by_kind(scope.path, now)
    return {
        kind.value: dict(zip(("online", "total"), counts.get(kind, (0, 0)), strict=True))
        for kind in ScreenKind
    }


@bp.get("/api/dashboard")
def dashboard() -> Response:
    staff = require_staff()
    parse_query(DashboardQuery)
    scope = staff.scope
    now = utcnow()
    today = to_local(now).date()
    return jsonify(
        {
            "scope": {"id": scope.id, "name": scope.name},
            "generated_at": iso(now),
            "listings_by_kind": _listings(scope),
            "registrations_week": _week(scope, today),
            "registrations_daily": _daily(scope, today),
            "outcomes": _outcomes(scope, today),
            "screens": _screens(scope, now),
        }
    )
