"""Pages: the phone pages a QR code opens (a listing, registering, a registration) and the
screen apps."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from kiosk_server.pages import apps, registrations, signup, views  # noqa: E402,F401  (routes register on import)
