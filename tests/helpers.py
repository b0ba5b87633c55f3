"""Small clients for tests: a logged-in staff member and a connected screen."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from werkzeug.test import TestResponse

from kiosk_server.extensions import socketio
from kiosk_server.live.push import SCREENS_NAMESPACE


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
