"""The export-control tables: licences, their lines with the amounts used, every draw a
declaration made on them, and the referrals customs makes to the agency."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text

from clearway.adapters.tables import metadata
from clearway.adapters.types import Document, Money, UtcDateTime

licences = Table(
    "licences",
    metadata,
    Column("number", String(64), primary_key=True),
    Column("type", String(16), nullable=False),
    Column("authorisation", String(16)),
    Column("holder_id", String(17), nullable=False),
    Column("holder_name", String(200), nullable=False),
    Column("consignees", Document, nullable=False),
    Column("end_users", Document, nullable=False),
    Column("destinations", Document, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("conditions", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_licences_holder", licences.c.holder_id)

licence_items = Table(
    "licence_items",
    metadata,
    Column("licence_number", String(64), ForeignKey("licences.number"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("description", Text, nullable=False),
    Column("commodity_code", String(10)),
    Column("control_entry", String(32)),
    Column("quantity", Money),
    Column("unit", String(8)),
    Column("value", Money),
    Column("currency", String(3)),
    Column("quantity_used", Money, nullable=False),
    Column("value_used", Money, nullable=False),
)

licence_draws = Table(
    "licence_draws",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("licence_number", String(64), ForeignKey("licences.number"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("declaration_id", String(36), nullable=False),
    Column("declaration_version", Integer, nullable=False),
    Column("item_sequence", Integer, nullable=False),
    Column("quantity", Money, nullable=False),
    Column("unit", String(8)),
    Column("value", Money, nullable=False),
    Column("currency", String(3)),
    Column("drawn_at", UtcDateTime, nullable=False),
    # Set when the declaration was cancelled and the amounts given back to the licence.
    Column("credited_at", UtcDateTime),
)
Index("ix_licence_draws_licence", licence_draws.c.licence_number, licence_draws.c.drawn_at)
Index("ix_licence_draws_declaration", licence_draws.c.declaration_id)

referrals = Table(
    "referrals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("declaration_id", String(36), nullable=False),
    Column("declaration_version", Integer, nullable=False),
    # The referral of an earlier version of the declaration this one replaced.
    Column("supersedes", String(36)),
    Column("agency", String(32), nullable=False),
    Column("reason", String(24), nullable=False),
    Column("findings", Document, nullable=False),
    Column("state", String(24), nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("information_request", Text),
    Column("reply", Text),
    Column("decided_by", String(64)),
    Column("decided_at", UtcDateTime),
    Column("note", Text),
)
Index("ix_referrals_declaration", referrals.c.declaration_id)
Index("ix_referrals_queue", referrals.c.agency, referrals.c.state, referrals.c.deadline)
