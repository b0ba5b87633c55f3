"""Registering from a phone: the kiosk's five flows as plain forms, into the same records."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from kiosk_server.extensions import db
from kiosk_server.listings.models import TrainingSession
from kiosk_server.registrations import actions
from kiosk_server.registrations.models import Registration
from kiosk_server.timeutil import local_today
from tests.conftest import World
from tests.factories import listing_input
from tests.helpers import StaffClient, assert_chinese, database_unchanged, hidden_fields

SHARE = "同意把我的姓名和手机号转给招聘单位"


def _person(world: World, **answers: Any) -> dict[str, Any]:
    return {
        "consent": "yes",
        "name": "王女士",
        "mobile": "138 0000 1234",  # as people type it
        "community_id": str(world.jiuquhe.id),
        "age_band": "40-49",
        **answers,
    }


def _form(client: FlaskClient, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return hidden_fields(page.get_data(as_text=True))


def _post(client: FlaskClient, url: str, hidden: dict[str, str], answers: dict) -> TestResponse:
    return client.post(url, data={**hidden, **answers})


def _register(client: FlaskClient, url: str, answers: dict[str, Any]) -> str:
    """Fill in the form as a phone would; return the confirmation page."""
    response = _post(client, url, _form(client, url), answers)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    done = client.get(response.headers["Location"])
    assert done.status_code == 200
    return done.get_data(as_text=True)


def _reference(page: str) -> str:
    found = re.search(r'<dd class="reference">(\w+)</dd>', page)
    assert found, page[:2000]
    return found.group(1)


def _rows() -> list[Registration]:
    db.session.expire_all()  # the requests wrote on their own connections
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def _error(page: str, field: str) -> str | None:
    """The message shown beside a field, and only if the control points to it."""
    found = re.search(rf'<p class="error-text" id="{field}-error">([^<]*)</p>', page)
    if found is None:
        return None
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error\b', page), field
    return html.unescape(found.group(1))


def _manage_link(page: str) -> str:
    return html.unescape(re.search(r'<a class="call" href="([^"]+)"', page).group(1))


# --- The five flows, end to end ----------------------------------------------


def test_a_job_seeker_registers_on_the_phone(world: World, client: FlaskClient) -> None:
    form = client.get("/register/job-seeker").get_data(as_text=True)
    assert "就享家 就业服务站" in form and "12个月" in form and "12333" in form
    assert form.index("您的信息怎么用") < form.index('name="name"')  # the notice comes first
    consent = re.search(r'<input type="checkbox" id="consent" name="consent"[^>]*>', form)
    assert consent and "checked" not in consent.group(0)
    assert "身份证号码" not in form and 'name="id_card"' not in form

    done = _register(
        client,
        "/register/job-seeker",
        _person(
            world,
            wanted=["mom_friendly", "piece_rate"],
            availability=["school_hours"],
            skills="会缝纫",
        ),
    )

    [row] = _rows()
    assert (row.kind, row.channel, row.listing_id) == ("job_seeker", "phone", None)
    assert (row.name, row.mobile, row.community_id) == ("王女士", "13800001234", world.jiuquhe.id)
    assert row.details == {
        "age_band": "40-49",
        "wanted": ["mom_friendly", "piece_rate"],
        "skills": "会缝纫",
        "availability": ["school_hours"],
    }
    assert row.reference in done and "求职登记成功" in done
    manage = client.get(_manage_link(done).removeprefix("http://localhost"))
    assert manage.status_code == 200 and "138****1234" in manage.get_data(as_text=True)


def test_a_gig_worker_lists_trades_the_way_people_write_them(
    world: World, client: FlaskClient
) -> None:
    _register(
        client,
        "/register/gig-worker",
        _person(
            world,
            trades="保洁、家电维修，搬家",
            service_area="黄岛街道",
            availability=["weekend", "weekday_evening"],
        ),
    )

    [row] = _rows()
    assert (row.kind, row.channel) == ("gig_worker", "phone")
    assert row.details["trades"] == ["保洁", "家电维修", "搬家"]
    assert row.details["service_area"] == "黄岛街道"
    assert row.details["availability"] == ["weekend", "weekday_evening"]


def test_the_listing_page_leads_to_the_right_form_and_events_have_none(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    listings = {
        kind: admin.publish(listing_input(kind, target_id=world.jiuquhe.id))["id"]
        for kind in ("job", "training", "subsidy", "event")
    }
    buttons = {
        "job": ("apply", "我要应聘"),
        "training": ("signup", "培训报名"),
        "subsidy": ("consult", "政策咨询预约"),
    }
    for kind, (path, label) in buttons.items():
        page = client.get(f"/l/{listings[kind]}").get_data(as_text=True)
        assert f'<a class="call register" href="/l/{listings[kind]}/{path}">{label}</a>' in page
        assert 'href="/register/"' in page  # 求职、零工登记 in the footer
    event = client.get(f"/l/{listings['event']}").get_data(as_text=True)
    assert 'class="call register"' not in event
    for path in ("apply", "signup", "consult"):
        assert client.get(f"/l/{listings['event']}/{path}").status_code == 404
    assert client.get(f"/l/{listings['job']}/signup").status_code == 404  # a job has no sessions
    index = client.get("/register/").get_data(as_text=True)
    assert 'href="/register/job-seeker"' in index and 'href="/register/gig-worker"' in index


def test_an_application_names_the_site_and_asks_separately_to_share_with_the_employer(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    world.station.phone = "0532-8688 0001"
    db.session.commit()
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id, site_id=world.station.id))
    url = f"/l/{job['id']}/apply"

    form = client.get(url).get_data(as_text=True)
    assert world.station.name in html.unescape(form) and "0532-8688 0001" in form
    assert SHARE in form
    assert not re.search(r'name="share_with_employer" value="yes"[^>]*checked', form)

    _register(client, url, _person(world, share_with_employer="yes"))
    _register(client, url, _person(world, mobile="13900005678"))

    shared, kept = _rows()
    assert (shared.kind, shared.channel, shared.listing_id) == ("application", "phone", job["id"])
    assert shared.details == {"age_band": "40-49"}
    assert (shared.share_with_employer, kept.share_with_employer) == (True, False)


def test_a_training_signup_takes_a_seat_in_the_chosen_session(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    training = admin.publish(listing_input("training", target_id=world.jiuquhe.id))
    session_id = training["training"]["sessions"][0]["id"]

    done = _register(
        client, f"/l/{training['id']}/signup", _person(world, session_id=str(session_id))
    )

    [row] = _rows()
    assert (row.kind, row.channel) == ("training_signup", "phone")
    assert (row.listing_id, row.session_id, row.waitlisted) == (training["id"], session_id, False)
    assert "培训报名成功" in done and "上课时间" in done
    assert db.session.get(TrainingSession, session_id).seats_taken == 1


def test_a_consultation_is_booked_for_a_day_in_the_next_two_weeks(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    subsidy = admin.publish(listing_input("subsidy", target_id=world.jiuquhe.id))
    url = f"/l/{subsidy['id']}/consult"
    day = (local_today() + timedelta(days=3)).isoformat()
    form = client.get(url).get_data(as_text=True)
    offered = re.findall(r'<option value="(\d{4}-\d\d-\d\d)"', form)
    assert len(offered) == 14 and day in offered
    assert local_today().isoformat() not in offered

    too_late = (local_today() + timedelta(days=20)).isoformat()
    with database_unchanged():
        refused = _post(client, url, _form(client, url), _person(world, preferred_day=too_late))
    assert refused.status_code == 422
    assert _error(refused.get_data(as_text=True), "preferred_day") == "请在今后14天里选一天"
    assert _error(refused.get_data(as_text=True), "half_day") == "请选择上午或下午"

    done = _register(client, url, _person(world, preferred_day=day, half_day="pm"))

    [row] = _rows()
    assert (row.kind, row.channel, row.listing_id) == ("consultation", "phone", subsidy["id"])
    assert row.details == {"age_band": "40-49", "preferred_day": day, "half_day": "pm"}
    assert "下午" in done


# --- Refusals: said beside the field, in Chinese, nothing stored --------------


def test_consent_is_required_and_what_was_typed_is_kept(world: World, client: FlaskClient) -> None:
    url = "/register/job-seeker"
    answers = _person(world, consent="", wanted=["gig"], availability=["anytime"], skills="电工")
    with database_unchanged():
        response = _post(client, url, _form(client, url), answers)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _error(page, "consent") == "请先同意我们按说明使用您的手机号"
    assert 'value="王女士"' in page and 'value="138 0000 1234"' in page
    assert ">电工</textarea>" in page
    assert f'<option value="{world.jiuquhe.id}" selected>' in page
    assert re.search(r'name="wanted" value="gig" checked', page)
    assert re.search(r'name="age_band" value="40-49" checked', page)


def test_each_mistake_is_explained_beside_its_field(world: World, client: FlaskClient) -> None:
    url = "/register/job-seeker"
    answers = {"consent": "yes", "name": "", "mobile": "138 0000 12", "skills": "会缝纫"}
    with database_unchanged():
        response = _post(client, url, _form(client, url), answers)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    expected = {
        "name": "请填写姓名，也可以只写姓，如“王女士”",
        "mobile": "请输入11位手机号码",
        "community_id": "请选择您住的社区",
        "age_band": "请选择您的年龄段",
        "wanted": "请至少选一种想做的工作",
        "availability": "请至少选一个方便的时间",
    }
    for field, message in expected.items():
        assert _error(page, field) == message
        assert_chinese(message)
    assert _error(page, "consent") is None and _error(page, "skills") is None
    assert "有6处需要修改" in page
    assert "会缝纫" in page


def test_under_16s_are_turned_away_kindly(world: World, client: FlaskClient) -> None:
    url = "/register/gig-worker"
    form = client.get(url).get_data(as_text=True)
    assert 'value="under_16"' in form and "16岁以下" in form
    answers = _person(
        world, age_band="under_16", trades="保洁", service_area="黄岛", availability=["weekend"]
    )
    with database_unchanged():
        response = _post(client, url, _form(client, url), answers)
    assert response.status_code == 422
    message = _error(response.get_data(as_text=True), "age_band")
    assert message == "未满16岁不能登记，欢迎满16岁后再来"


def test_applying_twice_for_one_job_is_answered_not_stored(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    url = f"/l/{job['id']}/apply"
    first = _register(client, url, _person(world))

    again = _register(client, url, _person(world, mobile="13800001234"))

    # The same page as the first time (its own reference): nothing to say the number
    # had applied (issue 22); staff still have one application.
    assert "登记好了" in again and "已经登记过" not in again
    assert _reference(again) != _reference(first)
    assert len(_rows()) == 1


def test_a_listing_withdrawn_while_the_form_is_open_says_so(
    world: World, admin: StaffClient, client: FlaskClient
) -> None:
    job = admin.publish(listing_input("job", target_id=world.jiuquhe.id))
    url = f"/l/{job['id']}/apply"
    hidden = _form(client, url)
    admin.post(f"/admin/api/listings/{job['id']}/withdraw")

    with database_unchanged():
        late = _post(client, url, hidden, _person(world))
    page = late.get_data(as_text=True)
    assert late.status_code == 410 and "这条信息已下架，不能再登记" in page
    assert "<form" not in page  # nothing left to fill in
    reopened = client.get(url)
    assert reopened.status_code == 410 and "<form" not in reopened.get_data(as_text=True)


def test_a_session_that_fills_up_offers_the_waiting_list_and_taking_it_works(
    world: World, admin: StaffClient, client: FlaskClient, app: Flask
) -> None:
    body = listing_input("training", target_id=world.jiuquhe.id)
    body["training"]["sessions"][0]["seats"] = 1
    training = admin.publish(body)
    session_id = str(training["training"]["sessions"][0]["id"])
    url = f"/l/{training['id']}/signup"
    hidden = _form(client, url)
    assert 'name="waitlist"' not in client.get(url).get_data(as_text=True)  # seats are left

    _register(app.test_client(), url, _person(world, mobile="13900000001", session_id=session_id))
    with database_unchanged():
        full = _post(client, url, hidden, _person(world, session_id=session_id))

    page = full.get_data(as_text=True)
    assert full.status_code == 409
    assert "这一期已经报满了，可以排队候补" in page
    assert _error(page, "waitlist") and 'name="waitlist" value="yes"' in page
    assert hidden_fields(page)["idempotency_key"] == hidden["idempotency_key"]
    assert "已报满，可以候补" in client.get(url).get_data(as_text=True)

    queued = _post(
        client, url, hidden_fields(page), _person(world, session_id=session_id, waitlist="yes")
    )
    done = client.get(queued.headers["Location"]).get_data(as_text=True)

    assert "已排上候补" in done and "有空位时工作人员会联系您" in done
    first, second = _rows()
    assert (first.waitlisted, second.waitlisted) == (False, True)
    assert second.session_id == int(session_id) and second.channel == "phone"
    assert db.session.get(TrainingSession, int(session_id)).seats_taken == 1


def test_too_many_registrations_from_one_number_are_refused_on_the_page(
    world: World, admin: StaffClient, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "RATE_PER_MOBILE", (1, timedelta(days=1)))
    jobs = [admin.publish(listing_input("job", target_id=world.jiuquhe.id)) for _ in range(2)]
    _register(client, f"/l/{jobs[0]['id']}/apply", _person(world))
    url = f"/l/{jobs[1]['id']}/apply"
    with database_unchanged():
        refused = _post(client, url, _form(client, url), _person(world))
    assert refused.status_code == 429 and "今天登记太多次了" in refused.get_data(as_text=True)


# --- Submitting twice, forged and stale forms ---------------------------------


def test_a_double_submit_or_a_refresh_makes_one_record(world: World, client: FlaskClient) -> None:
    url = "/register/job-seeker"
    hidden = _form(client, url)
    answers = _person(world, wanted=["gig"], availability=["anytime"])

    first = _post(client, url, hidden, answers)
    again = _post(client, url, hidden, answers)  # the second tap, or the browser's resubmit
    client.get(first.headers["Location"])
    client.get(first.headers["Location"])  # refreshing the confirmation

    assert (first.status_code, again.status_code) == (303, 303)
    assert first.headers["Location"] == again.headers["Location"]
    assert len(_rows()) == 1
    assert client.get(url).headers["Cache-Control"] == "no-store"  # back gets a fresh key
    assert (
        hidden_fields(client.get(url).get_data(as_text=True))["idempotency_key"]
        != (hidden["idempotency_key"])
    )


def test_a_tampered_idempotency_key_is_refused_and_replaced(
    world: World, client: FlaskClient
) -> None:
    url = "/register/job-seeker"
    answers = _person(world, wanted=["gig"], availability=["anytime"])
    hidden = {**_form(client, url), "idempotency_key": "x"}
    with database_unchanged():
        refused = _post(client, url, hidden, answers)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "有1处需要修改" in page
    assert _post(client, url, hidden_fields(page), answers).status_code == 303


def test_a_post_without_the_csrf_token_is_refused(world: World, client: FlaskClient) -> None:
    url = "/register/job-seeker"
    hidden = _form(client, url)
    answers = _person(world, wanted=["gig"], availability=["anytime"])
    for token in ({}, {"csrf_token": "forged"}):
        with database_unchanged():
            refused = client.post(url, data={**answers, **token, "idempotency_key": "k" * 12})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and "页面已过期" in page
        assert f'<a class="call" href="{url}">' in page  # the form, afresh
    assert _post(client, url, hidden, answers).status_code == 303


def test_the_confirmation_page_needs_its_token(world: World, client: FlaskClient) -> None:
    _register(
        client,
        "/register/job-seeker",
        _person(world, wanted=["gig"], availability=["anytime"]),
    )
    [row] = _rows()
    for query in ("", "?t=0123456789abcdef01234567"):
        missing = client.get(f"/r/{row.reference}/done{query}")
        assert missing.status_code == 404 and "王女士" not in missing.get_data(as_text=True)
