"""Small clients for tests: a logged-in staff member and a connected screen."""

from __future__ import annotations

import contextvars
import gc
import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import segno
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from PIL import Image
from socketio import Server as SocketServer
from sqlalchemy import select
from werkzeug.test import TestResponse

from kiosk_server.extensions import db, socketio
from kiosk_server.live.push import SCREENS_NAMESPACE

_HAN = re.compile(r"[\u4e00-\u9fff]")
# Words of pydantic's and Werkzeug's English messages; field names such as
# "valid_until" or values such as 'job' are fine inside a Chinese message.
_ENGLISH = re.compile(r"\b(?:Input|Field|should|must|required|valid|value|the|is|or|and|not)\b")


def database_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read on a fresh connection (needs an app context)."""
    with db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


@contextmanager
def database_unchanged() -> Iterator[None]:
    """Fails if anything in the database changed inside the block, change counter included."""
    before = database_rows()
    yield
    after = database_rows()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, {name: (before[name], after[name]) for name in changed}


def hidden_fields(html: str) -> dict[str, str]:
    """A page form's hidden inputs (CSRF token, idempotency key), as a browser would send them."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def assert_chinese(text: str) -> None:
    assert _HAN.search(text) and not _ENGLISH.search(text), f"not a Chinese message: {text!r}"


def assert_error_body(
    body: Any, *, code: str | None = None, fields: set[str] | None = None
) -> dict[str, Any]:
    """{"error": {"code", "message", optional "fields": {dotted.path: 中文}}}."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert_chinese(error["message"])
    for message in error.get("fields", {}).values():
        assert_chinese(message)
    if code is not None:
        assert error["code"] == code, error
    if fields is not None:
        assert set(error.get("fields", {})) == fields, error
    return error


def assert_error(
    response: TestResponse,
    status: int,
    *,
    code: str | None = None,
    fields: set[str] | None = None,
) -> dict[str, Any]:
    assert response.status_code == status, (
        response.status_code,
        response.get_data(as_text=True)[:600],
    )
    assert response.is_json, response.get_data(as_text=True)[:200]
    return assert_error_body(response.json, code=code, fields=fields)


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as under a real server.

    Otherwise a request reuses the context a test holds open (see the `ctx`
    fixture), and with it `g` and the database session: one client would get
    another's cached CSRF token, and a refused request's half-applied change
    would linger for the next one to commit.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        return contextvars.Context().run(super().open, *args, **kwargs)


class StaffClient:
    """A browser session of one staff member: cookie plus the CSRF header."""

    def __init__(self, app: Flask, username: str, password: str) -> None:
        self.http: FlaskClient = app.test_client()
        self.csrf = self.http.get("/admin/api/session").json["csrf_token"]
        response = self.post(
            "/admin/api/session", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.json
        self.csrf = response.json["csrf_token"]

    def _headers(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("X-CSRFToken", self.csrf)
        return headers

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.http.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> TestResponse:
        return self.http.post(url, headers=self._headers(kwargs), **kwargs)

    def put(self, url: str, **kwargs: Any) -> TestResponse:
        return self.http.put(url, headers=self._headers(kwargs), **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.http.delete(url, headers=self._headers(kwargs), **kwargs)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post("/admin/api/listings", json=body)
        assert response.status_code == 201, response.json
        return response.json

    def publish(self, body: dict[str, Any]) -> dict[str, Any]:
        listing = self.create(body)
        response = self.post(f"/admin/api/listings/{listing['id']}/publish", json={})
        assert response.status_code == 200, response.json
        return response.json


class Screen:
    """A TV registered through the public API and connected over Socket.IO."""

    def __init__(self, app: Flask, community_id: int) -> None:
        response = app.test_client().post(
            "/api/screens", json={"community_id": community_id, "app_version": "test"}
        )
        assert response.status_code == 201, response.json
        self.token = response.json["token"]
        self.id = response.json["screen"]["id"]
        self.socket: SocketIOTestClient = socketio.test_client(
            app, namespace=SCREENS_NAMESPACE, auth={"token": self.token}
        )
        assert self.socket.is_connected(SCREENS_NAMESPACE)

    def received_changes(self) -> list[dict[str, Any]]:
        events = self.socket.get_received(SCREENS_NAMESPACE)
        return [event["args"][0] for event in events if event["name"] == "change"]

    def emit(self, event: str, data: Any) -> Any:
        return self.socket.emit(event, data, namespace=SCREENS_NAMESPACE, callback=True)

    def sync(self, cursors: dict[str, int]) -> dict[str, Any]:
        return self.emit("sync", {"cursors": cursors})


# app.extensions key: the Socket.IO server create_app made for the app.
OWN_SOCKET_SERVER = "tests.own_socket_server"


def remember_socket_server(app: Flask) -> None:
    """Call right after create_app: the next create_app replaces socketio.server."""
    app.extensions[OWN_SOCKET_SERVER] = socketio.server


def _socket_servers(app: Flask) -> list[SocketServer]:
    """Where a test's sockets can be: the app's own server, which its middleware
    serves real clients with, and the one Flask-SocketIO runs every handler and
    test client on now (another create_app in the process replaces it)."""
    servers = [app.extensions.get(OWN_SOCKET_SERVER), socketio.server]
    return [server for server in dict.fromkeys(servers) if server is not None]


def open_sockets(app: Flask) -> list[str]:
    """Every connection still open (or closing) on the app's Socket.IO servers."""
    left: list[str] = []
    for server in _socket_servers(app):
        for namespace in list(server.manager.get_namespaces()):
            left += [
                f"{namespace} {sid}" for sid, _ in server.manager.get_participants(namespace, None)
            ]
        left += [f"engine.io {sid}" for sid, s in list(server.eio.sockets.items()) if not s.closed]
    return left


