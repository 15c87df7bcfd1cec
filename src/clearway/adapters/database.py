"""Engines: SQLite in WAL mode by default, PostgreSQL through psycopg 3; and the refusal of a
SQLite file that is not there, for commands that read an existing database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from clearway.adapters.sqlite_writers import BUSY_SECONDS, take_turns

# Connections a pool keeps open: as many as the API has worker threads (AnyIO's default).
KEPT_OPEN = 40


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class MissingDatabase(RuntimeError):
    """A command that only reads an existing database was pointed at a SQLite file that is not
    there (opening it would create an empty one and report on nothing)."""


def require_existing_database(url: str) -> None:
    """Refuse a SQLite URL whose file does not exist; other databases (and in-memory SQLite)
    pass, their server says whether they exist."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return
    if _in_memory(url):
        return
    path = _file_of(url)
    if not path.is_file():
        raise MissingDatabase(f"no database at {path.absolute()}")


def _file_of(url: str) -> Path:
    return Path(str(make_url(url).database).removeprefix("file:")).absolute()


def _in_memory(url: str) -> bool:
    parsed = make_url(url)
    database = parsed.database
    return not database or database == ":memory:" or parsed.query.get("mode") == "memory"


def create_database_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        in_memory = _in_memory(url)
        # SQLAlchemy's default keeps five, and under load every request past those opened a
        # connection (and set its pragmas) to read its token's account, then closed it. The
        # most recently used connection is handed out first, so a quiet process touches few of
        # them and only those grow a page cache.
        pooled = (
            {} if in_memory else {"pool_size": KEPT_OPEN, "max_overflow": 10, "pool_use_lifo": True}
        )
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS},
            **pooled,
        )
        _configure_sqlite(engine, None if in_memory else take_turns(engine, _file_of(url)))
        return engine
    return create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_pre_ping=True,
        # Opening a PostgreSQL connection costs more than most requests.
        pool_size=KEPT_OPEN,
        max_overflow=0,
        pool_timeout=30,
    )


_READS_ONLY = "clearway_reads_only"


def reading(engine: Engine) -> Connection:
    """A connection that only reads. On SQLite its transactions do not take the write lock
    (every other transaction does, from its start): it reads the last committed state while a
    writer works, where it would otherwise wait for each lodging batch and ledger pass ahead
    of it (signing in and checking a token on every request, the reference data's counters)."""
    return engine.connect().execution_options(**{_READS_ONLY: True})


def _configure_sqlite(engine: Engine, begin_immediate: Callable[[Connection], None] | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (below) instead of pysqlite's implicit transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        # 64 MiB of page cache: index pages stay in memory across bulk-lodging batches.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at the start, so that concurrent writers wait (busy_timeout)
        # instead of failing when a read transaction tries to become a write transaction;
        # a connection for reads only (``reading``) reads beside the writer instead.
        # Writers to a file take turns at its lock first (``sqlite_writers``).
        if connection.get_execution_options().get(_READS_ONLY):
            connection.exec_driver_sql("BEGIN")
        elif begin_immediate is not None:
            begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
