"""registration_repeats: a repeat registration's own reference, not a second record

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:50:00

Asking again with a number that already registered is answered as a first request,
with a reference and see-or-cancel link of its own (issue 22: a number cannot be
looked up); staff still see one registration.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration_repeats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("mobile", sa.String(length=11), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("screen_id", sa.Integer(), nullable=True),
        sa.Column("waitlisted", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("share_with_employer", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["places.id"],
            name=op.f("fk_registration_repeats_community_id_places"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_repeats_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["screen_id"], ["screens.id"], name=op.f("fk_registration_repeats_screen_id_screens")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_registration_repeats_session_id_training_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_repeats")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_registration_repeats_idempotency_key")
        ),
        sa.UniqueConstraint("reference", name=op.f("uq_registration_repeats_reference")),
    )
    with op.batch_alter_table("registration_repeats") as batch:
        batch.create_index("ix_registration_repeats_created_at", ["created_at"])
        batch.create_index("ix_registration_repeats_mobile", ["mobile"])
        batch.create_index("ix_registration_repeats_registration_id", ["registration_id"])


def downgrade() -> None:
    op.drop_table("registration_repeats")
