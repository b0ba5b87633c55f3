"""The staff inbox over Socket.IO: namespace /staff.

A staff page connects with the session cookie the admin API uses; without a
live staff session (never logged in, logged out, account stopped) the
connection is refused. Each connection joins one room named after its staff
member and session generation, `staff:<id>:<epoch>`. A registration message
goes to the rooms of the active staff whose scope is the registration's
community or a place above it: a street's staff and the city administrator
hear a registration in that street, another street's staff do not.

The epoch in the room's name is what ends sockets with their session: logging
out bumps it, so a socket opened before is never addressed again, on any
server process, without anyone tracking sockets. Messages are wake-ups with
the inbox line; the admin API stays the truth after a reconnect.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_socketio import join_room
from socketio import exceptions as socketio_exceptions
from sqlalchemy import select

from kiosk_server.extensions import db, socketio
from kiosk_server.registrations.display import registration_summary
from kiosk_server.registrations.models import Registration
from kiosk_server.staff.auth import current_staff_or_none
from kiosk_server.staff.models import Staff

STAFF_NAMESPACE = "/staff"
LOGIN_REQUIRED = {"code": "login_required", "message": "请先登录"}


def staff_room(staff_id: int, epoch: int) -> str:
    return f"staff:{staff_id}:{epoch}"


@socketio.on("connect", namespace=STAFF_NAMESPACE)
def on_connect(auth: Any = None) -> None:
    staff = None
    try:
        # The session is the handshake's cookie, checked as every admin request checks it.
        staff = current_staff_or_none()
        if staff is not None:
            join_room(staff_room(staff.id, staff.session_epoch))
    except Exception:
        current_app.logger.exception("staff socket connect failed")
        staff = None
    db.session.rollback()
    if staff is None:
        # Flask-SocketIO refuses only on this exception, not the builtin of the same name.
        raise socketio_exceptions.ConnectionRefusedError(LOGIN_REQUIRED["message"], LOGIN_REQUIRED)


def push_registration(registration: Registration) -> None:
    """Tell the staff in scope that a registration arrived or moved; call after the commit."""
    listeners = db.session.execute(
        select(Staff.id, Staff.session_epoch).where(
            Staff.scope_id.in_(registration.community.ancestor_ids), Staff.active.is_(True)
        )
    ).all()
    if not listeners:
        return
    socketio.emit(
        "registration",
        registration_summary(registration),
        to=[staff_room(staff_id, epoch) for staff_id, epoch in listeners],
        namespace=STAFF_NAMESPACE,
    )
