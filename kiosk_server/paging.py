"""One page of a query's results, and how many there are in all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from kiosk_server.extensions import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int


def paginate(statement: Select[Any], order: tuple[Any, ...], page: int, per_page: int) -> Page[Any]:
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = db.session.scalars(
        statement.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(items), total)


def paginate_in_one_pass(
    statement: Select[Any], order: tuple[Any, ...], page: int, per_page: int
) -> Page[Any]:
    """As paginate, for a filter that costs a pass over many rows: the total rides
    along with the page's rows (a count over every row that matched, before the
    limit), so the filter runs once. Only a page past the end is counted apart."""
    rows = db.session.execute(
        statement.add_columns(func.count().over())
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not rows:
        return Page(
            [], db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        )
    return Page([row[0] for row in rows], rows[0][1])


def page_json(
    page: Page[T], item_json: Callable[[T], dict[str, Any]], number: int, per_page: int
) -> dict[str, Any]:
    """The answer every staff list gives: the page's items and where it stands in all."""
    return {
        "items": [item_json(item) for item in page.items],
        "total": page.total,
        "page": number,
        "per_page": per_page,
    }
