"""GET /api/health: can this process reach its database and its message queue?

For load balancers, systemd watchdogs and operators. It answers within a few
seconds whatever is down, and never shows an address, a password or an error
text: only which part failed.
"""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from kiosk_server.extensions import db

bp = Blueprint("health", __name__)

QUEUE_TIMEOUT_SECONDS = 2


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
        return "ok"
    except Exception:
        current_app.logger.warning("health: the database did not answer", exc_info=True)
        db.session.rollback()
        return "error"


def _queue_client(app: Flask, url: str) -> Any:
    # One client (and so one small connection pool) per process, not one per request.
    client = app.extensions.get("health_queue")
    if client is None:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=QUEUE_TIMEOUT_SECONDS,
            socket_timeout=QUEUE_TIMEOUT_SECONDS,
        )
        app.extensions["health_queue"] = client
    return client


def _check_queue() -> str:
    url = current_app.config["KIOSK_CONFIG"].message_queue_url
    if not url:
        return "embedded"  # one process: Socket.IO fans out in memory
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "unchecked"  # a queue Flask-SocketIO supports but this check does not speak
    try:
        _queue_client(current_app._get_current_object(), url).ping()  # type: ignore[attr-defined]
        return "ok"
    except Exception:
        current_app.logger.warning("health: the message queue did not answer", exc_info=True)
        return "error"


@bp.get("/api/health")
def health() -> Any:
    parts = {"database": _check_database(), "queue": _check_queue()}
    healthy = "error" not in parts.values()
    response = jsonify({"status": "ok" if healthy else "error", **parts})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
