"""The subscriptions the relay publishes the outbox to, each row with its delivery cursor.

The cursor lives in the subscription's own row so that locking the row (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL) is what gives one relay at a time a subscription's delivery;
``claimed_until`` is the lease that stands in for that lock on SQLite, which has no row locks.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Integer, String, Table, Text

from clearway.adapters.tables import metadata
from clearway.adapters.types import Document, UtcDateTime

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("url", Text),
    Column("secret", String(128)),
    Column("subject_prefix", String(100)),
    # Sorted list of event types; empty means every type.
    Column("event_types", Document, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(120), nullable=False),
    # Delivery: every event up to last_sequence has been delivered (or filtered out).
    Column("last_sequence", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("last_error", Text),
    Column("last_delivered_at", UtcDateTime),
    Column("claimed_until", UtcDateTime),
)
