"""Matching registered people with jobs through the staff API, inside the staff's scope.

Station staff work for 九曲河社区, street staff for 黄岛街道 (九曲河 and 前湾);
复兴社区 lies in another street.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.factories import make_listing, make_registration
from tests.helpers import StaffClient, assert_error, database_unchanged

MOM_JOB = {
    "title": "服装车间“妈妈岗”缝纫工",
    "job": {
        "employer": "九曲河社区服装车间",
        "category": "mom_friendly",
        "pay": {"min": 2500, "unit": "month"},
        "work_hours": "8:30–11:00、13:30–15:30（接送孩子时间可离岗）",
        "flexible": True,
        "requirements": "家有12岁以下孩子的女性优先；有缝纫基础优先，无基础可培训",
    },
}
WELDER_JOB = {
    "title": "电焊工（钢结构车间）",
    "job": {
        "employer": "黄岛钢构",
        "category": "full_time",
        "work_hours": "8:00–17:00，偶尔加班另计",
        "requirements": "持有焊工特种作业操作证或电焊工培训结业证书",
    },
}


def matches(staff: StaffClient, url: str) -> list[dict[str, Any]]:
    response = staff.get(url)
    assert response.status_code == 200, response.json
    return response.json["items"]


def listing_matches(listing_id: int) -> str:
    return f"/admin/api/listings/{listing_id}/matches"


def registration_matches(registration_id: int) -> str:
    return f"/admin/api/registrations/{registration_id}/matches"


@pytest.fixture
def people(world: World) -> dict[str, Any]:
    """Who registered: two who fit the 妈妈岗, one half-fitting, and several who must not show."""
    return {
        "mother": make_registration(
            world.jiuquhe,
            name="缝纫的王女士",
            wanted=["mom_friendly"],
            skills="会缝纫",
            availability=["school_hours"],
        ),
        "part_timer": make_registration(
            world.qianwan,
            name="兼职的李女士",
            wanted=["part_time"],
            skills="会开车",
            availability=["weekday_evening"],
        ),
        "tailor": make_registration(
            world.qianwan,
            "gig_worker",
            name="裁缝刘师傅",
            trades=["缝纫", "改衣服"],
            availability=["anytime"],
        ),
        "welder": make_registration(
            world.jiuquhe,
            name="电焊的赵师傅",
            wanted=["full_time"],
            skills="电焊",
            availability=["weekday_day"],
        ),
        "other_street": make_registration(
            world.fuxing,
            name="复兴的孙女士",
            wanted=["mom_friendly"],
            skills="缝纫",
            availability=["school_hours"],
        ),
    }


def test_a_job_ranks_the_fitting_mother_first_and_says_why(
    world: World, street_staff: StaffClient, people: dict[str, Any]
) -> None:
    job = make_listing("job", target=world.huangdao_street, site_id=world.station.id, **MOM_JOB)
    closed = make_registration(
        world.jiuquhe, name="已关闭的周女士", wanted=["mom_friendly"], skills="缝纫"
    )
    street_staff.post(f"/admin/api/registrations/{closed.id}/status", json={"status": "closed"})

    found = matches(street_staff, listing_matches(job.id))

    names = [item["registration"]["name"] for item in found]
    assert names[0] == "缝纫的王女士"
    assert set(names) == {"缝纫的王女士", "裁缝刘师傅", "兼职的李女士"}
    assert names.index("缝纫的王女士") < names.index("兼职的李女士")
    best = found[0]
    assert best["reasons"][:2] == ["想找妈妈岗", "技能对口：缝纫"]
    assert any(reason.startswith("时间合适：孩子上学的时间") for reason in best["reasons"])
    assert "就在本社区" in best["reasons"]
    assert best["concerns"] == []
    half = found[names.index("兼职的李女士")]
    assert half["reasons"][0] == "想找兼职，与妈妈岗相近"
    assert half["concerns"][0].startswith("时间可能对不上")
    assert half["score"] < best["score"]
    for item in found:
        mobile = item["registration"]["mobile"]
        assert "****" in mobile and len(mobile) == 11
        assert item["registration"]["details"][0]["label"] == "年龄段"


def test_station_staff_see_only_their_own_residents_even_for_a_city_wide_job(
    world: World, station_staff: StaffClient, people: dict[str, Any]
) -> None:
    city_job = make_listing("job", target=world.city, **MOM_JOB)
    names = [
        item["registration"]["name"]
        for item in matches(station_staff, listing_matches(city_job.id))
    ]
    assert names == ["缝纫的王女士"]


@pytest.mark.parametrize(
    ("target", "publish"),
    [("fuxing", True), ("qianwan", True), ("city", False)],
    ids=["other-street", "neighbour-community", "city-wide-draft"],
)
def test_station_staff_cannot_match_a_job_that_is_not_theirs(
    world: World, station_staff: StaffClient, target: str, publish: bool
) -> None:
    job = make_listing("job", target=getattr(world, target), publish=publish, **MOM_JOB)
    with database_unchanged():
        response = station_staff.get(listing_matches(job.id))
    assert_error(response, 403, code="forbidden")


def test_only_jobs_are_matched_with_people(world: World, admin: StaffClient) -> None:
    training = make_listing("training", target=world.jiuquhe)
    assert_error(admin.get(listing_matches(training.id)), 422, code="not_a_job")
    applicant = make_registration(
        world.jiuquhe, "application", listing_id=make_listing("job", target=world.jiuquhe).id
    )
    assert_error(admin.get(registration_matches(applicant.id)), 422, code="not_a_worker")


def test_a_mother_is_shown_the_open_jobs_that_reach_her_and_fit(
    world: World, station_staff: StaffClient, people: dict[str, Any]
) -> None:
    mom_job = make_listing("job", target=world.huangdao_street, site_id=world.station.id, **MOM_JOB)
    piece_job = make_listing("job", target=world.city)  # 手工花组装（计件）, flexible
    make_listing("job", target=world.jiuquhe, **WELDER_JOB)
    make_listing("job", target=world.fuxing, **MOM_JOB)  # does not reach 九曲河
    make_listing("job", target=world.jiuquhe, publish=False, **MOM_JOB)  # a draft
    make_listing("training", target=world.jiuquhe)

    found = matches(station_staff, registration_matches(people["mother"].id))

    assert [item["listing"]["id"] for item in found] == [mom_job.id, piece_job.id]
    assert found[0]["listing"]["category_name"] == "妈妈岗"
    assert found[0]["listing"]["pay_text"] == "月薪2500元起"
    assert found[1]["reasons"][0] == "想找妈妈岗，与计件相近"

    welder_jobs = matches(station_staff, registration_matches(people["welder"].id))
    assert [item["listing"]["title"] for item in welder_jobs] == ["电焊工（钢结构车间）"]
    assert "技能对口：电焊" in welder_jobs[0]["reasons"]


def test_a_gig_worker_is_shown_gig_work_that_fits_the_trade(
    world: World, street_staff: StaffClient, people: dict[str, Any]
) -> None:
    make_listing(
        "job",
        target=world.huangdao_street,
        title="社区裁缝铺改衣零工",
        job={
            "employer": "前湾社区便民服务点",
            "category": "gig",
            "work_hours": "按预约",
            "requirements": "会缝纫、会用缝纫机",
        },
    )
    make_listing("job", target=world.huangdao_street, **WELDER_JOB)

    found = matches(street_staff, registration_matches(people["tailor"].id))

    assert [item["listing"]["title"] for item in found] == ["社区裁缝铺改衣零工"]
    assert found[0]["reasons"][:2] == ["零工岗位，适合登记的零工", "技能对口：缝纫"]


def test_matching_answers_only_as_many_as_asked_and_refuses_a_bad_limit(
    world: World, admin: StaffClient, people: dict[str, Any]
) -> None:
    job = make_listing("job", target=world.city, **MOM_JOB)
    assert len(matches(admin, listing_matches(job.id) + "?limit=1")) == 1
    for query in ("limit=0", "limit=101", "limit=abc", "limit=1&limit=2", "colour=red"):
        field = query.split("=")[0]
        for url in (listing_matches(job.id), registration_matches(people["mother"].id)):
            assert_error(admin.get(f"{url}?{query}"), 422, fields={field})
