"""Ledger throughput, proof latency and storage, on a fresh SQLite file, one core.

1. Real events: simulated declarations are lodged with `clearway process`; their outbox events
   (lodged, accepted, assessed, risk-scored, laned, released …) are then copied, with fresh ids,
   until the outbox holds ``--events`` events.
2. Appends: the integrator (`SqlAlchemyLedgerStore.integrate`, the same pass the server runs in
   the background) turns the outbox into leaves, batch after batch: canonical entry (RFC 8785),
   leaf hash, completed subtree hashes, rows, and a signed checkpoint per batch. Printed:
   events/s overall and for the first and last tenth of the batches (appending must not slow
   down as the log grows).
3. Proofs at full size: the median and 99th-percentile time to assemble an inclusion proof of a
   random leaf, and a consistency proof from a random earlier checkpoint, from stored nodes.
4. Storage per leaf: the pages of each ledger table (SQLite dbstat) over the leaf count.
5. The audit: the whole tree recomputed from the entries and checked against every checkpoint,
   the stored leaf hashes and the outbox events.

    .venv/bin/python bench/ledger.py [--events 1000000] [--declarations 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select, text

from clearway.adapters.database import create_database_engine
from clearway.adapters.ledger_log import LedgerReader
from clearway.adapters.ledger_reading import (
    audit_bounds,
    read_checkpoints,
    read_leaf_hashes,
    read_log_entries,
    read_outbox_events,
)
from clearway.adapters.ledger_store import SqlAlchemyLedgerStore
from clearway.adapters.ledger_tables import ledger_checkpoints
from clearway.adapters.tables import events
from clearway.services.ledger.audit import audit_log
from clearway.services.ledger.signing import SigningKey

ORIGIN = "bench.clearway/ledger"


def lodge_real_declarations(url: str, count: int, workdir: Path) -> None:
    clearway = str(Path(sys.executable).with_name("clearway"))
    env = {**os.environ, "CLEARWAY_DATABASE_URL": url}
    flow = workdir / "flow.jsonl"
    with flow.open("wb") as out:
        subprocess.run(
            [clearway, "simulate", "--count", str(count), "--seed", "7"], stdout=out, check=True
        )
    for command in (["db", "upgrade"], ["reference", "load"], ["process", str(flow)]):
        subprocess.run([clearway, *command], env=env, check=True, capture_output=True)


def fill_outbox(engine: object, wanted: int) -> int:
    with engine.begin() as connection:  # type: ignore[attr-defined]
        real = [dict(row._mapping) for row in connection.execute(select(events))]
    have = len(real)
    for row in real:
        row.pop("sequence")
    while have < wanted:
        batch = []
        for row in real[: min(len(real), wanted - have)]:
            copy = dict(row)
            copy["id"] = str(uuid.uuid4())
            batch.append(copy)
        with engine.begin() as connection:  # type: ignore[attr-defined]
            connection.execute(insert(events), batch)
        have += len(batch)
    return len(real)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--declarations", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="clearway-ledger-bench-"))
    url = f"sqlite:///{workdir / 'ledger.db'}"
    try:
        lodge_real_declarations(url, args.declarations, workdir)
        engine = create_database_engine(url)
        real = fill_outbox(engine, args.events)
        print(
            f"outbox: {args.events:,} events ({real:,} from {args.declarations:,} lodged "
            "declarations, the rest copies of them with fresh ids)"
        )
        key = SigningKey.generate(ORIGIN)
        store = SqlAlchemyLedgerStore(engine, key.note_signer(), ORIGIN, lambda: datetime.now(UTC))
        batch_seconds: list[float] = []
        started = time.perf_counter()
        while True:
            began = time.perf_counter()
            done = store.integrate(args.batch)
            batch_seconds.append(time.perf_counter() - began)
            if done.appended < args.batch:
                break
        total = time.perf_counter() - started
        size = done.tree_size
        tenth = max(1, len(batch_seconds) // 10)
        first = args.batch * tenth / sum(batch_seconds[:tenth])
        last = args.batch * tenth / sum(batch_seconds[-tenth - 1 : -1] or batch_seconds[-1:])
        print(
            f"appends: {size:,} leaves in {total:.1f} s = {size / total:,.0f} events/s "
            f"(batches of {args.batch:,}, a signed checkpoint each); first tenth "
            f"{first:,.0f}/s, last tenth {last:,.0f}/s"
        )

        reader = LedgerReader(engine, ORIGIN, key.verifier_key())
        with engine.connect() as connection:
            sizes = list(connection.execute(select(ledger_checkpoints.c.tree_size)).scalars())
        rng = random.Random(9162)
        inclusion, consistency = [], []
        for _ in range(2000):
            index = rng.randrange(size)
            began = time.perf_counter()
            reader.inclusion(index, size)
            inclusion.append(time.perf_counter() - began)
            earlier = rng.choice([s for s in sizes if 0 < s < size] or [size])
            began = time.perf_counter()
            reader.consistency(earlier, size)
            consistency.append(time.perf_counter() - began)
        for name, times in (("inclusion", inclusion), ("consistency", consistency)):
            times.sort()
            print(
                f"{name} proof at {size:,} leaves: median {statistics.median(times) * 1e3:.3f} ms, "
                f"p99 {times[int(len(times) * 0.99)] * 1e3:.3f} ms (2,000 random, each a query)"
            )

        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'ledger_%' "
                    "OR name LIKE '%ledger%' GROUP BY name ORDER BY name"
                )
            ).all()
        total_bytes = sum(int(row[1]) for row in rows)
        print(f"storage: {total_bytes / size:,.0f} bytes per leaf in all, of which:")
        for name, pages in rows:
            print(f"  {name}: {int(pages) / size:,.1f} bytes per leaf")
        with engine.connect() as connection:
            entry_bytes = connection.execute(
                text("SELECT AVG(LENGTH(entry)) FROM ledger_entries")
            ).scalar_one()
        print(f"  (the entry itself, canonical JSON: {entry_bytes:,.0f} bytes on average)")

        began = time.perf_counter()
        bounds = audit_bounds(engine)
        report = audit_log(
            read_log_entries(engine, bounds),
            read_leaf_hashes(engine, bounds),
            read_checkpoints(engine, bounds),
            key.verifier_key(),
            read_outbox_events(engine, bounds),
            origin=ORIGIN,
        )
        print(
            f"audit (clearway ledger audit): {report.entries:,} entries, "
            f"{report.checkpoints:,} checkpoints, {report.events:,} outbox events in "
            f"{time.perf_counter() - began:.1f} s, {len(report.problems)} problems"
        )
        engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
