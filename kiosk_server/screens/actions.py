"""The only code that writes screens."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, select, update

from kiosk_server.audit.actions import do_record
from kiosk_server.audit.models import CONSOLE, KIOSK_BY_CODE, RESIDENT_TV
from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.live.push import tell_screen
from kiosk_server.places.models import Place, PlaceLevel, Site
from kiosk_server.screens.models import EnrolmentCode, Screen, ScreenKind, hash_token
from kiosk_server.screens.queries import UNKNOWN_SCREEN
from kiosk_server.screens.reports import Report, later, merge_cursors
from kiosk_server.screens.schemas import KioskEnrolmentIn, TvRegistrationIn
from kiosk_server.staff.models import Staff
from kiosk_server.timeutil import utcnow

KIND_NAMES = {ScreenKind.TV: "电视", ScreenKind.KIOSK: "自助机"}


def _screen_name(screen: Screen, community: Place) -> str:
    label = f"「{screen.label}」" if screen.label else ""
    return f"{KIND_NAMES[ScreenKind(screen.kind)]}{label}（编号{screen.id}，{community.name}）"


def do_register_tv(data: TvRegistrationIn) -> tuple[Screen, str]:
    """A home TV chose its community on first run; it gets a token to connect with."""
    community = db.session.get(Place, data.community_id)
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ApiError(422, fields={"community_id": "请选择一个社区"})
    screen, token = _new_screen(ScreenKind.TV, community.id, None, "", data.app_version)
    do_record(
        action="screen.register_tv",
        entity_type="screen",
        entity_id=screen.id,
        place=community,
        summary=f"登记了{_screen_name(screen, community)}",
        staff=None,
        actor=RESIDENT_TV,
        after={"kind": screen.kind, "community_id": community.id, "app_version": data.app_version},
    )
    db.session.commit()
    return screen, token


def _new_screen(
    kind: ScreenKind, community_id: int, site: Site | None, label: str, app_version: str
) -> tuple[Screen, str]:
    """A screen with a fresh token; only the token's hash is kept."""
    token = secrets.token_urlsafe(32)
    screen = Screen(
        kind=kind,
        community_id=community_id,
        site_id=site.id if site else None,
        label=label,
        token_hash=hash_token(token),
        app_version=app_version,
        cursors={},
        last_seq=0,
    )
    db.session.add(screen)
    db.session.flush()
    return screen, token


def do_revoke_screen(screen: Screen, staff: Staff | None) -> None:
    """Stop a screen: its token no longer connects, and a connected one is told at once.

    `staff` is None when an operator stops it on the server's console."""
    if screen.revoked_at is not None:
        raise ApiError(409, "这个屏幕已经停用了", code="already_revoked")
    screen.revoked_at = utcnow()
    do_record(
        action="screen.revoke",
        entity_type="screen",
        entity_id=screen.id,
        place=screen.community,
        summary=f"停用了{_screen_name(screen, screen.community)}",
        staff=staff,
        actor=CONSOLE,
        before={"revoked_at": None},
        after={"revoked_at": screen.revoked_at},
    )
    db.session.commit()
    tell_screen(screen.id, "revoked", UNKNOWN_SCREEN)


ENROLMENT_VALID_FOR = timedelta(hours=24)


def do_create_enrolment_code(site: Site, staff: Staff | None) -> tuple[EnrolmentCode, str]:
    """Eight digits staff type on the new kiosk; they work once, for a day.

    `staff` is None when an operator makes the code on the server's console."""
    code = f"{secrets.randbelow(10**8):08d}"
    record = EnrolmentCode(
        site_id=site.id,
        code_hash=hash_token(code),
        created_by_id=staff.id if staff is not None else None,
        expires_at=utcnow() + ENROLMENT_VALID_FOR,
    )
    db.session.add(record)
    db.session.flush()
    do_record(
        action="enrolment_code.create",
        entity_type="enrolment_code",
        entity_id=record.id,
        place=site.community,
        summary=f"为「{site.name}」生成了自助机登记码",
        staff=staff,
        actor=CONSOLE,
        # Never the code itself: whoever reads the log could enrol a kiosk with it.
        after={"site_id": site.id, "expires_at": record.expires_at},
    )
    db.session.commit()
    return record, code


def do_enrol_kiosk(data: KioskEnrolmentIn) -> tuple[Screen, str]:
    """Trade a one-time code for a kiosk's own revocable token."""
    digits = data.code.replace(" ", "")
    now = utcnow()
    record = db.session.scalar(
        select(EnrolmentCode).where(EnrolmentCode.code_hash == hash_token(digits))
    )
    refused = ApiError(422, fields={"code": "登记码不对、已用过或已过期，请联系工作人员"})
    if record is None or record.used_at is not None or record.expires_at <= now:
        raise refused
    # Only one kiosk may take a code, even when two try at the same moment.
    taken = db.session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.id == record.id, EnrolmentCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        db.session.rollback()
        raise refused
    site = record.site
    screen, token = _new_screen(
        ScreenKind.KIOSK, site.community_id, site, site.name, data.app_version
    )
    db.session.execute(
        update(EnrolmentCode).where(EnrolmentCode.id == record.id).values(screen_id=screen.id)
    )
    do_record(
        action="screen.enrol_kiosk",
        entity_type="screen",
        entity_id=screen.id,
        place=site.community,
        summary=f"绑定了自助机（编号{screen.id}）到「{site.name}」（{site.community.name}）",
        staff=None,
        actor=KIOSK_BY_CODE,
        after={
            "kind": screen.kind,
            "site_id": site.id,
            "enrolment_code_id": record.id,
            "code_created_by_id": record.created_by_id,
            "app_version": data.app_version,
        },
    )
    db.session.commit()
    return screen, token


