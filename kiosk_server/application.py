"""The Flask class of the server: Flask, minus URL matching for Socket.IO events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Request
from werkzeug.routing import MapAdapter

# What answers a screen's repeated read ahead of Flask (listings/feed_cache.py,
# answer_kept), given by create_app: imported here, it would bring the socket
# libraries into gunicorn's master, which imports this package before the gevent
# worker patches the standard library.
KeptAnswers = Callable[
    [Flask, dict[str, Any], Callable[..., Any], Callable[..., Iterable[bytes]]],
    Iterable[bytes],
]

# Flask-SocketIO's default endpoint, which every screen connects to.
SOCKETIO_PATH = "/socket.io"


class KioskFlask(Flask):
    """Flask-SocketIO handles each screen event (connect, sync, ack, disconnect)
    inside a request context built from the environ of the screen's connection,
    whose path is the Socket.IO endpoint. No route is there, and Flask matched it
    again for every event: the NotFound it kept, with its traceback, tied the
    context and the handler's whole stack into a reference cycle. That was some
    sixty objects of cyclic garbage per event, and a 10,000-screen benchmark run
    spent a quarter of its time in the collector's full passes.

    Ordinary requests never reach Flask at that path: the Socket.IO middleware
    answers them first. So a request context there is an event's, and it gets no
    URL adapter (no url_for inside screen events; none is needed)."""

    kept_answers: KeptAnswers | None = None

    def wsgi_app(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """A screen's repeated read is answered as it was last time while that is
        trusted, before Flask builds a request (feed_cache.answer_kept): a morning's
        storm of the same few reads costs what the bytes cost (issue #21). Staff
        (with a cookie) and every other method go through Flask."""
        kept = self.kept_answers
        if kept is None or environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ:
            return super().wsgi_app(environ, start_response)
        return kept(self, environ, start_response, super().wsgi_app)

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is not None and _is_socketio_path(request.path):
            return None
        return super().create_url_adapter(request)


def _is_socketio_path(path: str) -> bool:
    return path == SOCKETIO_PATH or path.startswith(SOCKETIO_PATH + "/")
