"""Every id a staff request carries is checked against the staff member's scope.

Walked from the OpenAPI document: each staff operation, each id it takes in its
path, its query or its body (at any depth). Station staff of 九曲河社区 send each
id once pointing at 前湾社区 next door, and are refused without a change; the same
request with their own community's id goes through. A new id field in the
document fails test_every_id_field_is_walked until this file knows how to fill it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from kiosk_server.api.openapi import openapi_document
from kiosk_server.extensions import db
from kiosk_server.listings.actions import do_create_announcement
from kiosk_server.listings.schemas import AnnouncementIn
from kiosk_server.places.models import Place, Site
from kiosk_server.screens.actions import do_register_tv
from kiosk_server.screens.schemas import TvRegistrationIn
from kiosk_server.staff.actions import do_create_staff
from kiosk_server.staff.models import StaffRole
from kiosk_server.timeutil import utcnow
from tests.factories import World, listing_input, make_listing, make_registration
from tests.helpers import StaffClient, assert_error_body, database_unchanged

Location = tuple[str, tuple[Any, ...]]  # ("path" | "query" | "body", field path)

KINDS = ("job", "training", "subsidy", "event")
ADMIN = "/admin/api/"
# Only city administrators manage accounts, and their scope is the whole city:
# station staff are refused these whatever the id (tests/functional/test_staff_accounts.py).
ACCOUNT_MANAGERS_ONLY = re.compile(r"^/admin/api/staff")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_integer(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == "integer" for option in options)


def _ids_in(
    schema: dict[str, Any], components: dict[str, Any], at: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    schema = _resolve(schema, components)
    for option in schema.get("oneOf", []) + schema.get("anyOf", []) + schema.get("allOf", []):
        yield from _ids_in(option, components, at)
    for name, prop in schema.get("properties", {}).items():
        if (name == "id" or name.endswith("_id")) and _is_integer(_resolve(prop, components)):
            yield (*at, name)
        else:
            yield from _ids_in(prop, components, (*at, name))
    if "items" in schema:
        yield from _ids_in(schema["items"], components, (*at, 0))


def _operations() -> list[tuple[str, str, Location]]:
    """(method, OpenAPI path, where an id goes) for every id of every staff operation."""
    document = openapi_document()
    components = document["components"]["schemas"]
    found: set[tuple[str, str, Location]] = set()
    for path, item in document["paths"].items():
        if not path.startswith(ADMIN):
            continue
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if (name == "id" or name.endswith("_id")) and parameter["in"] in ("path", "query"):
                    found.add((method, path, (parameter["in"], (name,))))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                for at in _ids_in(body["schema"], components):
                    found.add((method, path, ("body", at)))
    return sorted(found, key=repr)


OPERATIONS = _operations()


def _objects(world: World, place: Place, site: Site) -> dict[str, int]:
    """One of everything a staff id can name, in or under `place`."""
    job = make_listing("job", target=place, publish=False, site_id=site.id)
    training = make_listing("training", target=place, publish=False)
    until = utcnow() + timedelta(hours=3)
    announcement = do_create_announcement(
        AnnouncementIn(text="今晚7点 星光招聘夜市", target_id=place.id, valid_until=until), None
    )
    screen, _token = do_register_tv(TvRegistrationIn(community_id=place.id))
    account = do_create_staff(
        username=f"staff{place.id}",
        display_name="站点同事",
        password="colleague-password-1",
        role=StaffRole.STATION,
        scope=place,
        by=None,
    )
    db.session.commit()
    return {
        "listing_id": job.id,
        "training_id": training.id,
        "training_version": training.version,
        "id": training.sessions[0].id,
        "announcement_id": announcement.id,
        "registration_id": make_registration(place).id,
        "screen_id": screen.id,
        "site_id": site.id,
        "staff_id": account.id,
        "entity_id": job.id,
        **{name: place.id for name in ("target_id", "community_id", "place_id", "scope_id")},
    }


def _set(body: dict[str, Any], at: tuple[Any, ...], value: int) -> None:
    for key in at[:-1]:
        body = body[key]
    body[at[-1]] = value


def _request(
    method: str, path: str, location: Location, ids: dict[str, int], tried: int
) -> tuple[str, dict[str, Any]]:
    """The operation with every id from `ids`, except the one at `location`: `tried`."""
    where, at = location
    path_ids = {**ids, at[0]: tried} if where == "path" else ids
    if method == "put" and path == ADMIN + "listings/{listing_id}" and where != "path":
        path_ids = {**path_ids, "listing_id": ids["training_id"]}
    url = re.sub(r"\{(\w+)\}", lambda m: str(path_ids[m.group(1)]), path)
    kwargs: dict[str, Any] = {}
    if where == "query":
        query = {at[0]: tried}
        if at[0] == "entity_id":
            query["entity_type"] = "listing"
        kwargs["query_string"] = query
    if path.endswith("/images"):
        kwargs["data"] = {"image": (io.BytesIO(_photo()), "photo.png"), "alt": "门口"}
    elif method in ("post", "put"):
        kwargs["json"] = _body(method, path, ids)
        if where == "body":
            _set(kwargs["json"], at, tried)
    return url, kwargs


def _body(method: str, path: str, ids: dict[str, int]) -> dict[str, Any]:
    if path in (ADMIN + "listings", ADMIN + "listings/{listing_id}"):
        # A training, the kind whose sessions carry ids of their own.
        body = listing_input("training", target_id=ids["target_id"], site_id=ids["site_id"])
        if method == "put":  # keeps its session; a new listing has none to keep
            body["training"]["sessions"][0]["id"] = ids["id"]
            body["version"] = ids["training_version"]  # an edit says what it started from
        return body
    if path == ADMIN + "announcements":
        until = (utcnow() + timedelta(hours=3)).isoformat()
        return {"text": "今晚7点 星光招聘夜市", "target_id": ids["target_id"], "valid_until": until}
    if path.startswith(ADMIN + "staff"):
        return {
            "username": "newcolleague",
            "display_name": "新同事",
            "password": "colleague-password-2",
            "role": "station",
            "scope_id": ids["scope_id"],
        }
    if path.endswith("/status"):
        return {"status": "contacted", "note": "已电话联系"}
    return {}


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    return buffer.getvalue()


def _key(method: str, path: str, at: tuple[Any, ...]) -> str:
    """Which of _objects' ids fills the field at `at`."""
    if method == "put" and at == ("listing_id",):
        return "training_id"  # an edit sends a training's body, so it edits a training
    return str(at[-1])


