"""Fast batch inserts: the statement built once per table, values bound with each column
type's own bind processor, rows handed straight to the driver's ``executemany``.

SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself; bulk lodging
writes some ten rows per declaration, so this path keeps the hot loop in the driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}
# (statement, [(column, bind processor or None)])
Plan = tuple[str, list[tuple[str, Any]]]
_PLANS: dict[tuple[str, str, tuple[str, ...]], Plan] = {}


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
    connection.exec_driver_sql(sql, values)
