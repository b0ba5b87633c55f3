"""Growing the demo into a city-sized data set, for benchmarks and tests at real size.

DOMAIN.md sizes a city at ~300 stations, 10k–60k live listings (many aimed at
the whole city or a district), tens of thousands of registrations a year and
up to hundreds of thousands of home TVs. `grow_city` adds streets and
communities (each with a station) under the demo's districts, then copies the
demo's published listings to places at every level of the tree, with their
variety of kinds, pay and text; then registrations and screens. It is seeded,
so a run is repeatable.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from kiosk_server.extensions import db
from kiosk_server.listings.actions import publish_copy
from kiosk_server.listings.models import Listing, ListingStatus
from kiosk_server.live.push import commit_and_push
from kiosk_server.places.models import Place, PlaceLevel, Site, SiteKind
from kiosk_server.registrations.actions import new_reference
from kiosk_server.registrations.models import Registration, RegistrationKind
from kiosk_server.screens.models import Screen, ScreenKind, hash_token
from kiosk_server.timeutil import utcnow

BATCH = 500
# Where copies are aimed: a fair share city- and district-wide, as DOMAIN.md says.
LEVEL_SHARES = {
    PlaceLevel.CITY: 0.15,
    PlaceLevel.DISTRICT: 0.2,
    PlaceLevel.STREET: 0.25,
    PlaceLevel.COMMUNITY: 0.4,
}
STREET_NAMES = [
    "长江",
    "黄河",
    "珠江",
    "淮河",
    "泰山",
    "崂山",
    "香江",
    "昆仑",
    "武夷",
    "嵩山",
    "衡山",
    "峨眉",
]
COMMUNITY_NAMES = [
    "幸福",
    "和谐",
    "阳光",
    "翠湖",
    "丰收",
    "福瑞",
    "安居",
    "康宁",
    "锦绣",
    "明珠",
    "春晖",
    "馨苑",
]
# A step of about a kilometre in latitude or longitude near Qingdao.
KILOMETRE = 0.009


@dataclass(frozen=True)
class CitySize:
    listings: int = 50_000
    communities: int = 300
    registrations: int = 100_000
    screens: int = 100_000
    seed: int = 20261207


class EmptyDemoError(Exception):
    """There is nothing to grow from: `flask demo load` first."""


def grow_city(size: CitySize) -> dict[str, int]:
    """Grow the loaded demo to `size`; what was added, by what it is."""
    chance = random.Random(size.seed)
    templates = _published_ids()
    if not templates:
        raise EmptyDemoError("没有可复制的已发布信息：先运行 flask demo load")
    added_communities = _grow_places(size.communities, chance)
    places = list(db.session.scalars(select(Place).order_by(Place.id)))
    # Plain tuples: the session lets go of its objects after each batch.
    by_level = {
        level: [(p.id, p.name) for p in places if p.level == level] for level in LEVEL_SHARES
    }
    sites_under = _sites_under(places)
    added = {
        "社区": added_communities,
        "信息": _copy_listings(size.listings, templates, by_level, sites_under, chance),
        "登记": _add_registrations(size.registrations, by_level[PlaceLevel.COMMUNITY], chance),
        "屏幕": _add_screens(size.screens, by_level[PlaceLevel.COMMUNITY], chance),
    }
    _refresh_statistics()
    return added


def _refresh_statistics() -> None:
    """PostgreSQL plans from statistics that a bulk load leaves behind: without them
    it reads every published listing instead of the scope's (autovacuum would
    catch up only minutes later)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _published_ids() -> list[int]:
    statement = select(Listing.id).where(Listing.status == ListingStatus.PUBLISHED)
    return list(db.session.scalars(statement.order_by(Listing.id)))


