"""Pages: the phone pages a QR code opens (a listing, registering, a registration) and the
screen apps."""

from flask import Blueprint, Flask

bp = Blueprint("pages", __name__)


def init_app(app: Flask) -> None:
    """Registers the pages. Each module below adds its routes to `bp` as it is
    imported, so they are imported here, by the app factory, and not by the package."""
    from kiosk_server.pages import apps, registrations, signup, views  # noqa: F401

    app.register_blueprint(bp)
