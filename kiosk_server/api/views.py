"""Public endpoints: the place tree, sites, the feed, one listing, its QR code."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from typing import Any, Literal

import segno
from flask import Response, current_app, jsonify, request

from kiosk_server import throttle
from kiosk_server.api import bp
from kiosk_server.api.openapi import openapi_document
from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.links import phone_url
from kiosk_server.listings.display import (
    PUBLIC_FORMAT,
    public_announcement,
    public_listing,
    public_site,
)
from kiosk_server.listings.feed_cache import FeedKey, feed_cache, locate, remembered
from kiosk_server.listings.models import JOB_CATEGORY_NAMES, KIND_NAMES, Listing
from kiosk_server.listings.queries import (
    PUBLIC_STATUSES,
    FeedPlace,
    active_announcements,
    feed,
    feed_sort,
    home,
    public_listing_by_id,
    shown_to,
)
from kiosk_server.listings.schemas import CATEGORY_GROUPS, FeedQuery, HomeQuery, ScreenPlace
from kiosk_server.places.models import PlaceLevel
from kiosk_server.places.queries import community_or_error, place_tree, site_or_error, sites
from kiosk_server.registrations.retention import privacy_periods
from kiosk_server.screens.actions import do_register_tv
from kiosk_server.screens.schemas import TvRegistrationIn
from kiosk_server.staff.auth import current_staff_or_none
from kiosk_server.validation import MAX_ID, QueryId, Strict, parse_body, parse_query


def _listing_or_404(listing_id: int) -> Listing:
    listing = public_listing_by_id(listing_id) if listing_id <= MAX_ID else None
    if listing is None:
        raise ApiError(404, "没有找到这条信息")
    return listing


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/places")
def places() -> Response:
    return jsonify({"places": place_tree()})


class SitesQuery(Strict):
    community_id: QueryId | None = None
    kind: (
        Literal["station", "kiosk", "micro_factory", "training_venue", "startup_station"] | None
    ) = None


@bp.get("/sites")
def site_list() -> Response:
    query = parse_query(SitesQuery)
    if query.community_id is not None:
        community_or_error(query.community_id)
    return jsonify({"sites": [public_site(site) for site in sites(query.community_id, query.kind)]})


@bp.get("/sites/<int:site_id>")
def site_detail(site_id: int) -> Response:
    if site_id > MAX_ID:
        raise ApiError(404, "没有这个站点")
    return jsonify(public_site(site_or_error(site_id)))


def _feed_place(query: ScreenPlace) -> FeedPlace:
    place = locate(feed_cache(current_app), query.community_id, query.site_id)
    if place is not None and (query.site_id is not None or place.level == PlaceLevel.COMMUNITY):
        return place
    # Refused the way every other endpoint refuses a missing site or community.
    if query.site_id is not None:
        site_or_error(query.site_id)
    community_or_error(query.community_id or 0)
    raise ApiError(404, "没有这个社区")  # added between the two reads: ask again


def _place_answer(
    answer: str, query: ScreenPlace, render: Callable[[FeedPlace], Any]
) -> tuple[str, bytes]:
    """An answer that follows from a screen's place and its scope's head (the feed,
    the home screen): an ETag from the head, and the body kept in the feed cache."""
    # Heads first, in the same statement as the community: a change committed
    # after this read is also in the body, and screens that catch up from
    # these cursors apply it idempotently.
    place = _feed_place(query)
    params = hashlib.sha1(request.query_string, usedforsecurity=False).hexdigest()[:12]
    # The format too: a screen holding bytes an older server wrote gets the new ones.
    tag = f"{answer}-{place.head}-{params}-f{PUBLIC_FORMAT}"
    # The same (answer, community, heads, query string) is the same body: see feed_cache.
    cache = feed_cache(current_app)
    key = FeedKey.of(place, answer, request.query_string)
    body = cache.get(key)
    if body is None:
        scope = place.scope
        body = jsonify(
            {
                "community": {"id": place.community_id, "name": place.name},
                "scope": scope,
                "cursors": {str(key): value for key, value in place.cursors.items()},
                **render(place),
                "announcements": [
                    public_announcement(item) for item in active_announcements(scope)
                ],
            }
        ).get_data()
        cache.put(key, body)
    return tag, body


def _json(key: tuple[Any, ...], read: Callable[[], tuple[str, bytes]]) -> Response:
    """Built the same way from memory and afresh, so the two answers are byte for
    byte the same, and Flask-Compress treats them alike."""
    response = remembered(key, read, "application/json")
    assert response is not None  # read() answers or raises
    return response


@bp.get("/feed")
def listing_feed() -> Response:
    def read() -> tuple[str, bytes]:
        query = parse_query(FeedQuery)

        def render(place: FeedPlace) -> dict[str, Any]:
            page = feed(query, place.scope, place.origin)
            return {
                "page": query.page,
                "per_page": query.per_page,
                "sort": feed_sort(query, place.origin),
                "after": query.after,
                "more": page.more,
                "total": page.total,
                "items": [public_listing(listing) for listing in page.items],
            }

        return _place_answer("feed", query, render)

    # Per query string, as the place it names is known: see feed_cache.
    return _json(("feed", request.query_string), read)


def screen_names() -> dict[str, dict[str, str]]:
    """What the TV and the kiosk call kinds and job categories (their tiles,
    titles and filters): the server's tables, so no screen keeps a copy."""
    return {
        "kinds": dict(KIND_NAMES),
        "job_categories": dict(JOB_CATEGORY_NAMES),
        # A filter taking in several categories is named after them: 全职/兼职.
        "category_groups": {
            group: "/".join(JOB_CATEGORY_NAMES[member] for member in members)
            for group, members in CATEGORY_GROUPS.items()
        },
    }


