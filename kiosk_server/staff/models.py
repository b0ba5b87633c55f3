"""Staff accounts: a role and a scope in the place tree."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask import current_app
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk_server.extensions import db
from kiosk_server.places.models import Place
from kiosk_server.timeutil import UTCDateTime, utcnow


class StaffRole(StrEnum):
    CITY_ADMIN = "city_admin"
    DISTRICT = "district"
    STREET = "street"
    STATION = "station"


ROLE_NAMES = {
    "city_admin": "市级管理员",
    "district": "区级就业服务专员",
    "street": "街道就业服务专员",
    "station": "站点工作人员",
}


class Staff(db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Sessions live in signed cookies; bumping this at logout voids every copy of them.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    scope: Mapped[Place] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        # scrypt (memory-hard) unless the config says otherwise (tests use a cheap one).
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        )

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can_manage(self, place: Place) -> bool:
        return self.scope.contains(place)
