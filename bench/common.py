"""Helpers the benchmarks share."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from clearway.adapters.database import create_database_engine


def fresh_postgres_schema(url: str) -> str:
    """A URL for a new, empty schema in the PostgreSQL database at ``url``."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_database_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"