def close_every_socket(app: Flask, timeout: float = 30) -> None:
    """Close every connection a test left open, wait until the server has handled
    each close, then store what screens reported.

    A close left to later is written later: by the server's thread for a real
    client that hung up, or at the ping timeout (some 45 s on) for one whose line
    died unclosed. By then the tables are emptied and the ids reused, and the
    close marks another test's screen offline."""
    deadline = time.monotonic() + timeout
    # Again until none is left: a close another thread is handling (pending)
    # is waited for, not done twice.
    while True:
        for server in _socket_servers(app):
            _close_all(server)
        left = open_sockets(app)
        if not left:
            break
        assert time.monotonic() < deadline, f"sockets still open: {left}"
        time.sleep(0.01)
    app.extensions["screen_reports"].write()


def _close_all(server: SocketServer) -> None:
    for namespace in list(server.manager.get_namespaces()):
        for sid, eio_sid in list(server.manager.get_participants(namespace, None)):
            # Runs the disconnect handler here, now (a pending close is skipped).
            server.disconnect(sid, namespace=namespace, ignore_queue=True)
            if eio_sid not in server.eio.sockets:  # a test client: forget it
                server.environ.pop(eio_sid, None)
                SocketIOTestClient.clients.pop(eio_sid, None)
    for engine_socket in list(server.eio.sockets.values()):
        # abort: its line may be dead already, with no one to read a CLOSE packet.
        engine_socket.close(wait=False, abort=True)


def enrol_kiosk(app: Flask, admin: StaffClient, site_id: int) -> str:
    """A kiosk at `site_id` enrolled with a code staff made, as at a station: its token."""
    code = admin.post(f"/admin/api/sites/{site_id}/enrolment-codes").json["code"]
    return app.test_client().post("/api/screens/enrol", json={"code": code}).json["token"]


def _qr_modules(png: bytes) -> list[list[bool]]:
    """Read a QR code image back into its modules (True is dark)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    dark = [[image.getpixel((x, y)) < 128 for x in range(width)] for y in range(height)]
    top = next(y for y in range(height) if any(dark[y]))
    left = next(x for x in range(width) if dark[top][x])
    # The finder pattern in the corner starts with a dark run seven modules long.
    run = next(x for x in range(left, width) if not dark[top][x]) - left
    size = run / 7
    right = max(x for x in range(width) if dark[top][x])
    count = round((right - left + 1) / size)
    return [
        [
            dark[int(top + (row + 0.5) * size)][int(left + (col + 0.5) * size)]
            for col in range(count)
        ]
        for row in range(count)
    ]


def qr_encodes(png: bytes, url: str) -> bool:
    """Whether the image is the QR code segno makes for `url` at some error level."""
    read = _qr_modules(png)
    for error in "lmqh":
        code = segno.make(url, error=error, boost_error=False)
        if [[bool(bit) for bit in row] for row in code.matrix] == read:
            return True
    return False


@contextmanager
def cyclic_garbage(*packages: str) -> Iterator[list[object]]:
    """Objects of these packages that the block left for the cycle collector:
    unreachable, but not freed when their last reference went. Other threads
    of the test process (the live servers of browser tests) make garbage of
    their own meanwhile, so only objects of the named packages are kept."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list[object] = []
    try:
        yield found
        gc.collect()
        found.extend(item for item in gc.garbage if _package_of(item) in packages)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def _package_of(item: object) -> str:
    module = item.__module__ if isinstance(item, type) else type(item).__module__
    return str(module or "").split(".")[0]
