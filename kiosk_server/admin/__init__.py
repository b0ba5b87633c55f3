"""The staff side: a JSON API under /admin/api (the console pages build on it)."""

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    """Registers the staff API. Each module below adds its routes to `bp` as it is
    imported, so they are imported here, by the app factory, and not by the package."""
    from kiosk_server.admin import (  # noqa: F401
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

    app.register_blueprint(bp)
