"""Login attempts are limited per client address, across accounts, and wrong passwords per
address and username: a guesser locks out only its own address, and unknown names answer
like known ones."""

from __future__ import annotations

import os
import secrets
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from flask import Flask
from flask.testing import FlaskClient

from kiosk_server import create_app
from kiosk_server.config import Config
from kiosk_server.extensions import db, limiter
from tests.conftest import World, make_config
from tests.helpers import assert_error, database_unchanged
from tests.live_server import Server, free_port

SESSION = "/admin/api/session"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def limit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Sets the login limit for one test, with every address's count at zero."""

    def set_limit(value: str) -> None:
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", value)
        limiter.reset()

    yield set_limit
    limiter.reset()


def _client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _log_in(client: FlaskClient, username: str, password: str) -> Any:
    headers = {"X-CSRFToken": client.get(SESSION).json["csrf_token"]}
    return client.post(SESSION, json={"username": username, "password": password}, headers=headers)


def test_one_address_is_refused_after_the_limit_even_with_the_right_password(
    app: Flask, world: World, limit: Any
) -> None:
    limit("3 per minute")
    guesser = _client_at(app, "198.51.100.7")
    # Three accounts, one guess each: no account gets near its own lock.
    for username in ("admin", "huangdao", "jiuquhe"):
        assert_error(_log_in(guesser, username, "guessing"), 401, code="bad_credentials")

    with database_unchanged():
        refused = _log_in(guesser, "admin", world.passwords["admin"])

    error = assert_error(refused, 429, code="rate_limited")
    assert error["message"] == "登录尝试太频繁，请稍后再试"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert guesser.get(SESSION).json["staff"] is None


def test_another_address_still_logs_in(app: Flask, world: World, limit: Any) -> None:
    limit("2 per minute")
    guesser, colleague = _client_at(app, "198.51.100.7"), _client_at(app, "203.0.113.20")
    for _ in range(2):
        _log_in(guesser, "admin", "guessing")
    assert_error(_log_in(guesser, "admin", "guessing"), 429, code="rate_limited")

    welcomed = _log_in(colleague, "admin", world.passwords["admin"])

    assert welcomed.status_code == 200, welcomed.json
    assert colleague.get(SESSION).json["staff"]["username"] == "admin"


def test_only_login_attempts_count(app: Flask, world: World, limit: Any) -> None:
    limit("2 per minute")
    staff = _client_at(app, "198.51.100.7")
    token = {"X-CSRFToken": staff.get(SESSION).json["csrf_token"]}
    for _ in range(5):
        staff.get(SESSION)
        staff.delete(SESSION, headers=token)

    assert _log_in(staff, "admin", world.passwords["admin"]).status_code == 200
    assert staff.get("/admin/api/listings").status_code == 200


def test_the_account_lock_still_works_under_the_address_limit(
    app: Flask, world: World, limit: Any
) -> None:
    limit("10 per minute")
    client = _client_at(app, "198.51.100.7")
    for _ in range(5):
        assert_error(_log_in(client, "jiuquhe", "guessing"), 401, code="bad_credentials")

    assert_error(_log_in(client, "jiuquhe", world.passwords["jiuquhe"]), 429, code="locked")
    assert _log_in(client, "huangdao", world.passwords["huangdao"]).status_code == 200


def test_counts_are_kept_in_redis_when_processes_share_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("RATELIMIT_STORAGE_URL", raising=False)
    monkeypatch.delenv("MESSAGE_QUEUE_URL", raising=False)
    alone = Config.from_env()
    monkeypatch.setenv("MESSAGE_QUEUE_URL", "redis://queue:6379/0")
    shared = Config.from_env()
    monkeypatch.setenv("RATELIMIT_STORAGE_URL", "redis://counts:6379/1")
    chosen = Config.from_env()

    assert alone.flask_settings()["RATELIMIT_STORAGE_URI"] == "memory://"
    assert shared.flask_settings()["RATELIMIT_STORAGE_URI"] == "redis://queue:6379/0"
    assert chosen.flask_settings()["RATELIMIT_STORAGE_URI"] == "redis://counts:6379/1"
    assert alone.login_rate_limit == "10 per minute; 50 per hour"


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _attempt(base: str) -> int:
    http = requests.Session()
    token = http.get(f"{base}{SESSION}", timeout=5).json()["csrf_token"]
    reply = http.post(
        f"{base}{SESSION}",
        json={"username": "nobody", "password": "guessing"},
        headers={"X-CSRFToken": token},
        timeout=5,
    )
    return reply.status_code


@pytest.mark.skipif(not _redis_reachable(), reason="Redis not reachable")
def test_two_processes_sharing_redis_share_the_count(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    app = create_app(make_config(url, tmp_path))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MESSAGE_QUEUE_URL": REDIS_URL,
        "MESSAGE_QUEUE_CHANNEL": f"test-{secrets.token_hex(4)}",
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "throttle-test",
        "LOGIN_RATE_LIMIT": "4 per minute",
    }
    env.pop("RATELIMIT_STORAGE_URL", None)
    servers = [Server(env, free_port(), tmp_path / f"server{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        first, second = (server.url for server in servers)
        answers = [_attempt(base) for base in (first, second, first, second, first, second)]
    finally:
        for server in servers:
            server.stop()

    assert answers == [401, 401, 401, 401, 429, 429]


# --- The lock hurts the guesser's address, and says nothing about accounts ------------


def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_elsewhere(
    app: Flask, world: World
) -> None:
    guesser, owner = _client_at(app, "198.51.100.7"), _client_at(app, "203.0.113.20")
    for _ in range(5):
        assert_error(_log_in(guesser, "admin", "guessing"), 401, code="bad_credentials")
    assert_error(_log_in(guesser, "admin", world.passwords["admin"]), 429, code="locked")

    welcomed = _log_in(owner, "admin", world.passwords["admin"])

    assert welcomed.status_code == 200, welcomed.json
    assert owner.get(SESSION).json["staff"]["username"] == "admin"
    # The guesser's address may still use its own account.
    assert _log_in(guesser, "huangdao", world.passwords["huangdao"]).status_code == 200


def _answers(client: FlaskClient, username: str, times: int) -> list[tuple[int, Any]]:
    answers = []
    for _ in range(times):
        reply = _log_in(client, username, "guessing")
        answers.append((reply.status_code, reply.json, reply.headers.get("Retry-After")))
    return answers


def test_unknown_and_known_names_answer_alike_through_the_lock(app: Flask, world: World) -> None:
    known = _answers(_client_at(app, "198.51.100.7"), "admin", 7)
    unknown = _answers(_client_at(app, "198.51.100.8"), "nobody-here", 7)

    assert known == unknown
    assert [status for status, _, _ in known] == [401] * 5 + [429] * 2
    assert known[-1][1]["error"]["code"] == "locked"


def _median_seconds(client: FlaskClient, username: str) -> float:
    headers = {"X-CSRFToken": client.get(SESSION).json["csrf_token"]}
    times = []
    for _ in range(4):
        started = time.perf_counter()
        reply = client.post(
            SESSION, json={"username": username, "password": "guessing"}, headers=headers
        )
        times.append(time.perf_counter() - started)
        assert reply.status_code == 401
    return statistics.median(times)


def test_an_unknown_name_takes_as_long_as_a_wrong_password(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hash slow enough to measure, as production's is.
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:200000")
    world.admin.set_password("a-slow-password")
    db.session.commit()
    client = _client_at(app, "198.51.100.9")

    known = _median_seconds(client, "admin")
    unknown = _median_seconds(client, "nobody-here")

    assert 0.5 < unknown / known < 2, (unknown, known)
