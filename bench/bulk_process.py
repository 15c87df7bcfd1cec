"""Bulk lodging throughput: `clearway process` on simulated declarations, on SQLite and, when
CLEARWAY_BENCH_POSTGRES_URL is set, on PostgreSQL; declarations per second and peak memory.

    .venv/bin/python bench/bulk_process.py --count 50000 --runs 3

The process is pinned to one core (taskset) so the figure is per core.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import fresh_postgres_schema


def run_once(clearway: str, flow: Path, url: str) -> tuple[float, float, str]:
    env = {**os.environ, "CLEARWAY_DATABASE_URL": url}
    subprocess.run([clearway, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([clearway, "reference", "load"], env=env, check=True, capture_output=True)
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    started = time.perf_counter()
    done = subprocess.run(
        [*pin, clearway, "process", str(flow)], env=env, check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    peak = re.search(r"peak memory (\d+) MiB", done.stdout)
    accepted = re.search(r"(?:lodged|accepted)\s+│\s+(\d+)", done.stdout)
    return seconds, float(peak.group(1)) if peak else 0.0, accepted.group(1) if accepted else "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    clearway = str(Path(sys.executable).with_name("clearway"))
    workdir = Path(tempfile.mkdtemp(prefix="clearway-bench-"))
    flow = workdir / "flow.jsonl"
    with flow.open("wb") as out:
        subprocess.run(
            [
                clearway,
                "simulate",
                "--count",
                str(args.count),
                "--seed",
                "7",
                "--bad-share",
                "0.02",
            ],
            stdout=out,
            check=True,
        )
    print(
        f"{args.count} simulated declarations ({flow.stat().st_size / 2**20:.1f} MiB), "
        f"{args.runs} runs each, pinned to one core"
    )

    targets = {"sqlite": lambda run: f"sqlite:///{workdir / f'run{run}.db'}"}
    postgres = os.environ.get("CLEARWAY_BENCH_POSTGRES_URL")
    if postgres:
        targets["postgresql"] = lambda run: fresh_postgres_schema(postgres)

    for name, make_url in targets.items():
        rates, peaks = [], []
        for run in range(args.runs):
            seconds, peak, accepted = run_once(clearway, flow, make_url(run))
            rates.append(args.count / seconds)
            peaks.append(peak)
            print(
                f"  {name} run {run + 1}: {seconds:.1f} s, {args.count / seconds:,.0f} decl/s, "
                f"accepted {accepted}, peak RSS {peak:.0f} MiB"
            )
        print(
            f"{name}: median {statistics.median(rates):,.0f} declarations/s; "
            f"peak RSS {max(peaks):.0f} MiB"
        )


if __name__ == "__main__":
    main()
