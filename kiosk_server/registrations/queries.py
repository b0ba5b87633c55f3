"""Reading registrations, always within a staff member's part of the place tree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.places.models import Place
from kiosk_server.registrations.models import Registration


@dataclass
class RegistrationPage:
    items: list[Registration]
    total: int


def registrations_in_scope(
    scope_path: str, kind: str | None, status: str | None, page: int, per_page: int
) -> RegistrationPage:
    statement = (
        select(Registration)
        .join(Place, Registration.community_id == Place.id)
        .where(Place.path.startswith(scope_path, autoescape=True))
    )
    if kind:
        statement = statement.where(Registration.kind == kind)
    if status:
        statement = statement.where(Registration.status == status)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = db.session.scalars(
        statement.order_by(Registration.created_at.desc(), Registration.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return RegistrationPage(list(items), total)
