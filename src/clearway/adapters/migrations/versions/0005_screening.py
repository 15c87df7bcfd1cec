"""sanctions lists and screening

Every loaded version of each sanctions list with its entities (JSON documents), and the
agency's dismissals of false positives per party.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import clearway.adapters.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "screening_list_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("loaded_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=120), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_list_versions")),
    )
    with op.batch_alter_table("screening_list_versions", schema=None) as batch_op:
        batch_op.create_index("ix_screening_list_versions_source", ["source"], unique=False)

    op.create_table(
        "screening_entities",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["screening_list_versions.id"],
            name=op.f("fk_screening_entities_version_id_screening_list_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", "entity_id", name=op.f("pk_screening_entities")),
    )
    op.create_table(
        "screening_dismissals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party_key", sa.String(length=400), nullable=False),
        sa.Column("party_name", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_dismissals")),
        sa.UniqueConstraint(
            "party_key", "entity_id", name=op.f("uq_screening_dismissals_party_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("screening_dismissals")
    op.drop_table("screening_entities")
    with op.batch_alter_table("screening_list_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_list_versions_source")

    op.drop_table("screening_list_versions")
