"""The control list's table: every version the export-control agency loaded, each a whole
document (entries, correlation and destination measures), exactly one of them current."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from clearway.adapters.tables import metadata
from clearway.adapters.types import Document, UtcDateTime

control_list_versions = Table(
    "control_list_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("loaded_at", UtcDateTime, nullable=False),
    Column("loaded_by", String(120), nullable=False),
    Column("source", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("illustrative", Boolean, nullable=False),
    # The list as ``control_list_document`` writes it; read back with ``parse_control_list``.
    Column("document", Document, nullable=False),
    # Only the newest version is current; older ones are kept as they were.
    Column("current", Boolean, nullable=False),
)
Index("ix_control_list_versions_current", control_list_versions.c.current)
