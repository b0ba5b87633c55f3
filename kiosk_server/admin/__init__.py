"""The staff side: a JSON API under /admin/api (the console pages build on it)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from kiosk_server.admin import (  # noqa: E402,F401  (routes register on import)
    audit,
    dashboard,
    delivery,
    registrations,
    screens,
    staff,
    uploads,
    views,
)
