"""What each stage of clearance costs per declaration, every stage on: the database configured
as the demo configures it (tariff, sanctions lists, control list, criteria, licence, a model
trained on a simulated past), declarations continuing that past lodged in batches of 1,000 in
this process (as `clearway process` does on one core), then the ledger integrated.

    .venv/bin/python bench/stage_costs.py --count 10000 --runs 3

Stages time themselves (`clearway.services.timing`); parsing and the ledger are timed here.
"Records and events" is the rest of lodging: records, MRNs, event payloads. Prints a Markdown
table of the median of the runs, in microseconds per declaration (wall time of one process).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from clearway.adapters.json_input import JsonLine
from clearway.bootstrap import build_runtime, held_for_life
from clearway.config import Settings
from clearway.domain.access import Principal, Role
from clearway.entrypoints.cli.bulk import lodge_prepared, prepare_lines
from clearway.entrypoints.cli.demo import configure_demo, demo_traffic
from clearway.entrypoints.ledger_worker import settings_ledger_store
from clearway.services import timing
from clearway.services.ledger.signing import SigningKey, write_key_files

BATCH = 1000
ROWS = [
    ("parse (JSON, schema, domain objects)", "parse"),
    ("validate (rules)", "validate"),
    ("value (customs value)", "value"),
    ("duty (tariff measures, VAT)", "duty"),
    ("controls (screening, control list, licences)", "controls"),
    ("risk (features, model, criteria, lane, reasons)", "risk"),
    ("records and events", "records"),
    ("store (SQL writes, history, outbox)", "store"),
    ("ledger integration", "ledger"),
]


def one_run(template: Path, workdir: Path, key: Path, payloads: list[bytes]) -> dict[str, float]:
    database = workdir / "run.db"
    shutil.copy(template, database)
    settings = Settings(
        database_url=f"sqlite:///{database}",
        demo=True,
        ledger_key_file=str(key),
        ledger_origin="bench.clearway/ledger",
    )
    runtime = build_runtime(settings, prepare=False)
    spent: dict[str, float] = defaultdict(float)

    def observe(stage: str, seconds: float, _count: int) -> None:
        spent[stage] += seconds

    timing.add_observer(observe)
    actor = Principal("bench", Role.SYSTEM)
    try:
        with held_for_life():  # as `clearway process` holds its runtime
            offset = 0
            for start in range(0, len(payloads), BATCH):
                lines = []
                for number, data in enumerate(payloads[start : start + BATCH], start=start + 1):
                    offset += len(data)
                    lines.append(JsonLine(number, data, offset))
                began = time.perf_counter()
                batch = prepare_lines(runtime, actor, lines)
                spent["parse"] += time.perf_counter() - began
                lodge_prepared(runtime, batch, lambda _refused: None, lambda _lodged: None)
            began = time.perf_counter()
            settings_ledger_store(runtime.engine, settings).integrate_all()
            spent["ledger"] = time.perf_counter() - began
    finally:
        timing.remove_observer(observe)
        runtime.engine.dispose()
    inner = sum(spent[stage] for stage in ("validate", "value", "duty", "controls", "risk"))
    spent["records"] = spent["lodge"] - inner - spent["store"]
    return {stage: seconds / len(payloads) * 1e6 for stage, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="clearway-bench-"))
    template = workdir / "template.db"
    clearway = str(Path(sys.executable).with_name("clearway"))
    env = {**os.environ, "CLEARWAY_DATABASE_URL": f"sqlite:///{template}"}
    subprocess.run([clearway, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([clearway, "reference", "load"], env=env, check=True, capture_output=True)
    runtime = build_runtime(Settings(database_url=f"sqlite:///{template}", demo=True))
    past, traffic = demo_traffic(runtime, args.count)
    configure_demo(runtime, past, traffic, report=lambda _line: None)
    runtime.engine.dispose()
    import orjson

    payloads = [orjson.dumps(payload) + b"\n" for payload in traffic]
    key = workdir / "ledger.key"
    write_key_files(SigningKey.generate("bench.clearway/ledger"), key, workdir / "ledger.pub")
    runs = [one_run(template, workdir, key, payloads) for _ in range(args.runs)]
    with open("/proc/loadavg") as load:
        average = " ".join(load.read().split()[:3])
    print(f"{args.count} declarations, {args.runs} runs, one process; load average {average}")
    print("| stage | µs per declaration | share |\n|---|---:|---:|")
    medians = {stage: statistics.median(run.get(stage, 0.0) for run in runs) for _, stage in ROWS}
    total = sum(medians.values())
    for label, stage in ROWS:
        print(f"| {label} | {medians[stage]:,.0f} | {medians[stage] / total:.0%} |")
    print(f"| **all** | **{total:,.0f}** ({1e6 / total:,.0f} declarations/s of one core) | |")
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
