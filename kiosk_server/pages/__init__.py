"""Server-rendered pages: the phone page that a listing's QR code opens."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from kiosk_server.pages import views  # noqa: E402,F401  (routes register on import)
