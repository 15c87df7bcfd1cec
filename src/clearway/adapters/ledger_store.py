"""The ledger's storage: integrating outbox events as leaves, and reading nodes, entries and
checkpoints back.

Integration is one transaction per batch: read the tree's right border from the stored nodes,
append the next outbox events (in sequence order) as leaves, store each new entry and every
perfect subtree the batch completes, and store the signed checkpoint of the grown tree. A batch
touches O(batch + log n) rows whatever the size of the log, so appending does not slow down as
the log grows. On PostgreSQL a transaction-level advisory lock keeps to one integrator at a
time; on SQLite the database's single writer does.

Before signing, the stored tree is checked against the newest checkpoint already signed: the
root of its border at that size must be the signed root, so the log never signs a checkpoint
inconsistent with an earlier one (a changed node fails loudly instead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    Select,
    Table,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
)

from clearway.adapters.bulk import copy_rows
from clearway.adapters.ledger_tables import (
    ledger_checkpoints,
    ledger_entries,
    ledger_nodes,
)
from clearway.adapters.tables import events
from clearway.domain.events import Event
from clearway.domain.ledger import (
    Checkpoint,
    LedgerError,
    NodeId,
    Note,
    NoteSigner,
    RightBorder,
    append_leaves,
    assemble_root,
    border_node_ids,
    leaf_hash,
    root_plan,
)
from clearway.services.ledger.entries import event_entry

INTEGRATION_BATCH = 5000
# pg_advisory_xact_lock key held while integrating (ASCII "CWLEDGER").
LEDGER_LOCK_KEY = 0x43574C4544474552


class LedgerIntegrityError(LedgerError):
    """The stored tree no longer yields the root the log signed: it was altered."""


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    leaf_index: int
    sequence: int
    entry: bytes


@dataclass(frozen=True, slots=True)
class Integrated:
    """What one integration pass did."""

    appended: int
    tree_size: int
    checkpoint: StoredCheckpoint | None


def tree_size(connection: Connection) -> int:
    """Leaves in the log."""
    newest = connection.execute(select(func.max(ledger_entries.c.leaf_index))).scalar()
    return 0 if newest is None else int(newest) + 1


def read_nodes(connection: Connection, ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
    """The stored hashes of these nodes (those that exist)."""
    by_level: dict[int, list[int]] = {}
    for level, position in ids:
        by_level.setdefault(level, []).append(position)
    if not by_level:
        return {}
    parameters: dict[str, Any] = {}
    for group, (level, positions) in enumerate(by_level.items()):
        parameters[f"level{group}"] = level
        parameters[f"positions{group}"] = positions
    rows = connection.execute(_nodes_query(len(by_level)), parameters)
    return {(row.level, row.position): bytes(row.hash) for row in rows}


@lru_cache(maxsize=64)
def _nodes_query(levels: int) -> Select[Any]:
    """Nodes at ``levels`` levels, each an index range on the primary key (SQLite does not
    use the index for a row-value IN), built once per level count so that a proof costs one
    cached statement rather than building a query."""
    return select(ledger_nodes.c.level, ledger_nodes.c.position, ledger_nodes.c.hash).where(
        or_(
            *(
                and_(
                    ledger_nodes.c.level == bindparam(f"level{group}"),
                    ledger_nodes.c.position.in_(bindparam(f"positions{group}", expanding=True)),
                )
                for group in range(levels)
            )
        )
    )


def newest_checkpoint(connection: Connection) -> StoredCheckpoint | None:
    row = connection.execute(
        select(ledger_checkpoints).order_by(ledger_checkpoints.c.tree_size.desc()).limit(1)
    ).first()
    return None if row is None else _checkpoint(row)


def checkpoint_at(connection: Connection, size: int) -> StoredCheckpoint | None:
    row = connection.execute(
        select(ledger_checkpoints).where(ledger_checkpoints.c.tree_size == size)
    ).first()
    return None if row is None else _checkpoint(row)


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(row.tree_size, bytes(row.root_hash), row.note, row.signed_at)


def read_entries(connection: Connection, start: int, end: int) -> list[LoggedEntry]:
    """Entries with ``start <= leaf_index < end``, in leaf order."""
    rows = connection.execute(
        select(ledger_entries.c.leaf_index, ledger_entries.c.sequence, ledger_entries.c.entry)
        .where(ledger_entries.c.leaf_index >= start, ledger_entries.c.leaf_index < end)
        .order_by(ledger_entries.c.leaf_index)
    )
    return [LoggedEntry(row.leaf_index, row.sequence, bytes(row.entry)) for row in rows]


def newest_entry_of(connection: Connection, declaration_id: str) -> LoggedEntry | None:
    """The declaration's most recent logged event, found through the outbox's index by
    declaration (the ledger keeps no index of its own, which would slow every append)."""
    logged = select(func.max(ledger_entries.c.sequence)).scalar_subquery()
    newest = (
        select(func.max(events.c.sequence))
        .where(events.c.declaration_id == declaration_id, events.c.sequence <= logged)
        .scalar_subquery()
    )
    row = connection.execute(
        select(
            ledger_entries.c.leaf_index, ledger_entries.c.sequence, ledger_entries.c.entry
        ).where(ledger_entries.c.sequence == newest)
    ).first()
    return None if row is None else LoggedEntry(row.leaf_index, row.sequence, bytes(row.entry))


def entries_of_sequences(connection: Connection, sequences: Iterable[int]) -> list[LoggedEntry]:
    """The logged entries of these outbox sequences (those integrated), by the entries'
    unique index on ``sequence``."""
    wanted = sorted(set(sequences))
    if not wanted:
        return []
    rows = connection.execute(
        select(ledger_entries.c.leaf_index, ledger_entries.c.sequence, ledger_entries.c.entry)
        .where(ledger_entries.c.sequence.in_(wanted))
        .order_by(ledger_entries.c.leaf_index)
    )
    return [LoggedEntry(row.leaf_index, row.sequence, bytes(row.entry)) for row in rows]


def events_not_integrated(connection: Connection) -> int:
    """Outbox events after the newest one in the log: those the next pass will integrate."""
    logged = select(func.coalesce(func.max(ledger_entries.c.sequence), 0)).scalar_subquery()
    count = connection.execute(
        select(func.count()).select_from(events).where(events.c.sequence > logged)
    ).scalar_one()
    return int(count)


def _outbox_after(connection: Connection, sequence: int, limit: int) -> list[tuple[int, Event]]:
    """Up to ``limit`` outbox events after ``sequence``, oldest first, read through the driver:
    SQLAlchemy's processing of a batch's JSON and timestamps cost as much as canonicalising
    them. SQLite gives both as text, PostgreSQL as a dict and an aware datetime."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    rows = connection.exec_driver_sql(
        f"SELECT sequence, id, type, declaration_id, version, status, actor, occurred_at, data, "
        f"licence_id FROM {events.name} WHERE sequence > {marker} ORDER BY sequence "
        f"LIMIT {marker}",
        (sequence, limit),
    )
    return [
        (
            sequence,
            Event(
                type=type_,
                declaration_id=declaration_id,
                version=version,
                status=status,
                actor=actor,
                data=orjson.loads(data) if isinstance(data, str | bytes) else data,
                occurred_at=_utc(occurred_at),
                id=event_id,
                licence_id=licence_id,
            ),
        )
        for (
            sequence,
            event_id,
            type_,
            declaration_id,
            version,
            status,
            actor,
            occurred_at,
            data,
            licence_id,
        ) in rows
    ]


