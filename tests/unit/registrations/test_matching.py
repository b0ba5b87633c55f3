"""Matching people with jobs: the weighing alone, on plain values, with no database.

Work hours and requirements below are taken from the demo's seed listings.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk_server.registrations.matching import (
    Job,
    Person,
    distance_km,
    fitting_times,
    match,
    rank,
    skill_terms,
)

# 九曲河社区 and its station; 前湾社区 next door; 台东 across the bay.
JIUQUHE = (1, 35.971, 120.205)
QIANWAN = (2, 35.975, 120.21)
TAIDONG = (3, 36.081, 120.361)

MOM_JOB = Job(
    category="mom_friendly",
    title="服装车间“妈妈岗”缝纫工（接送孩子时间可离岗）",
    requirements="家有12岁以下孩子的女性优先；有缝纫基础优先，无基础可培训",
    other_text="",
    work_hours="8:30–11:00、13:30–15:30（接送孩子时间可离岗）",
    flexible=True,
    age_min=None,
    age_max=None,
    community_id=JIUQUHE[0],
    latitude=35.972,
    longitude=120.206,
)


def person(
    kind: str = "job_seeker",
    *,
    wanted: tuple[str, ...] = (),
    skills: str = "",
    availability: tuple[str, ...] = (),
    age_band: str | None = "25-39",
    place: tuple[int, float, float] = JIUQUHE,
) -> Person:
    return Person(
        kind=kind,
        wanted=wanted,
        skills=skill_terms([skills]),
        availability=availability,
        age_band=age_band,
        community_id=place[0],
        latitude=place[1],
        longitude=place[2],
    )


def test_skills_are_read_as_terms_without_the_words_around_them() -> None:
    assert skill_terms(["会缝纫，做过保洁经验、有电工证"]) == ("缝纫", "保洁", "电工证")
    assert skill_terms(["家电维修 和 水电"]) == ("家电维修", "水电")
    # One character says nothing; a blank says nothing.
    assert skill_terms(["会", " ", ""]) == ()


@pytest.mark.parametrize(
    ("work_hours", "flexible", "category", "fits"),
    [
        ("8:30–11:00、13:30–15:30", False, "part_time", {"school_hours", "weekday_day"}),
        (
            "8:00–17:00之间自由安排，每天干几个小时都行",
            True,
            "piece_rate",
            {"school_hours", "weekday_day", "weekend"},
        ),
        ("17:00–22:00，可只做周末", False, "gig", {"weekday_evening", "weekend"}),
        ("周六、周日 9:00–18:00", False, "part_time", {"weekend"}),
        ("15:30–18:00（周一至周五）", False, "mom_friendly", {"school_hours", "weekday_day"}),
        ("7:00–11:00、14:00–17:00", False, "public_welfare", {"weekday_day"}),
        ("19:00–21:00，每周2–3晚", False, "part_time", {"weekday_evening"}),
    ],
)
def test_work_hours_are_read_for_the_times_people_can_work(
    work_hours: str, flexible: bool, category: str, fits: set[str]
) -> None:
    job = replace(MOM_JOB, work_hours=work_hours, flexible=flexible, category=category)
    asked = ["school_hours", "weekday_day", "weekday_evening", "weekend"]
    found, known = fitting_times(asked, job)
    assert set(found) == fits
    assert known
    assert fitting_times(["anytime"], job)[0] == ["anytime"]


def test_hours_that_say_nothing_claim_no_fit_and_no_clash() -> None:
    job = replace(MOM_JOB, work_hours="面议", flexible=False, category="full_time")
    assert fitting_times(["weekday_day"], job) == ([], False)
    seeker = person(wanted=("full_time",), availability=("weekday_day",))
    found = match(seeker, job)
    assert found is not None and found.concerns == ()


def test_a_mother_wanting_mom_friendly_work_fits_with_every_reason_named() -> None:
    mother = person(wanted=("mom_friendly",), skills="会缝纫", availability=("school_hours",))

    found = match(mother, MOM_JOB)

    assert found is not None
    assert found.reasons[0] == "想找妈妈岗"
    assert "技能对口：缝纫" in found.reasons
    assert any(reason.startswith("时间合适：孩子上学的时间") for reason in found.reasons)
    assert "就在本社区" in found.reasons
    assert found.concerns == ()
    assert found.distance_km is not None and found.distance_km < 0.5


def test_work_nobody_asked_for_is_no_match_however_near() -> None:
    welder = person(wanted=("full_time",), skills="电焊", availability=("anytime",))
    assert match(welder, MOM_JOB) is None


def test_related_work_fits_but_below_what_was_asked_for() -> None:
    asked = person(wanted=("mom_friendly",), availability=("school_hours",))
    related = person(wanted=("part_time",), availability=("school_hours",))

    exact, close = match(asked, MOM_JOB), match(related, MOM_JOB)

    assert exact is not None and close is not None
    assert close.reasons[0] == "想找兼职，与妈妈岗相近"
    assert exact.score > close.score


def test_a_gig_workers_trade_fits_by_its_words_or_its_parts() -> None:
    repair_job = replace(
        MOM_JOB,
        category="gig",
        title="家电维修零工（就近派单，按单结算）",
        requirements="会维修家电或水电，有电工证的优先",
        work_hours="接单后约定上门时间",
    )
    trades = Person(
        kind="gig_worker",
        wanted=(),
        skills=skill_terms(["水电", "空调维修"]),
        availability=("weekend",),
        age_band="40-49",
        community_id=JIUQUHE[0],
        latitude=JIUQUHE[1],
        longitude=JIUQUHE[2],
    )

    found = match(trades, repair_job)

    assert found is not None
    assert "零工岗位，适合登记的零工" in found.reasons
    assert "技能对口：水电" in found.reasons
    assert "技能相近：空调维修（维修）" in found.reasons


def test_a_clash_of_hours_or_age_is_a_concern_that_lowers_the_score() -> None:
    evening = person(wanted=("mom_friendly",), availability=("weekday_evening",))
    day = person(wanted=("mom_friendly",), availability=("weekday_day",))
    older = person(wanted=("mom_friendly",), availability=("weekday_day",), age_band="60+")
    job = replace(MOM_JOB, age_min=18, age_max=50)

    clash, fits, too_old = match(evening, job), match(day, job), match(older, job)

    assert clash is not None and fits is not None and too_old is not None
    assert clash.concerns == (
        "时间可能对不上：岗位是8:30–11:00、13:30–15:30（接送孩子时间可离岗）",
    )
    assert too_old.concerns == ("岗位要求18–50岁，登记的是60岁以上",)
    assert fits.score > clash.score and fits.score > too_old.score


def test_nearer_people_rank_higher_and_far_ones_are_flagged() -> None:
    here = person(wanted=("mom_friendly",), place=JIUQUHE)
    next_door = person(wanted=("mom_friendly",), place=QIANWAN)
    across_the_bay = person(wanted=("mom_friendly",), place=TAIDONG)

    ranked = rank(
        [
            (name, match(p, MOM_JOB))
            for name, p in [("far", across_the_bay), ("near", next_door), ("here", here)]
        ],
        limit=10,
    )

    assert [name for name, _ in ranked] == ["here", "near", "far"]
    far = ranked[-1][1]
    assert far.distance_km is not None and far.distance_km > 15
    assert far.concerns == (f"离工作地点约{far.distance_km}公里，较远",)
    assert any(reason.startswith("离工作地点约") for reason in ranked[1][1].reasons)


def test_rank_drops_non_matches_and_keeps_the_given_order_at_equal_scores() -> None:
    same = person(wanted=("mom_friendly",))
    ranked = rank([("a", match(same, MOM_JOB)), ("none", None), ("b", match(same, MOM_JOB))], 1)
    assert [name for name, _ in ranked] == ["a"]


def test_distance_is_in_kilometres() -> None:
    # 黄岛 to 市北 across Jiaozhou Bay: about 20 km as the crow flies.
    assert 15 < distance_km(35.96, 120.19, 36.09, 120.37) < 25
    assert distance_km(35.97, 120.2, 35.97, 120.2) == 0
