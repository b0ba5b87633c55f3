"""The only code that writes staff accounts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.places.models import Place
from kiosk_server.staff.models import Staff, StaffRole
from kiosk_server.timeutil import utcnow

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def do_create_staff(
    *, username: str, display_name: str, password: str, role: StaffRole, scope: Place
) -> Staff:
    if db.session.scalar(select(Staff).where(Staff.username == username)):
        raise ApiError(409, "用户名已被使用", fields={"username": "用户名已被使用"})
    staff = Staff(username=username, display_name=display_name, role=role, scope_id=scope.id)
    staff.set_password(password)
    db.session.add(staff)
    db.session.commit()
    return staff


def do_set_password(staff: Staff, password: str) -> None:
    staff.set_password(password)
    staff.failed_logins = 0
    staff.locked_until = None
    db.session.commit()


def do_end_sessions(staff: Staff) -> None:
    """Void every session of this account, including copies of its cookie."""
    staff.session_epoch += 1
    db.session.commit()


def do_login(username: str, password: str) -> Staff:
    """Check a password; repeated failures lock the account for a while."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    now = utcnow()
    if staff is not None and staff.locked_until and staff.locked_until > now:
        raise ApiError(429, "登录失败次数过多，请15分钟后再试", code="locked")
    if staff is None or not staff.active or not staff.check_password(password):
        if staff is not None:
            staff.failed_logins += 1
            if staff.failed_logins >= MAX_FAILED_LOGINS:
                staff.locked_until = now + LOCKOUT
                staff.failed_logins = 0
            db.session.commit()
        raise ApiError(401, "用户名或密码不对", code="bad_credentials")
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    db.session.commit()
    return staff
