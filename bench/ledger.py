"""Ledger throughput, proof latency and storage, on a fresh SQLite file, one core.

1. Real events: simulated declarations are lodged with `clearway process`, by default with
   the UK tariff, the sanctions lists, the control list and a risk model trained on the KCS
   history loaded first (``--stages all``), so that the events are those of every stage
   (lodged, accepted, assessed, risk-scored with a score, laned, held, referred, released);
   ``--stages lodge`` lodges without them (lodged, accepted, held, referred only), and
   ``--database FILE`` starts from a copy of a SQLite database lodged beforehand. Their outbox
   events are then copied, with fresh ids, until the outbox holds ``--events`` events.
2. Appends: the integrator (`SqlAlchemyLedgerStore.integrate`, the same pass the server runs in
   the background) turns the outbox into leaves, batch after batch: canonical entry (RFC 8785),
   leaf hash, completed subtree hashes, rows, and a signed checkpoint per batch; ``--runs``
   times, each on a fresh copy of the filled outbox. Printed: events/s overall (by the clock
   and by the process's CPU time, which a busy machine does not inflate) and for the first and
   last tenth of the batches (appending must not slow down as the log grows), then the median.
3. Proofs at full size: the median and 99th-percentile time to assemble an inclusion proof of a
   random leaf, and a consistency proof from a random earlier checkpoint, from stored nodes.
4. Storage per leaf: the pages of each ledger table (SQLite dbstat) over the leaf count.
5. The audit: the whole tree recomputed from the entries and checked against every checkpoint,
   the stored leaf hashes and the outbox events.
6. The command: `clearway ledger integrate` as an operator runs it, start-up included, on a
   fresh copy of the lodged database (the real events only), ``--runs`` times; wall and CPU
   seconds, and the median.

    .venv/bin/python bench/ledger.py [--events 1000000] [--declarations 2000] [--runs 3]
        [--stages all|lodge] [--database FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, text

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
from clearway.services.ledger.signing import SigningKey, write_key_files

ORIGIN = "bench.clearway/ledger"


SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
RISK_HISTORY = SHARED_DATA / "kcs-customs-declarations" / "df_syn_train_eng.csv"


def lodge_real_declarations(url: str, count: int, workdir: Path, stages: str) -> None:
    clearway = str(Path(sys.executable).with_name("clearway"))
    env = {**os.environ, "CLEARWAY_DATABASE_URL": url}
    flow = workdir / "flow.jsonl"
    with flow.open("wb") as out:
        subprocess.run(
            [clearway, "simulate", "--count", str(count), "--seed", "7"], stdout=out, check=True
        )
    commands = [["db", "upgrade"], ["reference", "load"]]
    if stages == "all":
        commands += [
            ["tariff", "load-uk", str(SHARED_DATA / "uk-tariff")],
            ["screening", "load"],
            ["control-list", "load"],
            ["risk", "train", "--history", str(RISK_HISTORY), "--threads", "1"],
        ]
    for command in [*commands, ["process", str(flow)]]:
        subprocess.run([clearway, *command], env=env, check=True, capture_output=True)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its WAL folded in), as a fresh file."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as copy:
        reading.backup(copy)


def time_the_command(lodged: Path, workdir: Path, key: SigningKey, runs: int) -> None:
    """`clearway ledger integrate` on fresh copies of the lodged database, start-up included."""
    clearway = str(Path(sys.executable).with_name("clearway"))
    key_file, public = workdir / "ledger.key", workdir / "ledger.pub"
    if not key_file.exists():
        write_key_files(key, key_file, public)
    copy = workdir / "command.db"
    walls, cpus = [], []
    for run in range(runs):
        copy_database(lodged, copy)
        env = {
            **os.environ,
            "CLEARWAY_DATABASE_URL": f"sqlite:///{copy}",
            "CLEARWAY_LEDGER_KEY_FILE": str(key_file),
        }
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(
            [clearway, "ledger", "integrate"], env=env, check=True, capture_output=True, text=True
        )
        walls.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        print(
            f"command run {run + 1}: {done.stdout.strip()} in {walls[-1]:.2f} s "
            f"({cpus[-1]:.2f} s CPU)"
        )
    print(
        f"command (clearway ledger integrate): median {statistics.median(walls):.2f} s, "
        f"{statistics.median(cpus):.2f} s CPU, over {runs} runs"
    )


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


def lodged_counts(path: Path) -> tuple[int, int]:
    """Outbox events and lodged declarations in a database."""
    engine = create_database_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(events)).scalar_one()
        lodged = connection.execute(
            select(func.count()).where(events.c.type == "DeclarationLodged")
        ).scalar_one()
    engine.dispose()
    return int(total), int(lodged)


def append_all(engine: Engine, key: SigningKey, batch: int) -> tuple[int, float, float]:
    """Integrate the whole outbox; the tree size and the wall and CPU seconds it took."""
    store = SqlAlchemyLedgerStore(engine, key.note_signer(), ORIGIN, lambda: datetime.now(UTC))
    batch_seconds: list[float] = []
    batch_cpu: list[float] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        began, cpu_began = time.perf_counter(), time.process_time()
        done = store.integrate(batch)
        batch_seconds.append(time.perf_counter() - began)
        batch_cpu.append(time.process_time() - cpu_began)
        if done.appended < batch:
            break
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    size = done.tree_size
    print(
        f"appends: {size:,} leaves in {total:.1f} s = {size / total:,.0f} events/s, "
        f"{size / cpu:,.0f} events per CPU second (batches of {batch:,}, a signed checkpoint "
        f"each); first and last tenth of the batches {_tenths(batch_seconds, batch)}/s, "
        f"by CPU time {_tenths(batch_cpu, batch)}/s"
    )
    return size, total, cpu


def _tenths(seconds: list[float], batch: int) -> str:
    """Events per second in the first and the last tenth of the full batches."""
    tenth = max(1, len(seconds) // 10)
    first = batch * tenth / sum(seconds[:tenth])
    last = batch * tenth / sum(seconds[-tenth - 1 : -1] or seconds[-1:])
    return f"{first:,.0f} and {last:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--declarations", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", choices=("all", "lodge"), default="all")
    parser.add_argument("--database", type=Path, help="A lodged SQLite database to start from")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="clearway-ledger-bench-"))
    lodged, filled = workdir / "lodged.db", workdir / "outbox.db"
    try:
        if args.database is not None:
            copy_database(args.database, lodged)
            source = f"{args.database}"
        else:
            lodge_real_declarations(f"sqlite:///{lodged}", args.declarations, workdir, args.stages)
            source = f"{args.declarations:,} simulated, --stages {args.stages}"
        real, declarations = lodged_counts(lodged)
        copy_database(lodged, filled)
        engine = create_database_engine(f"sqlite:///{filled}")
        fill_outbox(engine, args.events)
        engine.dispose()
        print(
            f"outbox: {max(args.events, real):,} events ({real:,} from {declarations:,} lodged "
            f"declarations ({source}), the rest copies of them with fresh ids)"
        )
        key = SigningKey.generate(ORIGIN)
        rates, cpu_rates = [], []
        for run in range(args.runs):
            if run:
                engine.dispose()
            copy_database(filled, workdir / "ledger.db")
            engine = create_database_engine(f"sqlite:///{workdir / 'ledger.db'}")
            size, total, cpu = append_all(engine, key, args.batch)
            rates.append(size / total)
            cpu_rates.append(size / cpu)
        print(
            f"appends, median of {args.runs}: {statistics.median(rates):,.0f} events/s, "
            f"{statistics.median(cpu_rates):,.0f} events per CPU second"
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
        time_the_command(lodged, workdir, key, args.runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
