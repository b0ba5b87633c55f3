"""The staff side: a JSON API under /admin/api (the console pages build on it)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from kiosk_server.admin import (  # noqa: E402,F401  (routes register on import)
    audit,
    choices,
    dashboard,
    delivery,
    places,
    registrations,
    screens,
    staff,
    uploads,
    views,
)
