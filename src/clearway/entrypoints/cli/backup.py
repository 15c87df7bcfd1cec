"""``clearway backup`` and ``clearway restore``: a consistent copy of the database taken while
the server runs, and putting one back (docs/operations.md says when and how)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearway.adapters import migrate
from clearway.adapters.backup import BackupError, BackupResult, TargetExists
from clearway.adapters.backup import backup as write_backup
from clearway.adapters.backup import restore as restore_backup
from clearway.config import get_settings
from clearway.entrypoints.cli.output import fail

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL (default: CLEARWAY_DATABASE_URL)"),
]


def _summary(result: BackupResult) -> str:
    """Size, tables, declarations (SQLite), revision and time, in one line."""
    parts = [f"{result.size:,} bytes", f"{result.tables} tables"]
    if result.declarations is not None:
        parts.append(f"{result.declarations:,} declarations")
    if result.revision is None:
        parts.append("no Clearway schema")
    elif result.newest:
        parts.append(f"schema revision {result.revision} (the newest)")
    else:
        parts.append(
            f"schema revision {result.revision} (this Clearway's newest is "
            f"{migrate.head_revision()}: clearway db upgrade, or the next start, migrates it)"
        )
    return f"{', '.join(parts)}, in {result.seconds:.2f} s"


def backup(
    path: Annotated[Path, typer.Argument(help="Backup file to write (replaced if it exists)")],
    database_url: DatabaseUrl = None,
) -> None:
    """Write a consistent copy of the database to PATH while the server goes on working.

    SQLite: the online backup API, checked with PRAGMA integrity_check; PostgreSQL: pg_dump
    --format=custom (pg_dump must be on PATH). The file appears whole or not at all."""
    url = database_url or get_settings().database_url
    try:
        result = write_backup(url, path)
    except BackupError as error:
        fail(str(error))
    typer.echo(f"wrote {result.path} from {result.database}: {_summary(result)}")


def restore(
    path: Annotated[Path, typer.Argument(help="Backup file written by clearway backup")],
    database_url: DatabaseUrl = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the database if there is one already")
    ] = False,
) -> None:
    """Put a backup in place as the database (stop the servers first).

    The backup is checked (integrity, schema revision known to this Clearway) before anything
    is changed; a database already there is replaced only with --force. PostgreSQL:
    pg_restore --clean --if-exists --no-owner in one transaction (pg_restore, and psql to
    restore into another schema, must be on PATH)."""
    url = database_url or get_settings().database_url
    try:
        result = restore_backup(path, url, force=force)
    except TargetExists as error:
        fail(f"{error}; give --force to replace it with the backup")
    except BackupError as error:
        fail(str(error))
    typer.echo(f"restored {result.path} into {result.database}: {_summary(result)}")
