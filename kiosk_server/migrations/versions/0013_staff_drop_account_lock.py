"""staff: drop the per-account login lock

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 03:30:00

Wrong passwords lock the guessing address out of a username (kiosk_server/throttle.py,
issue 22 point 4), not the account, so failed_logins and locked_until are no longer
written or read. A downgrade brings them back empty: no account locked.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite drops a column by copying the table.
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
