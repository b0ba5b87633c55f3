"""listings: search a listing's names, a column for each way they are written

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 00:10:00

search_text (a listing's words, their pinyin initials and keypad keys, and its
body's words, in one text) becomes three columns of its names alone:
search_words, search_letters and search_keys (kiosk_server/listings/search.py
says why), written here for the listings that exist, a thousand rows at a time.
On PostgreSQL the index screens' lists are read from also carries what a list
filters and orders by, these columns included, so a page and its count are
read from the index alone, without the listings' long rows.
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from kiosk_server.listings.models import SEARCHED_COLUMNS, searchable_names
from kiosk_server.listings.search import PART_SEPARATOR, SearchParts, search_parts

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 1000
# A scope's few places first: a list of every kind seeks them, as one of a kind does.
INDEX, KEY = "ix_listings_feed", ["status", "target_id", "kind"]
# The newest of a kind, walked from the newest down until a screen's few are found.
NEWEST, NEWEST_KEY = "ix_listings_newest", ["status", "kind", "published_at", "id"]
# What a screen's list filters and orders by (models.FEED_INDEX_INCLUDES as of now).
INCLUDES = [
    "id",
    "published_at",
    "valid_until",
    "site_id",
    "job_category",
    "pay_unit",
    "fee",
    # Short to long: a row's later columns are found by stepping over the earlier.
    "search_keys",
    "search_letters",
    "title_search",
    "search_words",
]


def _rewrite(columns: tuple[str, ...], values: Callable[[SearchParts], dict[str, str]]) -> None:
    """Each listing's `columns` from the search parts of its names."""
    listings = sa.table(
        "listings", *(sa.column(name) for name in ("id", *columns, *SEARCHED_COLUMNS))
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(listings).where(listings.c.id > last_id).order_by(listings.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            names = searchable_names(*(getattr(row, name) for name in SEARCHED_COLUMNS))
            connection.execute(
                listings.update()
                .where(listings.c.id == row.id)
                .values(**values(search_parts(names)))
            )
        last_id = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        for name in SearchParts._fields:
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
    _rewrite(SearchParts._fields, lambda parts: parts._asdict())
    with op.batch_alter_table("listings") as batch:
        batch.drop_column("search_text")
    op.create_index(INDEX, "listings", KEY, postgresql_include=INCLUDES)
    op.create_index(NEWEST, "listings", NEWEST_KEY, postgresql_include=["target_id"])


def downgrade() -> None:
    # The names' parts in one text again; the body's words are not brought back.
    op.drop_index(NEWEST, table_name="listings")
    op.drop_index(INDEX, table_name="listings")
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    _rewrite(("search_text",), lambda parts: {"search_text": PART_SEPARATOR.join(parts)})
    with op.batch_alter_table("listings") as batch:
        for name in SearchParts._fields:
            batch.drop_column(name)
