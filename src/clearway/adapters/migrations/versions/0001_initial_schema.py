"""initial schema

Revision ID: 0001
Revises: none
Create Date: 2026-11-23 03:53:39.239308
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import clearway.adapters.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "code_lists",
        sa.Column("list", sa.String(length=24), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("list", "code", name=op.f("pk_code_lists")),
    )
    op.create_table(
        "declarations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=2), nullable=False),
        sa.Column("lrn", sa.String(length=35), nullable=False),
        sa.Column("declarant_id", sa.String(length=17), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=18), nullable=True),
        sa.Column("procedure", sa.String(length=4), nullable=False),
        sa.Column("office", sa.String(length=8), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("dispatch_country", sa.String(length=2), nullable=True),
        sa.Column("invoice_currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_amount", clearway.adapters.types.Money(), nullable=False),
        sa.Column("customs_value", clearway.adapters.types.Money(), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("lodged_by", sa.String(length=64), nullable=False),
        sa.Column("lodged_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint("declarant_id", "lrn", name="uq_declarations_declarant_lrn"),
        sa.UniqueConstraint("mrn", name=op.f("uq_declarations_mrn")),
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index("ix_declarations_lodged", ["lodged_at", "id"], unique=False)
        batch_op.create_index("ix_declarations_status", ["status"], unique=False)

    op.create_table(
        "events",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("declaration_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column(
            "occurred_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "published_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_events")),
        sa.UniqueConstraint("id", name=op.f("uq_events_id")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_declaration", ["declaration_id", "sequence"], unique=False)

    op.create_table(
        "exchange_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("rate", clearway.adapters.types.Money(), nullable=False),
        sa.Column("loaded_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("currency", "valid_from", name=op.f("pk_exchange_rates")),
    )
    op.create_table(
        "hs_nomenclature",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent", sa.String(length=6), nullable=True),
        sa.Column("section", sa.String(length=5), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_hs_nomenclature")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("company_id", sa.String(length=17), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    op.create_table(
        "declaration_parties",
        sa.Column("declaration_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("company_id", sa.String(length=17), nullable=True),
        sa.Column("name", sa.String(length=140), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_parties_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("declaration_id", "role", name=op.f("pk_declaration_parties")),
    )
    with op.batch_alter_table("declaration_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_parties_company_id"), ["company_id"], unique=False
        )

    op.create_table(
        "declaration_versions",
        sa.Column("declaration_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "valuation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", clearway.adapters.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_versions_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("declaration_id", "version", name=op.f("pk_declaration_versions")),
    )
    op.create_table(
        "declaration_items",
        sa.Column("declaration_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("commodity_code", sa.String(length=10), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("preference", sa.String(length=3), nullable=True),
        sa.Column("net_mass_kg", clearway.adapters.types.Money(), nullable=False),
        sa.Column("invoice_amount", clearway.adapters.types.Money(), nullable=False),
        sa.Column("customs_value", clearway.adapters.types.Money(), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id", "version"],
            ["declaration_versions.declaration_id", "declaration_versions.version"],
            name="fk_declaration_items_version",
        ),
        sa.PrimaryKeyConstraint(
            "declaration_id", "version", "sequence", name=op.f("pk_declaration_items")
        ),
    )
    with op.batch_alter_table("declaration_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_items_commodity_code"), ["commodity_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("declaration_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_items_commodity_code"))

    op.drop_table("declaration_items")
    op.drop_table("declaration_versions")
    with op.batch_alter_table("declaration_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_parties_company_id"))

    op.drop_table("declaration_parties")
    op.drop_table("api_keys")
    op.drop_table("users")
    op.drop_table("hs_nomenclature")
    op.drop_table("exchange_rates")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_declaration")

    op.drop_table("events")
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_declarations_status")
        batch_op.drop_index("ix_declarations_lodged")

    op.drop_table("declarations")
    op.drop_table("code_lists")
