"""A long-polling POST larger than Socket.IO accepts is refused at once with 413 and
its connection closed, under the threading server and under the production worker
(`python -m kiosk_server`, as `make run`); it used to get no answer at all."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk_server import create_app
from kiosk_server.extensions import db
from tests.conftest import make_config
from tests.live_server import Server, free_port, serve_threaded

# The size that hung a client for ten minutes; far above what the server accepts.
BODY = b"4" + b"x" * (2 * 1024 * 1024)
# A client's patience: a refusal comes at once or not at all.
CLIENT_TIMEOUT = 5


def _session(base: str) -> str:
    """A real Engine.IO session on long-polling, as a TV opens one: its sid."""
    reply = requests.get(f"{base}/socket.io/?EIO=4&transport=polling", timeout=CLIENT_TIMEOUT)
    reply.raise_for_status()
    return str(json.loads(reply.text[1:])["sid"])


def _post(base: str, body: bytes) -> tuple[bytes, bytes, socket.socket]:
    """POST `body` on a polling session over a raw connection: the answer's head and
    body, and the connection (open), or a failed assertion if none came."""
    sid = _session(base)
    host, port = base.removeprefix("http://").rsplit(":", 1)
    head = (
        f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    conn = socket.create_connection((host, int(port)), timeout=CLIENT_TIMEOUT)
    received = b""
    try:
        conn.sendall(head + body)
        while b"\r\n\r\n" not in received:
            chunk = conn.recv(65536)
            assert chunk, received
            received += chunk
        answer_head, _, answer = received.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length: *(\d+)", answer_head)
        while length and len(answer) < int(length.group(1)):
            chunk = conn.recv(65536)
            assert chunk, received
            answer += chunk
    except TimeoutError:
        conn.close()
        raise AssertionError(f"no answer within {CLIENT_TIMEOUT} s: {received[:300]!r}") from None
    return answer_head, answer, conn


def _closed(conn: socket.socket) -> bool:
    """Whether the server closed the connection, rather than leaving it open."""
    with conn:
        try:
            return conn.recv(1) == b""
        except TimeoutError:
            return False


def _assert_refused(base: str) -> None:
    head, body, conn = _post(base, BODY)
    assert head.startswith(b"HTTP/1.1 413"), head
    assert len(body) < 200, body[:300]
    assert _closed(conn)
    # The server goes on serving.
    assert _session(base)


@pytest.fixture
def instance(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    app = create_app(make_config(url, tmp_path))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return tmp_path, url


@pytest.fixture
def threading_server(instance: tuple[Path, str]) -> Iterator[str]:
    """The app as a threaded werkzeug server serves it (Socket.IO in threading mode)."""
    folder, url = instance
    app = create_app(make_config(url, folder, socketio_async_mode="threading"))
    with serve_threaded(app) as url:
        yield url


@pytest.fixture
def production_server(instance: tuple[Path, str]) -> Iterator[str]:
    """`python -m kiosk_server`: gunicorn with the project's gevent worker."""
    folder, url = instance
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "MESSAGE_QUEUE_URL", "SOCKETIO_ASYNC_MODE")
    }
    env.update(
        INSTANCE_PATH=str(folder),
        DATABASE_URL=url,
        HOST="127.0.0.1",
        SECRET_KEY=secrets.token_hex(8),
    )
    server = Server(env, free_port(), folder / "server.log")
    try:
        server.wait_ready()
        yield server.url
    finally:
        server.stop()


def test_the_threading_server_refuses_an_oversized_polling_post(threading_server: str) -> None:
    _assert_refused(threading_server)


def test_the_production_worker_refuses_an_oversized_polling_post(production_server: str) -> None:
    _assert_refused(production_server)


def test_the_production_worker_answers_a_polling_post_engineio_refuses(
    production_server: str,
) -> None:
    """The same fault with a small body: a packet type Engine.IO does not know makes
    engineio end the session from inside the POST, which waited for a poll that a
    client sending only POSTs never makes."""
    head, _body, conn = _post(production_server, b"9unknown")
    conn.close()
    assert head.startswith(b"HTTP/1.1 400"), head
    assert _session(production_server)
