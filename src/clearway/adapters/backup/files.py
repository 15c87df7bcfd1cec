"""What backing up and restoring share: the result, the errors, files written beside their
destination and renamed into place, and the schema revision check."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from clearway.adapters import migrate
from clearway.adapters.database import create_database_engine

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
# Files SQLite keeps beside a database; a stale one would be read as part of another file.
SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line for the operator."""


class TargetExists(BackupError):
    """The database a restore would write holds one already (replacing it must be asked)."""


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote, or what a restore read and put in place."""

    path: Path  # the backup file
    size: int  # its bytes
    database: str  # the database copied or restored into, without any password
    revision: str | None  # the schema (Alembic) revision it holds
    newest: bool  # whether that is the newest revision this Clearway's migrations know
    tables: int
    declarations: int | None  # counted in a SQLite copy; None for a PostgreSQL archive
    seconds: float


def is_newest(revision: str | None) -> bool:
    return revision is not None and revision == migrate.head_revision()


def known_revision(revision: str | None, holder: str) -> bool:
    """Whether ``revision`` is the newest one; refused when this Clearway does not know it."""
    if revision is None:
        raise BackupError(f"{holder} holds no Clearway schema (no alembic_version row)")
    script = ScriptDirectory(str(migrate.MIGRATIONS))
    if revision not in {step.revision for step in script.walk_revisions()}:
        raise BackupError(
            f"{holder} is at schema revision {revision}, which this Clearway does not know "
            "(made by a newer version?)"
        )
    return is_newest(revision)


def installed_revision(url: URL) -> str | None:
    """The schema revision of the database at ``url``, as the migrations read it."""
    engine = create_database_engine(url.render_as_string(hide_password=False))
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


@contextlib.contextmanager
def beside(target: Path) -> Iterator[Path]:
    """A new empty file in ``target``'s folder (so that ``os.replace`` is a rename within one
    file system), removed with its side files unless it was moved into place."""
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent} to write {target.name} into")
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        for path in (temporary, *side_files(temporary)):
            path.unlink(missing_ok=True)


def side_files(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in SIDE_FILES]


def move_into_place(temporary: Path, target: Path) -> None:
    """Rename the finished file over ``target``, on disk before and after."""
    descriptor = os.open(temporary, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, target)
    # The rename itself survives a power cut only once the folder is written out.
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def expect_kind(source: Path, header: bytes) -> None:
    """Refuse, naming what it is, a file that is not the kind of backup this database takes."""
    with source.open("rb") as file:
        start = file.read(len(SQLITE_HEADER))
    if start.startswith(header):
        return
    if start.startswith(PG_DUMP_HEADER):
        raise BackupError(f"{source} is a PostgreSQL backup (pg_dump archive), not a SQLite one")
    if start.startswith(SQLITE_HEADER):
        raise BackupError(f"{source} is a SQLite backup, not a PostgreSQL one")
    raise BackupError(
        f"{source} is not a Clearway backup (neither a SQLite database nor a pg_dump archive)"
    )
