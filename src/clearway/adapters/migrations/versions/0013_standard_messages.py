"""clearway standard messages

Declarations of a WCO type may state no invoice, and items no code, origin, mass or price;
parties may be named by their EORI number alone. The original message a declaration came in
(WCO DEC-DMS XML, UN/EDIFACT CUSDEC) is kept with each version, and every notification sent
for a declaration is kept to be read again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clearway.adapters.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = clearway.adapters.types.UtcDateTime(timezone=True)
_MONEY = clearway.adapters.types.Money()


def upgrade() -> None:
    with op.batch_alter_table("declarations") as table:
        table.alter_column("destination_country", existing_type=sa.String(2), nullable=True)
        table.alter_column("invoice_currency", existing_type=sa.String(3), nullable=True)
        table.alter_column("invoice_amount", existing_type=_MONEY, nullable=True)
    with op.batch_alter_table("declaration_items") as table:
        table.alter_column("commodity_code", existing_type=sa.String(10), nullable=True)
        table.alter_column("origin_country", existing_type=sa.String(2), nullable=True)
        table.alter_column("net_mass_kg", existing_type=_MONEY, nullable=True)
        table.alter_column("invoice_amount", existing_type=_MONEY, nullable=True)
    with op.batch_alter_table("declaration_parties") as table:
        table.alter_column("name", existing_type=sa.String(140), nullable=True)
    op.create_table(
        "declaration_messages",
        sa.Column(
            "declaration_id", sa.String(36), sa.ForeignKey("declarations.id"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("declaration_id", "version", name="pk_declaration_messages"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("declaration_id", sa.String(36), sa.ForeignKey("declarations.id"), nullable=True),
        sa.Column("declarant_id", sa.String(17), nullable=False),
        sa.Column("lrn", sa.String(35), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", _TIME, nullable=False),
    )
    op.create_index("ix_notifications_declaration", "notifications", ["declaration_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_declaration", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("declaration_messages")
