"""The public read API that screens and phones use."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from kiosk_server.api import enrolment, images, registrations, views  # noqa: E402,F401  (routes register on import)
