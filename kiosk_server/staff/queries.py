"""Reading staff accounts, scoped by who asks."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from kiosk_server.extensions import db
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


def staff_by_ids(ids: Iterable[int | None]) -> dict[int, Staff]:
    """The accounts behind a page of rows' `created_by_id`s, in one query."""
    wanted = {staff_id for staff_id in ids if staff_id is not None}
    if not wanted:
        return {}
    return {
        staff.id: staff for staff in db.session.scalars(select(Staff).where(Staff.id.in_(wanted)))
    }