@bp.get("/home")
def home_screen() -> Response:
    def read() -> tuple[str, bytes]:
        query = parse_query(HomeQuery)

        def render(place: FeedPlace) -> dict[str, Any]:
            kinds = home(place.scope, query.newest)
            return {
                "kinds": {
                    kind: {"total": total, "newest": [public_listing(item) for item in items]}
                    for kind, (total, items) in kinds.items()
                },
                # What the kiosk's and the TV's privacy notices state (retention.py).
                "privacy": privacy_periods(),
                "names": screen_names(),
            }

        tag, body = _place_answer("home", query, render)
        # The periods are settings, not in the scope's head: a screen holding an
        # answer from before they changed must not be told it is current.
        periods = privacy_periods()
        # Nor are the names (code, not data): a renamed category reaches every screen.
        names = json.dumps(screen_names(), sort_keys=True).encode()
        digest = hashlib.sha1(names, usedforsecurity=False).hexdigest()[:8]
        return f"{tag}-k{periods['keep_months']}-l{periods['link_days']}-n{digest}", body

    return _json(("home", request.query_string), read)


def _listing_answer(listing_id: int) -> tuple[str, bytes]:
    listing = _listing_or_404(listing_id)
    tag = f"listing-{listing.id}-{listing.version}-f{PUBLIC_FORMAT}"
    return tag, jsonify(public_listing(listing)).get_data()


@bp.get("/listings/<int:listing_id>")
def listing_detail(listing_id: int) -> Response:
    return _json(("listing", listing_id), lambda: _listing_answer(listing_id))


@bp.get("/listings/<int:listing_id>/qr.png")
def listing_qr(listing_id: int) -> Response:
    listing = db.session.get(Listing, listing_id) if listing_id <= MAX_ID else None
    public = listing is not None and listing.status in PUBLIC_STATUSES
    # A draft's code only for staff previewing it, as its screens will show it.
    if listing is None or not (public or shown_to(listing, current_staff_or_none())):
        raise ApiError(404, "没有找到这条信息")
    buffer = io.BytesIO()
    segno.make(phone_url(listing.id), error="m").save(buffer, kind="png", scale=8, border=2)
    response = Response(buffer.getvalue(), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


class AnnouncementsQuery(Strict):
    community_id: QueryId


@bp.get("/announcements")
def announcements() -> Response:
    query = parse_query(AnnouncementsQuery)
    scope = community_or_error(query.community_id).ancestor_ids
    return jsonify(
        {"announcements": [public_announcement(item) for item in active_announcements(scope)]}
    )


@bp.post("/screens")
@throttle.limit_screen_signup
def register_screen() -> tuple[Response, int]:
    screen, token = do_register_tv(parse_body(TvRegistrationIn))
    body = {
        "screen": {"id": screen.id, "kind": screen.kind, "community_id": screen.community_id},
        "token": token,
    }
    return jsonify(body), 201
