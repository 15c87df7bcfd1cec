"""Reading the ledger's tables for the audit: the entries, the stored leaf hashes, the signed
checkpoints and the outbox events, each streamed in its key's order.

Each stream is read in chunks by key (``WHERE key > last ORDER BY key LIMIT n``), one short
transaction per chunk: on SQLite every transaction of Clearway's engine takes the write lock
(``BEGIN IMMEDIATE``), so one transaction held for a whole audit of a large log would stop the
service writing meanwhile. The four streams are bounded by the newest key of each, read first
in one statement (one snapshot), so rows appended while the audit runs are left out of every
stream alike and the audit sees the log as it was when it began. ``audit_database`` runs the
whole audit over these streams.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, Row, func, select
from sqlalchemy.sql.elements import KeyedColumnElement

from clearway.adapters.ledger_tables import ledger_checkpoints, ledger_entries, ledger_nodes
from clearway.adapters.tables import events
from clearway.domain.events import Event
from clearway.domain.ledger import VerifierKey
from clearway.services.ledger.audit import AuditReport, audit_log

CHUNK = 5000
"""Rows per query: a few megabytes of entries at most."""


@dataclass(frozen=True, slots=True)
class AuditBounds:
    """The newest key of each stream when the audit began (-1 or 0: none)."""

    last_leaf_index: int
    last_leaf_hash: int
    last_tree_size: int
    last_sequence: int


def audit_bounds(engine: Engine) -> AuditBounds:
    """Where each stream ends, all read in one statement so they agree with each other."""
    newest = select(
        select(func.coalesce(func.max(ledger_entries.c.leaf_index), -1)).scalar_subquery(),
        select(func.coalesce(func.max(ledger_nodes.c.position), -1))
        .where(ledger_nodes.c.level == 0)
        .scalar_subquery(),
        select(func.coalesce(func.max(ledger_checkpoints.c.tree_size), -1)).scalar_subquery(),
        select(func.coalesce(func.max(events.c.sequence), 0)).scalar_subquery(),
    )
    with engine.connect() as connection:
        row = connection.execute(newest).one()
    return AuditBounds(*(int(value) for value in row))


def _keyset(
    engine: Engine,
    key: KeyedColumnElement[Any],
    columns: Sequence[KeyedColumnElement[Any]],
    last: int,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    chunk: int = CHUNK,
) -> Iterator[Row[*tuple[Any, ...]]]:
    """Rows with ``key <= last`` in key order, ``chunk`` rows (one transaction) at a time."""
    after: int | None = None
    while True:
        query = select(key, *columns).where(key <= last, *where)
        if after is not None:
            query = query.where(key > after)
        with engine.connect() as connection:
            rows = connection.execute(query.order_by(key).limit(chunk)).all()
        yield from rows
        if len(rows) < chunk:
            return
        after = rows[-1][0]


def read_log_entries(
    engine: Engine, bounds: AuditBounds, chunk: int = CHUNK
) -> Iterator[tuple[int, int, bytes]]:
    """``(leaf_index, sequence, entry)`` in leaf order."""
    columns = [ledger_entries.c.sequence, ledger_entries.c.entry]
    rows = _keyset(
        engine, ledger_entries.c.leaf_index, columns, bounds.last_leaf_index, chunk=chunk
    )
    for row in rows:
        yield int(row[0]), int(row[1]), bytes(row[2])


def read_leaf_hashes(
    engine: Engine, bounds: AuditBounds, chunk: int = CHUNK
) -> Iterator[tuple[int, bytes]]:
    """``(position, hash)`` of the stored level-0 nodes, in position order."""
    rows = _keyset(
        engine,
        ledger_nodes.c.position,
        [ledger_nodes.c.hash],
        bounds.last_leaf_hash,
        where=[ledger_nodes.c.level == 0],
        chunk=chunk,
    )
    for row in rows:
        yield int(row[0]), bytes(row[1])


def read_checkpoints(
    engine: Engine, bounds: AuditBounds, chunk: int = CHUNK
) -> Iterator[tuple[int, bytes, str]]:
    """``(tree_size, root_hash, note)`` in tree-size order."""
    columns = [ledger_checkpoints.c.root_hash, ledger_checkpoints.c.note]
    rows = _keyset(
        engine, ledger_checkpoints.c.tree_size, columns, bounds.last_tree_size, chunk=chunk
    )
    for row in rows:
        yield int(row[0]), bytes(row[1]), str(row[2])


def read_outbox_events(
    engine: Engine, bounds: AuditBounds, chunk: int = CHUNK
) -> Iterator[tuple[int, Event]]:
    """``(sequence, event)`` of the outbox, in sequence order."""
    columns = [column for column in events.c if column.name != "sequence"]
    for row in _keyset(engine, events.c.sequence, columns, bounds.last_sequence, chunk=chunk):
        yield int(row.sequence), outbox_event(row)


def outbox_event(row: Row[Any]) -> Event:
    """The domain event an outbox row stores."""
    return Event(
        type=row.type,
        declaration_id=row.declaration_id,
        version=row.version,
        status=row.status,
        actor=row.actor,
        data=row.data,
        occurred_at=row.occurred_at,
        id=row.id,
        licence_id=row.licence_id,
    )


def audit_database(engine: Engine, log_key: VerifierKey, origin: str | None) -> AuditReport:
    """The whole audit of the log's tables and the outbox, as they were when it began."""
    bounds = audit_bounds(engine)
    return audit_log(
        read_log_entries(engine, bounds),
        read_leaf_hashes(engine, bounds),
        read_checkpoints(engine, bounds),
        log_key,
        read_outbox_events(engine, bounds),
        origin=origin,
    )
