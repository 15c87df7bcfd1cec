"""events about licences: declaration_id optional, licence_id added

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.alter_column("declaration_id", existing_type=sa.String(length=36), nullable=True)
        batch.add_column(sa.Column("licence_id", sa.String(length=64), nullable=True))
        batch.create_index("ix_events_licence", ["licence_id", "sequence"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_licence")
        batch.drop_column("licence_id")
        batch.alter_column("declaration_id", existing_type=sa.String(length=36), nullable=False)
