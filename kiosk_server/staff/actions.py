"""The only code that writes staff accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from kiosk_server.audit.actions import do_record
from kiosk_server.audit.models import CONSOLE, SYSTEM
from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.places.models import Place
from kiosk_server.staff.models import ROLE_NAMES, Staff, StaffRole
from kiosk_server.timeutil import to_local, utcnow

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def do_create_staff(
    *,
    username: str,
    display_name: str,
    password: str,
    role: StaffRole,
    scope: Place,
    by: Staff | None,
) -> Staff:
    """`by` is the administrator creating the account, None on the server's console."""
    if db.session.scalar(select(Staff).where(Staff.username == username)):
        raise ApiError(409, "用户名已被使用", fields={"username": "用户名已被使用"})
    staff = Staff(username=username, display_name=display_name, role=role, scope_id=scope.id)
    staff.set_password(password)
    db.session.add(staff)
    db.session.flush()
    do_record(
        action="staff.create",
        entity_type="staff",
        entity_id=staff.id,
        place=scope,
        summary=f"新建了{ROLE_NAMES[role]}账号「{display_name}」（{username}），管辖{scope.name}",
        staff=by,
        actor=CONSOLE,
        after={
            "username": username,
            "display_name": display_name,
            "role": role,
            "scope_id": scope.id,
        },
    )
    db.session.commit()
    return staff


def do_set_password(staff: Staff, password: str, *, by: Staff | None) -> None:
    before = {
        "password_changed": False,
        "failed_logins": staff.failed_logins,
        "locked_until": staff.locked_until,
    }
    staff.set_password(password)
    staff.failed_logins = 0
    staff.locked_until = None
    # That it changed, never the password or its hash.
    after = {"password_changed": True, "failed_logins": 0, "locked_until": None}
    do_record(
        action="staff.set_password",
        entity_type="staff",
        entity_id=staff.id,
        place=staff.scope,
        summary=f"重设了「{staff.display_name}」（{staff.username}）的登录密码",
        staff=by,
        actor=CONSOLE,
        before=before,
        after=after,
    )
    db.session.commit()


def do_end_sessions(staff: Staff, *, by: Staff | None) -> None:
    """Void every session of this account, including copies of its cookie."""
    before = {"session_epoch": staff.session_epoch}
    staff.session_epoch += 1
    who = f"「{staff.display_name}」（{staff.username}）"
    do_record(
        action="staff.end_sessions",
        entity_type="staff",
        entity_id=staff.id,
        place=staff.scope,
        summary=f"{who}退出登录" if by is staff else f"结束了{who}的全部会话",
        staff=by,
        actor=CONSOLE,
        before=before,
        after={"session_epoch": staff.session_epoch},
    )
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
                _record_lockout(staff, staff.locked_until)
            db.session.commit()
        raise ApiError(401, "用户名或密码不对", code="bad_credentials")
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    db.session.commit()
    return staff


def _record_lockout(staff: Staff, until: datetime) -> None:
    # The failed attempts came from someone not logged in: the system is the actor.
    do_record(
        action="staff.lock",
        entity_type="staff",
        entity_id=staff.id,
        place=staff.scope,
        summary=f"「{staff.display_name}」（{staff.username}）连续{MAX_FAILED_LOGINS}次登录失败，"
        f"锁定到{to_local(until):%H:%M}",
        staff=None,
        actor=SYSTEM,
        before={"locked_until": None},
        after={"locked_until": until},
    )
