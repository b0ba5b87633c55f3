"""Reading listings as the public sees them."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, or_, select, true, tuple_
from sqlalchemy.orm import aliased

from kiosk_server.extensions import db
from kiosk_server.listings.models import (
    Announcement,
    AnnouncementStatus,
    Listing,
    ListingKind,
    ListingStatus,
)
from kiosk_server.listings.schemas import CATEGORY_GROUPS, FeedQuery
from kiosk_server.listings.search import column_for, contains, query_terms
from kiosk_server.live.models import Change
from kiosk_server.paging import Page, paginate
from kiosk_server.places.models import Place, Site
from kiosk_server.places.queries import inside
from kiosk_server.staff.models import Staff

PUBLIC_STATUSES = (ListingStatus.PUBLISHED, ListingStatus.WITHDRAWN, ListingStatus.EXPIRED)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _feed_filter(query: FeedQuery, scope_ids: list[int]) -> Select[tuple[int]]:
    """The ids a list or a search shows: only what the listings' feed index holds
    (models.FEED_INDEX_INCLUDES) is read, so PostgreSQL needs no row to answer."""
    # Visibility follows status alone: the sweeper turns time into status
    # changes, so the feed and the live pushes never disagree.
    statement = select(Listing.id).where(
        Listing.status == ListingStatus.PUBLISHED, Listing.target_id.in_(scope_ids)
    )
    if query.kind:
        statement = statement.where(Listing.kind == query.kind)
    if query.category:
        categories = CATEGORY_GROUPS.get(query.category, (query.category,))
        statement = statement.where(Listing.job_category.in_(categories))
    if query.pay_unit:
        statement = statement.where(Listing.pay_unit == query.pay_unit)
    if query.free is not None:
        free = or_(Listing.fee.is_(None), Listing.fee == 0)
        statement = statement.where(Listing.kind == "training", free if query.free else ~free)
    for term in query_terms(query.q or ""):
        # One substring per word, in the words, their initials or their keypad keys.
        column = getattr(Listing, column_for(term))
        statement = statement.where(contains(column, term))
    return statement


@dataclass(frozen=True)
class Origin:
    """Where a screen stands, for nearest first: its community's centre or its site."""

    latitude: float
    longitude: float


NEWEST_FIRST = (Listing.published_at.desc(), Listing.id.desc())

# Farther than any listing: a squared distance in degrees is under 180² + 360².
NOWHERE = 1e6

# A statement joined to what an order needs (nearest first: where each listing is).
Join = Callable[[Select[Any]], Select[Any]]


def _unjoined(statement: Select[Any]) -> Select[Any]:
    return statement


@dataclass(frozen=True)
class SortKey:
    """One term of a list's order. A descending term is never NULL, so a run of
    them compares as one row; an ascending one may be (a last day), behind a
    flag that puts the NULLs last on both databases."""

    value: ColumnElement[Any]
    descending: bool = True

    def ordered(self) -> ColumnElement[Any]:
        return self.value.desc() if self.descending else self.value.asc()

    def beyond(self, anchor: ColumnElement[Any]) -> ColumnElement[bool]:
        """Whether a row's term comes after the anchor's in this order."""
        return self.value < anchor if self.descending else self.value > anchor


@dataclass
class FeedPage(Page[Listing]):
    # Whether any listing comes after the page's last: the screen's next page.
    more: bool = False


def _distance(listing: Any, origin: Origin) -> tuple[ColumnElement[Any], Join]:
    """How far `listing` is from `origin`, and the joins that needs: to the
    listing's site, or to the place it is aimed at when it has no site; NOWHERE
    with neither.

    A squared distance on a plane scaled by the cosine of the latitude orders
    places within a city as the great circle does, and needs no SQL function
    that SQLite lacks."""
    site = aliased(Site)
    place = aliased(Place)
    latitude = func.coalesce(site.latitude, place.latitude)
    longitude = func.coalesce(site.longitude, place.longitude)
    north = latitude - origin.latitude
    east = (longitude - origin.longitude) * math.cos(math.radians(origin.latitude))

    def join(statement: Select[Any]) -> Select[Any]:
        statement = statement.outerjoin(site, site.id == listing.site_id)
        return statement.join(place, place.id == listing.target_id)

    return func.coalesce(north * north + east * east, NOWHERE), join


def feed_sort(query: FeedQuery, origin: Origin | None) -> str:
    """Jobs nearest first unless asked otherwise: the programme brings work to the
    doorstep. A place with no position on the map has no nearest: newest instead."""
    sort = query.sort or ("nearest" if query.kind == "job" else "newest")
    return "newest" if sort == "nearest" and origin is None else sort


