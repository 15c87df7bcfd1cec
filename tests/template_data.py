"""The reference data and tariff that runtimes and commands read at start, read once per test
process and handed to whatever reads them from a test database that still holds what the
template held.

Reading them (thousands of code-list and rate rows, the illustrative tariff's measures) is most
of what building a test's runtime, or starting a command, costs; a database that holds what
the template held gives the readers what it gave them the first time. Each read checks the
database afresh, and one that anything has written to since is read as any database is: an
SQLite copy must still be the template byte for byte (nothing waiting in its write-ahead log
either), the PostgreSQL schema must hold in every table as many rows, none written later,
as when it was made (``count`` and the newest ``xmin``, a few milliseconds). The objects are
not changed after they are made, so sharing them shares no state.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from clearway import bootstrap
from clearway.domain.reference import ReferenceData
from clearway.domain.tariff.tariff import Tariff


def _digest(path: Path) -> bytes:
    """The file's hash; computed once for as long as the file is the same file, unchanged (a
    runtime reads reference data and tariff one after the other from the same copy)."""
    found = path.stat()
    return _digest_of(path, found.st_ino, found.st_size, found.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _digest_of(path: Path, inode: int, size: int, modified: int) -> bytes:
    return hashlib.blake2b(path.read_bytes()).digest()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


class _Schema:
    """What each table of a PostgreSQL schema holds, told by its row count and newest row."""

    def __init__(self, engine: Engine) -> None:
        with engine.connect() as connection:
            tables: Sequence[str] = (
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                )
                .scalars()
                .all()
            )
        # The transaction that last wrote a row is its xmin: a later write is a later one.
        self._query = text(
            " UNION ALL ".join(
                f"SELECT '{table}', count(*), max(xmin::text::bigint) FROM \"{table}\""
                for table in sorted(tables)
            )
        )
        self.made = self.state(engine)

    def state(self, engine: Engine) -> set[tuple[Any, ...]] | None:
        try:
            with engine.connect() as connection:
                return {tuple(row) for row in connection.execute(self._query)}
        except DBAPIError:  # a table dropped or renamed since: not the template any more
            return None


class TemplateData:
    """Readings of each template, made from the first database read that still holds it."""

    def __init__(self) -> None:
        self._sqlite: bytes | None = None
        self._postgres: dict[str, _Schema] = {}
        self._reference: dict[str, ReferenceData] = {}
        self._tariffs: dict[tuple[str, str], Tariff] = {}

    def made(self, template: Path) -> None:
        """The SQLite template is ready: copies of it are recognised from now on."""
        self._sqlite = _digest(template)
        self._forget("sqlite")

    def made_postgres(self, engine: Engine) -> None:
        """The PostgreSQL schema ``engine`` is on is as each test starts on it."""
        self._postgres[_url(engine)] = _Schema(engine)
        self._forget(_url(engine))

    def _forget(self, template: str) -> None:
        self._reference.pop(template, None)
        for key in [key for key in self._tariffs if key[0] == template]:
            del self._tariffs[key]

    def template_of(self, engine: Engine) -> str | None:
        """The template ``engine``'s database still holds exactly, if any."""
        if engine.dialect.name == "sqlite" and self._sqlite and engine.url.database:
            path = Path(engine.url.database)
            log = path.with_name(f"{path.name}-wal")
            if log.exists() and log.stat().st_size:
                return None
            return "sqlite" if path.is_file() and _digest(path) == self._sqlite else None
        schema = self._postgres.get(_url(engine))
        if schema is not None and schema.made is not None and schema.state(engine) == schema.made:
            return _url(engine)
        return None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """While a runtime is built or a command runs: a database that holds its template
        gives the template's reference data and tariff, read once; any other is read."""
        read_reference = bootstrap.read_reference
        read_tariff = bootstrap.read_tariff

        def reference(engine: Engine) -> ReferenceData:
            template = self.template_of(engine)
            if template is None:
                return read_reference(engine)
            if template not in self._reference:
                self._reference[template] = read_reference(engine)
            return self._reference[template]

        def tariff(engine: Engine, country: str) -> Tariff:
            template = self.template_of(engine)
            if template is None:
                return read_tariff(engine, country)
            if (template, country) not in self._tariffs:
                self._tariffs[template, country] = read_tariff(engine, country)
            return self._tariffs[template, country]

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(bootstrap, "read_reference", reference)
            patch.setattr(bootstrap, "read_tariff", tariff)
            yield


TEMPLATE = TemplateData()
"""This test process's templates (``sqlite_template`` and ``postgres_schema`` in
``tests/conftest.py``)."""
