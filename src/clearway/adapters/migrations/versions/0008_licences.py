"""licences, licence draws and referrals

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import clearway.adapters.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = clearway.adapters.types.UtcDateTime(timezone=True)
MONEY = clearway.adapters.types.Money()


def upgrade() -> None:
    op.create_table(
        "licences",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("authorisation", sa.String(length=16), nullable=True),
        sa.Column("holder_id", sa.String(length=17), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("consignees", DOCUMENT, nullable=False),
        sa.Column("end_users", DOCUMENT, nullable=False),
        sa.Column("destinations", DOCUMENT, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_licences")),
    )
    op.create_index("ix_licences_holder", "licences", ["holder_id"], unique=False)
    op.create_table(
        "licence_items",
        sa.Column("licence_number", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("commodity_code", sa.String(length=10), nullable=True),
        sa.Column("control_entry", sa.String(length=32), nullable=True),
        sa.Column("quantity", MONEY, nullable=True),
        sa.Column("unit", sa.String(length=8), nullable=True),
        sa.Column("value", MONEY, nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("quantity_used", MONEY, nullable=False),
        sa.Column("value_used", MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_number"],
            ["licences.number"],
            name=op.f("fk_licence_items_licence_number_licences"),
        ),
        sa.PrimaryKeyConstraint("licence_number", "line", name=op.f("pk_licence_items")),
    )
    op.create_table(
        "licence_draws",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("licence_number", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.String(length=36), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("item_sequence", sa.Integer(), nullable=False),
        sa.Column("quantity", MONEY, nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=True),
        sa.Column("value", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("drawn_at", UTC, nullable=False),
        sa.Column("credited_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["licence_number"],
            ["licences.number"],
            name=op.f("fk_licence_draws_licence_number_licences"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_draws")),
    )
    op.create_index(
        "ix_licence_draws_licence", "licence_draws", ["licence_number", "drawn_at"], unique=False
    )
    op.create_index(
        "ix_licence_draws_declaration", "licence_draws", ["declaration_id"], unique=False
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("declaration_id", sa.String(length=36), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("findings", DOCUMENT, nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("deadline", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("information_request", sa.Text(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index("ix_referrals_declaration", "referrals", ["declaration_id"], unique=False)
    op.create_index(
        "ix_referrals_queue", "referrals", ["agency", "state", "deadline"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_referrals_queue", table_name="referrals")
    op.drop_index("ix_referrals_declaration", table_name="referrals")
    op.drop_table("referrals")
    op.drop_index("ix_licence_draws_declaration", table_name="licence_draws")
    op.drop_index("ix_licence_draws_licence", table_name="licence_draws")
    op.drop_table("licence_draws")
    op.drop_table("licence_items")
    op.drop_index("ix_licences_holder", table_name="licences")
    op.drop_table("licences")
