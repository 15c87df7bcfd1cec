"""Fast batch inserts: the statement built once per table, values bound with each column
type's own bind processor, rows handed straight to the driver's ``executemany``, or on
PostgreSQL, from a few rows up, to ``COPY``.

SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself; bulk lodging
writes some ten rows per declaration, so this path keeps the hot loop in the driver. On
PostgreSQL, psycopg's ``executemany`` still sends a statement per row (pipelined), and that
took half of a ledger pass; ``COPY`` sends the rows as one stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}
# (statement, [(column, bind processor or None)])
Plan = tuple[str, list[tuple[str, Any]]]
_PLANS: dict[tuple[str, str, tuple[str, ...]], Plan] = {}
# Fewer rows go as statements: ``COPY`` costs a round trip more to start.
COPY_FROM = 8


def _plan(connection: Connection, table: Table, columns: tuple[str, ...]) -> Plan | None:
    dialect = connection.dialect
    placeholder = _PLACEHOLDER.get(dialect.paramstyle)
    if placeholder is None:
        return None
    key = (dialect.name, table.name, columns)
    if key not in _PLANS:
        quote = dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join([placeholder] * len(columns))})"
        )
        binders = [
            (c, table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) for c in columns
        ]
        _PLANS[key] = (sql, binders)
    return _PLANS[key]


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys, in order."""
    if not rows:
        return
    plan = _plan(connection, table, tuple(rows[0]))
    if plan is None:
        connection.execute(table.insert(), list(rows))
        return
    sql, binders = plan
    values = [
        tuple([bind(row[name]) if bind else row[name] for name, bind in binders]) for row in rows
    ]
    if connection.dialect.name == "postgresql" and len(values) >= COPY_FROM:
        copy_rows(connection, table.name, [name for name, _ in binders], values)
    else:
        connection.exec_driver_sql(sql, values)


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """PostgreSQL: ``rows`` (values as the driver takes them, in ``columns`` order) into
    ``table`` with ``COPY … FROM STDIN``, in the connection's transaction. A refusal is raised
    as SQLAlchemy raises it for a statement (a duplicate key as ``IntegrityError``)."""
    import psycopg  # the PostgreSQL driver, loaded only where it is used

    quote = connection.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        raise DBAPIError.instance(
            sql, None, error, psycopg.Error, dialect=connection.dialect
        ) from error
