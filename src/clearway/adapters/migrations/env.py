"""Alembic environment: migrates the database of the URL given by ``clearway.adapters.migrate``."""

from __future__ import annotations

from alembic import context

from clearway.adapters.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through clearway.adapters.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
