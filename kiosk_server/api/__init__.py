"""The public read API that screens and phones use."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api")


def init_app(app: Flask) -> None:
    """Registers the public API. Each module below adds its routes to `bp` as it is
    imported, so they are imported here, by the app factory, and not by the package."""
    from kiosk_server.api import enrolment, images, registrations, views  # noqa: F401
    from kiosk_server.extensions import csrf

    # The public API uses no cookies, so there is no session for CSRF to ride on.
    csrf.exempt(bp)
    app.register_blueprint(bp)
