"""listings.search_text: a listing's words, pinyin initials and keypad keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 20:40:00

Screens search on the server (kiosk_server/listings/search.py); this fills the
column for the listings that exist, a thousand rows at a time.
"""

import sqlalchemy as sa
from alembic import op

from kiosk_server.listings.models import searchable_names
from kiosk_server.listings.search import PART_SEPARATOR, search_parts

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    listings = sa.table(
        "listings",
        *(
            sa.column(name)
            for name in (
                "id",
                "title",
                "summary",
                "employer",
                "provider",
                "job_category",
                "event_type",
                "body",
                "search_text",
            )
        ),
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
            names = searchable_names(
                row.title, row.summary, row.employer, row.provider, row.job_category, row.event_type
            )
            connection.execute(
                listings.update()
                .where(listings.c.id == row.id)
                .values(search_text=PART_SEPARATOR.join(search_parts(names)))
            )
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.drop_column("search_text")
