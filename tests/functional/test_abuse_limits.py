"""Every write a stranger can make is limited per client address, and per screen token
where there is one: 429 with Retry-After, in Chinese (issue 22, point 1).

The routes are found in the URL map, not listed here: a new public write without a
limit fails test_every_public_write_is_limited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kiosk_server import throttle
from kiosk_server.config import RATE_LIMITS
from kiosk_server.extensions import limiter
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import StaffClient, assert_chinese

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
JSON_PREFIXES = ("/api/", "/admin/api/")


@pytest.fixture
def limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Sets limits by name for one test (every other one off), with all counts at zero."""

    def set_limits(**named: str) -> None:
        monkeypatch.setitem(app.config, "RATE_LIMITS", {name: "" for name in RATE_LIMITS} | named)
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", named.get("login", ""))
        limiter.reset()

    yield set_limits
    limiter.reset()


def _client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _url(rule: str) -> str:
    """The rule with a made-up value for each part: limits apply before anything is looked up."""
    with_ids = re.sub(r"<int:\w+>", "1", rule)
    return re.sub(r"<(?:\w+:)?\w+>", "ABCDEFGH", with_ids)


def _send(client: FlaskClient, method: str, url: str, token: str = "") -> TestResponse:
    headers = {"X-CSRFToken": client.get("/admin/api/session").json["csrf_token"]}
    if token:
        headers["X-Screen-Token"] = token
    if url.startswith(JSON_PREFIXES):
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, data={}, headers=headers)  # a phone's form


def _write_routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (method, _url(rule.rule))
        for rule in app.url_map.iter_rules()
        for method in rule.methods & WRITES
    )


def _public_writes(app: Flask) -> list[tuple[str, str]]:
    """Every write route a stranger reaches: staff-only ones answer 401 login_required."""
    stranger = _client_at(app, "192.0.2.1")
    public = []
    for method, url in _write_routes(app):
        reply = _send(stranger, method, url)
        staff_only = reply.status_code == 401 and reply.is_json
        if not (staff_only and reply.json["error"]["code"] == "login_required"):
            public.append((method, url))
    return public


def test_every_public_write_is_limited(app: Flask, world: World, limits: Any) -> None:
    limits(login="2 per minute", **{name: "2 per minute" for name in RATE_LIMITS})
    public = _public_writes(app)
    # The discovery finds what a stranger can write, and not the staff API.
    assert ("POST", "/api/screens") in public and ("POST", "/r/ABCDEFGH/cancel") in public
    assert ("POST", "/admin/api/listings") not in public
    limiter.reset()

    unlimited = []
    for number, (method, url) in enumerate(public, start=1):
        client = _client_at(app, f"198.51.100.{number}")
        answers = [_send(client, method, url) for _ in range(3)]
        if [reply.status_code == 429 for reply in answers] != [False, False, True]:
            unlimited.append((method, url, [reply.status_code for reply in answers]))
            continue
        refused = answers[-1]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60, url
        if url.startswith(JSON_PREFIXES):
            assert refused.json["error"]["code"] in ("rate_limited", "locked"), url
            assert_chinese(refused.json["error"]["message"])
        else:
            assert refused.mimetype == "text/html", url
            assert "操作太频繁" in refused.get_data(as_text=True), url

    assert unlimited == []


def _tv_token(app: Flask, world: World) -> str:
    reply = app.test_client().post("/api/screens", json={"community_id": world.jiuquhe.id})
    assert reply.status_code == 201, reply.json
    return str(reply.json["token"])


def _callback(client: FlaskClient, token: str, listing_id: int, mobile: str) -> int:
    reply = client.post(
        f"/api/listings/{listing_id}/callback",
        json={"mobile": mobile, "consent": True},
        headers={"X-Screen-Token": token},
    )
    return reply.status_code


def test_callbacks_are_limited_per_tv_token_wherever_it_is_used(
    app: Flask, world: World, admin: StaffClient, limits: Any
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))["id"]
    first, second = _tv_token(app, world), _tv_token(app, world)
    limits(callback_per_screen="2 per minute", callback_per_address="100 per minute")
    home, elsewhere = _client_at(app, "198.51.100.7"), _client_at(app, "203.0.113.20")

    spent = [_callback(home, first, listing, f"1380000000{n}") for n in range(3)]

    assert spent == [201, 201, 429]
    assert _callback(elsewhere, first, listing, "13800000005") == 429
    assert _callback(home, second, listing, "13800000006") == 201
    assert admin.get("/admin/api/registrations").json["total"] == 3


def test_callbacks_are_limited_per_address_whatever_token_they_carry(
    app: Flask, world: World, admin: StaffClient, limits: Any
) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))["id"]
    tokens = [_tv_token(app, world) for _ in range(4)]
    limits(callback_per_screen="100 per minute", callback_per_address="2 per minute")
    home, elsewhere = _client_at(app, "198.51.100.7"), _client_at(app, "203.0.113.20")

    spent = [_callback(home, token, listing, f"1380000000{n}") for n, token in enumerate(tokens)]

    assert spent == [201, 201, 429, 429]
    assert _callback(elsewhere, tokens[0], listing, "13800000009") == 201


def _register(client: FlaskClient, world: World, token: str, mobile: str) -> TestResponse:
    body = {
        "kind": "gig_worker",
        "idempotency_key": f"key-{mobile}-{token[:6]}",
        "consent": True,
        "name": "王女士",
        "mobile": mobile,
        "community_id": world.jiuquhe.id,
        "age_band": "40-49",
        "trades": ["保洁"],
        "service_area": "九曲河社区附近",
        "availability": ["weekend"],
    }
    headers = {"X-Screen-Token": token} if token else {}
    return client.post("/api/registrations", json=body, headers=headers)


def test_a_kiosk_is_limited_per_token_and_its_station_per_address(
    app: Flask, world: World, limits: Any
) -> None:
    kiosk, other_kiosk = _tv_token(app, world), _tv_token(app, world)
    limits(registration_per_screen="2 per minute", registration_per_address="4 per minute")
    station, elsewhere = _client_at(app, "198.51.100.7"), _client_at(app, "203.0.113.20")

    spent = [_register(station, world, kiosk, f"1390000000{n}").status_code for n in range(3)]
    other = [_register(station, world, other_kiosk, f"1390000001{n}").status_code for n in range(2)]

    assert spent == [201, 201, 429]
    # Refused requests count too: the station's address has one left, whichever kiosk sends it.
    assert other == [201, 429]
    assert _register(elsewhere, world, kiosk, "13900000020").status_code == 429
    assert _register(elsewhere, world, other_kiosk, "13900000021").status_code == 201


def test_reads_answered_ahead_of_the_limiter_are_plain_reads(app: Flask) -> None:
    """The screens' reads are answered before Flask-Limiter's hook runs (throttle.py):
    each must be a route that exists, takes no write, and has no hook of its own
    that answering early would skip."""
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint in throttle.UNLIMITED_READS:
        assert endpoint in rules, f"{endpoint} is no longer a route"
        assert not rules[endpoint].methods & WRITES, endpoint
        blueprint = endpoint.rpartition(".")[0]
        assert not app.before_request_funcs.get(blueprint), endpoint
