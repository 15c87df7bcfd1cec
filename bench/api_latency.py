"""API latency under a steady load: POST /api/v1/declarations at a fixed rate from a separate
process, against `clearway serve` on a fresh SQLite file, or on a fresh schema of the
PostgreSQL database at CLEARWAY_BENCH_POSTGRES_URL when that is set.

    .venv/bin/python bench/api_latency.py --rate 100 --seconds 30
    .venv/bin/python bench/api_latency.py --full --rate 100 --seconds 20 [--background thread]

Requests are sent on a fixed schedule whatever the answers (open loop), and latency is measured
from each request's scheduled start, so a slow server cannot hide its queueing. Each is lodged
by a trader account of its declarant (a trader lodges only as its own company); a request that
waits out the client's 30 s is counted by its error and left out of the latencies.

With --full the database is configured as `clearway demo` configures it (the illustrative
tariff, the shipped sanctions lists, the control list, a risk model trained on the demo's
simulated past, selectivity criteria, a licence), a ledger key is made, and the server
integrates the ledger and relays every event to a webhook receiver (a process of its own) while
the load runs; the requests lodge the declarations that continue the demo's past, so each is
screened, scored by the trained model and laned. The background loops run where
CLEARWAY_BACKGROUND (or --background) puts them: one `clearway worker` process by default,
threads of the API processes with `thread`. At the end the ledger's and the relay's lag (events
not yet integrated or delivered) are read from the database, and how long they take to drain.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import httpx2 as httpx
from common import fresh_postgres_schema
from sqlalchemy import func, select

from clearway.adapters.database import create_database_engine
from clearway.adapters.reference_files import shipped_reference
from clearway.services.simulation import simulate

LEDGER_ORIGIN = "clearway.bench/ledger"
# Seconds the background loops get to drain what the load left, once it is over.
DRAIN_SECONDS = 120


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def declarant_tokens(url: str, secret_key: str, payloads: list[dict]) -> list[str]:
    """A bearer token per payload, of a trader account of its declarant (a trader lodges only
    as its own company), and an administrator, without whom the server is not ready."""
    from clearway.adapters.accounts import UserStore
    from clearway.adapters.security import issue_token
    from clearway.domain.access import Role

    engine = create_database_engine(url)
    accounts = UserStore(engine)
    accounts.create("bench-admin", secrets.token_urlsafe(16), Role.ADMIN)
    tokens = {}
    for company in sorted({payload["declarant"]["id"] for payload in payloads}):
        trader = accounts.create(
            f"bench-{company}", secrets.token_urlsafe(16), Role.TRADER, company
        )
        tokens[company] = issue_token(trader, secret_key, timedelta(hours=2)).token
    engine.dispose()
    return [tokens[payload["declarant"]["id"]] for payload in payloads]


async def load(
    base: str, tokens: list[str], payloads: list[dict], rate: float, seconds: float
) -> None:
    total = int(rate * seconds)
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    # This process built the demo's configuration (hundreds of MB of objects): out of the
    # collector's sight, so that a full collection here does not stall the load generator for
    # hundreds of milliseconds and count as the server's latency.
    gc.collect()
    gc.freeze()
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        started = time.perf_counter()

        async def one(index: int) -> None:
            scheduled = started + index / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                response = await client.post(
                    "/api/v1/declarations",
                    json=payloads[index],
                    headers={"Authorization": f"Bearer {tokens[index]}"},
                )
            except httpx.TransportError as error:
                # An overloaded server: the request waited out the client's 30 s (for a
                # connection or for the answer); counted, and left out of the latencies.
                statuses[type(error).__name__] += 1
                return
            latencies.append((time.perf_counter() - scheduled) * 1000)
            statuses[response.status_code] += 1

        await asyncio.gather(*(one(index) for index in range(total)))
        elapsed = time.perf_counter() - started
    print(
        f"requests: {total} in {elapsed:.1f} s ({total / elapsed:.1f}/s); statuses {dict(statuses)}"
    )
    if not latencies:
        return
    print(
        f"latency ms of the {len(latencies)} answered: median {statistics.median(latencies):.1f}  "
        f"p90 {percentile(latencies, 0.90):.1f}  p99 {percentile(latencies, 0.99):.1f}  "
        f"max {max(latencies):.1f}"
    )


class FullConfiguration:
    """The demo's configuration of every stage, a ledger key, and a webhook subscriber in a
    process of its own (``bench/publishing.py``'s receiver, which checks every signature)."""

    def __init__(self, url: str, folder: Path, count: int) -> None:
        from publishing import receive

        from clearway.adapters.publishing_store import SqlAlchemySubscriptionStore
        from clearway.bootstrap import build_runtime
        from clearway.config import Settings
        from clearway.domain.events import utc_now
        from clearway.domain.subscriptions import SubscriptionKind
        from clearway.entrypoints.cli.demo import configure_demo, demo_traffic
        from clearway.services.ledger.signing import SigningKey, write_key_files
        from clearway.services.publishing import AddSubscription, add_subscription

        self.url = url
        runtime = build_runtime(Settings(database_url=url, demo=True))
        try:
            past, self.payloads = demo_traffic(runtime, count)
            configure_demo(runtime, past, self.payloads, report=lambda line: print(f"  {line}"))
        finally:
            runtime.engine.dispose()
        self.key_file = folder / "ledger.key"
        write_key_files(SigningKey.generate(LEDGER_ORIGIN), self.key_file, folder / "ledger.pub")
        secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
        ready: Any = multiprocessing.Queue()
        self.received: Synchronized[int] = multiprocessing.Value("q", 0)  # type: ignore[assignment]
        self.receiver = multiprocessing.Process(
            target=receive, args=(secret, ready, self.received), daemon=True
        )
        self.receiver.start()
        port = ready.get(timeout=30)
        engine = create_database_engine(url)
        self.subscription = add_subscription(
            AddSubscription(
                name="bench receiver",
                kind=SubscriptionKind.WEBHOOK,
                actor="bench",
                url=f"http://127.0.0.1:{port}/events",
                secret=secret,
            ),
            SqlAlchemySubscriptionStore(engine),
            utc_now(),
        )
        engine.dispose()

    def environment(self) -> dict[str, str]:
        return {
            "CLEARWAY_LEDGER_KEY_FILE": str(self.key_file),
            "CLEARWAY_LEDGER_ORIGIN": LEDGER_ORIGIN,
            "CLEARWAY_LEDGER_INTERVAL_SECONDS": "1",
            "CLEARWAY_RELAY_INTERVAL_SECONDS": "1",
        }

    def lags(self) -> tuple[int, int]:
        """(events not yet in the ledger, events not yet delivered to the receiver)."""
        from clearway.adapters.ledger_store import events_not_integrated
        from clearway.adapters.publishing_store import SqlAlchemySubscriptionStore

        engine = create_database_engine(self.url)
        try:
            with engine.connect() as connection:
                ledger = events_not_integrated(connection)
            found = SqlAlchemySubscriptionStore(engine).get(self.subscription.id)
        finally:
            engine.dispose()
        assert found is not None
        return ledger, found.lag

    def outcomes(self) -> Counter[str]:
        from clearway.adapters.tables import declarations

        engine = create_database_engine(self.url)
        with engine.connect() as connection:
            rows = connection.execute(
                select(declarations.c.status, func.count()).group_by(declarations.c.status)
            ).all()
        engine.dispose()
        return Counter({status: count for status, count in rows})

    def report(self) -> None:
        """The outcomes, the lags when the load ended, and how long they took to drain."""
        ledger, relay = self.lags()
        print(f"declarations by status: {dict(self.outcomes())}")
        print(f"when the load ended: ledger lag {ledger} events, relay lag {relay} events")
        started = time.monotonic()
        while (ledger or relay) and time.monotonic() - started < DRAIN_SECONDS:
            time.sleep(0.5)
            ledger, relay = self.lags()
        drained = time.monotonic() - started
        print(
            f"{'drained' if not (ledger or relay) else 'still behind'} after {drained:.1f} s: "
            f"ledger lag {ledger}, relay lag {relay}; receiver verified "
            f"{self.received.value} deliveries"
        )

    def close(self) -> None:
        self.receiver.terminate()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--full", action="store_true", help="The demo's configuration, ledger and relay on"
    )
    parser.add_argument(
        "--background",
        choices=("thread", "process", "off"),
        help="CLEARWAY_BACKGROUND for the server (default: as set, else serve's: process)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="clearway-bench-"))
    env = {
        **os.environ,
        "CLEARWAY_DATABASE_URL": fresh_postgres_schema(postgres)
        if (postgres := os.environ.get("CLEARWAY_BENCH_POSTGRES_URL"))
        else f"sqlite:///{workdir / 'bench.db'}",
        "CLEARWAY_SECRET_KEY": secrets.token_urlsafe(48),
    }
    if args.background:
        env["CLEARWAY_BACKGROUND"] = args.background
    count = int(args.rate * args.seconds)
    clearway = str(Path(sys.executable).with_name("clearway"))
    full = None
    if args.full:
        subprocess.run([clearway, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([clearway, "reference", "load"], env=env, check=True, capture_output=True)
    if args.full:
        print("configuring the database as the demo does:")
        full = FullConfiguration(env["CLEARWAY_DATABASE_URL"], workdir, count)
        env.update(full.environment())
    if full is not None:
        payloads = full.payloads
    else:
        payloads = list(simulate(count, 99, reference=shipped_reference()))
    tokens = declarant_tokens(env["CLEARWAY_DATABASE_URL"], env["CLEARWAY_SECRET_KEY"], payloads)
    log = workdir / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [clearway, "serve", "--port", str(args.port), "--workers", str(args.workers)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        database = env["CLEARWAY_DATABASE_URL"].split("@")[-1].split("?")[0]
        print(f"server: clearway serve ({args.workers} worker(s)) on {database}; log {log}")
        if full is not None:
            background = env.get("CLEARWAY_BACKGROUND", "process (serve's default)")
            print(
                f"  demo configuration, {len(payloads)} of the demo's declarations to lodge; "
                f"ledger and relay every 1 s, background: {background}; one webhook subscriber"
            )
        asyncio.run(load(base, tokens, payloads, args.rate, args.seconds))
        if full is not None:
            full.report()
    finally:
        server.terminate()
        server.wait(timeout=120)
        if full is not None:
            full.close()


if __name__ == "__main__":
    main()
