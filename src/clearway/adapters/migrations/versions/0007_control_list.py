"""control list and embargoes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import clearway.adapters.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "control_list_versions",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("loaded_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=120), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_list_versions")),
    )
    with op.batch_alter_table("control_list_versions", schema=None) as batch_op:
        batch_op.create_index("ix_control_list_versions_current", ["current"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("control_list_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_control_list_versions_current")
    op.drop_table("control_list_versions")
