"""Reading staff accounts, scoped by who asks."""

from __future__ import annotations

from sqlalchemy import select

from kiosk_server.paging import Page, paginate
from kiosk_server.places.queries import inside
from kiosk_server.staff.models import Staff


def staff_in_scope(
    scope_path: str, role: str | None, active: bool | None, page: int, per_page: int
) -> Page[Staff]:
    statement = select(Staff).where(inside(Staff.scope_id, scope_path))
    if role is not None:
        statement = statement.where(Staff.role == role)
    if active is not None:
        statement = statement.where(Staff.active == active)
    return paginate(statement, (Staff.id,), page, per_page)
