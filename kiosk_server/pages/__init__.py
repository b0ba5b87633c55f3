"""Pages: the phone page a listing's QR code opens, and the screen apps."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from kiosk_server.pages import apps, registrations, views  # noqa: E402,F401  (routes register on import)
