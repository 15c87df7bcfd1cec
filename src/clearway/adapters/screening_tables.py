"""The screening tables: each loaded version of each sanctions list (every version kept),
the entities of each version as JSON documents, and the agency's dismissals of false
positives."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from clearway.adapters.tables import metadata
from clearway.adapters.types import Document, UtcDateTime

screening_list_versions = Table(
    "screening_list_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(16), nullable=False),
    Column("loaded_at", UtcDateTime, nullable=False),
    Column("loaded_by", String(120), nullable=False),
    Column("origin", Text, nullable=False),
    # SHA-256 of the list's files (uncompressed): the same list loaded twice is one version.
    Column("sha256", String(64), nullable=False),
    Column("entity_count", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    # Only the newest version of a source is current; older ones stay readable.
    Column("current", Boolean, nullable=False),
)
Index("ix_screening_list_versions_source", screening_list_versions.c.source)

screening_entities = Table(
    "screening_entities",
    metadata,
    Column("version_id", Integer, ForeignKey("screening_list_versions.id"), primary_key=True),
    Column("entity_id", String(80), primary_key=True),
    Column("document", Document, nullable=False),
)

screening_dismissals = Table(
    "screening_dismissals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("party_key", String(400), nullable=False),
    Column("party_name", Text, nullable=False),
    Column("entity_id", String(80), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_by", String(120), nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    UniqueConstraint("party_key", "entity_id"),
)
