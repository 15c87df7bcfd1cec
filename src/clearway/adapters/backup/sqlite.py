"""SQLite: an online backup with SQLite's backup API, checked and renamed into place; a restore
that checks the backup's integrity and revision on a copy beside the database it replaces."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL

from clearway.adapters.backup.files import (
    SQLITE_HEADER,
    BackupError,
    BackupResult,
    TargetExists,
    beside,
    expect_kind,
    installed_revision,
    is_newest,
    known_revision,
    move_into_place,
    side_files,
)


def database_file(url: URL) -> Path:
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"{url} names no SQLite database file")
    return Path(name)


def back_up(database: Path, target: Path, started: float) -> BackupResult:
    # Checked first: connecting would create an empty database where there is none.
    if not database.is_file():
        raise BackupError(f"no SQLite database at {database}; nothing to back up")
    if target.resolve() in {path.resolve() for path in (database, *side_files(database))}:
        raise BackupError(f"{target} is the database itself; write the backup elsewhere")
    with beside(target) as temporary:
        try:
            # mode=rw: open the database that is there, never make one.
            source = sqlite3.connect(
                f"file:{quote(str(database.resolve()))}?mode=rw", uri=True, timeout=30
            )
            try:
                copy = sqlite3.connect(temporary, isolation_level=None)
                try:
                    # One step (pages=-1) copies every page under one read transaction: a
                    # snapshot, beside which WAL lets the server go on writing.
                    source.backup(copy, pages=-1)
                    # The copy stands alone in one file, with no -wal beside it to forget.
                    copy.execute("PRAGMA journal_mode=DELETE")
                    revision, tables, declarations = check(copy, f"the copy of {database}")
                finally:
                    copy.close()
            finally:
                source.close()
        except sqlite3.Error as error:
            raise BackupError(f"cannot back up {database}: {error}") from error
        move_into_place(temporary, target)
    return BackupResult(
        path=target,
        size=target.stat().st_size,
        database=str(database),
        revision=revision,
        newest=is_newest(revision),
        tables=tables,
        declarations=declarations,
        seconds=time.perf_counter() - started,
    )


def check(connection: sqlite3.Connection, holder: str) -> tuple[str | None, int, int | None]:
    """The revision, table count and declaration count of a sound database; refused if
    SQLite's integrity check finds a fault."""
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupError(f"{holder} fails SQLite's integrity check: {problems[0]}")
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = None if row is None else str(row[0])
    declarations = None
    if "declarations" in tables:
        declarations = int(connection.execute("SELECT count(*) FROM declarations").fetchone()[0])
    return revision, len(tables), declarations


def restore(source: Path, url: URL, force: bool, started: float) -> BackupResult:
    database = database_file(url)
    expect_kind(source, SQLITE_HEADER)
    if database.exists():
        if database.resolve() == source.resolve():
            raise BackupError(f"{source} is the database itself")
        if not force:
            raise TargetExists(f"{database} already holds a database")
    with beside(database) as temporary:
        # Checked as the copy that will be put in place, so the backup file is never opened
        # for writing and the database is not touched until the copy has passed.
        shutil.copyfile(source, temporary)
        try:
            copy = sqlite3.connect(temporary, isolation_level=None)
            try:
                revision, tables, declarations = check(copy, str(source))
            finally:
                copy.close()
        except sqlite3.Error as error:
            raise BackupError(f"{source} is not a sound Clearway database: {error}") from error
        known_revision(revision, str(source))
        if database.exists():
            shutil.copymode(database, temporary)
        for side in side_files(database):
            side.unlink(missing_ok=True)
        move_into_place(temporary, database)
    installed = installed_revision(url)
    return BackupResult(
        path=source,
        size=source.stat().st_size,
        database=str(database),
        revision=installed,
        newest=known_revision(installed, str(database)),
        tables=tables,
        declarations=declarations,
        seconds=time.perf_counter() - started,
    )
