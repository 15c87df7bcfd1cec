"""The risk stage's state shared by every worker and process, in SQL: the trader history the
model's features read (``risk_history``) and the lane selector's window (``lane_outcomes``).

Both are written in the transaction of the declarations they count, so they hold exactly what
committed; a restarted process reads the window's newest rows and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Text,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from clearway.adapters.repository import OUTBOX_LOCK_KEY
from clearway.adapters.risk_store import recent_outcomes, stored_history
from clearway.adapters.risk_tables import lane_outcomes, risk_history
from clearway.domain.risk.history import History, Tally, rebuilt
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lanes import LaneBasis, LaneOutcome
from clearway.services.risk_ports import AbstractHistoryStore, AbstractLaneWindowStore

# The row holding the administration-wide inspection counts (no key value is empty).
TOTALS = ""
# Keys per query: well under SQLite's and psycopg's limits on bound parameters.
_CHUNK = 500
# Lane decisions kept: many windows' worth, so a process that was idle still finds its gap.
KEEP_OUTCOMES = 20_000
# Trim old lane decisions about once per this many stored.
_TRIM_EVERY = 1_000


class SqlAlchemyHistoryStore(AbstractHistoryStore):
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def read(self, keys: Collection[str]) -> tuple[dict[str, Tally], int, int]:
        wanted = sorted(set(keys) | {TOTALS})
        connection = self._connection
        if connection.dialect.name == "postgresql":
            # Every key as one array parameter: one query, which PostgreSQL parses and plans
            # once, instead of a chunk's hundreds of parameters each time.
            keys_array = bindparam("keys", wanted, type_=ARRAY(Text))
            columns = [risk_history.c[name] for name in _COLUMNS]
            query = select(*columns).where(risk_history.c.key == any_(keys_array))
            return _tallies(connection.execute(query))
        # SQLite: the driver's own rows, a chunk of keys per query.
        chunks = (wanted[start : start + _CHUNK] for start in range(0, len(wanted), _CHUNK))
        return _tallies(
            row
            for chunk in chunks
            for row in connection.exec_driver_sql(
                f"{_SQLITE_SELECT} ({', '.join('?' * len(chunk))})", tuple(chunk)
            )
        )

    def add(self, counted: History) -> None:
        rows = [(key, *_counts(tally)) for key, tally in counted.stored_tallies()]
        if counted.inspected:
            totals = Tally(0)
            totals.inspected, totals.fraud = counted.inspected, counted.frauds
            rows.insert(0, (TOTALS, *_counts(totals)))  # "" sorts first: the same lock order
        if not rows:
            return
        if self._connection.dialect.name == "postgresql":
            # One statement for the batch (its keys, in lock order, as arrays unnested by the
            # server), not one round of the upsert per key: a batch of a thousand declarations
            # counts some thirteen thousand key values.
            columns = dict(zip(_COLUMNS, map(list, zip(*rows, strict=True)), strict=True))
            self._connection.execute(_POSTGRES_UPSERT, columns)
            return
        # The driver's own executemany, rows as tuples: SQLAlchemy's per-row parameter
        # handling cost more than SQLite's upsert of them.
        self._connection.exec_driver_sql(_SQLITE_UPSERT, rows)


_COLUMNS = ("key", "seen", "inspected", "fraud", "price_n", "price_sum", "price_sumsq", "first_day")


def _counts(tally: Tally) -> tuple[Any, ...]:
    """A tally's stored columns after its key, in ``_COLUMNS`` order."""
    return (
        tally.seen,
        tally.inspected,
        tally.fraud,
        tally.price_n,
        tally.price_sum,
        tally.price_sumsq,
        tally.first_day,
    )


def _tallies(rows: Iterable[Sequence[Any]]) -> tuple[dict[str, Tally], int, int]:
    """Stored rows (``_COLUMNS`` order) as tallies by key, and the totals row's counts."""
    found: dict[str, Tally] = {}
    inspected = frauds = 0
    for key, seen, inspected_, fraud, price_n, price_sum, price_sumsq, first_day in rows:
        if key == TOTALS:
            inspected, frauds = inspected_, fraud
            continue
        tally = found[key] = Tally(first_day)
        tally.seen, tally.inspected, tally.fraud = seen, inspected_, fraud
        tally.price_n, tally.price_sum, tally.price_sumsq = price_n, price_sum, price_sumsq
    return found, inspected, frauds


