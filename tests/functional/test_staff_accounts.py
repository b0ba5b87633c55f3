"""City administrators manage staff accounts through /admin/api/staff."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.staff.actions import do_set_active, do_update_staff
from kiosk_server.staff.models import Staff, StaffRole
from tests.factories import World
from tests.helpers import StaffClient, assert_error, database_unchanged

ACCOUNTS = "/admin/api/staff"
AUDIT = "/admin/api/audit"
SESSION = "/admin/api/session"


def _new(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "username": "qianwan",
        "display_name": "前湾站点",
        "role": "station",
        "scope_id": world.qianwan.id,
        "password": "qianwan-password-1",
        **overrides,
    }


def _log_in(app: Flask, username: str, password: str) -> Any:
    client = app.test_client()
    headers = {"X-CSRFToken": client.get(SESSION).json["csrf_token"]}
    return client.post(SESSION, json={"username": username, "password": password}, headers=headers)


def _entries(admin: StaffClient, staff_id: int) -> list[dict[str, Any]]:
    response = admin.get(f"{AUDIT}?per_page=100&entity_type=staff&entity_id={staff_id}")
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_admin_creates_an_account_that_can_log_in(
    app: Flask, admin: StaffClient, world: World
) -> None:
    response = admin.post(ACCOUNTS, json=_new(world))
    assert response.status_code == 201, response.json
    created = response.json
    assert created["role"] == "station" and created["scope"]["id"] == world.qianwan.id
    assert created["active"] is True and "password_hash" not in created

    new = StaffClient(app, "qianwan", "qianwan-password-1")
    assert new.get(SESSION).json["staff"]["id"] == created["id"]
    listed = admin.get(ACCOUNTS).json
    assert {item["username"] for item in listed["items"]} == {
        "admin",
        "huangdao",
        "jiuquhe",
        "qianwan",
    }
    [entry] = _entries(admin, created["id"])
    assert entry["action"] == "staff.create" and entry["staff_id"] == world.admin.id


def test_duplicate_username_is_a_conflict_beside_the_field(
    admin: StaffClient, world: World
) -> None:
    with database_unchanged():
        response = admin.post(ACCOUNTS, json=_new(world, username="jiuquhe"))
    assert_error(response, 409, fields={"username"})


def test_bad_account_fields_are_refused_beside_each_field(admin: StaffClient, world: World) -> None:
    cases = [
        (_new(world, scope_id=world.huangdao_street.id), {"scope_id"}),  # station on a street
        (_new(world, role="city_admin"), {"scope_id"}),
        (_new(world, username="前湾"), {"username"}),
        (_new(world, password="short"), {"password"}),
        (_new(world, password=" padded-password "), {"password"}),
        (_new(world, role="king", display_name=""), {"role", "display_name"}),
    ]
    for body, fields in cases:
        with database_unchanged():
            response = admin.post(ACCOUNTS, json=body)
        assert_error(response, 422, fields=fields)
    with database_unchanged():
        response = admin.post(ACCOUNTS, json=_new(world, scope_id=2**31 - 1))
    assert_error(response, 404, fields={"scope_id"})


def test_only_city_administrators_manage_accounts(
    street_staff: StaffClient, station_staff: StaffClient, world: World
) -> None:
    target = world.station_staff.id
    for client in (street_staff, station_staff):
        with database_unchanged():
            responses = [
                client.get(ACCOUNTS),
                client.post(ACCOUNTS, json=_new(world)),
                client.put(
                    f"{ACCOUNTS}/{target}",
                    json={"display_name": "改", "role": "station", "scope_id": world.jiuquhe.id},
                ),
                client.post(f"{ACCOUNTS}/{target}/password", json={"password": "x" * 10}),
                client.post(f"{ACCOUNTS}/{target}/deactivate"),
                client.post(f"{ACCOUNTS}/{target}/activate"),
            ]
        for response in responses:
            assert_error(response, 403, code="forbidden")


def test_moving_an_account_ends_its_sessions(
    app: Flask, admin: StaffClient, station_staff: StaffClient, world: World
) -> None:
    target = world.station_staff.id
    # A rename alone keeps the session.
    body = {"display_name": "九曲河站点小王", "role": "station", "scope_id": world.jiuquhe.id}
    assert admin.put(f"{ACCOUNTS}/{target}", json=body).status_code == 200
    assert station_staff.get(SESSION).json["staff"]["display_name"] == "九曲河站点小王"

    body = {"display_name": "黄岛街道小王", "role": "street", "scope_id": world.huangdao_street.id}
    response = admin.put(f"{ACCOUNTS}/{target}", json=body)
    assert response.status_code == 200, response.json
    assert response.json["role"] == "street"
    assert_error(station_staff.get("/admin/api/listings"), 401)
    again = StaffClient(app, "jiuquhe", world.passwords["jiuquhe"])
    assert again.get(SESSION).json["staff"]["scope"]["id"] == world.huangdao_street.id

    actions = [entry["action"] for entry in _entries(admin, target)]
    assert actions[:3] == ["staff.end_sessions", "staff.update", "staff.update"]
    update = _entries(admin, target)[1]
    assert update["before"] == {
        "display_name": "九曲河站点小王",
        "role": "station",
        "scope_id": world.jiuquhe.id,
    }
    assert update["after"]["role"] == "street"


def test_deactivated_account_cannot_log_in_until_activated(
    app: Flask, admin: StaffClient, station_staff: StaffClient, world: World
) -> None:
    target = world.station_staff.id
    response = admin.post(f"{ACCOUNTS}/{target}/deactivate")
    assert response.status_code == 200 and response.json["active"] is False
    assert_error(station_staff.get("/admin/api/listings"), 401)
    refused = _log_in(app, "jiuquhe", world.passwords["jiuquhe"])
    assert "停用" in assert_error(refused, 403, code="account_inactive")["message"]
    # A wrong password still reads as a wrong password: nothing said about the account.
    assert_error(_log_in(app, "jiuquhe", "wrong-password"), 401, code="bad_credentials")
    assert [item["username"] for item in admin.get(f"{ACCOUNTS}?active=false").json["items"]] == [
        "jiuquhe"
    ]

    assert admin.post(f"{ACCOUNTS}/{target}/activate").json["active"] is True
    # The old session stays ended; a fresh login works.
    assert_error(station_staff.get("/admin/api/listings"), 401)
    assert _log_in(app, "jiuquhe", world.passwords["jiuquhe"]).status_code == 200
    actions = {entry["action"] for entry in _entries(admin, target)}
    assert {"staff.deactivate", "staff.activate", "staff.end_sessions"} <= actions


def test_nobody_deactivates_themselves_or_the_last_city_admin(
    app: Flask, admin: StaffClient, world: World
) -> None:
    with database_unchanged():
        response = admin.post(f"{ACCOUNTS}/{world.admin.id}/deactivate")
    assert_error(response, 409, code="own_account")

    second = admin.post(
        ACCOUNTS,
        json=_new(world, username="admin2", role="city_admin", scope_id=world.city.id),
    ).json
    other = StaffClient(app, "admin2", "qianwan-password-1")
    assert other.post(f"{ACCOUNTS}/{world.admin.id}/deactivate").status_code == 200
    # admin2 is now the only active city admin: nobody may stop or demote it.
    body = {"display_name": "区管理员", "role": "district", "scope_id": world.huangdao.id}
    with database_unchanged():
        responses = [
            other.post(f"{ACCOUNTS}/{second['id']}/deactivate"),
            other.put(f"{ACCOUNTS}/{second['id']}", json=body),
        ]
    assert_error(responses[0], 409, code="own_account")
    assert_error(responses[1], 409)
    with app.app_context():
        admins = db.session.get(Staff, second["id"])
        assert admins is not None and admins.active and admins.role == "city_admin"


def test_the_last_active_city_admin_is_kept_whoever_asks(world: World) -> None:
    # Through the API the caller is itself an active city admin, so the self rule
    # answers first; the actions keep the rule for any other caller too.
    body = {"display_name": "市管理员", "role": StaffRole.DISTRICT, "scope": world.huangdao}
    with database_unchanged():
        with pytest.raises(ApiError) as stopped:
            do_set_active(world.admin, False, by=world.street_staff)
        with pytest.raises(ApiError) as demoted:
            do_update_staff(world.admin, **body, by=world.street_staff)
    db.session.rollback()
    assert (stopped.value.status, stopped.value.code) == (409, "last_admin")
    assert (demoted.value.status, demoted.value.fields) == (
        409,
        {"role": "这是最后一个在用的市级管理员账号"},
    )


def test_admin_sets_a_password_that_ends_sessions_and_is_never_shown(
    app: Flask, admin: StaffClient, station_staff: StaffClient, world: World
) -> None:
    target = world.station_staff.id
    created = admin.post(ACCOUNTS, json=_new(world))
    response = admin.post(f"{ACCOUNTS}/{target}/password", json={"password": "brand-new-pass-9"})
    assert response.status_code == 200, response.json
    assert_error(station_staff.get("/admin/api/listings"), 401)
    assert_error(_log_in(app, "jiuquhe", world.passwords["jiuquhe"]), 401)
    assert _log_in(app, "jiuquhe", "brand-new-pass-9").status_code == 200

    with app.app_context():
        hashes = list(db.session.scalars(select(Staff.password_hash)))
    written = json.dumps(
        [
            created.json,
            response.json,
            admin.get(ACCOUNTS).json,
            admin.get(f"{AUDIT}?per_page=100").json,
        ],
        ensure_ascii=False,
    )
    for secret in ("brand-new-pass", "qianwan-password", "password_hash", *hashes):
        assert secret not in written
    actions = [entry["action"] for entry in _entries(admin, target)]
    assert actions[:2] == ["staff.end_sessions", "staff.set_password"]


def test_a_guessed_at_account_is_not_shown_as_locked(
    app: Flask, admin: StaffClient, world: World
) -> None:
    """The login lock is on the guesser's address (throttle.limit_login), so the account
    list says nothing about a lock: the owner logs in as usual from anywhere else. The
    audit log is where staff learn that someone guessed."""
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    headers = {"X-CSRFToken": guesser.get(SESSION).json["csrf_token"]}
    wrong = {"username": "jiuquhe", "password": "guessing"}
    answers = [guesser.post(SESSION, json=wrong, headers=headers) for _ in range(6)]
    assert answers[-1].status_code == 429

    [account] = [a for a in admin.get(ACCOUNTS).json["items"] if a["username"] == "jiuquhe"]
    assert account["active"] is True
    assert not {"locked_until", "failed_logins"} & set(account)
    assert _log_in(app, "jiuquhe", world.passwords["jiuquhe"]).status_code == 200
    assert _entries(admin, world.station_staff.id)[0]["action"] == "staff.lock"