def _grow_places(communities: int, chance: random.Random) -> int:
    """Streets of up to ten communities under the demo's districts, each with a station."""
    have = db.session.scalar(
        select(func.count()).select_from(Place).where(Place.level == PlaceLevel.COMMUNITY)
    )
    districts = list(
        db.session.scalars(
            select(Place).where(Place.level == PlaceLevel.DISTRICT).order_by(Place.id)
        )
    )
    added = 0
    street: Place | None = None
    while have + added < communities:
        if added % 10 == 0:
            district = districts[(added // 10) % len(districts)]
            street = _add_place(
                f"{STREET_NAMES[(added // 10) % len(STREET_NAMES)]}路{added // 10 + 1}号街道",
                PlaceLevel.STREET,
                district,
                chance,
                spread=8,
            )
        assert street is not None
        community = _add_place(
            f"{COMMUNITY_NAMES[added % len(COMMUNITY_NAMES)]}{added + 1}社区",
            PlaceLevel.COMMUNITY,
            street,
            chance,
            spread=2,
        )
        db.session.add(
            Site(
                community_id=community.id,
                kind=SiteKind.STATION,
                name=f"{community.name}“就享家”乐业服务站",
                address=f"{street.name}{added + 1}号",
                latitude=community.latitude,
                longitude=community.longitude,
                opening_hours="周一至周五 9:00-17:00",
                phone="0532-86880000",
            )
        )
        added += 1
    db.session.commit()
    return added


def _add_place(
    name: str, level: PlaceLevel, parent: Place, chance: random.Random, *, spread: float
) -> Place:
    """A place within `spread` kilometres of its parent's centre."""
    place = Place(
        name=name,
        level=level,
        parent=parent,
        latitude=(parent.latitude or 36.07) + chance.uniform(-spread, spread) * KILOMETRE,
        longitude=(parent.longitude or 120.38) + chance.uniform(-spread, spread) * KILOMETRE,
    )
    db.session.add(place)
    db.session.flush()
    place.path = f"{parent.path}{place.id}/"
    return place


def _sites_under(places: list[Place]) -> dict[int, list[int]]:
    """Each place's sites, its own communities' included."""
    path_of = {place.id: place.path for place in places}
    sites: dict[int, list[int]] = {place.id: [] for place in places}
    for site_id, community_id in db.session.execute(select(Site.id, Site.community_id)):
        for place in places:
            if path_of[community_id].startswith(place.path):
                sites[place.id].append(site_id)
    return sites


def _copy_listings(
    count: int,
    template_ids: list[int],
    by_level: dict[PlaceLevel, list[tuple[int, str]]],
    sites_under: dict[int, list[int]],
    chance: random.Random,
) -> int:
    """`count` published copies, each aimed at a place of a level drawn by its share,
    and placed at a site inside that place when the template had one."""
    levels = list(LEVEL_SHARES)
    weights = list(LEVEL_SHARES.values())
    now = utcnow()
    for start in range(0, count, BATCH):
        # Loaded afresh each batch, so the session lets go of the last batch's copies.
        templates = db.session.scalars(select(Listing).where(Listing.id.in_(template_ids))).all()
        changes = []
        for number in range(start, min(start + BATCH, count)):
            template = templates[number % len(templates)]
            target_id, target_name = chance.choice(by_level[chance.choices(levels, weights)[0]])
            site_id = None
            if template.site_id is not None and sites_under[target_id]:
                site_id = chance.choice(sites_under[target_id])
            changes.append(
                publish_copy(
                    template,
                    title=f"{template.title}·{target_name}",
                    target_id=target_id,
                    site_id=site_id,
                    published_at=now - timedelta(minutes=chance.randrange(30 * 24 * 60)),
                    valid_until=now + timedelta(days=chance.randint(3, 60)),
                )
            )
        commit_and_push(changes)
        db.session.expunge_all()
    return count


def _mobile(chance: random.Random) -> str:
    return f"1{chance.choice('3456789')}{chance.randrange(10**9):09d}"


def _add_registrations(
    count: int, communities: list[tuple[int, str]], chance: random.Random
) -> int:
    """A year of 求职 and 零工 registrations, all kinds of follow-up state."""
    now = utcnow()
    kinds = [RegistrationKind.JOB_SEEKER, RegistrationKind.GIG_WORKER]
    statuses = ["new", "contacted", "referred", "hired", "closed"]
    for start in range(0, count, BATCH * 4):
        rows = []
        for _ in range(start, min(start + BATCH * 4, count)):
            kind = chance.choice(kinds)
            details = (
                {"wanted": ["piece_rate"], "skills": "", "availability": ["school_hours"]}
                if kind == RegistrationKind.JOB_SEEKER
                else {"trades": ["保洁"], "service_area": "本社区", "availability": ["weekend"]}
            )
            moment = now - timedelta(minutes=chance.randrange(365 * 24 * 60))
            rows.append(
                {
                    "kind": kind,
                    "status": chance.choice(statuses),
                    "reference": new_reference(),
                    "channel": chance.choice(["tv", "kiosk", "phone"]),
                    "name": chance.choice(["王女士", "李先生", "张女士", "刘先生"]),
                    "mobile": _mobile(chance),
                    "community_id": chance.choice(communities)[0],
                    "details": details,
                    "consented_at": moment,
                    "created_at": moment,
                    "updated_at": moment,
                    "notes": "",
                    "waitlisted": False,
                    "share_with_employer": False,
                }
            )
        db.session.execute(insert(Registration), rows)
        db.session.commit()
    return count


def _add_screens(count: int, communities: list[tuple[int, str]], chance: random.Random) -> int:
    """Home TVs registered across the city; none is online until one connects."""
    for start in range(0, count, BATCH * 4):
        rows = [
            {
                "kind": ScreenKind.TV,
                "community_id": chance.choice(communities)[0],
                "token_hash": hash_token(secrets.token_urlsafe(16)),
                "label": "",
                "app_version": "",
                "cursors": {},
                "last_seq": 0,
                "created_at": utcnow(),
            }
            for _ in range(start, min(start + BATCH * 4, count))
        ]
        db.session.execute(insert(Screen), rows)
        db.session.commit()
    return count
