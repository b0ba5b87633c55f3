"""Real server processes for tests: start one, talk to it as staff and as a screen."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import socketio as socketio_client
from flask import Flask
from werkzeug.serving import make_server

from kiosk_server.extensions import socketio


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.env = {**env, "PORT": str(port)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk_server"],
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()}")
            try:
                if requests.get(f"{self.url}/api/places", timeout=1).ok:
                    return
            # gunicorn's master listens at once and its worker answers once loaded.
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise RuntimeError(f"server did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk_server"],
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()


@contextmanager
def serve_in_process(app: Flask) -> Iterator[str]:
    """The app on a real port of this process, for clients the test client cannot
    be (a raw WebSocket): its URL. Socket.IO is served by the server Flask-SocketIO
    runs handlers on now, as for the test clients: the last app created's."""
    server = socketio.server
    # Flask-SocketIO's test client swaps the server's send functions for its
    # own; a real client needs the real ones back (test clients swap again).
    for name in ("_send_packet", "_send_eio_packet"):
        vars(server).pop(name, None)
    sockets = socketio_client.WSGIApp(server, app)

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        environ["flask.app"] = app  # as Flask-SocketIO's middleware: its handlers read it
        return sockets(environ, start_response)

    with serve_threaded(wsgi) as url:
        yield url


@contextmanager
def serve_threaded(wsgi: Any) -> Iterator[str]:
    """`wsgi` on a free port of a threaded werkzeug server, while the block runs."""
    http = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(5)


class StaffSession:
    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.http = requests.Session()
        token = self.http.get(f"{base}/admin/api/session").json()["csrf_token"]
        reply = self.http.post(
            f"{base}/admin/api/session",
            json={"username": username, "password": password},
            headers={"X-CSRFToken": token},
        )
        reply.raise_for_status()
        self.token = reply.json()["csrf_token"]

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.http.post(f"{self.base}{path}", json=body, headers={"X-CSRFToken": self.token})
        assert reply.ok, reply.text
        return reply.json()

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.http.put(f"{self.base}{path}", json=body, headers={"X-CSRFToken": self.token})
        assert reply.ok, reply.text
        return reply.json()

    def upload(self, listing_id: int, data: bytes, alt: str) -> dict[str, Any]:
        reply = self.http.post(
            f"{self.base}/admin/api/listings/{listing_id}/images",
            files={"image": ("photo.jpg", data, "image/jpeg")},
            data={"alt": alt},
            headers={"X-CSRFToken": self.token},
        )
        assert reply.ok, reply.text
        return reply.json()

    def publish(self, body: dict[str, Any]) -> dict[str, Any]:
        listing = self.post("/admin/api/listings", body)
        return self.post(f"/admin/api/listings/{listing['id']}/publish", {})


class RemoteScreen:
    def __init__(self, server: Server, community_id: int) -> None:
        reply = requests.post(f"{server.url}/api/screens", json={"community_id": community_id})
        reply.raise_for_status()
        self.token = reply.json()["token"]
        self.changes: list[dict[str, Any]] = []
        self.arrived = threading.Condition()
        self.client = self._connect(server)

    def _connect(self, server: Server) -> socketio_client.Client:
        client = socketio_client.Client(reconnection=False)

        @client.on("change", namespace="/screens")
        def on_change(change: dict[str, Any]) -> None:
            with self.arrived:
                self.changes.append(change)
                self.arrived.notify_all()

        client.connect(
            server.url, namespaces=["/screens"], auth={"token": self.token}, wait_timeout=10
        )
        return client

    def move_to(self, server: Server) -> None:
        self.client.disconnect()
        self.client = self._connect(server)

    def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.changes) >= count, timeout=timeout)
            return list(self.changes)

    def sync(self, cursors: dict[str, int]) -> dict[str, Any]:
        return self.client.call("sync", {"cursors": cursors}, namespace="/screens", timeout=10)
