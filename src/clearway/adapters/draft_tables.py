"""Drafts of portal forms kept on the server, so a user timed out or on another machine
loses nothing they saved."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table

from clearway.adapters.tables import metadata
from clearway.adapters.types import Document, UtcDateTime

portal_drafts = Table(
    "portal_drafts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("title", String(140), nullable=False),
    # The form's fields as typed, valid or not: a draft is whatever the user had so far.
    Column("document", Document, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_portal_drafts_username_updated_at", "username", "updated_at"),
)
