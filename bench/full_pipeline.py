"""Bulk clearance with every stage on: `clearway process` on simulated declarations against a
SQLite database holding the illustrative tariff and control list, the shipped OFAC, BIS and UN
lists, the demo's selectivity criteria and lane targets, and a LightGBM model trained on the
KCS declarations with `clearway risk train`; declarations per second and peak memory.

    .venv/bin/python bench/full_pipeline.py --count 10000 --runs 3

The process is pinned to one core (taskset) and LightGBM to one thread. To compare with
another checkout, run the same script with PYTHONPATH=<checkout>/src.
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

ROOT = Path(__file__).resolve().parents[1]
KCS = ROOT.parent / "shared" / "data" / "kcs-customs-declarations" / "df_syn_train_eng.csv"

# Run by the checkout under test, so that its own schema and seeding code prepare the database.
SETUP = """
import sys
from clearway.adapters.control_list_store import load_illustrative_control_list
from clearway.adapters.sanctions_files import read_shipped_lists
from clearway.adapters.screening_store import load_list
from clearway.adapters.tariff_store import load_illustrative_tariff
from clearway.bootstrap import build_runtime
from clearway.config import Settings
from clearway.entrypoints.cli.demo import seed_licence, seed_selectivity

runtime = build_runtime(Settings(database_url=sys.argv[1], demo=True))
load_illustrative_tariff(runtime.engine, "GB")
with runtime.engine.begin() as connection:
    for listed in read_shipped_lists():
        load_list(connection, listed, actor="bench", at=runtime.context.now())
load_illustrative_control_list(runtime.engine)
seed_selectivity(runtime, aeo=["GB123456789000"])
seed_licence(runtime)
runtime.engine.dispose()
"""


def prepare(clearway: str, url: str) -> None:
    env = {**os.environ, "CLEARWAY_DATABASE_URL": url}
    subprocess.run([clearway, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([clearway, "reference", "load"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", SETUP, url], env=env, check=True, capture_output=True)
    train = [clearway, "risk", "train", "--history", str(KCS), "--activate", "--threads", "1"]
    subprocess.run(train, env=env, check=True, capture_output=True)


def run_once(clearway: str, flow: Path, url: str) -> tuple[float, float, str]:
    env = {**os.environ, "CLEARWAY_DATABASE_URL": url, "OMP_NUM_THREADS": "1"}
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    started = time.perf_counter()
    done = subprocess.run(
        [*pin, clearway, "process", str(flow)], env=env, check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    peak = re.search(r"peak memory (\d+) MiB", done.stdout)
    lodged = re.search(r"(?:lodged|accepted)\s+│\s+(\d+)", done.stdout)
    return seconds, float(peak.group(1)) if peak else 0.0, lodged.group(1) if lodged else "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    clearway = str(Path(sys.executable).with_name("clearway"))
    workdir = Path(tempfile.mkdtemp(prefix="clearway-bench-"))
    flow = workdir / "flow.jsonl"
    with flow.open("wb") as out:
        simulate = [clearway, "simulate", "--count", str(args.count), "--seed", "7"]
        subprocess.run([*simulate, "--bad-share", "0.02"], stdout=out, check=True)
    template = workdir / "template.db"
    prepare(clearway, f"sqlite:///{template}")
    rates, peaks = [], []
    for run in range(args.runs):
        database = workdir / f"run{run}.db"
        shutil.copy(template, database)
        seconds, peak, lodged = run_once(clearway, flow, f"sqlite:///{database}")
        rates.append(args.count / seconds)
        peaks.append(peak)
        print(f"run {run + 1}: {args.count / seconds:,.0f}/s, {lodged} lodged, peak {peak:.0f} MiB")
    print(
        f"median {statistics.median(rates):,.0f} declarations/s (every stage on, one core), "
        f"peak memory {statistics.median(peaks):.0f} MiB"
    )
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