@lru_cache(maxsize=4096)
def _utc(moment: datetime | str) -> datetime:
    """A stored event time as an aware UTC datetime (SQLite keeps naive text). Kept for the
    next event at the same moment: the events of a declaration, and of a bulk batch, share
    one."""
    if isinstance(moment, str):
        return datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _insert_many(connection: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (values in the table's column order) through the driver's own
    ``executemany`` (``COPY`` on PostgreSQL): a batch is some 15,000 rows of plain integers
    and bytes, and building SQLAlchemy's per-row parameters cost more than the inserts
    themselves."""
    if connection.dialect.name == "postgresql":
        copy_rows(connection, table.name, [column.name for column in table.columns], rows)
        return
    connection.exec_driver_sql(_insert_statement(table, connection.dialect.paramstyle), rows)


@lru_cache(maxsize=8)
def _insert_statement(table: Table, paramstyle: str) -> str:
    marker = "?" if paramstyle == "qmark" else "%s"
    columns = ", ".join(column.name for column in table.columns)
    markers = ", ".join(marker for _ in table.columns)
    return f"INSERT INTO {table.name} ({columns}) VALUES ({markers})"


class SqlAlchemyLedgerStore:
    """Integrates the outbox into the log and signs its checkpoints."""

    def __init__(
        self,
        engine: Engine,
        signer: NoteSigner,
        origin: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.origin = origin
        self.clock = clock

    def integrate(self, limit: int = INTEGRATION_BATCH) -> Integrated:
        """Append up to ``limit`` outbox events not yet in the log; sign the grown tree."""
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK_KEY}
                )
            size = tree_size(connection)
            border = RightBorder.from_nodes(size, read_nodes(connection, border_node_ids(size)))
            signed = newest_checkpoint(connection)
            self._check_signed(connection, border, signed)
            last_sequence = connection.execute(
                select(func.coalesce(func.max(ledger_entries.c.sequence), 0))
            ).scalar_one()
            rows = _outbox_after(connection, last_sequence, limit)
            if not rows and signed is not None and signed.tree_size == size:
                return Integrated(0, size, None)
            entries = [event_entry(sequence, event) for sequence, event in rows]
            appended = append_leaves(border, [leaf_hash(entry) for entry in entries])
            if rows:
                _insert_many(
                    connection,
                    ledger_entries,
                    [
                        (size + offset, sequence, entry)
                        for offset, ((sequence, _), entry) in enumerate(
                            zip(rows, entries, strict=True)
                        )
                    ],
                )
                _insert_many(
                    connection,
                    ledger_nodes,
                    [(level, position, value) for (level, position), value in appended.nodes],
                )
            checkpoint = self._sign(connection, appended.border.size, appended.root)
            return Integrated(len(rows), appended.border.size, checkpoint)

    def integrate_all(self, limit: int = INTEGRATION_BATCH) -> int:
        """Integrate until the outbox is all in the log; the number of leaves added."""
        added = 0
        while True:
            done = self.integrate(limit)
            added += done.appended
            if done.appended < limit:
                return added

    def _check_signed(
        self, connection: Connection, border: RightBorder, signed: StoredCheckpoint | None
    ) -> None:
        if signed is None:
            return
        if signed.tree_size == border.size:
            root = border.root()
        elif signed.tree_size < border.size:
            plan = root_plan(signed.tree_size)
            root = assemble_root(plan, read_nodes(connection, plan.node_ids))
        else:
            raise LedgerIntegrityError(
                f"the log holds {border.size} entries but a checkpoint was signed at "
                f"{signed.tree_size}: entries were deleted"
            )
        if root != signed.root_hash:
            raise LedgerIntegrityError(
                f"the stored tree no longer has the root signed at size {signed.tree_size}; "
                "refusing to sign a checkpoint inconsistent with it (run clearway ledger audit)"
            )

    def _sign(self, connection: Connection, size: int, root: bytes) -> StoredCheckpoint:
        body = Checkpoint(self.origin, size, root).to_body()
        note = Note(body).signed(self.signer).to_text()
        signed_at = self.clock()
        connection.execute(
            insert(ledger_checkpoints).values(
                tree_size=size, root_hash=root, note=note, signed_at=signed_at
            )
        )
        return StoredCheckpoint(size, root, note, signed_at)
