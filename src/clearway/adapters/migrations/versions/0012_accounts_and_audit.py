"""clearway accounts and audit trail

Token versions and sign-in throttling on users; roles, expiry and token versions on API
keys; the audit trail.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import clearway.adapters.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = clearway.adapters.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    # An account's id is what its tokens name: SQLite must never hand a deleted account's id
    # to a new one (AUTOINCREMENT), so the table is rebuilt there.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "users",
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True},
    ) as table:
        table.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="1")
        )
        table.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("locked_until", _TIME, nullable=True))
        table.add_column(sa.Column("updated_at", _TIME, nullable=True))
    with op.batch_alter_table("api_keys") as table:
        table.add_column(sa.Column("role", sa.String(length=16), nullable=True))
        table.add_column(sa.Column("expires_at", _TIME, nullable=True))
        table.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="1")
        )
        table.add_column(sa.Column("created_by", sa.String(length=64), nullable=True))
    # Keys made before keys expired: 90 days from now, as a new key would.
    keys = sa.table("api_keys", sa.column("expires_at", _TIME), sa.column("revoked_at", _TIME))
    op.execute(
        keys.update()
        .where(keys.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=90))
    )
    op.create_table(
        "audit_records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("occurred_at", _TIME, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_records")),
    )
    op.create_index("ix_audit_records_occurred_at", "audit_records", ["occurred_at", "id"])
    op.create_index("ix_audit_records_object", "audit_records", ["object_type", "object_id", "id"])
    op.create_index("ix_audit_records_actor", "audit_records", ["actor", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_records_actor", table_name="audit_records")
    op.drop_index("ix_audit_records_object", table_name="audit_records")
    op.drop_index("ix_audit_records_occurred_at", table_name="audit_records")
    op.drop_table("audit_records")
    with op.batch_alter_table("api_keys") as table:
        for column in ("created_by", "token_version", "expires_at", "role"):
            table.drop_column(column)
    with op.batch_alter_table("users") as table:
        for column in ("updated_at", "locked_until", "failed_logins", "token_version"):
            table.drop_column(column)