def _order(
    listing: Any, sort: str, origin: Origin | None, terms: list[str]
) -> tuple[list[SortKey], Join]:
    """The terms of a list's order for `listing` (the feed's rows, or the one a
    page starts after), each order ending newest first, and the joins they need."""
    keys = [SortKey(listing.published_at), SortKey(listing.id)]
    join = _unjoined
    if sort == "nearest" and origin is not None:
        distance, join = _distance(listing, origin)
        # Negated, so the whole order runs one way (see _after).
        keys = [SortKey(-distance), *keys]
    elif sort == "closing":
        until = listing.valid_until
        keys = [SortKey(until.is_(None), False), SortKey(until, False), *keys]
    if terms:
        # A search's own order before the list's: the listings whose title has
        # every word first (保洁 by 25 before a job whose employer reads 25).
        in_title = and_(*(contains(listing.title_search, term) for term in terms))
        keys = [SortKey(case((in_title, 1), else_=0)), *keys]
    return keys, join


def _after(
    listing_id: int, keys: list[SortKey], sort: str, origin: Origin | None, terms: list[str]
) -> ColumnElement[bool]:
    """The rows that come after a listing in this order, withdrawn or expired as
    it may be by now, so a screen's next page starts after the last card it
    showed whatever left or joined the list meanwhile.

    The listing's terms are read by its primary key, once per statement. The
    terms that run one way to the end compare as one row (PostgreSQL walks
    newest first as a range of ix_listings_newest, and works out a distance
    once a row); before them, a row comes after the listing if a term is beyond
    the listing's and the terms before it are equal. A listing the public was
    never shown (a draft, no such id) has NULL terms: nothing comes after it."""
    anchor = aliased(Listing)
    anchor_keys, join = _order(anchor, sort, origin, terms)

    def read(key: SortKey) -> ColumnElement[Any]:
        statement = join(select(key.value).select_from(anchor))
        shown = (anchor.id == listing_id, anchor.status.in_(PUBLIC_STATUSES))
        return statement.where(*shown).scalar_subquery()

    values = [read(key) for key in anchor_keys]
    start = len(keys)
    while start > 0 and keys[start - 1].descending:
        start -= 1
    condition = tuple_(*(key.value for key in keys[start:])) < tuple_(*values[start:])
    for key, value in reversed(list(zip(keys[:start], values[:start], strict=True))):
        condition = or_(key.beyond(value), and_(key.value.is_not_distinct_from(value), condition))
    return condition


def feed(query: FeedQuery, scope_ids: list[int], origin: Origin | None) -> FeedPage:
    matching = _feed_filter(query, scope_ids)
    # Counted before the joins nearest first needs, and whatever page is asked:
    # the total is every listing that matches.
    total = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    sort = feed_sort(query, origin)
    terms = query_terms(query.q or "")
    keys, join = _order(Listing, sort, origin, terms)
    statement = join(matching)
    if query.after is not None:
        statement = statement.where(_after(query.after, keys, sort, origin, terms))
    order = [key.ordered() for key in keys]
    # The page's ids from the index, one more to know whether another page
    # follows, then their rows.
    offset = (query.page - 1) * query.per_page
    statement = statement.order_by(*order).limit(query.per_page + 1).offset(offset)
    ids = db.session.scalars(statement).all()
    more = len(ids) > query.per_page
    ids = ids[: query.per_page]
    by_id = {
        listing.id: listing
        for listing in db.session.scalars(select(Listing).where(Listing.id.in_(ids)))
    }
    return FeedPage([by_id[i] for i in ids if i in by_id], total, more)


def home(scope_ids: list[int], newest: int) -> dict[str, tuple[int, list[Listing]]]:
    """Each kind's live listings in scope: how many, and the newest few."""
    live = (Listing.status == ListingStatus.PUBLISHED, Listing.target_id.in_(scope_ids))
    rows = db.session.execute(
        select(Listing.kind, func.count()).where(*live).group_by(Listing.kind)
    ).all()
    counts = {kind: count for kind, count in rows}
    answer = {}
    for kind in ListingKind:
        statement = select(Listing).where(*live, Listing.kind == kind).order_by(*NEWEST_FIRST)
        items = db.session.scalars(statement.limit(newest)).all() if newest else []
        answer[kind.value] = (counts.get(kind, 0), list(items))
    return answer


@dataclass(frozen=True)
class FeedPlace:
    """The community a feed is asked for, and how far its scope's change log has come."""

    community_id: int
    level: str
    name: str
    path: str
    # The heads of the scope the caller guessed, in its order (city first).
    cursors: dict[int, int]
    # When the newest of those changes was made: seqs start again from 1 in a
    # database emptied or restored under a running process, times do not.
    head_at: datetime | None
    # The site's position for a kiosk's feed, the community's for a TV's.
    origin: Origin | None

    @property
    def scope(self) -> list[int]:
        """The scope as the place's path says now: the guess was right if it equals this."""
        return Place(path=self.path).ancestor_ids

    @property
    def head(self) -> int:
        return max(self.cursors.values(), default=0)