# Enough rows for one round trip, few enough bound values for SQLite.
STORE_CHUNK = 500


def do_store_reports(reports: Mapping[int, Report]) -> int:
    """Write what screens reported (see reports.py); stopped screens are left alone.

    Returns how many screens were written."""
    # Rows are locked in id order, chunk after chunk, until the commit: a screen
    # that moved between processes is in the reports of both, and their writers
    # must neither take the same rows in different orders (PostgreSQL would
    # refuse one of them as a deadlock) nor merge into a row the other is about
    # to change. Cursors and times only move forward, so the process holding
    # the older report cannot take the screen back in time either.
    ids = sorted(reports)
    postgres = db.session.connection().dialect.name == "postgresql"
    store_chunk = _store_in_the_database if postgres else _store_from_python
    stored = 0
    for start in range(0, len(ids), STORE_CHUNK):
        stored += store_chunk(
            {screen_id: reports[screen_id] for screen_id in ids[start : start + STORE_CHUNK]}
        )
    db.session.commit()
    return stored


# On PostgreSQL the database merges each report into its row, as
# _stored_report does (each cursor only moves forward): the worker only writes
# each chunk as one JSON document and reads nothing back. For 10,000 reports
# this took 0.07 s of the worker's CPU, against 0.33 s when it read the rows and
# merged them itself, time taken from the event loop in front of any publish
# waiting on it; PostgreSQL's share grew from 0.15 s to 0.22–0.27 s, spent in
# another process. The rows are locked by a statement of their own first, so
# the UPDATE's snapshot, taken after the lock, holds the newest version of each.
_LOCK_IN_ID_ORDER = "SELECT id FROM screens WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
_MERGE_REPORTS = """
UPDATE screens AS s SET
  cursors = COALESCE(merged.cursors, s.cursors),
  last_seq = GREATEST(s.last_seq, merged.top),
  last_seen_at = GREATEST(r.seen_at, s.last_seen_at),
  disconnected_at = GREATEST(r.gone_at, s.disconnected_at),
  app_version = COALESCE(left(r.app_version, 32), s.app_version)
FROM json_to_recordset(%s::json) AS r(
    id integer, cursors json, seen_at timestamptz, gone_at timestamptz, app_version varchar)
  JOIN screens AS stored ON stored.id = r.id
  CROSS JOIN LATERAL (
    SELECT json_object_agg(key, top) AS cursors, max(top) AS top FROM (
      SELECT key, max(value::integer) AS top
      FROM (SELECT * FROM json_each_text(stored.cursors)
            UNION ALL SELECT * FROM json_each_text(r.cursors)) AS both_sides
      GROUP BY key) AS per_key) AS merged
WHERE s.id = r.id AND s.revoked_at IS NULL
"""


def _store_in_the_database(chunk: Mapping[int, Report]) -> int:
    connection = db.session.connection()
    connection.exec_driver_sql(_LOCK_IN_ID_ORDER, (list(chunk),))
    document = json.dumps(
        [_report_document(screen_id, report) for screen_id, report in chunk.items()]
    )
    return connection.exec_driver_sql(_MERGE_REPORTS, (document,)).rowcount


def _report_document(screen_id: int, report: Report) -> dict[str, Any]:
    return {
        "id": screen_id,
        "cursors": report.cursors,
        "seen_at": report.seen_at and report.seen_at.isoformat(),
        "gone_at": report.gone_at and report.gone_at.isoformat(),
        "app_version": report.app_version or None,
    }


def _store_from_python(chunk: Mapping[int, Report]) -> int:
    """SQLite has no rows to lock (a writer holds the whole database) and takes
    what SQLAlchemy writes of each value, so the rows are read and merged here."""
    rows = db.session.execute(
        select(
            Screen.id,
            Screen.cursors,
            Screen.last_seq,
            Screen.last_seen_at,
            Screen.disconnected_at,
            Screen.app_version,
        ).where(Screen.id.in_(list(chunk)), Screen.revoked_at.is_(None))
    ).all()
    updates = [_stored_report(row, chunk[row.id]) for row in rows]
    if updates:
        db.session.execute(update(Screen), updates)
    return len(updates)


def _stored_report(row: Row[Any], report: Report) -> dict[str, Any]:
    """The columns of one screen after its report, given what is stored."""
    cursors = merge_cursors(row.cursors or {}, report.cursors)
    return {
        "id": row.id,
        "cursors": cursors,
        "last_seq": max([row.last_seq or 0, *cursors.values()]),
        "last_seen_at": later(report.seen_at, row.last_seen_at),
        "disconnected_at": later(report.gone_at, row.disconnected_at),
        "app_version": (report.app_version or row.app_version)[:32],
    }
