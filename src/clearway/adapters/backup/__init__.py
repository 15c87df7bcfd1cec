"""Backups of Clearway's database, and restoring one.

SQLite is copied with SQLite's online backup API (``sqlite.py``), PostgreSQL dumped with
``pg_dump --format=custom`` and restored with ``pg_restore`` (``postgres.py``): each reads one
snapshot while the server goes on writing. Every file is written beside its destination and
moved into place with ``os.replace`` (``files.py``), so nobody sees half a file and a failed run
leaves what was there. A restore checks the backup and its schema revision against this
Clearway's migrations before it changes anything.

Exceptions: ``BackupError`` (one line for the operator), of which ``TargetExists`` (a restore
would replace a database without being told to).
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy.engine import make_url

from clearway.adapters.backup.files import BackupError, BackupResult, TargetExists
from clearway.adapters.backup.postgres import back_up as back_up_postgres
from clearway.adapters.backup.postgres import database as postgres_database
from clearway.adapters.backup.postgres import restore as restore_postgres
from clearway.adapters.backup.sqlite import back_up as back_up_sqlite
from clearway.adapters.backup.sqlite import database_file
from clearway.adapters.backup.sqlite import restore as restore_sqlite
from clearway.adapters.database import normalise_url

__all__ = ["BackupError", "BackupResult", "TargetExists", "backup", "restore"]


def backup(url: str, target: Path) -> BackupResult:
    """Write a consistent copy of the database at ``url`` to ``target`` (replacing a file
    already there), while others go on writing to it."""
    started = time.perf_counter()
    database = make_url(normalise_url(url))
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the backup file's name")
    try:
        if database.get_backend_name() == "sqlite":
            return back_up_sqlite(database_file(database), target, started)
        return back_up_postgres(postgres_database(database), target, started)
    except OSError as error:
        raise BackupError(f"cannot write {error.filename or target}: {error.strerror}") from error


def restore(source: Path, url: str, *, force: bool = False) -> BackupResult:
    """Put the backup ``source`` in place as the database at ``url``; a database already there
    is replaced only when ``force``d. A file that is no sound backup changes nothing."""
    started = time.perf_counter()
    database = make_url(normalise_url(url))
    if not source.is_file():
        raise BackupError(f"no backup file {source}")
    try:
        if database.get_backend_name() == "sqlite":
            return restore_sqlite(source, database, force, started)
        return restore_postgres(source, postgres_database(database), force, started)
    except OSError as error:
        raise BackupError(f"cannot restore {source}: {error.strerror}") from error
