"""Behind nginx (TRUSTED_PROXIES=1) the login limit counts the client's own address,
taken from X-Forwarded-For; with no trusted proxy that header is ignored, so a
guesser cannot choose a fresh address for each try."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk_server import create_app
from kiosk_server.config import Config
from kiosk_server.extensions import db, limiter
from tests.conftest import make_config
from tests.helpers import assert_error

SESSION = "/admin/api/session"
NGINX = "127.0.0.1"


def _app(tmp_path: Path, trusted_proxies: int) -> Flask:
    app = create_app(
        make_config(
            f"sqlite:///{tmp_path / 'proxy.sqlite3'}",
            tmp_path,
            trusted_proxies=trusted_proxies,
            login_rate_limit="2 per minute",
        )
    )
    with app.app_context():
        db.create_all()
    limiter.reset()
    return app


def _guess(client: FlaskClient, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    token = client.get(SESSION, headers=headers).json["csrf_token"]
    reply = client.post(
        SESSION,
        json={"username": "nobody", "password": "guessing"},
        headers={**headers, "X-CSRFToken": token},
    )
    return reply.status_code


def _through_nginx(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = NGINX
    return client


def test_behind_a_trusted_proxy_each_client_is_counted_apart(tmp_path: Path) -> None:
    client = _through_nginx(_app(tmp_path, trusted_proxies=1))

    assert [_guess(client, "198.51.100.7") for _ in range(3)] == [401, 401, 429]
    # Another household behind the same nginx still gets its own tries.
    assert _guess(client, "203.0.113.20") == 401


def test_only_the_address_nginx_added_is_believed(tmp_path: Path) -> None:
    client = _through_nginx(_app(tmp_path, trusted_proxies=1))

    # A client sends its own X-Forwarded-For; nginx appends the real address last.
    guesses = [_guess(client, f"10.0.0.{n}, 198.51.100.7") for n in range(3)]

    assert guesses == [401, 401, 429]


def test_without_a_trusted_proxy_the_header_is_ignored(tmp_path: Path) -> None:
    client = _through_nginx(_app(tmp_path, trusted_proxies=0))

    guesses = [_guess(client, f"198.51.100.{n}") for n in range(3)]

    assert guesses == [401, 401, 429]
    reply = client.get(SESSION, headers={"X-Forwarded-For": "198.51.100.99"})
    assert_error(
        client.post(SESSION, json={}, headers={"X-CSRFToken": reply.json["csrf_token"]}),
        429,
        code="rate_limited",
    )


def test_trusted_proxies_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    assert Config.from_env().trusted_proxies == 0
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    assert Config.from_env().trusted_proxies == 1
