"""Licence draw-down under concurrency: export clearances per second when many clients clear
against one licence at once (every draw serialised on its row lock), against one licence per
client (no contention), and the same on one client, on PostgreSQL.

    CLEARWAY_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/bench \
        .venv/bin/python bench/licence_draws.py --clearances 2000 --clients 1 8 32

Each clearance is the whole lodging transaction of the shared export example (validation,
valuation, controls with the licence row lock, risk, release, draw); the figure printed is
clearances per second and the median latency of one clearance.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from common import fresh_postgres_schema

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import example  # noqa: E402

from clearway.adapters.tariff_store import load_illustrative_tariff  # noqa: E402
from clearway.bootstrap import build_runtime  # noqa: E402
from clearway.config import Settings  # noqa: E402
from clearway.domain.access import Principal, Role  # noqa: E402
from clearway.domain.export_control.licence import (  # noqa: E402
    Licence,
    LicenceItem,
    LicenceType,
)
from clearway.domain.risk.lane import SEVERITY  # noqa: E402
from clearway.domain.risk.lane_targets import LaneTarget, LaneTargets  # noqa: E402
from clearway.domain.risk.selectivity import Selectivity  # noqa: E402
from clearway.entrypoints.schemas import parse_declaration  # noqa: E402
from clearway.services.licensing import IssueLicence, issue_licence  # noqa: E402
from clearway.services.lodging import LodgeDeclaration, lodge_declaration  # noqa: E402

AGENCY = Principal("agency", Role.AGENCY)
ACME = Principal("acme", Role.TRADER, "GB555000111000")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def licence(number: str) -> Licence:
    return Licence(
        number=number,
        type=LicenceType.INDIVIDUAL,
        holder_id="GB555000111000",
        holder_name="Acme Process Pumps Ltd",
        destinations=frozenset({"AE"}),
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
        items=(LicenceItem(1, "pumps", "841370", "2B350", Decimal(10**9), "NAR"),),
    )


def command(lrn: str, number: str) -> LodgeDeclaration:
    payload = example("export")
    payload["lrn"] = lrn
    payload["items"][0]["documents"][1]["reference"] = number
    payload["items"][0]["supplementary_units"]["quantity"] = "1"
    parsed = parse_declaration(payload)
    return LodgeDeclaration(parsed.declaration, parsed.document, ACME)


def run(url: str, clearances: int, clients: int, shared: bool) -> tuple[float, float, int]:
    runtime = build_runtime(Settings(database_url=url, secret_key="b" * 40), clock=lambda: NOW)
    load_illustrative_tariff(runtime.engine, "GB")  # exports are laned once assessed
    runtime.refresh_tariff()
    no_sampling = LaneTargets.validated(LaneTarget(lane, 0.0, 0.0) for lane in SEVERITY[:3])
    runtime.context.risk.use_selectivity(Selectivity(targets=no_sampling))
    numbers = ["BENCH/SHARED"] if shared else [f"BENCH/{n}" for n in range(clients)]
    for number in numbers:
        issue_licence(IssueLicence(licence(number), AGENCY), runtime.uow(), runtime.context)
    tag = f"{clients}{'S' if shared else 'D'}{time.monotonic_ns() % 10**6}"
    commands = [command(f"B{tag}-{n:06d}", numbers[n % len(numbers)]) for n in range(clearances)]
    latencies: list[float] = []
    lock = threading.Lock()

    def clear(one: LodgeDeclaration) -> str:
        started = time.perf_counter()
        outcome = lodge_declaration(one, runtime.uow(), runtime.context)
        with lock:
            latencies.append(time.perf_counter() - started)
        return outcome.record.status.value

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(clear, commands))
    seconds = time.perf_counter() - started
    with runtime.uow() as uow:
        drawn = sum(
            item.quantity_used
            for found in uow.licences.get_many(numbers, lock=False).values()
            for item in found.items
        )
    runtime.engine.dispose()
    released = statuses.count("released")
    assert drawn == released, (drawn, released)
    return clearances / seconds, statistics.median(latencies) * 1000, released


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clearances", type=int, default=2000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()
    base = os.environ.get("CLEARWAY_BENCH_POSTGRES_URL")
    if not base:
        sys.exit("set CLEARWAY_BENCH_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/bench)")
    print(f"{args.clearances:,} export clearances per run, PostgreSQL")
    print(f"{'clients':>8} {'licences':>9} {'clearances/s':>13} {'median ms':>10} {'drawn':>7}")
    for clients in args.clients:
        for shared in (True, False):
            if clients == 1 and not shared:
                continue
            url = fresh_postgres_schema(base)
            rate, median, released = run(url, args.clearances, clients, shared)
            kind = "one" if shared else "one each"
            print(f"{clients:>8} {kind:>9} {rate:>13,.0f} {median:>10.1f} {released:>7,}")


if __name__ == "__main__":
    main()
