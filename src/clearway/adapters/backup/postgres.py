"""PostgreSQL: ``pg_dump --format=custom`` of the URL's database (or of the schema its
``options=-csearch_path=…`` names), and ``pg_restore --clean --if-exists --no-owner`` in one
transaction into the URL's database and schema. The client programs are found on PATH and get
the password in their environment, never on their command line."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL

from clearway.adapters.backup.files import (
    PG_DUMP_HEADER,
    BackupError,
    BackupResult,
    TargetExists,
    beside,
    expect_kind,
    installed_revision,
    is_newest,
    known_revision,
    move_into_place,
)
from clearway.adapters.database import create_database_engine

# A failed restore rolls back: the message says so.
_UNDONE = "failed and nothing was restored"
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*(\S+)")


@dataclass(frozen=True)
class Database:
    url: URL
    schema: str | None  # from the URL's options=-csearch_path=…; None: the default schema

    def describe(self) -> str:
        where = f"PostgreSQL database {self.url.database} on {self.url.host or 'localhost'}"
        return f"{where}, schema {self.schema}" if self.schema else where


def database(url: URL) -> Database:
    """The database and schema a PostgreSQL URL names (as the tests' and benchmarks'
    per-run URLs name a schema: ``?options=-csearch_path%3Dname``)."""
    if url.get_backend_name() != "postgresql":
        raise BackupError(f"backups are of SQLite and PostgreSQL databases, not {url.drivername}")
    options = url.query.get("options")
    options = " ".join(options) if isinstance(options, tuple) else options
    found = _SEARCH_PATH.search(options or "")
    for name in found.group(1).split(",") if found else []:
        schema = name.strip()
        if schema.startswith('"') and schema.endswith('"'):
            schema = schema[1:-1].replace('""', '"')
        else:
            schema = schema.lower()  # PostgreSQL folds unquoted names to lower case
        if schema and schema != "$user":
            return Database(url, schema)
    return Database(url, None)


def _client(database: Database) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the client programs, and their environment: the
    password goes in PGPASSWORD, never on a command line that ``ps`` shows to all."""
    url = database.url
    fields = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    words = []
    for key, value in {**fields, **url.query}.items():
        if value is not None:
            joined = ",".join(value) if isinstance(value, tuple) else str(value)
            escaped = joined.replace("\\", "\\\\").replace("'", "\\'")
            words.append(f"{key}='{escaped}'")
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return " ".join(words), environment


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client programs "
            "(of the server's major version or newer)"
        )
    return found


def _run(command: list[str], environment: dict[str, str], failure: str = "failed") -> str:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} {failure}: {_first_error(done.stderr)}")
    return done.stdout


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error:" in line or "ERROR:" in line or "FATAL:" in line:
            return line.split("error: ", 1)[-1]
    return lines[-1] if lines else "no message"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class _Archive:
    tables: int
    schemas: frozenset[str]  # the schemas the archive's tables are in
    created: frozenset[str]  # the schemas it creates (a whole-database dump creates none)
    revision: str | None


def _read_archive(path: Path, environment: dict[str, str], holder: str) -> _Archive:
    """The archive's tables and schema revision, as pg_restore reads them (which proves the
    file an archive it can read)."""
    pg_restore = _program("pg_restore")
    try:
        listing = _run([pg_restore, "--list", str(path)], environment)
    except BackupError as error:
        raise BackupError(f"{holder} is not a readable pg_dump archive: {error}") from error
    tables: list[tuple[str, str]] = []
    created: set[str] = set()
    for line in listing.splitlines():
        # "<id>; <catalog oid> <oid> TABLE <schema> <name> <owner>", "… SCHEMA - <name> <owner>"
        fields = line.split(";", 1)[1].split() if ";" in line and line[0] != ";" else []
        if len(fields) >= 5 and fields[2] == "TABLE" and fields[3] != "DATA":
            tables.append((fields[3], fields[4]))
        elif len(fields) >= 5 and fields[2] == "SCHEMA" and fields[3] == "-":
            created.add(fields[4])
    revision = None
    if any(name == "alembic_version" for _, name in tables):
        data = _run(
            [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path)],
            environment,
        ).splitlines()
        for index, line in enumerate(data[:-1]):
            if line.startswith("COPY ") and data[index + 1] != "\\.":
                revision = data[index + 1].strip()
                break
    schemas = frozenset(schema for schema, _ in tables)
    return _Archive(len(tables), schemas, frozenset(created), revision)


def back_up(database: Database, target: Path, started: float) -> BackupResult:
    pg_dump = _program("pg_dump")
    conninfo, environment = _client(database)
    with beside(target) as temporary:
        command = [pg_dump, "--format=custom", f"--file={temporary}"]
        if database.schema:
            command.append(f"--schema={_identifier(database.schema)}")
        _run([*command, f"--dbname={conninfo}"], environment)
        archive = _read_archive(temporary, environment, f"the dump of {database.describe()}")
        move_into_place(temporary, target)
    return BackupResult(
        path=target,
        size=target.stat().st_size,
        database=database.describe(),
        revision=archive.revision,
        newest=is_newest(archive.revision),
        tables=archive.tables,
        declarations=None,
        seconds=time.perf_counter() - started,
    )


