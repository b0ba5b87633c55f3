"""Who is asking: the logged-in staff member, checked on every admin request."""

from __future__ import annotations

from flask import current_app, g, session

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.staff.models import Staff


def _fresh_session() -> None:
    """A new session at every login and logout: no fixation, and a new CSRF token."""
    session.clear()
    # Flask-WTF caches this request's token on g; drop it so the next one matches.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def login_session(staff: Staff) -> None:
    _fresh_session()
    session["staff_id"] = staff.id
    session["epoch"] = staff.session_epoch
    session.permanent = True


def logout_session() -> None:
    _fresh_session()


def current_staff_or_none() -> Staff | None:
    staff_id = session.get("staff_id")
    if not isinstance(staff_id, int):
        return None
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active or session.get("epoch") != staff.session_epoch:
        return None
    return staff


def require_staff() -> Staff:
    staff = current_staff_or_none()
    if staff is None:
        raise ApiError(401)
    return staff