def _feed_place_statement(by_site: bool) -> Select[Any]:
    """The community and the heads of a guessed scope, in one statement; built once
    per kind of target, since building it costs more than running it."""
    guess = bindparam("scope_guess", expanding=True)
    # Each scope's newest change by its own index lookup, whatever the log's length.
    scope = aliased(Place)
    newest_in_scope = select(func.max(Change.seq)).where(Change.scope_id == scope.id)
    heads = (
        select(scope.id.label("scope_id"), newest_in_scope.scalar_subquery().label("head"))
        .where(scope.id.in_(guess))
        .cte("heads")
    )
    newest = select(func.max(heads.c.head)).scalar_subquery()
    head_at = select(Change.created_at).where(Change.seq == newest).scalar_subquery()
    where = Site if by_site else Place
    statement = select(
        Place.id,
        Place.level,
        Place.name,
        Place.path,
        where.latitude,
        where.longitude,
        heads.c.scope_id,
        heads.c.head,
        head_at.label("head_at"),
    )
    if by_site:
        statement = statement.select_from(Site).join(Place, Place.id == Site.community_id)
        statement = statement.where(Site.id == bindparam("target_id"))
    else:
        statement = statement.select_from(Place).where(Place.id == bindparam("target_id"))
    # ON true: one row per scope guessed, or one with NULLs if the guess is empty.
    return statement.outerjoin(heads, true())


FEED_PLACE_BY_SITE = _feed_place_statement(by_site=True)
FEED_PLACE_BY_COMMUNITY = _feed_place_statement(by_site=False)


def feed_place(
    community_id: int | None, site_id: int | None, scope_guess: list[int]
) -> FeedPlace | None:
    """The feed's community (by its id or a site's) and the heads of `scope_guess`,
    in one statement; None when there is no such community or site."""
    by_site = site_id is not None
    statement = FEED_PLACE_BY_SITE if by_site else FEED_PLACE_BY_COMMUNITY
    target_id = site_id if by_site else community_id
    rows = db.session.execute(statement, {"target_id": target_id, "scope_guess": scope_guess}).all()
    if not rows:
        return None
    found = {row.scope_id: row.head or 0 for row in rows if row.scope_id is not None}
    first = rows[0]
    return FeedPlace(
        community_id=first.id,
        level=first.level,
        name=first.name,
        path=first.path,
        cursors={scope: found.get(scope, 0) for scope in scope_guess},
        head_at=first.head_at,
        origin=(
            None
            if first.latitude is None or first.longitude is None
            else Origin(first.latitude, first.longitude)
        ),
    )


def public_listing_by_id(listing_id: int) -> Listing | None:
    """A listing the public may see: live, or gone (shown as 已下架), never a draft."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.status not in PUBLIC_STATUSES:
        return None
    return listing


def shown_to(listing: Listing, staff: Staff | None) -> bool:
    """The public sees live and gone listings; staff also see the drafts in their
    scope, so the console can preview a draft as screens will show it."""
    if listing.status in PUBLIC_STATUSES:
        return True
    return staff is not None and staff.can_manage(listing.target)


def active_announcements(scope_ids: list[int]) -> list[Announcement]:
    return list(
        db.session.scalars(
            select(Announcement)
            .where(
                Announcement.status == AnnouncementStatus.ACTIVE,
                Announcement.target_id.in_(scope_ids),
            )
            .order_by(Announcement.id.desc())
        )
    )


def listings_in_scope(
    scope_path: str,
    status: str | None,
    kind: str | None,
    page: int,
    per_page: int,
    *,
    q: str | None = None,
    target_id: int | None = None,
) -> Page[Listing]:
    """Listings targeted anywhere inside a staff member's part of the place tree."""
    statement = select(Listing).where(inside(Listing.target_id, scope_path))
    if status:
        statement = statement.where(Listing.status == status)
    if kind:
        statement = statement.where(Listing.kind == kind)
    if q:
        statement = statement.where(Listing.title.ilike(_like(q), escape="\\"))
    if target_id is not None:
        statement = statement.where(Listing.target_id == target_id)
    return paginate(statement, (Listing.updated_at.desc(), Listing.id.desc()), page, per_page)


def announcements_in_scope(
    scope_path: str, status: str | None, page: int, per_page: int
) -> Page[Announcement]:
    """Announcements targeted anywhere inside a staff member's part of the tree, newest first."""
    statement = select(Announcement).where(inside(Announcement.target_id, scope_path))
    if status:
        statement = statement.where(Announcement.status == status)
    newest_first = (Announcement.created_at.desc(), Announcement.id.desc())
    return paginate(statement, newest_first, page, per_page)


def published_by_kind(scope_path: str) -> dict[str, int]:
    """How many listings are live, kind by kind, among those aimed inside a scope."""
    rows = db.session.execute(
        select(Listing.kind, func.count())
        .where(Listing.status == ListingStatus.PUBLISHED, inside(Listing.target_id, scope_path))
        .group_by(Listing.kind)
    ).all()
    return {kind: count for kind, count in rows}