def restore(source: Path, database: Database, force: bool, started: float) -> BackupResult:
    expect_kind(source, PG_DUMP_HEADER)
    pg_restore = _program("pg_restore")
    conninfo, environment = _client(database)
    archive = _read_archive(source, environment, str(source))
    known_revision(archive.revision, str(source))
    target = database.schema
    if target is None and len(archive.schemas) == 1:
        (target,) = archive.schemas
    if target and len(archive.schemas) > 1 and target not in archive.schemas:
        raise BackupError(f"{source} holds schemas {', '.join(sorted(archive.schemas))}")
    replaced = {target} if target else set(archive.schemas)
    occupied, existing = _schemas_in_use(database.url, replaced, archive.schemas)
    if occupied and not force:
        raise TargetExists(f"{database.describe()} already holds tables")
    if target and target not in archive.schemas:
        (archived,) = archive.schemas
        schemas = (archived, target)
        creates = archived in archive.created
        _restore_renamed(source, conninfo, environment, schemas, existing, force, creates)
    else:
        command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        if target and len(archive.schemas) > 1:
            command.append(f"--schema={target}")
        _run([*command, f"--dbname={conninfo}", str(source)], environment, _UNDONE)
    restored, url = Database(database.url, target), database.url
    if target and database.schema is None:
        options = f"{url.query.get('options', '')} -csearch_path={_identifier(target)}"
        url = url.update_query_dict({"options": options.strip()})
    installed = installed_revision(url)
    return BackupResult(
        path=source,
        size=source.stat().st_size,
        database=restored.describe(),
        revision=installed,
        newest=known_revision(installed, restored.describe()),
        tables=archive.tables,
        declarations=None,
        seconds=time.perf_counter() - started,
    )


def _schemas_in_use(
    url: URL, replaced: set[str], archived: frozenset[str]
) -> tuple[bool, set[str]]:
    """Whether the schemas a restore replaces hold tables, and which of those and of the
    archive's schemas exist."""
    engine = create_database_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            existing = connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname = ANY(:names)"),
                {"names": sorted(replaced | archived)},
            ).scalars()
            found = set(existing)
            tables: int = connection.execute(
                text(
                    "SELECT count(*) FROM pg_class JOIN pg_namespace ON pg_namespace.oid = "
                    "relnamespace WHERE relkind IN ('r', 'p') AND nspname = ANY(:names)"
                ),
                {"names": sorted(replaced)},
            ).scalar_one()
    finally:
        engine.dispose()
    return tables > 0, found


def _restore_renamed(
    source: Path,
    conninfo: str,
    environment: dict[str, str],
    schemas: tuple[str, str],
    existing: set[str],
    force: bool,
    creates: bool,
) -> None:
    """Restore an archive of one schema as another (``schemas``: from, to). pg_restore writes
    every name schema-qualified, so its script goes through psql in one transaction, with the
    schema renamed at the end. If the archived schema is live in this database (a copy restored
    beside the original), it steps aside for the script and is back before the commit: no
    other session ever sees it move. ``creates``: whether the script makes the schema itself
    (a whole-database dump assumes ``public`` is there). COMMIT is sent only once pg_restore
    has finished without error; otherwise psql's input just ends and the server rolls all
    back."""
    pg_restore, psql = _program("pg_restore"), _program("psql")
    archived, target = (_identifier(name) for name in schemas)
    aside = _identifier(f"{schemas[0][:40]}_aside_{uuid.uuid4().hex[:8]}")
    before = ["BEGIN"]
    after = [f"ALTER SCHEMA {archived} RENAME TO {target}"]
    if schemas[0] in existing:
        before.append(f"ALTER SCHEMA {archived} RENAME TO {aside}")
        after.append(f"ALTER SCHEMA {aside} RENAME TO {archived}")
    if schemas[1] in existing:
        # It holds tables only when forced (checked before); an empty one goes as it is.
        before.append(f"DROP SCHEMA {target}{' CASCADE' if force else ''}")
    if not creates:
        before.append(f"CREATE SCHEMA {archived}")  # a whole-database dump assumes it is there
    after.append("COMMIT")
    script = [pg_restore, "--clean", "--if-exists", "--no-owner", "--file=-", str(source)]
    runner = [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={conninfo}"]
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as run_errors:
        session = subprocess.Popen(
            runner,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=run_errors,
            env=environment,
        )
        writer = subprocess.Popen(
            script, stdout=subprocess.PIPE, stderr=script_errors, env=environment
        )
        assert session.stdin is not None and writer.stdout is not None
        # psql closing its input early means it stopped at an error, which its exit status
        # and message below report.
        with contextlib.suppress(BrokenPipeError), session.stdin, writer.stdout:
            session.stdin.write("".join(f"{line};\n" for line in before).encode())
            shutil.copyfileobj(writer.stdout, session.stdin)
            if writer.wait() == 0:
                session.stdin.write("".join(f"{line};\n" for line in after).encode())
        writer.wait()
        session.wait()
        if session.returncode != 0:
            run_errors.seek(0)
            message = _first_error(run_errors.read().decode(errors="replace"))
            raise BackupError(f"psql {_UNDONE}: {message}")
        if writer.returncode != 0:
            script_errors.seek(0)
            message = _first_error(script_errors.read().decode(errors="replace"))
            raise BackupError(f"pg_restore {_UNDONE}: {message}")
