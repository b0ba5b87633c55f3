"""Staff sessions ride on Flask's signed cookie; everyone else has none."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class StaffSessionCookie(SecureCookieSessionInterface):
    """Flask's own cookie session, opened without building its signer when there
    is no cookie to check: every screen event (Flask-SocketIO opens a request
    context for each) and every public API call."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
