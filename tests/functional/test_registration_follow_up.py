"""Following up registrations: filters, one registration, status moves with notes, CSV.

Station staff work for 九曲河社区, street staff for 黄岛街道 (九曲河 and 前湾).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from kiosk_server.admin import registrations as admin_registrations
from kiosk_server.extensions import db
from kiosk_server.registrations.models import Registration
from tests.conftest import World
from tests.factories import make_listing, make_registration
from tests.helpers import StaffClient, assert_error, database_unchanged

INBOX = "/admin/api/registrations"
CSV = "/admin/api/registrations.csv"
MAX_INT32 = 2**31 - 1


def one(registration_id: int) -> str:
    return f"{INBOX}/{registration_id}"


def status(registration_id: int) -> str:
    return f"{INBOX}/{registration_id}/status"


def _csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


# --- Status moves and notes ------------------------------------------------------


def test_a_registration_moves_step_by_step_and_keeps_every_note(
    world: World, station_staff: StaffClient
) -> None:
    registration = make_registration(world.jiuquhe, skills="会缝纫")
    steps = [
        ("contacted", "电话打通，下周一来站里"),
        ("contacted", "又确认了一次时间"),
        ("referred", "推荐到服装车间妈妈岗"),
        ("hired", ""),
    ]
    for new_status, note in steps:
        response = station_staff.post(
            status(registration.id), json={"status": new_status, "note": note}
        )
        assert response.status_code == 200, response.json
        assert response.json["status"] == new_status

    shown = station_staff.get(one(registration.id)).json
    assert shown["status_name"] == "已上岗"
    assert shown["next_statuses"] == []
    notes = shown["notes"]
    assert len(notes) == 4
    assert notes[0].endswith("九曲河站点：新登记 → 已联系，电话打通，下周一来站里")
    assert notes[1].endswith("九曲河站点：又确认了一次时间")
    assert notes[3].endswith("九曲河站点：已推荐 → 已上岗")
    assert all(line[:4].isdigit() for line in notes)  # each starts with when


@pytest.mark.parametrize("path", [[], ["contacted"], ["contacted", "referred"]])
def test_any_open_registration_can_be_closed_and_closed_is_final(
    world: World, station_staff: StaffClient, path: list[str]
) -> None:
    registration = make_registration(world.jiuquhe)
    for step in [*path, "closed"]:
        assert station_staff.post(status(registration.id), json={"status": step}).status_code == 200

    with database_unchanged():
        response = station_staff.post(status(registration.id), json={"status": "contacted"})
    error = assert_error(response, 409, code="status_not_allowed", fields={"status"})
    assert error["fields"]["status"] == "“已关闭”的登记不能再改状态"


@pytest.mark.parametrize(
    ("path", "wanted", "http", "message"),
    [
        ([], "referred", 409, "“新登记”的登记只能改为：已联系、已关闭"),
        ([], "hired", 409, "“新登记”的登记只能改为：已联系、已关闭"),
        (["contacted"], "new", 409, "“已联系”的登记只能改为：已推荐、已关闭"),
        (["contacted", "referred", "hired"], "closed", 409, "“已上岗”的登记不能再改状态"),
        ([], "new", 422, "已经是“新登记”了；只加备注请填写备注"),
    ],
)
def test_a_move_out_of_order_is_refused_beside_the_status_and_changes_nothing(
    world: World,
    station_staff: StaffClient,
    path: list[str],
    wanted: str,
    http: int,
    message: str,
) -> None:
    registration = make_registration(world.jiuquhe)
    for step in path:
        assert station_staff.post(status(registration.id), json={"status": step}).status_code == 200

    with database_unchanged():
        response = station_staff.post(status(registration.id), json={"status": wanted})
    assert assert_error(response, http, fields={"status"})["fields"]["status"] == message


def test_a_note_alone_keeps_the_status(world: World, street_staff: StaffClient) -> None:
    registration = make_registration(world.qianwan)
    response = street_staff.post(status(registration.id), json={"status": "new", "note": "没接"})
    assert response.json["status"] == "new"
    assert response.json["notes"][-1].endswith("黄岛街道专员：没接")


def test_closing_a_training_sign_up_gives_its_seat_back(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    training = make_listing("training", target=world.jiuquhe)
    session = training.sessions[0]
    registration = make_registration(
        world.jiuquhe, "training_signup", listing_id=training.id, session_id=session.id
    )
    seats = client.get(f"/api/listings/{training.id}").json["training"]["sessions"][0]
    assert seats["seats_left"] == seats["seats"] - 1

    admin.post(status(registration.id), json={"status": "closed", "note": "本人说去不了"})

    seats = client.get(f"/api/listings/{training.id}").json["training"]["sessions"][0]
    assert seats["seats_left"] == seats["seats"]


BAD_BODIES = [
    pytest.param({}, {"status"}, id="empty"),
    pytest.param({"status": "lost"}, {"status"}, id="unknown-status"),
    pytest.param({"status": 1}, {"status"}, id="status-a-number"),
    pytest.param({"status": "contacted", "note": "长" * 301}, {"note"}, id="note-too-long"),
    pytest.param({"status": "contacted", "note": "第一行\n第二行"}, {"note"}, id="note-newline"),
    pytest.param({"status": "contacted", "note": "a\x00"}, {"note"}, id="note-nul"),
    pytest.param({"status": "contacted", "note": 5}, {"note"}, id="note-a-number"),
    pytest.param({"status": "contacted", "by": "me"}, {"by"}, id="unknown-field"),
]


@pytest.mark.parametrize(("body", "fields"), BAD_BODIES)
def test_a_bad_follow_up_is_refused_with_the_field_named(
    world: World, station_staff: StaffClient, body: dict[str, Any], fields: set[str]
) -> None:
    registration = make_registration(world.jiuquhe)
    with database_unchanged():
        response = station_staff.post(status(registration.id), json=body)
    assert_error(response, 422, code="validation_failed", fields=fields)


# --- One registration ----------------------------------------------------------


def test_one_registration_shows_its_answers_in_chinese_with_the_mobile_masked(
    world: World, admin: StaffClient
) -> None:
    job = make_listing("job", target=world.huangdao_street)
    seeker = make_registration(
        world.jiuquhe,
        wanted=["mom_friendly", "piece_rate"],
        skills="会缝纫",
        availability=["school_hours", "weekend"],
    )
    applicant = make_registration(
        world.qianwan, "application", listing_id=job.id, share_with_employer=True
    )

    shown = admin.get(one(seeker.id)).json
    assert shown["mobile"] == f"{seeker.mobile[:3]}****{seeker.mobile[-4:]}"
    assert seeker.mobile not in str(shown)
    answers = {item["label"]: item["text"] for item in shown["details"]}
    assert answers == {
        "年龄段": "40–49岁",
        "想找的工作": "妈妈岗、计件",
        "技能": "会缝纫",
        "方便的时间": "孩子上学的时间、周末",
    }
    assert shown["kind_name"] == "求职登记" and shown["channel_name"] == "手机"
    assert shown["next_statuses"] == [
        {"status": "contacted", "name": "已联系"},
        {"status": "closed", "name": "已关闭"},
    ]

    shown = admin.get(one(applicant.id)).json
    assert shown["listing"]["title"] == job.title
    assert shown["listing"]["kind_name"] == "岗位"
    assert {"label": "转给用人单位", "text": "同意"}.items() <= shown["details"][-1].items()


# --- Scope -----------------------------------------------------------------------


def test_station_staff_cannot_read_change_match_or_export_a_neighbours_registration(
    world: World, station_staff: StaffClient, street_staff: StaffClient
) -> None:
    own = make_registration(world.jiuquhe, name="九曲河的人")
    neighbour = make_registration(world.qianwan, name="前湾的人")

    with database_unchanged():
        responses = [
            station_staff.get(one(neighbour.id)),
            station_staff.post(status(neighbour.id), json={"status": "contacted"}),
            station_staff.get(f"{one(neighbour.id)}/matches"),
            station_staff.get(f"{INBOX}?community_id={world.qianwan.id}"),
            station_staff.get(f"{CSV}?community_id={world.qianwan.id}"),
            station_staff.get(f"{INBOX}?community_id={world.huangdao_street.id}"),
        ]
    for response in responses:
        assert_error(response, 403, code="forbidden")

    listed = station_staff.get(INBOX).json["items"]
    assert [item["name"] for item in listed] == ["九曲河的人"]
    exported = _csv_rows(station_staff.get(CSV))
    assert [row[3] for row in exported[1:]] == ["九曲河的人"]

    # Their street's staff see both.
    assert street_staff.get(one(neighbour.id)).status_code == 200
    assert street_staff.get(one(own.id)).status_code == 200
    assert len(_csv_rows(street_staff.get(CSV))) == 3


def test_every_follow_up_route_needs_a_login(client: FlaskClient, world: World) -> None:
    registration = make_registration(world.jiuquhe)
    listing = make_listing("job", target=world.jiuquhe)
    headers = {"X-CSRFToken": client.get("/admin/api/session").json["csrf_token"]}
    with database_unchanged():
        responses = [
            client.get(INBOX),
            client.get(CSV),
            client.get(one(registration.id)),
            client.post(status(registration.id), json={"status": "contacted"}, headers=headers),
            client.get(f"{one(registration.id)}/matches"),
            client.get(f"/admin/api/listings/{listing.id}/matches"),
        ]
    for response in responses:
        assert_error(response, 401, code="login_required")


# --- Filters -----------------------------------------------------------------------


def _created_at(registration: Registration, moment: datetime) -> None:
    db.session.execute(
        update(Registration).where(Registration.id == registration.id).values(created_at=moment)
    )
    db.session.commit()


def test_filters_narrow_the_inbox_and_the_export_alike(
    world: World, admin: StaffClient, street_staff: StaffClient
) -> None:
    job = make_listing("job", target=world.huangdao_street)
    late_on_1_march = make_registration(world.jiuquhe, name="张女士")
    early_on_2_march = make_registration(world.qianwan, "gig_worker", name="李师傅")
    applicant = make_registration(world.qianwan, "application", listing_id=job.id, name="赵先生")
    make_registration(world.fuxing, name="张先生")  # another street
    # 23:30 and 00:30 in China are 15:30 and 16:30 UTC of the same UTC day.
    _created_at(late_on_1_march, datetime(2025, 3, 1, 15, 30, tzinfo=UTC))
    _created_at(early_on_2_march, datetime(2025, 3, 1, 16, 30, tzinfo=UTC))
    admin.post(status(applicant.id), json={"status": "contacted"})

    def names(staff: StaffClient, query: str) -> set[str]:
        response = staff.get(f"{INBOX}?{query}")
        assert response.status_code == 200, response.json
        listed = {item["name"] for item in response.json["items"]}
        exported = {row[3] for row in _csv_rows(staff.get(f"{CSV}?{query}"))[1:]}
        assert listed == exported
        return listed

    assert names(admin, "") == {"张女士", "李师傅", "赵先生", "张先生"}
    assert names(admin, "kind=gig_worker") == {"李师傅"}
    assert names(admin, "status=contacted") == {"赵先生"}
    assert names(admin, f"listing_id={job.id}") == {"赵先生"}
    assert names(admin, f"community_id={world.qianwan.id}") == {"李师傅", "赵先生"}
    assert names(admin, f"community_id={world.huangdao_street.id}") == {
        "张女士",
        "李师傅",
        "赵先生",
    }
    assert names(admin, "from=2025-03-01&to=2025-03-01") == {"张女士"}
    assert names(admin, "from=2025-03-02&to=2025-03-02") == {"李师傅"}
    assert names(admin, "to=2025-03-02") == {"张女士", "李师傅"}
    assert names(admin, "q=张") == {"张女士", "张先生"}
    assert names(admin, f"q={applicant.reference.lower()}") == {"赵先生"}
    assert names(admin, "q=100%25") == set()
    assert names(street_staff, "q=张") == {"张女士"}
    assert names(admin, f"kind=gig_worker&community_id={world.jiuquhe.id}") == set()


@pytest.mark.parametrize(
    ("query", "http", "fields"),
    [
        (f"listing_id={MAX_INT32}", 404, {"listing_id"}),
        (f"community_id={MAX_INT32}", 404, {"community_id"}),
        ("from=2025-03-02&to=2025-03-01", 422, {"to"}),
        ("from=2025-02-30", 422, {"from"}),
        ("from=2025-03-01T00:00:00", 422, {"from"}),
        ("to=明天", 422, {"to"}),
        ("page=2", 422, {"page"}),  # the export has no pages
    ],
)
def test_bad_filters_are_refused_by_the_inbox_and_the_export(
    world: World, admin: StaffClient, query: str, http: int, fields: set[str]
) -> None:
    for url in (INBOX, CSV):
        if url == INBOX and query.startswith("page"):
            continue
        assert_error(admin.get(f"{url}?{query}"), http, fields=fields)


# --- CSV ---------------------------------------------------------------------------------


def test_export_opens_in_excel_as_utf8_with_chinese_headers_and_masked_mobiles(
    world: World, admin: StaffClient
) -> None:
    job = make_listing("job", target=world.jiuquhe)
    applicant = make_registration(world.jiuquhe, "application", listing_id=job.id, name="王女士")
    admin.post(status(applicant.id), json={"status": "contacted", "note": "已约周一面试"})

    response = admin.get(CSV)

    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    header, row = _csv_rows(response)
    assert header == [
        "登记号", "类型", "状态", "姓名", "手机", "社区", "信息", "登记时间", "渠道", "备注",
    ]  # fmt: skip
    assert row[:6] == [
        applicant.reference,
        "我要应聘",
        "已联系",
        "王女士",
        f"{applicant.mobile[:3]}****{applicant.mobile[-4:]}",
        "九曲河社区",
    ]
    assert row[6].startswith(f"岗位：{job.title}；年龄段：40–49岁")
    assert row[8] == "手机"
    assert row[9].endswith("市管理员：新登记 → 已联系，已约周一面试")
    assert applicant.mobile.encode() not in response.data


@pytest.mark.parametrize("name", ["=王女士", "+王女士", "-王女士", "@王女士"])
def test_export_cells_cannot_start_a_formula(world: World, admin: StaffClient, name: str) -> None:
    make_registration(world.jiuquhe, name=name)
    [_header, row] = _csv_rows(admin.get(CSV))
    assert row[3] == "'" + name


def test_an_export_too_big_to_build_asks_for_narrower_filters(
    world: World, admin: StaffClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        make_registration(world.jiuquhe)
    monkeypatch.setattr(admin_registrations, "MAX_EXPORT_ROWS", 2)

    assert_error(admin.get(CSV), 422, code="too_many_rows")
    assert len(_csv_rows(admin.get(f"{CSV}?kind=gig_worker"))) == 1  # the header alone


def test_the_inbox_lists_newest_first_with_masked_mobiles(
    world: World, station_staff: StaffClient
) -> None:
    first = make_registration(world.jiuquhe, name="先来的")
    second = make_registration(world.jiuquhe, name="后来的")
    items = station_staff.get(INBOX).json["items"]
    assert [item["id"] for item in items] == [second.id, first.id]
    assert all("****" in item["mobile"] for item in items)


def test_revealing_a_mobile_is_written_to_the_audit_log(
    world: World, admin: StaffClient, station_staff: StaffClient
) -> None:
    mine = make_registration(world.jiuquhe)
    theirs = make_registration(world.fuxing)

    revealed = station_staff.post(f"/admin/api/registrations/{mine.id}/reveal")
    with database_unchanged():
        refused = station_staff.post(f"/admin/api/registrations/{theirs.id}/reveal")

    assert revealed.status_code == 200 and revealed.json["mobile"] == mine.mobile
    assert refused.status_code == 403
    [entry] = admin.get(
        f"/admin/api/audit?action=registration.reveal_mobile&entity_id={mine.id}"
    ).json["items"]
    assert entry["actor"] == world.station_staff.display_name
    assert mine.mobile not in str(entry)  # the log says who looked, not the number


def test_follow_ups_and_residents_own_registrations_are_on_the_audit_log(
    world: World, admin: StaffClient, street_staff: StaffClient, client: FlaskClient
) -> None:
    listing = make_listing("job", target=world.jiuquhe)
    body = {
        "kind": "application",
        "idempotency_key": "audit-trail-0001",
        "consent": True,
        "name": "王女士",
        "mobile": "13812345678",
        "community_id": world.jiuquhe.id,
        "age_band": "40-49",
        "listing_id": listing.id,
    }
    reference = client.post("/api/registrations", json=body).json["reference"]
    registration = db.session.scalar(
        select(Registration).where(Registration.reference == reference)
    )
    street_staff.post(
        f"/admin/api/registrations/{registration.id}/status",
        json={"status": "contacted", "note": "已约周一面试"},
    )

    entries = admin.get(
        f"/admin/api/audit?entity_type=registration&entity_id={registration.id}"
    ).json["items"]
    by_action = {entry["action"]: entry for entry in entries}
    assert by_action["registration.create"]["actor"] == "居民（手机）"
    follow_up = by_action["registration.follow_up"]
    assert follow_up["actor"] == world.street_staff.display_name
    assert follow_up["before"]["status"] == "new"
    assert follow_up["after"] == {"status": "contacted", "note": "已约周一面试"}
    assert "13812345678" not in str(entries)
