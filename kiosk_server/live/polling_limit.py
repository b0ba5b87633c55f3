"""A long-polling POST larger than Socket.IO accepts is refused here, before python-engineio.

engineio (4.x) answers such a POST by disconnecting the session and waiting until
a poll has taken the session's last packets (Socket.close(wait=True) joins its
queue). When no poll of that session is waiting, nothing ever does: the POST got
no answer at all, and the client hung until its own timeout. Refused here, it
gets 413 and a closed connection under every server (the threading one, and the
gevent worker of `make run` and production); engineio never sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kiosk_server.application import SOCKETIO_PATH

# What one long-polling POST may carry: old TV engines fall back to long-polling,
# and a screen's messages are small. Also engineio's max_http_buffer_size, so
# WebSocket messages have the same limit.
MAX_POLL_BYTES = 64 * 1024
# Up to this much of a refused body is read before answering: a connection closed
# with unread bytes is reset, and the client may lose the answer with it. Beyond
# it, the connection is closed unread (nginx limits bodies before they get here).
DRAIN_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
REFUSAL = b"payload too large"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def refuse_oversized_polls(wsgi_app: WsgiApp, limit: int = MAX_POLL_BYTES) -> WsgiApp:
    """`wsgi_app`, with Socket.IO POSTs over `limit` bytes answered 413 and closed."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = _declared_length(environ)
        if length <= limit or not _is_socketio_post(environ):
            return wsgi_app(environ, start_response)
        if length <= DRAIN_BYTES:
            _drain(environ["wsgi.input"], length)
        start_response(
            "413 Payload Too Large",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(REFUSAL))),
                # The rest of the body, if any, must not be read as a next request.
                ("Connection", "close"),
            ],
        )
        return [REFUSAL]

    return guarded


def _declared_length(environ: dict[str, Any]) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # the server refuses it, or engineio reads nothing


def _is_socketio_post(environ: dict[str, Any]) -> bool:
    path = environ.get("PATH_INFO", "")
    return environ.get("REQUEST_METHOD") == "POST" and (
        path == SOCKETIO_PATH or path.startswith(SOCKETIO_PATH + "/")
    )


def _drain(stream: Any, length: int) -> None:
    left = length
    while left > 0:
        chunk = stream.read(min(CHUNK_BYTES, left))
        if not chunk:
            return
        left -= len(chunk)
