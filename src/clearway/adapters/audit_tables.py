"""The audit trail: who read or changed what, when, from where (one row per access or change).

Rows are only ever added. Changes are also events in the outbox, and so leaves of the ledger;
reads are not (they change nothing), but are kept here with the same who and when.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table

from clearway.adapters.tables import metadata
from clearway.adapters.types import Document, UtcDateTime

audit_records = Table(
    "audit_records",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("occurred_at", UtcDateTime, nullable=False),
    # The username, or ``anonymous`` for a sign-in with an unknown name.
    Column("actor", String(64), nullable=False),
    Column("actor_role", String(16)),
    # ``declaration.read``, ``login.failed``, ``user.disabled``, ``rule.written`` …
    Column("action", String(48), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(80)),
    # What was read (the fields or page) or changed (before and after, never a secret).
    Column("detail", Document, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("request_id", String(64)),
    Column("client", String(64)),
    Index("ix_audit_records_occurred_at", "occurred_at", "id"),
    Index("ix_audit_records_object", "object_type", "object_id", "id"),
    Index("ix_audit_records_actor", "actor", "id"),
)
