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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, insert, select, text

from kiosk_server.demo.copies import Aim, Copier
from kiosk_server.extensions import db
from kiosk_server.listings.models import Listing, ListingStatus
from kiosk_server.live.models import Change
from kiosk_server.live.push import commit_and_push
from kiosk_server.places.models import Place, PlaceLevel, Site, SiteKind
from kiosk_server.registrations.actions import new_reference
from kiosk_server.registrations.models import Registration, RegistrationKind
from kiosk_server.screens.models import Screen, ScreenKind, hash_token
from kiosk_server.timeutil import utcnow

# Copies written in one transaction: large enough that statements are few, small
# enough that other writers wait on the change counter for only a moment.
BATCH = 1000
# Registrations and screens written in one statement.
ROWS = 5000
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
    # A community whose scope gets every copy (aimed at it or a place above it),
    # so a benchmark knows how many listings one screen has in scope.
    in_scope_of: int | None = None


class CannotGrowError(Exception):
    """Why nothing was grown, in words for the console."""


class EmptyDemoError(CannotGrowError):
    """There is nothing to grow from: `flask demo load` first."""


def grow_city(size: CitySize) -> dict[str, int]:
    """Grow the loaded demo by `size`; what was added, by what it is."""
    chance = random.Random(size.seed)
    if not _published_ids():
        raise EmptyDemoError("没有可复制的已发布信息：先运行 flask demo load")
    scope = _scope_of(size.in_scope_of)
    added_communities = _grow_places(size.communities, chance)
    places = list(db.session.scalars(select(Place).order_by(Place.id)))
    sites_under = _sites_under(places)
    templates = _templates()
    # Detached, fully loaded: committing a batch leaves them as they are instead
    # of expiring them for a reload each.
    db.session.expunge_all()
    aimed_at = [place for place in places if scope is None or place.id in scope]
    by_level = {level: [p for p in aimed_at if p.level == level] for level in LEVEL_SHARES}
    communities = [place.id for place in places if place.level == PlaceLevel.COMMUNITY]
    added = {
        "社区": added_communities,
        "信息": _copy_listings(size.listings, templates, by_level, sites_under, chance),
        "登记": _add_registrations(size.registrations, communities, chance),
        "屏幕": _add_screens(size.screens, communities, chance),
    }
    _refresh_statistics()
    return added


def _scope_of(community_id: int | None) -> set[int] | None:
    """The places a copy may be aimed at to be in the community's scope (None: any)."""
    if community_id is None:
        return None
    community = db.session.get(Place, community_id)
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise CannotGrowError(f"没有这个社区：{community_id}")
    return set(community.ancestor_ids)


def _refresh_statistics() -> None:
    """PostgreSQL plans from statistics that a bulk load leaves behind: without them
    it reads every published listing instead of the scope's (autovacuum would
    catch up only minutes later)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _published() -> Select[tuple[Listing]]:
    return select(Listing).where(Listing.status == ListingStatus.PUBLISHED).order_by(Listing.id)


def _published_ids() -> list[int]:
    return list(db.session.scalars(_published().with_only_columns(Listing.id)))


def _templates() -> list[Listing]:
    """The published listings, with their place, site and sessions loaded."""
    return list(db.session.scalars(_published()).unique())


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


def _sites_under(places: list[Place]) -> dict[int, list[Site]]:
    """Each place's sites, its own communities' included."""
    path_of = {place.id: place.path for place in places}
    sites: dict[int, list[Site]] = {place.id: [] for place in places}
    for site in db.session.scalars(select(Site).order_by(Site.id)):
        for place in places:
            if path_of[site.community_id].startswith(place.path):
                sites[place.id].append(site)
    return sites


def _copy_listings(
    count: int,
    templates: list[Listing],
    by_level: dict[PlaceLevel, list[Place]],
    sites_under: dict[int, list[Site]],
    chance: random.Random,
) -> int:
    """`count` published copies, each aimed at a place of a level drawn by its share,
    and placed at a site inside that place when the template had one."""
    levels = [level for level, places in by_level.items() if places]
    weights = [LEVEL_SHARES[level] for level in levels]
    now = utcnow()
    copier = Copier(now)
    newest: dict[int, dict[str, Any]] = {}
    for start in range(0, count, BATCH):
        aims = []
        for number in range(start, min(start + BATCH, count)):
            template = templates[number % len(templates)]
            target = chance.choice(by_level[chance.choices(levels, weights)[0]])
            site = None
            if template.site_id is not None and sites_under[target.id]:
                site = chance.choice(sites_under[target.id])
            aims.append(
                Aim(
                    template,
                    title=f"{template.title}·{target.name}",
                    target=target,
                    site=site,
                    published_at=now - timedelta(minutes=chance.randrange(30 * 24 * 60)),
                    valid_until=now + timedelta(days=chance.randint(3, 60)),
                )
            )
        for change in copier.publish(aims):
            newest[change["scope_id"]] = change
        db.session.commit()
    _wake_screens(newest.values())
    return count


def _wake_screens(changes: Iterable[dict[str, Any]]) -> None:
    """Send each scope's newest copy. A screen there that missed the ones before
    it sees so by `prev` and syncs: it gets them all, or is told to reload when
    they are more than a catch-up holds. One message a scope, not one a copy."""
    commit_and_push(Change(**row) for row in sorted(changes, key=lambda row: row["seq"]))


def _mobile(chance: random.Random) -> str:
    return f"1{chance.choice('3456789')}{chance.randrange(10**9):09d}"


def _add_registrations(count: int, communities: list[int], chance: random.Random) -> int:
    """A year of 求职 and 零工 registrations, all kinds of follow-up state."""
    now = utcnow()
    kinds = [RegistrationKind.JOB_SEEKER, RegistrationKind.GIG_WORKER]
    statuses = ["new", "contacted", "referred", "hired", "closed"]
    for start in range(0, count, ROWS):
        rows = []
        for _ in range(start, min(start + ROWS, count)):
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
                    "community_id": chance.choice(communities),
                    "details": details,
                    "consented_at": moment,
                    "created_at": moment,
                    "updated_at": moment,
                    "notes": "",
                    "waitlisted": False,
                    "share_with_employer": False,
                }
            )
        db.session.execute(insert(Registration.__table__), rows)
        db.session.commit()
    return count


def _add_screens(count: int, communities: list[int], chance: random.Random) -> int:
    """Home TVs registered across the city; none is online until one connects."""
    now = utcnow()
    for start in range(0, count, ROWS):
        rows = [
            {
                "kind": ScreenKind.TV,
                "community_id": chance.choice(communities),
                "token_hash": hash_token(secrets.token_urlsafe(16)),
                "label": "",
                "app_version": "",
                "cursors": {},
                "last_seq": 0,
                "created_at": now,
            }
            for _ in range(start, min(start + ROWS, count))
        ]
        db.session.execute(insert(Screen.__table__), rows)
        db.session.commit()
    return count