def _field(at: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in at)


@pytest.fixture
def both(world: World) -> tuple[dict[str, int], dict[str, int]]:
    mine = _objects(world, world.jiuquhe, world.station)
    factory = Site(
        community=world.qianwan, kind="micro_factory", name="前湾社区微工厂", address="前湾路1号"
    )
    db.session.add(factory)
    db.session.commit()
    return mine, _objects(world, world.qianwan, factory)


def test_every_id_field_is_walked() -> None:
    names = {location[1][-1] for _method, _path, location in OPERATIONS}
    # Each name this file can fill; a new one must be added to _objects.
    assert names <= {
        "listing_id",
        "id",
        "announcement_id",
        "registration_id",
        "screen_id",
        "site_id",
        "staff_id",
        "entity_id",
        "target_id",
        "community_id",
        "place_id",
        "scope_id",
    }, names
    # The walk reaches into bodies, down to a training session's own id.
    edit = ("put", ADMIN + "listings/{listing_id}", ("body", ("training", "sessions", 0, "id")))
    assert edit in OPERATIONS
    assert ("post", ADMIN + "listings", ("body", ("site_id",))) in OPERATIONS
    assert len(OPERATIONS) >= 30


@pytest.mark.parametrize(
    "method, path, location",
    OPERATIONS,
    ids=[f"{m.upper()} {p} {w}:{_field(at)}" for m, p, (w, at) in OPERATIONS],
)
def test_an_id_outside_the_scope_is_refused_and_one_inside_works(
    app: Flask,
    station_staff: StaffClient,
    both: tuple[dict[str, int], dict[str, int]],
    method: str,
    path: str,
    location: Location,
) -> None:
    mine, theirs = both
    where, at = location
    key = _key(method, path, at)
    url, kwargs = _request(method, path, location, mine, theirs[key])
    with database_unchanged():
        refused = getattr(station_staff, method)(url, **kwargs)
    assert refused.status_code in (403, 404, 422), (refused.status_code, refused.json)
    error = assert_error_body(refused.json)
    if ACCOUNT_MANAGERS_ONLY.match(path):
        return  # refused for the role, before any id is looked at
    if where != "path":
        assert _field(at) in error.get("fields", {}), error

    url, kwargs = _request(method, path, location, mine, mine[key])
    if location == ("body", ("training", "sessions", 0, "id")) and method == "post":
        return  # a new listing has no sessions to keep, in scope or not
    allowed = getattr(station_staff, method)(url, **kwargs)
    assert allowed.status_code in (200, 201), (allowed.status_code, allowed.get_data()[:300])


def test_an_edit_keeps_a_site_a_colleague_above_chose(
    admin: StaffClient, station_staff: StaffClient, world: World
) -> None:
    # The city put the station's job at the micro-factory next door; station staff can
    # still correct its title, but cannot pick that factory themselves.
    body = listing_input(target_id=world.jiuquhe.id, site_id=world.factory.id)
    listing = admin.create(body)
    edit = {**body, "title": "手工花组装（计件，可带回家）", "version": listing["version"]}
    response = station_staff.put(f"/admin/api/listings/{listing['id']}", json=edit)
    assert response.status_code == 200, response.json
    assert response.json["site"]["id"] == world.factory.id

    refused = station_staff.post("/admin/api/listings", json=body)
    assert refused.status_code == 403
    assert refused.json["error"]["fields"] == {"site_id": "超出管辖范围"}
