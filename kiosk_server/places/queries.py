"""Reading the place tree and its sites."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.places.models import Place, PlaceLevel, Site


def inside(place_id: Any, scope_path: str) -> ColumnElement[bool]:
    """A condition: the place in column `place_id` lies in the subtree at `scope_path`."""
    subtree = select(Place.id).where(Place.path.startswith(scope_path, autoescape=True))
    return place_id.in_(subtree)


def place_tree() -> list[dict[str, Any]]:
    """Every place, nested, city first; one query, assembled in memory."""
    places = db.session.scalars(select(Place).order_by(Place.id)).all()
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for place in places:
        node = {
            "id": place.id,
            "name": place.name,
            "level": place.level,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "children": [],
        }
        nodes[place.id] = node
        parent = nodes.get(place.parent_id) if place.parent_id else None
        (parent["children"] if parent else roots).append(node)
    return roots


def places_in_scope(scope: Place) -> list[Place]:
    """The scope and everything under it, each parent before its children, siblings by id."""
    found = db.session.scalars(
        select(Place).where(Place.path.startswith(scope.path, autoescape=True)).order_by(Place.id)
    ).all()
    children: dict[int | None, list[Place]] = {}
    for place in found:
        children.setdefault(place.parent_id, []).append(place)
    ordered: list[Place] = []
    stack = [scope]
    while stack:
        place = stack.pop()
        ordered.append(place)
        stack.extend(reversed(children.get(place.id, [])))
    return ordered


def sites_in_scope(scope_path: str) -> list[Site]:
    return list(
        db.session.scalars(
            select(Site).where(inside(Site.community_id, scope_path)).order_by(Site.id)
        )
    )


def communities_by_street() -> list[tuple[str, list[tuple[int, str]]]]:
    """Communities grouped under "区 街道" headings, for a resident to pick where they live."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []

    def walk(node: dict[str, Any], district: str) -> None:
        communities = [
            (child["id"], child["name"])
            for child in node["children"]
            if child["level"] == PlaceLevel.COMMUNITY
        ]
        if node["level"] == PlaceLevel.STREET and communities:
            groups.append((f"{district} {node['name']}".strip(), communities))
        for child in node["children"]:
            walk(child, node["name"] if node["level"] == PlaceLevel.DISTRICT else district)

    for root in place_tree():
        walk(root, "")
    return groups


def community_or_error(community_id: int, field: str = "community_id") -> Place:
    place = db.session.get(Place, community_id)
    if place is None:
        raise ApiError(404, "没有这个社区", fields={field: "没有这个社区"})
    if place.level != PlaceLevel.COMMUNITY:
        raise ApiError(422, fields={field: "请选择社区一级的地点"})
    return place


def site_or_error(site_id: int, field: str = "site_id") -> Site:
    site = db.session.get(Site, site_id)
    if site is None:
        raise ApiError(404, "没有这个站点", fields={field: "没有这个站点"})
    return site


def sites(community_id: int | None, kind: str | None) -> list[Site]:
    statement = select(Site).order_by(Site.id)
    if community_id is not None:
        statement = statement.where(Site.community_id == community_id)
    if kind is not None:
        statement = statement.where(Site.kind == kind)
    return list(db.session.scalars(statement))
