"""The risk stage's state shared by every worker and process, in SQL: the trader history the
model's features read (``risk_history``) and the lane selector's window (``lane_outcomes``).

Both are written in the transaction of the declarations they count, so they hold exactly what
committed; a restarted process reads the window's newest rows and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
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
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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
        found: dict[str, Tally] = {}
        inspected = frauds = 0
        if self._connection.dialect.name == "postgresql":
            # Every key as one array parameter: one query, which PostgreSQL parses and plans
            # once, instead of a chunk's hundreds of parameters each time.
            keys_array = bindparam("keys", wanted, type_=ARRAY(Text))
            queries = [select(risk_history).where(risk_history.c.key == any_(keys_array))]
        else:
            queries = [
                select(risk_history).where(risk_history.c.key.in_(wanted[start : start + _CHUNK]))
                for start in range(0, len(wanted), _CHUNK)
            ]
        for query in queries:
            for row in self._connection.execute(query):
                if row.key == TOTALS:
                    inspected, frauds = row.inspected, row.fraud
                    continue
                tally = Tally(row.first_day)
                tally.seen, tally.inspected, tally.fraud = row.seen, row.inspected, row.fraud
                tally.price_n, tally.price_sum = row.price_n, row.price_sum
                tally.price_sumsq = row.price_sumsq
                found[row.key] = tally
        return found, inspected, frauds

    def add(self, counted: History) -> None:
        rows = [_row(key, tally) for key, tally in counted.stored_tallies()]
        if counted.inspected:
            totals = Tally(0)
            totals.inspected, totals.fraud = counted.inspected, counted.frauds
            rows.insert(0, _row(TOTALS, totals))  # "" sorts first: the same lock order
        if not rows:
            return
        if self._connection.dialect.name == "postgresql":
            # One statement for the batch (its keys, in lock order, as arrays unnested by the
            # server), not one round of the upsert per key: a batch of a thousand declarations
            # counts some thirteen thousand key values.
            columns = {name: [row[name] for row in rows] for name in rows[0]}
            self._connection.execute(_POSTGRES_UPSERT, columns)
            return
        for start in range(0, len(rows), _CHUNK):
            self._connection.execute(_upsert(self._connection), rows[start : start + _CHUNK])


def _row(key: str, tally: Tally) -> dict[str, Any]:
    return {
        "key": key,
        "seen": tally.seen,
        "inspected": tally.inspected,
        "fraud": tally.fraud,
        "price_n": tally.price_n,
        "price_sum": tally.price_sum,
        "price_sumsq": tally.price_sumsq,
        "first_day": tally.first_day,
    }


def _upsert(connection: Connection) -> Any:
    """INSERT … ON CONFLICT DO UPDATE adding the new counts to the stored ones: concurrent
    writers add, they never overwrite each other. Built once per dialect (every lodging
    stores its counts with it)."""
    dialect = connection.dialect.name
    statement = _UPSERTS.get(dialect)
    if statement is None:
        statement = _UPSERTS[dialect] = _new_upsert(dialect)
    return statement


_UPSERTS: dict[str, Any] = {}

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


def _new_upsert(dialect: str) -> Any:
    maker = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = maker(risk_history)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[risk_history.c.key],
        set_={
            "seen": risk_history.c.seen + new.seen,
            "inspected": risk_history.c.inspected + new.inspected,
            "fraud": risk_history.c.fraud + new.fraud,
            "price_n": risk_history.c.price_n + new.price_n,
            "price_sum": risk_history.c.price_sum + new.price_sum,
            "price_sumsq": risk_history.c.price_sumsq + new.price_sumsq,
            "first_day": func.min(risk_history.c.first_day, new.first_day)
            if dialect == "sqlite"
            else func.least(risk_history.c.first_day, new.first_day),
        },
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
