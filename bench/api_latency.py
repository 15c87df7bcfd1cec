"""API latency under a steady load: POST /api/v1/declarations at a fixed rate from a separate
process, against `clearway serve` on a fresh SQLite file, or on a fresh schema of the
PostgreSQL database at CLEARWAY_BENCH_POSTGRES_URL when that is set.

    .venv/bin/python bench/api_latency.py --rate 100 --seconds 30

Requests are sent on a fixed schedule whatever the answers (open loop), and latency is measured
from each request's scheduled start, so a slow server cannot hide its queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
from common import fresh_postgres_schema

from clearway.adapters.reference_files import shipped_reference
from clearway.services.simulation import simulate


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(base: str, token: str, payloads: list[dict], rate: float, seconds: float) -> None:
    total = int(rate * seconds)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        headers = {"Authorization": f"Bearer {token}"}
        started = time.perf_counter()

        async def one(index: int) -> None:
            scheduled = started + index / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            response = await client.post(
                "/api/v1/declarations", json=payloads[index], headers=headers
            )
            latencies.append((time.perf_counter() - scheduled) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        await asyncio.gather(*(one(index) for index in range(total)))
        elapsed = time.perf_counter() - started
    print(f"requests: {total} in {elapsed:.1f} s ({total / elapsed:.1f}/s); statuses {statuses}")
    print(
        f"latency ms: median {statistics.median(latencies):.1f}  "
        f"p90 {percentile(latencies, 0.90):.1f}  p99 {percentile(latencies, 0.99):.1f}  "
        f"max {max(latencies):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="clearway-bench-"))
    env = {
        **os.environ,
        "CLEARWAY_DATABASE_URL": fresh_postgres_schema(postgres)
        if (postgres := os.environ.get("CLEARWAY_BENCH_POSTGRES_URL"))
        else f"sqlite:///{workdir / 'bench.db'}",
        "CLEARWAY_SECRET_KEY": secrets.token_urlsafe(48),
    }
    clearway = str(Path(sys.executable).with_name("clearway"))
    subprocess.run([clearway, "reference", "load"], env=env, check=True, capture_output=True)
    password = secrets.token_urlsafe(12)
    subprocess.run(
        [
            clearway,
            "users",
            "create",
            "--username",
            f"bench-{password[:6]}",
            "--password",
            password,
            "--role",
            "admin",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [clearway, "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": f"bench-{password[:6]}", "password": password},
        ).json()["access_token"]
        count = int(args.rate * args.seconds)
        payloads = list(simulate(count, 99, reference=shipped_reference()))
        database = env["CLEARWAY_DATABASE_URL"].split("@")[-1].split("?")[0]
        print(f"server: clearway serve ({args.workers} worker(s)) on {database}")
        asyncio.run(load(base, token, payloads, args.rate, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
