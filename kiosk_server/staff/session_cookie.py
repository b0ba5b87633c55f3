"""Staff sessions ride on Flask's signed cookie; everyone else has none."""

from __future__ import annotations

from flask import Flask, Request, Response, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class StaffSessionCookie(SecureCookieSessionInterface):
    """Flask's own cookie session, opened without building its signer when there
    is no cookie to check: every screen event (Flask-SocketIO opens a request
    context for each) and every public API call."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and (
            "HTTP_COOKIE" not in request.environ  # the public's: no cookie header to parse
            or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Nothing to set or clear (every public request): Flask would work out the
        # cookie's attributes first, only to drop them.
        if session or session.modified:
            super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure whenever the site is reached over HTTPS: by its configured address, or
        by this request's scheme (behind nginx, X-Forwarded-Proto with TRUSTED_PROXIES)."""
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure
