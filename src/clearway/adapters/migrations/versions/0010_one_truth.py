"""clearway shared clearance state

Reference-data version counters that every worker reads, the risk model's trader history and
the lane selector's window shared through the database, the unmet requirements of each risk
decision, and the link from a referral to the one of an earlier version it replaced.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import clearway.adapters.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_versions",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_reference_versions")),
    )
    op.create_table(
        "risk_history",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("inspected", sa.Integer(), nullable=False),
        sa.Column("fraud", sa.Integer(), nullable=False),
        sa.Column("price_n", sa.Integer(), nullable=False),
        sa.Column("price_sum", sa.Float(), nullable=False),
        sa.Column("price_sumsq", sa.Float(), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_risk_history")),
    )
    op.create_table(
        "lane_outcomes",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("writer", sa.String(length=36), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("lane", sa.String(length=8), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("aeo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_lane_outcomes")),
    )
    with op.batch_alter_table("risk_decisions") as batch:
        batch.add_column(
            sa.Column(
                "requirements",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("supersedes", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("supersedes")
    with op.batch_alter_table("risk_decisions") as batch:
        batch.drop_column("requirements")
    op.drop_table("lane_outcomes")
    op.drop_table("risk_history")
    op.drop_table("reference_versions")
