"""Bulk lodging throughput: `clearway process` on simulated declarations, on SQLite and, when
CLEARWAY_BENCH_POSTGRES_URL is set, on PostgreSQL; declarations per second and peak memory.

    .venv/bin/python bench/bulk_process.py --count 50000 --runs 3
    .venv/bin/python bench/bulk_process.py --full --count 20000 --runs 3 --workers 1 2

Plain: a database with reference data only, the process pinned to one core.

``--full``: every stage on, as the demo configures it (the illustrative tariff and control
list, the shipped OFAC, BIS and UN lists, selectivity criteria and lane targets, a licence,
a LightGBM model trained on a simulated past with the simulator's findings) and a ledger
signing key, so `process` integrates every event it made into the ledger. The declarations
continue that past (the same traders). The rate is end to end: wall time of the whole command,
start-up and ledger included. One worker is pinned to one core; with more, the command and its
workers share every core. Runs are interleaved (worker counts, then databases, then again).
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

# Run by the checkout under test, so that its own schema and seeding code prepare the database.
FULL_SETUP = """
import sys, orjson
from clearway.bootstrap import build_runtime
from clearway.config import Settings
from clearway.entrypoints.cli.demo import configure_demo, demo_traffic

url, count, flow = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runtime = build_runtime(Settings(database_url=url, demo=True))
past, payloads = demo_traffic(runtime, count)
configure_demo(runtime, past, payloads, report=print)
if flow != "-":
    with open(flow, "wb") as out:
        for payload in payloads:
            out.write(orjson.dumps(payload) + b"\\n")
runtime.engine.dispose()
"""


def prepare(
    clearway: str, url: str, env: dict[str, str], *, full: bool, count: int, flow: str
) -> None:
    env = {**env, "CLEARWAY_DATABASE_URL": url}
    subprocess.run([clearway, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([clearway, "reference", "load"], env=env, check=True, capture_output=True)
    if full:
        setup = [sys.executable, "-c", FULL_SETUP, url, str(count), flow]
        subprocess.run(setup, env=env, check=True, capture_output=True)


def run_once(
    clearway: str, flow: Path, url: str, env: dict[str, str], workers: int
) -> tuple[float, float, str, str]:
    env = {**env, "CLEARWAY_DATABASE_URL": url, "OMP_NUM_THREADS": "1"}
    pin = ["taskset", "-c", "0"] if workers == 1 and shutil.which("taskset") else []
    command = [*pin, clearway, "process", str(flow), "--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = re.search(r"peak memory (\d+) MiB", done.stdout)
    lodged = re.search(r"lodged\s+│\s+(\d+)", done.stdout)
    ledger = re.search(r"ledger: (.*)", done.stdout)
    return (
        seconds,
        float(peak.group(1)) if peak else 0.0,
        lodged.group(1) if lodged else "?",
        ledger.group(1) if ledger else "no ledger line",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="every stage on, ledger included")
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument(
        "--databases",
        nargs="+",
        choices=["sqlite", "postgresql"],
        default=["sqlite", "postgresql"],
        help="PostgreSQL runs when CLEARWAY_BENCH_POSTGRES_URL is set",
    )
    args = parser.parse_args()
    clearway = str(Path(sys.executable).with_name("clearway"))
    workdir = Path(tempfile.mkdtemp(prefix="clearway-bench-"))
    flow = workdir / "flow.jsonl"
    env = dict(os.environ)
    if args.full:
        key, public = workdir / "ledger.key", workdir / "ledger.pub"
        keygen = [clearway, "ledger", "keygen", "bench.clearway/ledger"]
        subprocess.run([*keygen, "--private", str(key), "--public", str(public)], check=True)
        env |= {
            "CLEARWAY_LEDGER_KEY_FILE": str(key),
            "CLEARWAY_LEDGER_ORIGIN": "bench.clearway/ledger",
        }
        template = workdir / "template.db"
        started = time.perf_counter()
        prepare(clearway, f"sqlite:///{template}", env, full=True, count=args.count, flow=str(flow))
        print(f"fully configured database prepared in {time.perf_counter() - started:.0f} s")
    else:
        with flow.open("wb") as out:
            simulate = [clearway, "simulate", "--count", str(args.count), "--seed", "7"]
            subprocess.run([*simulate, "--bad-share", "0.02"], stdout=out, check=True)
    stages = "every stage on, ledger included" if args.full else "reference data only"
    with open("/proc/loadavg") as load:
        print(
            f"{args.count} declarations ({flow.stat().st_size / 2**20:.1f} MiB), {args.runs} "
            f"runs each, {stages}; load average before: {' '.join(load.read().split()[:3])}"
        )

    def sqlite_url(run: int, workers: int) -> str:
        database = workdir / f"run{run}-{workers}.db"
        if args.full:
            shutil.copy(workdir / "template.db", database)
            return f"sqlite:///{database}"
        url = f"sqlite:///{database}"
        prepare(clearway, url, env, full=False, count=0, flow="-")
        return url

    targets = {"sqlite": sqlite_url} if "sqlite" in args.databases else {}
    postgres = os.environ.get("CLEARWAY_BENCH_POSTGRES_URL")
    if postgres and "postgresql" in args.databases:

        def postgres_url(run: int, workers: int) -> str:
            url = fresh_postgres_schema(postgres)
            # The same traffic and seed: the same configuration as the SQLite template.
            prepare(clearway, url, env, full=args.full, count=args.count, flow="-")
            return url

        targets["postgresql"] = postgres_url

    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for run in range(args.runs):
        for workers in args.workers:
            for name, make_url in targets.items():
                url = make_url(run, workers)
                seconds, peak, lodged, ledger = run_once(clearway, flow, url, env, workers)
                rate = args.count / seconds
                results.setdefault((name, workers), []).append((rate, peak))
                print(
                    f"  {name}, {workers} worker(s), run {run + 1}: {seconds:.1f} s, "
                    f"{rate:,.0f} decl/s end to end, lodged {lodged}, peak RSS {peak:.0f} MiB; "
                    f"ledger: {ledger}"
                )
    for name in targets:
        medians = {}
        for workers in args.workers:
            rates = [rate for rate, _ in results[(name, workers)]]
            peaks = [peak for _, peak in results[(name, workers)]]
            medians[workers] = statistics.median(rates)
            print(
                f"{name}, {workers} worker(s): median {medians[workers]:,.0f} declarations/s; "
                f"peak RSS {max(peaks):.0f} MiB"
            )
        if 1 in medians and len(medians) > 1:
            for workers, rate in medians.items():
                if workers != 1:
                    print(f"{name}: {workers} workers / 1 = {rate / medians[1]:.2f}x")
    with open("/proc/loadavg") as load:
        print(f"load average after: {' '.join(load.read().split()[:3])}")
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
