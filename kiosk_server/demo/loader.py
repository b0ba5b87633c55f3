"""Loading the demo data set (demo/data.json) through the same actions staff use.

Dates in the file are relative ("valid_days", session "day" and "start"), so
the demo is always current: a listing loaded today runs from today.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

from flask import current_app
from pydantic import Field, TypeAdapter

from kiosk_server.extensions import db
from kiosk_server.listings.actions import (
    do_create_announcement,
    do_create_listing,
    do_publish_listing,
)
from kiosk_server.listings.schemas import AnnouncementIn, ListingIn
from kiosk_server.places.models import LEVEL_ORDER, Place, Site
from kiosk_server.staff.actions import do_create_staff
from kiosk_server.staff.models import StaffRole
from kiosk_server.timeutil import CHINA, utcnow

DATA_FILE = Path(__file__).with_name("data.json")
LISTING_ADAPTER: TypeAdapter[ListingIn] = TypeAdapter(
    Annotated[ListingIn, Field(discriminator="kind")]
)


def _add_place(
    node: dict[str, Any], level: int, parent: Place | None, key: str, index: dict[str, Place]
) -> None:
    """Add a place and everything under it; `index` maps "区/街道/社区" paths to places."""
    place = Place(
        level=LEVEL_ORDER[level],
        name=node["name"],
        parent=parent,
        latitude=node.get("latitude"),
        longitude=node.get("longitude"),
    )
    db.session.add(place)
    db.session.flush()
    place.path = f"{parent.path if parent else '/'}{place.id}/"
    index[key] = place
    for site in node.get("sites", []):
        db.session.add(
            Site(
                community_id=place.id,
                kind=site["kind"],
                name=site["name"],
                address=site["address"],
                latitude=site.get("latitude"),
                longitude=site.get("longitude"),
                opening_hours=site.get("opening_hours", ""),
                phone=site.get("phone", ""),
            )
        )
    children = next((node[k] for k in ("districts", "streets", "communities") if k in node), [])
    for child in children:
        child_key = f"{key}/{child['name']}" if key else child["name"]
        _add_place(child, level + 1, place, child_key, index)


def _at(day: int, clock: str) -> datetime:
    """A local wall-clock time `day` days from today, as an aware datetime."""
    today = datetime.now(CHINA).date() + timedelta(days=day)
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(today, time(hour, minute), tzinfo=CHINA)


def _listing_input(
    raw: dict[str, Any], places: dict[str, Place], sites: dict[str, int]
) -> ListingIn:
    data = {
        key: value
        for key, value in raw.items()
        if key not in {"target", "site", "valid_days", "status"}
    }
    data["target_id"] = places[raw["target"]].id
    if raw.get("site"):
        data["site_id"] = sites[raw["site"]]
    data["valid_until"] = _at(raw["valid_days"], "23:59").isoformat()
    if raw["kind"] == "training":
        data["training"] = {
            **raw["training"],
            "sessions": [
                {
                    "starts_at": _at(session["day"], session["start"]).isoformat(),
                    "ends_at": _at(session["day"], session["end"]).isoformat(),
                    "seats": session["seats"],
                    "venue": session.get("venue", ""),
                }
                for session in raw["training"].get("sessions", [])
            ],
        }
    if raw["kind"] == "event":
        event = dict(raw["event"])
        day, start, end = event.pop("day"), event.pop("start"), event.pop("end")
        data["event"] = {
            **event,
            "starts_at": _at(day, start).isoformat(),
            "ends_at": _at(day, end).isoformat(),
        }
    return LISTING_ADAPTER.validate_python(data)


def load_demo(data_file: Path = DATA_FILE) -> dict[str, int]:
    raw = json.loads(data_file.read_text(encoding="utf-8"))
    places: dict[str, Place] = {}
    _add_place(raw["city"], 0, None, "", places)
    db.session.commit()
    site_keys = _site_keys(raw["city"])
    staff_lines = []
    for person in raw.get("staff", []):
        password = secrets.token_urlsafe(9)
        do_create_staff(
            username=person["username"],
            display_name=person["display_name"],
            password=password,
            role=StaffRole(person["role"]),
            scope=places[person["scope"]],
            by=None,
        )
        staff_lines.append(f"{person['username']}\t{password}\t{person['display_name']}")
    _write_private(Path(current_app.instance_path) / "demo-staff.txt", staff_lines)
    published = 0
    for item in _mixed_kinds(raw["listings"]):
        listing = do_create_listing(_listing_input(item, places, site_keys), None)
        if item.get("status") != "draft":
            do_publish_listing(listing, None)
            published += 1
    for item in raw.get("announcements", []):
        do_create_announcement(
            AnnouncementIn(
                text=item["text"],
                target_id=places[item["target"]].id,
                valid_until=utcnow() + timedelta(hours=item["valid_hours"]),
            ),
            None,
        )
    return {
        "地点": len(places),
        "站点": len(site_keys),
        "信息": len(raw["listings"]),
        "已发布": published,
        "工作人员": len(staff_lines),
    }


def _mixed_kinds(listings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Publish the kinds in turn, so the newest on every screen are not all of one kind."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item in listings:
        by_kind.setdefault(item["kind"], []).append(item)
    queues = list(by_kind.values())
    mixed = []
    while any(queues):
        for queue in queues:
            if queue:
                mixed.append(queue.pop(0))
    return mixed


def _site_keys(city: dict[str, Any]) -> dict[str, int]:
    """Map the file's site keys to the ids just created, in file order."""
    keys = [
        site["key"]
        for district in city["districts"]
        for street in district["streets"]
        for community in street["communities"]
        for site in community.get("sites", [])
    ]
    ids = db.session.scalars(db.select(Site.id).order_by(Site.id)).all()
    return dict(zip(keys, ids, strict=True))


def _write_private(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(["用户名\t密码\t说明", *lines]) + "\n", encoding="utf-8")
    path.chmod(0o600)
