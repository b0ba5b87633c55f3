"""Reading the audit log, always within a staff member's part of the place tree."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from kiosk_server.audit.models import AuditEntry
from kiosk_server.audit.schemas import AuditQuery
from kiosk_server.paging import Page, paginate
from kiosk_server.timeutil import china_midnight


def entries_in_scope(scope_path: str, query: AuditQuery) -> Page[AuditEntry]:
    """Entries about things at or below `scope_path`, newest first."""
    statement = select(AuditEntry).where(
        AuditEntry.place_path.startswith(scope_path, autoescape=True)
    )
    if query.q:
        statement = statement.where(
            or_(
                AuditEntry.summary.icontains(query.q, autoescape=True),
                AuditEntry.actor.icontains(query.q, autoescape=True),
            )
        )
    if query.action:
        statement = statement.where(AuditEntry.action == query.action)
    if query.entity_type:
        statement = statement.where(AuditEntry.entity_type == query.entity_type)
    if query.entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == query.entity_id)
    if query.staff_id is not None:
        statement = statement.where(AuditEntry.staff_id == query.staff_id)
    if query.from_ is not None:
        statement = statement.where(AuditEntry.at >= china_midnight(query.from_))
    if query.to is not None:
        statement = statement.where(AuditEntry.at < china_midnight(query.to + timedelta(days=1)))
    newest_first = (AuditEntry.at.desc(), AuditEntry.id.desc())
    return paginate(statement, newest_first, query.page, query.per_page)
