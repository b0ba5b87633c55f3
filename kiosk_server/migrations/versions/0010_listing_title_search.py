"""listings.title_search: the title's words, pinyin initials and keypad keys

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 21:50:00

A search lists the listings whose title matches before the others; this fills
the column for the listings that exist, a thousand rows at a time.
"""

import sqlalchemy as sa
from alembic import op

from kiosk_server.listings.search import title_text

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("title_search", sa.Text(), nullable=False, server_default=""))
    listings = sa.table("listings", sa.column("id"), sa.column("title"), sa.column("title_search"))
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(listings.c.id, listings.c.title)
            .where(listings.c.id > last_id)
            .order_by(listings.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            connection.execute(
                listings.update()
                .where(listings.c.id == row.id)
                .values(title_search=title_text(row.title))
            )
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.drop_column("title_search")
