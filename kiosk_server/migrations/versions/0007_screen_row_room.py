"""room in the pages of screens for in-place updates

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 18:30:00

Every ack rewrites a screen's row. With room in its page, PostgreSQL keeps the
new version there and leaves the indexes alone (a HOT update). Pages written
from now on keep the room; existing rows get it as they move or after a
VACUUM FULL. SQLite has no such setting.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FILLFACTOR = 70


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE screens SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE screens RESET (fillfactor)")
