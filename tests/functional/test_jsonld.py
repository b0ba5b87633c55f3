"""The phone page's schema.org JSON-LD, every kind, checked as a search engine would.

JobPosting against Google's job-posting guidelines (required: title, description,
datePosted, hiringOrganization, jobLocation; recommended: validThrough,
employmentType, baseSalary, identifier, directApply), and every type against
schema.org: each property one the type has, each value of a type the property takes.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from tests.factories import World, listing_input
from tests.helpers import StaffClient

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)

# Google's job-posting guidelines.
EMPLOYMENT_TYPES = {
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
    "VOLUNTEER",
    "PER_DIEM",
    "OTHER",
}
SALARY_UNITS = {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}

# The properties schema.org gives each type we use (own and inherited, those we
# could use), so a misspelt or misplaced property fails here as it would in a validator.
THING = {"@context", "@type", "name", "description", "url", "identifier", "image", "sameAs"}
PROPERTIES: dict[str, set[str]] = {
    "JobPosting": THING
    | {
        "title",
        "datePosted",
        "validThrough",
        "employmentType",
        "hiringOrganization",
        "jobLocation",
        "baseSalary",
        "directApply",
        "totalJobOpenings",
        "qualifications",
        "workHours",
        "incentiveCompensation",
        "salaryCurrency",
        "applicationContact",
    },
    "Course": THING
    | {"provider", "offers", "hasCourseInstance", "educationalCredentialAwarded", "inLanguage"},
    "CourseInstance": THING
    | {"startDate", "endDate", "location", "courseMode", "courseSchedule", "offers"},
    "GovernmentService": THING
    | {"serviceType", "areaServed", "audience", "provider", "termsOfService", "availableChannel"},
    "Event": THING
    | {
        "startDate",
        "endDate",
        "location",
        "eventStatus",
        "eventAttendanceMode",
        "organizer",
        "offers",
        "isAccessibleForFree",
        "inLanguage",
    },
    "Organization": THING | {"telephone", "address"},
    "GovernmentOrganization": THING | {"telephone", "address"},
    "Place": THING | {"address", "geo", "telephone", "openingHours"},
    "AdministrativeArea": THING | {"address", "geo", "containedInPlace"},
    "PostalAddress": THING
    | {"streetAddress", "addressLocality", "addressRegion", "addressCountry", "postalCode"},
    "GeoCoordinates": THING | {"latitude", "longitude"},
    "MonetaryAmount": THING | {"currency", "value", "minValue", "maxValue"},
    "QuantitativeValue": THING | {"value", "minValue", "maxValue", "unitText", "unitCode"},
    "PropertyValue": THING | {"value", "propertyID"},
    "Offer": THING
    | {"price", "priceCurrency", "category", "availability", "validFrom", "isAccessibleForFree"},
    "Audience": THING | {"audienceType"},
    "ServiceChannel": THING | {"serviceUrl", "servicePhone", "serviceLocation"},
    "ContactPoint": THING | {"telephone", "contactType"},
}


def _jsonld(client: FlaskClient, listing_id: int) -> dict[str, Any]:
    response = client.get(f"/l/{listing_id}")
    assert response.status_code == 200
    [block] = LD_JSON.findall(response.get_data(as_text=True))
    data = json.loads(block)
    _check_shapes(data)
    return data


def _check_shapes(node: Any, path: str = "$") -> None:
    """Every object typed with a type schema.org has, only that type's properties,
    and no empty values (a validator reports "" and null as wrong values)."""
    if isinstance(node, list):
        assert node, f"{path}: empty list"
        for index, item in enumerate(node):
            _check_shapes(item, f"{path}[{index}]")
        return
    if isinstance(node, dict):
        kind = node.get("@type")
        assert kind in PROPERTIES, f"{path}: @type {kind!r}"
        unknown = set(node) - PROPERTIES[kind]
        assert not unknown, f"{path}: {kind} has no {sorted(unknown)}"
        for key, value in node.items():
            _check_shapes(value, f"{path}.{key}")
        return
    assert node is not None and node != "", f"{path}: empty value"


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


def _absolute(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc, url
    return url


def _text(value: Any) -> str:
    assert isinstance(value, str) and value.strip(), value
    return value


def _check_place(place: dict[str, Any]) -> dict[str, Any]:
    assert place["@type"] == "Place"
    _text(place["name"])
    address = place["address"]
    assert address["@type"] == "PostalAddress"
    assert address["addressCountry"] == "CN"
    _text(address["addressRegion"])
    _text(address["addressLocality"])
    return address


def _check_job_posting(data: dict[str, Any]) -> None:
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "JobPosting"
    for name in ("title", "description"):
        _text(data[name])
    _moment(data["datePosted"])
    _moment(data["validThrough"])
    assert data["hiringOrganization"]["@type"] == "Organization"
    _text(data["hiringOrganization"]["name"])
    _check_place(data["jobLocation"])
    assert data["employmentType"] in EMPLOYMENT_TYPES
    identifier = data["identifier"]
    assert identifier["@type"] == "PropertyValue"
    _text(identifier["name"])
    _text(identifier["value"])
    assert isinstance(data["directApply"], bool)
    _absolute(data["url"])
    salary = data.get("baseSalary")
    if salary is not None:
        assert salary["@type"] == "MonetaryAmount"
        assert salary["currency"] == "CNY"
        value = salary["value"]
        assert value["@type"] == "QuantitativeValue"
        assert value["unitText"] in SALARY_UNITS
        assert "unitCode" not in value
        numbers = {key: value[key] for key in ("value", "minValue", "maxValue") if key in value}
        assert numbers, value
        assert all(isinstance(number, int | float) for number in numbers.values()), value
        # A single amount is `value`; a range is minValue and maxValue, never both forms.
        assert ("value" in numbers) != ("minValue" in numbers or "maxValue" in numbers), value
        if "minValue" in numbers and "maxValue" in numbers:
            assert numbers["minValue"] < numbers["maxValue"], value


def _job(world: World, pay: dict[str, Any] | None, **job: Any) -> dict[str, Any]:
    block = {"employer": "红色物业", "category": "full_time", **job}
    if pay is not None:
        block["pay"] = pay
    return listing_input("job", target_id=world.jiuquhe.id, site_id=world.station.id, job=block)


@pytest.mark.parametrize(
    ("pay", "expected"),
    [
        # 月薪3000–4000元
        ({"min": 3000, "max": 4000, "unit": "month"}, {"minValue": 3000, "maxValue": 4000}),
        # 每天150元: a fixed pay is one value, not the bottom of a range.
        ({"min": 150, "unit": "day"}, {"value": 150}),
        ({"min": 150, "max": 150, "unit": "day"}, {"value": 150}),
        # 每小时20元左右
        ({"min": 20, "unit": "hour", "approximate": True}, {"value": 20}),
        # 月薪3000元起: the floor, with no ceiling.
        ({"min": 3000, "unit": "month"}, {"minValue": 3000}),
        # 每天最多100元
        ({"max": 100, "unit": "day"}, {"maxValue": 100}),
    ],
)
def test_job_pay_has_the_shape_search_engines_read(
    client: FlaskClient,
    world: World,
    admin: StaffClient,
    pay: dict[str, Any],
    expected: dict[str, float],
) -> None:
    listing = admin.publish(_job(world, pay))

    data = _jsonld(client, listing["id"])

    _check_job_posting(data)
    value = data["baseSalary"]["value"]
    assert {key: value[key] for key in ("value", "minValue", "maxValue") if key in value} == (
        expected
    )
    assert value["unitText"] == {"hour": "HOUR", "day": "DAY", "month": "MONTH"}[pay["unit"]]


def test_piece_rate_pay_is_told_in_words_not_as_a_wage_per_period(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    # schema.org and Google know no unit "per piece"; 0.3 under HOUR or DAY would
    # tell a search engine the job pays 0.3 yuan an hour.
    pay = {"min": 0.3, "unit": "piece", "piece": "朵花"}
    listing = admin.publish(_job(world, pay, category="piece_rate"))

    data = _jsonld(client, listing["id"])

    _check_job_posting(data)
    assert "baseSalary" not in data
    assert data["incentiveCompensation"] == "计件：每朵花0.3元"
    assert data["salaryCurrency"] == "CNY"


def test_a_job_without_pay_or_a_site_still_has_every_required_property(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    body = listing_input(
        "job",
        target_id=world.jiuquhe.id,
        summary="",
        body="",
        job={"employer": "幸福食堂", "category": "gig"},
    )
    listing = admin.publish(body)

    data = _jsonld(client, listing["id"])

    _check_job_posting(data)
    assert "baseSalary" not in data
    # Without a site, the community is the place, placed in the tree above it.
    address = data["jobLocation"]["address"]
    assert data["jobLocation"]["name"] == "九曲河社区"
    assert (address["addressRegion"], address["addressLocality"]) == ("青岛市", "黄岛区")
    assert address["streetAddress"] == "黄岛街道九曲河社区"


def test_job_posting_names_its_id_place_and_direct_application(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    listing = admin.publish(_job(world, {"min": 3000, "max": 4000, "unit": "month"}))

    data = _jsonld(client, listing["id"])

    _check_job_posting(data)
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "name": "红色物业",
        "value": str(listing["id"]),
    }
    # The page's 我要应聘 form registers straight from it.
    assert data["directApply"] is True
    address = data["jobLocation"]["address"]
    assert address == {
        "@type": "PostalAddress",
        "streetAddress": "黄岛区九曲河路12号",
        "addressLocality": "黄岛区",
        "addressRegion": "青岛市",
        "addressCountry": "CN",
    }
    assert data["description"] == "在家门口就能做\n\n详细说明。"


def test_a_city_wide_job_is_placed_in_the_city(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    listing = admin.publish(listing_input("job", target_id=world.city.id))

    data = _jsonld(client, listing["id"])

    _check_job_posting(data)
    address = data["jobLocation"]["address"]
    assert (address["addressRegion"], address["addressLocality"]) == ("青岛市", "青岛市")
    assert "streetAddress" not in address


def test_course_json_ld_has_every_property_in_its_shape(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    body = listing_input("training", target_id=world.jiuquhe.id, site_id=world.station.id)
    body["training"] = {**body["training"], "fee": 200, "certificate": "专项职业能力证书"}
    body["training"]["sessions"].append({**body["training"]["sessions"][0], "venue": ""})
    listing = admin.publish(body)

    data = _jsonld(client, listing["id"])

    assert data["@type"] == "Course"
    for name in ("name", "description"):
        _text(data[name])
    _absolute(data["url"])
    assert data["provider"] == {"@type": "Organization", "name": "黄岛街道社区夜校"}
    assert data["offers"] == {
        "@type": "Offer",
        "category": "Paid",
        "price": 200,
        "priceCurrency": "CNY",
    }
    assert data["educationalCredentialAwarded"] == "专项职业能力证书"
    with_venue, at_site = data["hasCourseInstance"]
    for instance in (with_venue, at_site):
        assert instance["@type"] == "CourseInstance"
        assert instance["courseMode"] == "Onsite"
        assert _moment(instance["startDate"]) < _moment(instance["endDate"])
        _check_place(instance["location"])
    assert with_venue["location"]["name"] == "九曲河社区党群服务中心三楼"
    assert at_site["location"]["name"] == world.station.name


def test_free_course_says_free(client: FlaskClient, world: World, admin: StaffClient) -> None:
    listing = admin.publish(listing_input("training", target_id=world.jiuquhe.id))

    data = _jsonld(client, listing["id"])

    assert data["offers"]["category"] == "Free"
    assert data["offers"]["price"] == 0


def test_government_service_json_ld_has_every_property_in_its_shape(
    client: FlaskClient, world: World, admin: StaffClient
) -> None:
    body = listing_input("subsidy", target_id=world.huangdao.id)
    body["subsidy"] = {**body["subsidy"], "document_number": "青人社规〔2023〕5号"}
    listing = admin.publish(body)

    data = _jsonld(client, listing["id"])

    assert data["@type"] == "GovernmentService"
    for name in ("name", "description", "serviceType", "termsOfService"):
        _text(data[name])
    _absolute(data["url"])
    assert data["areaServed"] == {"@type": "AdministrativeArea", "name": "黄岛区"}
    assert data["provider"]["@type"] == "GovernmentOrganization"
    _text(data["provider"]["name"])
    assert data["audience"]["@type"] == "Audience"
    _text(data["audience"]["audienceType"])
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "name": "文号",
        "value": "青人社规〔2023〕5号",
    }
    channel = data["availableChannel"]
    assert channel["@type"] == "ServiceChannel"
    assert _absolute(channel["serviceUrl"]).endswith(f"/l/{listing['id']}/consult")


@pytest.mark.parametrize("where", ["site", "area"])
def test_event_json_ld_has_every_property_in_its_shape(
    client: FlaskClient, world: World, admin: StaffClient, where: str
) -> None:
    placed = {"site_id": world.station.id} if where == "site" else {}
    listing = admin.publish(listing_input("event", target_id=world.huangdao.id, **placed))

    data = _jsonld(client, listing["id"])

    assert data["@type"] == "Event"
    for name in ("name", "description"):
        _text(data[name])
    assert _moment(data["startDate"]) < _moment(data["endDate"])
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    address = _check_place(data["location"])
    assert data["organizer"]["@type"] == "Organization"
    _text(data["organizer"]["name"])
    assert data["isAccessibleForFree"] is True
    if where == "site":
        assert address["streetAddress"] == "黄岛区九曲河路12号"
    else:
        assert data["location"]["name"] == "黄岛区"
        assert (address["addressRegion"], address["addressLocality"]) == ("青岛市", "黄岛区")
