"""The audit log: every change to listings, screens and staff, who made it, before and after.

Station staff work for 九曲河社区, street staff for 黄岛街道 (九曲河 and 前湾).
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from kiosk_server.audit.actions import do_record
from kiosk_server.audit.models import CONSOLE, RESIDENT_BY_CHANNEL, SYSTEM, AuditEntry
from kiosk_server.extensions import db
from kiosk_server.live.sweeper import sweep
from kiosk_server.staff.actions import do_create_staff, do_set_password
from kiosk_server.staff.models import Staff, StaffRole
from kiosk_server.timeutil import local_today, utcnow
from tests.conftest import World
from tests.factories import listing_input, make_listing
from tests.helpers import StaffClient, assert_error, database_unchanged

AUDIT = "/admin/api/audit"
LISTINGS = "/admin/api/listings"


def _entries(staff: StaffClient, query: str = "") -> list[dict[str, Any]]:
    response = staff.get(f"{AUDIT}?per_page=100&{query}")
    assert response.status_code == 200, response.json
    return response.json["items"]


def _listing_entries(staff: StaffClient, listing_id: int) -> list[dict[str, Any]]:
    return _entries(staff, f"entity_type=listing&entity_id={listing_id}")


def _staff_id(username: str) -> int:
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    assert staff is not None
    return staff.id


# --- Listings -----------------------------------------------------------------


def test_create_publish_edit_and_withdraw_are_each_recorded_with_who_before_and_after(
    street_staff: StaffClient, world: World
) -> None:
    body = listing_input(target_id=world.jiuquhe.id)
    listing = street_staff.create(body)
    published = street_staff.post(f"{LISTINGS}/{listing['id']}/publish", json={})
    assert published.status_code == 200
    body.update(title="手工花组装（计件，日结）", version=published.json["version"])
    body["job"]["pay"]["min"] = 0.5
    edited = street_staff.put(f"{LISTINGS}/{listing['id']}", json=body)
    assert edited.status_code == 200, edited.json
    withdrawn = street_staff.post(f"{LISTINGS}/{listing['id']}/withdraw")
    assert withdrawn.status_code == 200

    withdraw, edit, publish, create = _listing_entries(street_staff, listing["id"])

    street_id = _staff_id("huangdao")
    for entry in (withdraw, edit, publish, create):
        assert (entry["staff_id"], entry["actor"]) == (street_id, "黄岛街道专员")
        assert entry["entity"] == {"type": "listing", "type_name": "信息", "id": listing["id"]}
        assert entry["place"] == {"id": world.jiuquhe.id, "name": "九曲河社区"}
    assert [entry["action"] for entry in (create, publish, edit, withdraw)] == [
        "listing.create",
        "listing.publish",
        "listing.update",
        "listing.withdraw",
    ]
    assert create["before"] is None
    assert create["after"]["title"] == "手工花组装（计件）"
    assert create["after"]["status"] == "draft"
    assert create["summary"] == "新建岗位「手工花组装（计件）」"
    # Only what changed, each side with its own value.
    assert publish["before"]["status"] == "draft" and publish["after"]["status"] == "published"
    assert set(publish["after"]) == {"status", "valid_from", "published_at"}
    assert edit["before"] == {"title": "手工花组装（计件）", "pay_min": "0.3"}
    assert edit["after"] == {"title": "手工花组装（计件，日结）", "pay_min": "0.5"}
    assert edit["summary"] == "修改岗位「手工花组装（计件，日结）」"
    assert (withdraw["before"], withdraw["after"]) == (
        {"status": "published"},
        {"status": "withdrawn"},
    )
    assert withdraw["action_name"] == "下架信息"


def test_an_edit_that_changes_nothing_adds_no_entry(admin: StaffClient, world: World) -> None:
    body = listing_input(target_id=world.jiuquhe.id)
    listing = admin.create(body)
    before = _listing_entries(admin, listing["id"])
    body["version"] = listing["version"]

    assert admin.put(f"{LISTINGS}/{listing['id']}", json=body).status_code == 200

    assert _listing_entries(admin, listing["id"]) == before


def test_training_sessions_are_compared_session_by_session(
    admin: StaffClient, world: World
) -> None:
    body = listing_input("training", target_id=world.jiuquhe.id)
    listing = admin.create(body)
    body["training"]["sessions"][0]["seats"] = 30
    body["training"]["sessions"][0]["id"] = listing["training"]["sessions"][0]["id"]
    body["version"] = listing["version"]

    assert admin.put(f"{LISTINGS}/{listing['id']}", json=body).status_code == 200

    edit = _listing_entries(admin, listing["id"])[0]
    assert set(edit["after"]) == {"sessions"}
    assert [session["seats"] for session in edit["before"]["sessions"]] == [20]
    assert [session["seats"] for session in edit["after"]["sessions"]] == [30]


def test_an_image_upload_and_announcements_are_recorded(admin: StaffClient, world: World) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 120, 40)).save(picture, "PNG")
    uploaded = admin.post(
        f"{LISTINGS}/{listing['id']}/images",
        data={"image": (io.BytesIO(picture.getvalue()), "photo.png"), "alt": "手工坊"},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.json
    until = (utcnow() + timedelta(hours=3)).isoformat()
    announcement = admin.post(
        "/admin/api/announcements",
        json={
            "text": "今晚7点 星光招聘夜市",
            "target_id": world.huangdao_street.id,
            "valid_until": until,
        },
    ).json
    admin.post(f"/admin/api/announcements/{announcement['id']}/withdraw")

    image = _entries(admin, "action=listing.image_add")[0]
    assert image["after"] == {
        "image_id": uploaded.json["id"],
        "alt": "手工坊",
        "width": 400,
        "height": 300,
    }
    withdraw, create = _entries(admin, "entity_type=announcement")
    assert create["summary"] == "发布紧急通知「今晚7点 星光招聘夜市」"
    assert create["after"]["target_id"] == world.huangdao_street.id
    assert (withdraw["action"], withdraw["after"]) == (
        "announcement.withdraw",
        {"status": "withdrawn"},
    )


def test_the_console_and_the_sweeper_are_named_when_no_staff_member_acted(
    admin: StaffClient, world: World
) -> None:
    listing = make_listing(target=world.jiuquhe, valid_until=(utcnow() + timedelta(hours=1)))
    sweep(utcnow() + timedelta(hours=2))

    expire, publish, create = _listing_entries(admin, listing.id)

    assert (create["staff_id"], create["actor"]) == (None, CONSOLE)
    assert (publish["staff_id"], publish["actor"]) == (None, CONSOLE)
    assert (expire["action"], expire["actor"], expire["after"]) == (
        "listing.expire",
        SYSTEM,
        {"status": "expired"},
    )


def test_a_scheduled_publication_is_recorded_then_its_start(
    admin: StaffClient, world: World
) -> None:
    listing = admin.create(listing_input(target_id=world.jiuquhe.id))
    at = utcnow() + timedelta(hours=1)
    response = admin.post(f"{LISTINGS}/{listing['id']}/publish", json={"at": at.isoformat()})
    assert response.status_code == 200, response.json
    sweep(at + timedelta(minutes=1))

    start, schedule, _ = _listing_entries(admin, listing["id"])

    assert schedule["summary"].startswith("定时于") and "发布岗位" in schedule["summary"]
    assert schedule["after"]["status"] == "scheduled"
    assert (start["action"], start["actor"]) == ("listing.start", SYSTEM)
    assert (start["before"], start["after"]) == ({"status": "scheduled"}, {"status": "published"})


def test_a_mobile_number_is_never_written_in_full(admin: StaffClient, world: World) -> None:
    listing = admin.create(
        listing_input(
            target_id=world.jiuquhe.id,
            contact={"name": "何老师", "phone": "13812345678"},
            body="报名请打13812345678。",
        )
    )

    [create] = _listing_entries(admin, listing["id"])

    assert create["after"]["contact_phone"] == "138****5678"
    assert create["after"]["body"] == "报名请打138****5678。"
    assert "13812345678" not in json.dumps(create, ensure_ascii=False)


def test_do_record_masks_mobiles_and_drops_secrets(app: Flask, world: World) -> None:
    entry = do_record(
        action="registration.create",
        entity_type="registration",
        entity_id=1,
        place=world.jiuquhe,
        summary="13800001111 求职登记",
        staff=None,
        actor=RESIDENT_BY_CHANNEL["kiosk"],
        after={"mobile": "13800001111", "token": "secret", "password_hash": "x", "name": "王女士"},
    )
    db.session.commit()

    assert entry.after == {"mobile": "138****1111", "name": "王女士"}
    assert entry.summary == "138****1111 求职登记"
    assert entry.actor == "居民（自助机）"
    with pytest.raises(ValueError):
        do_record(
            action="x.y",
            entity_type="listing",
            entity_id=1,
            place=world.jiuquhe,
            summary="没有操作人",
            staff=None,
        )


# --- Refused actions leave nothing ------------------------------------------------


def test_a_refused_action_leaves_no_entry(admin: StaffClient, world: World) -> None:
    listing = admin.publish(listing_input(target_id=world.jiuquhe.id))
    url = f"{LISTINGS}/{listing['id']}"
    past = (utcnow() - timedelta(days=1)).isoformat()

    version = listing["version"]
    with database_unchanged():
        invalid = admin.put(
            url, json=listing_input(target_id=world.jiuquhe.id, title="", version=version)
        )
        # Refused by the action's check, from the listing's state.
        ended = admin.put(
            url, json=listing_input(target_id=world.jiuquhe.id, valid_until=past, version=version)
        )
        created = admin.post(LISTINGS, json=listing_input(target_id=10**6))
        republished = admin.post(f"{url}/publish", json={})

    assert_error(invalid, 422, fields={"title"})
    assert_error(ended, 422)
    assert_error(created, 422, fields={"target_id"})
    assert_error(republished, 409)
    assert admin.post(f"{url}/withdraw").status_code == 200
    with database_unchanged():
        assert_error(admin.post(f"{url}/withdraw"), 409)
    actions = [entry["action"] for entry in _listing_entries(admin, listing["id"])]
    assert actions == ["listing.withdraw", "listing.publish", "listing.create"]


# --- Screens and staff --------------------------------------------------------------


def test_screens_registered_enrolled_and_revoked_are_recorded(
    client: FlaskClient, station_staff: StaffClient, world: World
) -> None:
    tv = client.post("/api/screens", json={"community_id": world.jiuquhe.id}).json
    code = station_staff.post(f"/admin/api/sites/{world.station.id}/enrolment-codes").json["code"]
    kiosk = client.post("/api/screens/enrol", json={"code": code}).json
    revoked = station_staff.post(f"/admin/api/screens/{tv['screen']['id']}/revoke")
    assert revoked.status_code == 200

    revoke, enrol, register = _entries(station_staff, "entity_type=screen")
    [code_entry] = _entries(station_staff, "entity_type=enrolment_code")

    assert (register["action"], register["actor"], register["staff_id"]) == (
        "screen.register_tv",
        "居民（电视）",
        None,
    )
    assert code_entry["action"] == "enrolment_code.create"
    assert code_entry["actor"] == "九曲河站点"
    assert code_entry["after"]["site_id"] == world.station.id
    assert (enrol["action"], enrol["entity"]["id"]) == ("screen.enrol_kiosk", kiosk["screen"]["id"])
    assert revoke["action"] == "screen.revoke"
    assert revoke["entity"]["id"] == tv["screen"]["id"]
    assert revoke["actor"] == "九曲河站点"
    assert revoke["before"] == {"revoked_at": None} and revoke["after"]["revoked_at"]
    # Neither the code nor a screen's token is ever in the log.
    written = json.dumps(_entries(station_staff), ensure_ascii=False)
    assert code.replace(" ", "") not in written and tv["token"] not in written


def test_staff_accounts_created_and_passwords_set_are_recorded_without_secrets(
    app: Flask, admin: StaffClient, world: World
) -> None:
    created = do_create_staff(
        username="qianwan",
        display_name="前湾站点",
        password="qianwan-password-1",
        role=StaffRole.STATION,
        scope=world.qianwan,
        by=world.admin,
    )
    do_set_password(created, "qianwan-password-2", by=None)
    password_hash = created.password_hash

    reset, create = _entries(admin, f"entity_type=staff&entity_id={created.id}")

    assert (create["action"], create["actor"], create["staff_id"]) == (
        "staff.create",
        "市管理员",
        world.admin.id,
    )
    assert create["after"] == {
        "username": "qianwan",
        "display_name": "前湾站点",
        "role": "station",
        "scope_id": world.qianwan.id,
    }
    assert (reset["action"], reset["actor"]) == ("staff.set_password", CONSOLE)
    assert reset["after"] == {"password_changed": True}
    written = json.dumps([reset, create], ensure_ascii=False)
    assert "qianwan-password" not in written and password_hash not in written
    # The fixture's own accounts were made on the console.
    [station] = _entries(admin, f"action=staff.create&entity_id={world.station_staff.id}")
    assert (station["actor"], station["staff_id"]) == (CONSOLE, None)


def test_logging_out_and_being_locked_out_are_recorded(
    app: Flask, admin: StaffClient, station_staff: StaffClient, world: World
) -> None:
    assert station_staff.delete("/admin/api/session").status_code == 200
    client = app.test_client()
    csrf = {"X-CSRFToken": client.get("/admin/api/session").json["csrf_token"]}
    for _ in range(5):
        client.post(
            "/admin/api/session", json={"username": "jiuquhe", "password": "x"}, headers=csrf
        )

    lock, logout = _entries(admin, f"entity_type=staff&entity_id={world.station_staff.id}")[:2]

    assert (logout["action"], logout["actor"]) == ("staff.end_sessions", "九曲河站点")
    assert logout["summary"] == "「九曲河站点」（jiuquhe）退出登录"
    assert (lock["action"], lock["actor"], lock["staff_id"]) == ("staff.lock", SYSTEM, None)
    assert lock["after"]["locked_until"]


# --- Scope and search ---------------------------------------------------------------


def test_staff_see_only_entries_in_their_part_of_the_tree(
    admin: StaffClient, street_staff: StaffClient, station_staff: StaffClient, world: World
) -> None:
    own = admin.publish(listing_input(target_id=world.jiuquhe.id, title="九曲河的岗位"))
    neighbour = admin.publish(listing_input(target_id=world.qianwan.id, title="前湾的岗位"))
    other_street = admin.publish(listing_input(target_id=world.fuxing.id, title="复兴的岗位"))
    whole_city = admin.publish(listing_input(target_id=world.city.id, title="全市的岗位"))

    def listings(staff: StaffClient, query: str = "") -> set[int]:
        return {entry["entity"]["id"] for entry in _entries(staff, f"entity_type=listing&{query}")}

    assert listings(station_staff) == {own["id"]}
    assert listings(street_staff) == {own["id"], neighbour["id"]}
    assert listings(admin) == {own["id"], neighbour["id"], other_street["id"], whole_city["id"]}
    # Asking for an entity outside one's scope is refused, as opening it is.
    refused = station_staff.get(f"{AUDIT}?entity_type=listing&entity_id={neighbour['id']}")
    assert_error(refused, 403, code="forbidden", fields={"entity_id"})
    # Staff accounts are filed under their scope: the station sees only its own.
    staff_seen = {entry["entity"]["id"] for entry in _entries(station_staff, "entity_type=staff")}
    assert staff_seen == {world.station_staff.id}

    # Narrowing to a place: inside one's scope only.
    assert listings(street_staff, f"place_id={world.qianwan.id}") == {neighbour["id"]}
    assert listings(admin, f"place_id={world.huangdao_street.id}") == {own["id"], neighbour["id"]}
    for staff, place in (
        (station_staff, world.qianwan),
        (station_staff, world.huangdao_street),
        (street_staff, world.fuxing),
        (street_staff, world.city),
    ):
        assert_error(staff.get(f"{AUDIT}?place_id={place.id}"), 403, code="forbidden")
    assert_error(admin.get(f"{AUDIT}?place_id=99999"), 404, fields={"place_id"})


def test_only_staff_may_read_the_log(client: FlaskClient, world: World) -> None:
    assert_error(client.get(AUDIT), 401, code="login_required")


def test_search_by_text_action_staff_and_dates(
    admin: StaffClient, street_staff: StaffClient, world: World
) -> None:
    first = street_staff.publish(listing_input(target_id=world.jiuquhe.id, title="粉扑包装工"))
    second = admin.publish(listing_input(target_id=world.qianwan.id, title="手工花组装"))
    admin.post(f"{LISTINGS}/{second['id']}/withdraw")

    def found(query: str) -> list[tuple[str, int]]:
        return [
            (entry["action"], entry["entity"]["id"])
            for entry in _entries(admin, f"entity_type=listing&{query}")
        ]

    assert found("q=粉扑") == [("listing.publish", first["id"]), ("listing.create", first["id"])]
    assert found("q=黄岛街道") == found(f"staff_id={_staff_id('huangdao')}")
    assert len(found("q=黄岛街道")) == 2
    assert found("action=listing.withdraw") == [("listing.withdraw", second["id"])]
    assert found("q=%25") == []  # a literal %, not a wildcard
    today = local_today()
    assert len(found(f"from={today}&to={today}")) == 5
    assert found(f"to={today - timedelta(days=1)}") == []
    assert found(f"from={today + timedelta(days=1)}") == []

    page = admin.get(f"{AUDIT}?entity_type=listing&per_page=2&page=2").json
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (5, 2, 2, 2)


# --- Nobody can edit it -----------------------------------------------------------


def test_no_request_changes_an_entry(admin: StaffClient, world: World) -> None:
    listing = admin.create(listing_input(target_id=world.jiuquhe.id))
    [entry] = _listing_entries(admin, listing["id"])

    with database_unchanged():
        for method in ("post", "put", "delete"):
            response = getattr(admin, method)(AUDIT, json={"summary": "改过"})
            assert_error(response, 405, code="method_not_allowed")
            one = getattr(admin, method)(f"{AUDIT}/{entry['id']}", json={"summary": "改过"})
            assert_error(one, 404, code="not_found")
        assert_error(admin.http.patch(AUDIT, json={}), 405)


def test_the_app_refuses_to_update_or_delete_an_entry(app: Flask, world: World) -> None:
    make_listing(target=world.jiuquhe)
    entry = db.session.scalars(select(AuditEntry)).first()
    assert entry is not None

    entry.summary = "改过"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).summary != "改过"
