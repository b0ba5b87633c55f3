"""The periods the privacy notices state, read from the one setting each.

REGISTRATION_KEEP_MONTHS: a registration is erased by the sweep once it is older
(actions.do_erase_expired_registrations). REGISTRATION_LINK_DAYS: its see-or-cancel
link works this long (links.py). Every notice, on the phone, the kiosk and the TV,
words them from here or from the config they come from, never from a literal.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from flask import current_app


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last
    day when that month is shorter): "保存12个月" read as a person reads it."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def keep_months() -> int:
    return int(current_app.config["REGISTRATION_KEEP_MONTHS"])


def link_days() -> int:
    return int(current_app.config["REGISTRATION_LINK_DAYS"])


def kept_since(now: datetime) -> datetime:
    """Registrations made before this are past the period and are erased."""
    return months_before(now, keep_months())


def privacy_periods() -> dict[str, int]:
    """What screens word their notices from (the home answer)."""
    return {"keep_months": keep_months(), "link_days": link_days()}
