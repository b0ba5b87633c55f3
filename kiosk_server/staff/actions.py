"""The only code that writes staff accounts."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk_server.audit.actions import do_record
from kiosk_server.audit.models import CONSOLE, SYSTEM
from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.places.models import LEVEL_NAMES, Place, PlaceLevel
from kiosk_server.staff.models import ROLE_NAMES, Staff, StaffRole
from kiosk_server.timeutil import to_local, utcnow

# The place level each role's scope must be: a station's staff look after one community.
ROLE_LEVELS = {
    StaffRole.CITY_ADMIN: PlaceLevel.CITY,
    StaffRole.DISTRICT: PlaceLevel.DISTRICT,
    StaffRole.STREET: PlaceLevel.STREET,
    StaffRole.STATION: PlaceLevel.COMMUNITY,
}


def check_role_fits_scope(role: str, scope: Place) -> None:
    level = ROLE_LEVELS[StaffRole(role)]
    if scope.level != level:
        message = f"{ROLE_NAMES[role]}的管辖范围应是一个{LEVEL_NAMES[level]}"
        raise ApiError(422, message, fields={"scope_id": message})


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
    check_role_fits_scope(role, scope)
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


def do_set_password(
    staff: Staff, password: str, *, by: Staff | None, end_sessions: bool = False
) -> None:
    """`end_sessions` when someone else sets it: whoever knew the old one is logged out."""
    staff.set_password(password)
    # That it changed, never the password or its hash. (Entries written before the
    # login lock moved to the guesser's address also carry failed_logins and locked_until.)
    before, after = {"password_changed": False}, {"password_changed": True}
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
    if end_sessions:
        _end_sessions(staff, by=by)
    db.session.commit()


def do_end_sessions(staff: Staff, *, by: Staff | None) -> None:
    """Void every session of this account, including copies of its cookie."""
    _end_sessions(staff, by=by)
    db.session.commit()


def _end_sessions(staff: Staff, *, by: Staff | None) -> None:
    # Without committing, so a change that ends sessions does both or neither.
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


def do_update_staff(
    staff: Staff, *, display_name: str, role: StaffRole, scope: Place, by: Staff
) -> Staff:
    """Rename, or move to another role or scope; a move logs the account out, so
    permissions it no longer has do not live on in an open session."""
    check_role_fits_scope(role, scope)
    moved = role != staff.role or scope.id != staff.scope_id
    if moved and staff.id == by.id:
        raise ApiError(409, "不能修改自己的角色或管辖范围", fields={"role": "不能修改自己的角色"})
    if staff.role == StaffRole.CITY_ADMIN and role != StaffRole.CITY_ADMIN:
        _keep_an_admin(staff, field="role")
    before = _fields(staff)
    old_scope = staff.scope
    staff.display_name = display_name
    staff.role = role
    staff.scope_id = scope.id
    staff.scope = scope
    do_record(
        action="staff.update",
        entity_type="staff",
        entity_id=staff.id,
        # The old scope when moved out of it: its staff should see who left.
        place=old_scope if not old_scope.contains(scope) else scope,
        summary=f"修改了账号「{display_name}」（{staff.username}）：{ROLE_NAMES[role]}，"
        f"管辖{scope.name}",
        staff=by,
        before=before,
        after=_fields(staff),
    )
    if moved:
        _end_sessions(staff, by=by)
    db.session.commit()
    return staff


def do_set_active(staff: Staff, active: bool, *, by: Staff) -> Staff:
    if staff.active == active:
        return staff
    if not active:
        if staff.id == by.id:
            raise ApiError(409, "不能停用自己的账号", code="own_account")
        if staff.role == StaffRole.CITY_ADMIN:
            _keep_an_admin(staff)
    staff.active = active
    who = f"「{staff.display_name}」（{staff.username}）"
    do_record(
        action="staff.activate" if active else "staff.deactivate",
        entity_type="staff",
        entity_id=staff.id,
        place=staff.scope,
        summary=f"启用了{who}的账号" if active else f"停用了{who}的账号",
        staff=by,
        before={"active": not active},
        after={"active": active},
    )
    # A stopped account is refused anyway; ending its sessions too means that
    # turning it back on later does not revive a cookie from before.
    if not active:
        _end_sessions(staff, by=by)
    db.session.commit()
    return staff


def _fields(staff: Staff) -> dict[str, Any]:
    return {"display_name": staff.display_name, "role": staff.role, "scope_id": staff.scope_id}


def _keep_an_admin(staff: Staff, field: str | None = None) -> None:
    """Someone must be left who can manage accounts (create-admin on the server aside)."""
    others = db.session.scalar(
        select(func.count())
        .select_from(Staff)
        .where(Staff.role == StaffRole.CITY_ADMIN, Staff.active, Staff.id != staff.id)
    )
    if not others:
        message = "这是最后一个在用的市级管理员账号"
        raise ApiError(409, message, code="last_admin", fields={field: message} if field else None)


def do_login(username: str, password: str) -> Staff:
    """Check a password. Unknown names cost a hash too, and are refused in the same
    words: the answer says nothing about which accounts exist. Repeated failures lock
    out the guesser's address for that name (throttle.limit_login), not the account."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        check_password_hash(_dummy_hash(), password)
        raise bad_credentials()
    if not staff.check_password(password):
        raise bad_credentials()
    # Said only after the right password, so it tells a stranger nothing about the account.
    if not staff.active:
        raise ApiError(403, "此账号已停用，请联系市级管理员", code="account_inactive")
    staff.last_login_at = utcnow()
    db.session.commit()
    return staff


def bad_credentials() -> ApiError:
    return ApiError(401, "用户名或密码不对", code="bad_credentials")


def _dummy_hash() -> str:
    """A hash made the way accounts' are, once per method, to check unknown names against."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    hashes = current_app.extensions.setdefault("dummy_password_hashes", {})
    if method not in hashes:
        hashes[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return str(hashes[method])


def do_record_lockout(username: str, until: datetime) -> None:
    """Staff learn that one address spent its guesses at an account (not at an unknown name)."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        return
    # The failed attempts came from someone not logged in: the system is the actor.
    do_record(
        action="staff.lock",
        entity_type="staff",
        entity_id=staff.id,
        place=staff.scope,
        summary=f"「{staff.display_name}」（{staff.username}）从同一地址连续登录失败，"
        f"该地址锁定到{to_local(until):%H:%M}，其他地址照常登录",
        staff=None,
        actor=SYSTEM,
        after={"locked_until": until},
    )
    db.session.commit()
