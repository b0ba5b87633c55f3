"""Reading registrations, always within a staff member's part of the place tree."""

from __future__ import annotations

from sqlalchemy import select

from kiosk_server.paging import Page, paginate
from kiosk_server.places.queries import inside
from kiosk_server.registrations.models import Registration


def registrations_in_scope(
    scope_path: str, kind: str | None, status: str | None, page: int, per_page: int
) -> Page[Registration]:
    statement = select(Registration).where(inside(Registration.community_id, scope_path))
    if kind:
        statement = statement.where(Registration.kind == kind)
    if status:
        statement = statement.where(Registration.status == status)
    newest_first = (Registration.created_at.desc(), Registration.id.desc())
    return paginate(statement, newest_first, page, per_page)