_SQLITE_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM {risk_history.name} WHERE key IN"

# Unqualified names in DO UPDATE are the stored row's; ``excluded`` is the one being added.
_SQLITE_UPSERT = f"""
    INSERT INTO {risk_history.name} ({", ".join(_COLUMNS)})
    VALUES ({", ".join("?" * len(_COLUMNS))})
    ON CONFLICT (key) DO UPDATE SET
        seen = seen + excluded.seen,
        inspected = inspected + excluded.inspected,
        fraud = fraud + excluded.fraud,
        price_n = price_n + excluded.price_n,
        price_sum = price_sum + excluded.price_sum,
        price_sumsq = price_sumsq + excluded.price_sumsq,
        first_day = min(first_day, excluded.first_day)
"""


_POSTGRES_UPSERT = text(
    """
    INSERT INTO risk_history AS stored
        (key, seen, inspected, fraud, price_n, price_sum, price_sumsq, first_day)
    SELECT key, seen, inspected, fraud, price_n, price_sum, price_sumsq, first_day
    FROM unnest(
        CAST(:key AS text[]), CAST(:seen AS integer[]), CAST(:inspected AS integer[]),
        CAST(:fraud AS integer[]), CAST(:price_n AS integer[]),
        CAST(:price_sum AS double precision[]), CAST(:price_sumsq AS double precision[]),
        CAST(:first_day AS integer[])
    ) WITH ORDINALITY AS counted(key, seen, inspected, fraud, price_n, price_sum,
                                 price_sumsq, first_day, position)
    ORDER BY position
    ON CONFLICT (key) DO UPDATE SET
        seen = stored.seen + excluded.seen,
        inspected = stored.inspected + excluded.inspected,
        fraud = stored.fraud + excluded.fraud,
        price_n = stored.price_n + excluded.price_n,
        price_sum = stored.price_sum + excluded.price_sum,
        price_sumsq = stored.price_sumsq + excluded.price_sumsq,
        first_day = least(stored.first_day, excluded.first_day)
    """
)


class SqlAlchemyLaneWindowStore(AbstractLaneWindowStore):
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def since(self, sequence: int, limit: int) -> list[tuple[int, str, LaneOutcome]]:
        rows = self._connection.execute(
            select(lane_outcomes)
            .where(lane_outcomes.c.sequence > sequence)
            .order_by(lane_outcomes.c.sequence.desc())
            .limit(limit)
        ).all()
        return [
            (
                row.sequence,
                row.writer,
                LaneOutcome(row.score, Lane(row.lane), LaneBasis(row.basis), bool(row.aeo)),
            )
            for row in reversed(rows)
        ]

    def add(self, writer: str, outcomes: Sequence[LaneOutcome]) -> None:
        if not outcomes:
            return
        connection = self._connection
        if connection.dialect.name == "postgresql":
            # The outbox's lock, held to commit: sequences then follow commit order, so a
            # reader that has seen sequence n never misses an earlier one committing late.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_LOCK_KEY})
        connection.execute(
            insert(lane_outcomes),
            [
                {
                    "writer": writer,
                    "score": outcome.score,
                    "lane": outcome.lane.value,
                    "basis": outcome.basis.value,
                    "aeo": outcome.aeo,
                }
                for outcome in outcomes
            ],
        )
        newest = connection.execute(select(func.max(lane_outcomes.c.sequence))).scalar_one()
        if newest % _TRIM_EVERY < len(outcomes):
            connection.execute(
                delete(lane_outcomes).where(lane_outcomes.c.sequence <= newest - KEEP_OUTCOMES)
            )


def seed_shared_state(engine: Engine, window: int) -> None:
    """Fill the shared history and lane window from the stored decisions and findings, once,
    for a database whose decisions predate them (an upgrade from schema 0009)."""
    with engine.begin() as connection:
        if connection.execute(select(risk_history.c.key).limit(1)).first() is not None:
            return
        if connection.execute(select(lane_outcomes.c.sequence).limit(1)).first() is not None:
            return
        history = rebuilt(stored_history(connection))
        outcomes = recent_outcomes(connection, window)
        if not outcomes and not history.stored_tallies():
            return
        SqlAlchemyHistoryStore(connection).add(history)
        SqlAlchemyLaneWindowStore(connection).add("seed", outcomes)
