"""The only code that writes the audit log: it adds, and the caller's commit keeps it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from kiosk_server.audit.models import AuditEntry
from kiosk_server.extensions import db
from kiosk_server.listings.display import iso
from kiosk_server.places.models import Place
from kiosk_server.registrations.models import mask_mobile
from kiosk_server.staff.models import Staff

# Never written down, whatever a caller passes: a log anyone in scope can read
# must not become a way to read what the app keeps secret.
SECRET_KEYS = frozenset({"password", "password_hash", "token", "token_hash", "code", "code_hash"})
# A mainland mobile number inside any text (a listing's body, a contact phone).
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
SUMMARY_LENGTH = 300


def _plain(value: Any) -> Any:
    """A value as JSON can hold it, with any mobile number masked."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return MOBILE.sub(lambda match: mask_mobile(match.group()), value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # normalize() so 0.30 from the database and 0.3 from a form read the same.
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items() if key not in SECRET_KEYS}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _sides(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Only what changed. Compared before conversion, so equal instants in two
    time zones, or 0.3 and 0.30, are not reported as changes."""
    if before is not None and after is not None:
        keys = [key for key in {**before, **after} if before.get(key) != after.get(key)]
        before = {key: before.get(key) for key in keys}
        after = {key: after.get(key) for key in keys}
    return (
        _plain(before) if before is not None else None,
        _plain(after) if after is not None else None,
    )


def do_record(
    *,
    action: str,
    entity_type: str,
    entity_id: int,
    place: Place,
    summary: str,
    staff: Staff | None,
    actor: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the session, WITHOUT committing.

    Call it after the change's own checks have passed and before its commit, so
    the entry is kept exactly when the change is: a refused or failed action
    leaves none. `place` is the entity's place in the tree (a listing's target,
    a screen's or registration's community, a staff member's scope); staff see
    the entries at or below their own scope. Give `staff` when a staff member
    acted, else an `actor` label from audit.models (CONSOLE, SYSTEM,
    RESIDENT_BY_CHANNEL[channel]). `before`/`after` are plain field values;
    when both are given only the keys whose values differ are kept. Mobiles are
    masked and secret keys dropped here, but pass as little personal data as the
    entry needs.
    """
    if staff is None and not actor:
        raise ValueError("an audit entry needs a staff member or an actor label")
    before_json, after_json = _sides(before, after)
    entry = AuditEntry(
        staff_id=staff.id if staff is not None else None,
        actor=(staff.display_name if staff is not None else actor or "")[:60],
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        place_id=place.id,
        place_path=place.path,
        summary=_plain(summary)[:SUMMARY_LENGTH],
        before=before_json,
        after=after_json,
    )
    db.session.add(entry)
    return entry
