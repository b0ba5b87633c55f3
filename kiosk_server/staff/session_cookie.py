"""Staff sessions ride on Flask's signed cookie; everyone else has none."""

from __future__ import annotations

from flask import Flask, Request, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class StaffSessionCookie(SecureCookieSessionInterface):
    """Flask's own cookie session, opened without building its signer when there
    is no cookie to check: every screen event (Flask-SocketIO opens a request
    context for each) and every public API call."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure whenever the site is reached over HTTPS: by its configured address, or
        by this request's scheme (behind nginx, X-Forwarded-Proto with TRUSTED_PROXIES)."""
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure
