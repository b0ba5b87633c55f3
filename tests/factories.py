"""Builders for test data, going through the same actions the app uses."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from kiosk_server.extensions import db
from kiosk_server.listings.actions import do_create_listing, do_publish_listing
from kiosk_server.listings.models import Listing
from kiosk_server.listings.schemas import ListingIn
from kiosk_server.places.models import Place, PlaceLevel, Site
from kiosk_server.registrations.actions import do_register
from kiosk_server.registrations.models import Registration
from kiosk_server.registrations.schemas import RegistrationIn
from kiosk_server.staff.actions import do_create_staff
from kiosk_server.staff.models import Staff, StaffRole
from kiosk_server.timeutil import utcnow

LISTING_INPUT: TypeAdapter[ListingIn] = TypeAdapter(ListingIn)
REGISTRATION_INPUT: TypeAdapter[RegistrationIn] = TypeAdapter(
    Annotated[RegistrationIn, Field(discriminator="kind")]
)


@dataclass
class World:
    """青岛市 with two districts, three streets, five communities and a few sites.

    city
    ├── huangdao (district)
    │   ├── huangdao_street ── jiuquhe, qianwan
    │   └── zhuhai_street ──── fuxing
    └── shibei (district)
        └── taidong_street ─── taidong1, taidong2
    """

    city: Place
    huangdao: Place
    shibei: Place
    huangdao_street: Place
    zhuhai_street: Place
    taidong_street: Place
    jiuquhe: Place
    qianwan: Place
    fuxing: Place
    taidong1: Place
    taidong2: Place
    station: Site
    factory: Site
    admin: Staff
    street_staff: Staff
    station_staff: Staff
    passwords: dict[str, str] = field(default_factory=dict)


def _place(name: str, level: PlaceLevel, parent: Place | None, lat: float, lng: float) -> Place:
    place = Place(name=name, level=level, parent=parent, latitude=lat, longitude=lng)
    db.session.add(place)
    db.session.flush()
    place.path = f"{parent.path if parent else '/'}{place.id}/"
    return place


def build_world() -> World:
    city = _place("青岛市", PlaceLevel.CITY, None, 36.07, 120.38)
    huangdao = _place("黄岛区", PlaceLevel.DISTRICT, city, 35.96, 120.19)
    shibei = _place("市北区", PlaceLevel.DISTRICT, city, 36.09, 120.37)
    huangdao_street = _place("黄岛街道", PlaceLevel.STREET, huangdao, 35.97, 120.20)
    zhuhai_street = _place("珠海街道", PlaceLevel.STREET, huangdao, 35.94, 120.17)
    taidong_street = _place("台东街道", PlaceLevel.STREET, shibei, 36.08, 120.36)
    jiuquhe = _place("九曲河社区", PlaceLevel.COMMUNITY, huangdao_street, 35.971, 120.205)
    qianwan = _place("前湾社区", PlaceLevel.COMMUNITY, huangdao_street, 35.975, 120.21)
    fuxing = _place("复兴社区", PlaceLevel.COMMUNITY, zhuhai_street, 35.941, 120.171)
    taidong1 = _place("台东一路社区", PlaceLevel.COMMUNITY, taidong_street, 36.081, 120.361)
    taidong2 = _place("威海路社区", PlaceLevel.COMMUNITY, taidong_street, 36.083, 120.365)
    station = Site(
        community=jiuquhe,
        kind="station",
        name="九曲河社区“就享家”乐业服务站",
        address="黄岛区九曲河路12号",
        latitude=35.972,
        longitude=120.206,
    )
    factory = Site(
        community=fuxing,
        kind="micro_factory",
        name="复兴社区粉扑包装微工厂",
        address="黄岛区安远路8号复兴社区B区",
        latitude=35.942,
        longitude=120.172,
    )
    db.session.add_all([station, factory])
    db.session.commit()
    passwords = {
        "admin": "admin-password-1",
        "huangdao": "street-password-1",
        "jiuquhe": "station-password-1",
    }
    admin = do_create_staff(
        username="admin",
        display_name="市管理员",
        password=passwords["admin"],
        role=StaffRole.CITY_ADMIN,
        scope=city,
        by=None,
    )
    street_staff = do_create_staff(
        username="huangdao",
        display_name="黄岛街道专员",
        password=passwords["huangdao"],
        role=StaffRole.STREET,
        scope=huangdao_street,
        by=None,
    )
    station_staff = do_create_staff(
        username="jiuquhe",
        display_name="九曲河站点",
        password=passwords["jiuquhe"],
        role=StaffRole.STATION,
        scope=jiuquhe,
        by=None,
    )
    return World(**{k: v for k, v in locals().items() if k in World.__dataclass_fields__})


def listing_input(kind: str = "job", *, target_id: int, **overrides: Any) -> dict[str, Any]:
    """A valid admin-API body for a listing of `kind`; overrides replace top-level keys."""
    until = (utcnow() + timedelta(days=30)).isoformat()
    soon = utcnow() + timedelta(days=3)
    blocks: dict[str, dict[str, Any]] = {
        "job": {
            "employer": "贵和社区手工坊",
            "category": "piece_rate",
            "pay": {"min": 0.3, "unit": "piece", "piece": "朵花"},
            "work_hours": "8:30–11:00、13:30–15:30",
            "flexible": True,
            "openings": 10,
        },
        "training": {
            "provider": "黄岛街道社区夜校",
            "fee": 0,
            "sessions": [
                {
                    "starts_at": soon.isoformat(),
                    "ends_at": (soon + timedelta(hours=2)).isoformat(),
                    "seats": 20,
                    "venue": "九曲河社区党群服务中心三楼",
                }
            ],
        },
        "subsidy": {
            "eligibility": "首次创办小微企业或从事个体经营、正常经营1年以上的人员",
            "amount": "一次性补贴1万元",
            "how_to_apply": "携带材料到所在街道“就享家”服务站申请",
        },
        "event": {
            "event_type": "night_market",
            "starts_at": soon.isoformat(),
            "ends_at": (soon + timedelta(hours=3)).isoformat(),
            "employers_count": 40,
            "posts_count": 600,
        },
    }
    titles = {
        "job": "手工花组装（计件）",
        "training": "电商直播微技能培训",
        "subsidy": "一次性创业补贴",
        "event": "星光招聘夜市",
    }
    body: dict[str, Any] = {
        "kind": kind,
        "title": titles[kind],
        "summary": "在家门口就能做",
        "body": "详细说明。",
        "contact": {"name": "何老师", "phone": "0532-86880000"},
        "target_id": target_id,
        "valid_until": until,
        kind: blocks[kind],
    }
    body.update(overrides)
    return body


def make_listing(
    kind: str = "job", *, target: Place, publish: bool = True, **overrides: Any
) -> Listing:
    data = LISTING_INPUT.validate_python(listing_input(kind, target_id=target.id, **overrides))
    listing = do_create_listing(data, None)
    if publish:
        do_publish_listing(listing, None)
    return listing


# Each registration its own mobile, so the per-number daily limit never bites.
_mobiles = itertools.count(1)
REGISTRATION_ANSWERS: dict[str, dict[str, Any]] = {
    "job_seeker": {"wanted": ["mom_friendly"], "skills": "", "availability": ["school_hours"]},
    "gig_worker": {"trades": ["保洁"], "service_area": "黄岛街道", "availability": ["weekend"]},
    "application": {},
    "training_signup": {},
    "consultation": {},
}


def make_registration(community: Place, kind: str = "job_seeker", **answers: Any) -> Registration:
    """A registration from a phone, recorded by the same action as the real ones."""
    body = {
        "kind": kind,
        "idempotency_key": uuid.uuid4().hex,
        "consent": True,
        "name": "王女士",
        "mobile": f"139{next(_mobiles):08d}",
        "community_id": community.id,
        "age_band": "40-49",
        **REGISTRATION_ANSWERS[kind],
        **answers,
    }
    data = REGISTRATION_INPUT.validate_python(body)
    registration, _created = do_register(data, None, client=None)
    return registration
