"""Publishing throughput: events relayed from the outbox to a webhook receiver and to NATS
JetStream, on a fresh SQLite file (or a fresh schema of the PostgreSQL database at
CLEARWAY_BENCH_POSTGRES_URL), with the median and 95th-percentile time of one batch (claim,
read, send each event and wait for its answer, commit the cursor).

    .venv/bin/python bench/publishing.py [--events 20000] [--batch-size 200]
        [--nats nats://127.0.0.1:4222]

The webhook receiver runs in a process of its own on 127.0.0.1 and checks every signature, as
a real one would. NATS is skipped when the server does not answer. Events are sent one at a
time, each waiting for its answer or acknowledgement: the figures are those of ordered,
at-least-once delivery to a single subscriber.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import nats
from common import fresh_postgres_schema
from sqlalchemy import Engine

from clearway.adapters import migrate
from clearway.adapters.database import create_database_engine
from clearway.adapters.nats_publisher import NatsPublisher
from clearway.adapters.publishing_store import SqlAlchemyDeliveryStore, SqlAlchemySubscriptionStore
from clearway.adapters.repository import SqlAlchemyEventStore
from clearway.adapters.webhooks import WebhookPublisher
from clearway.domain.events import Event
from clearway.domain.subscriptions import SubscriptionKind
from clearway.services.publishing import (
    AbstractClaim,
    AbstractDeliveryStore,
    AbstractPublisher,
    AddSubscription,
    Relay,
    add_subscription,
)

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def receive(secret: str, ready: Any, received: Synchronized[int]) -> None:
    """The webhook receiver's process: verify, count, answer 204."""
    key = base64.b64decode(secret.removeprefix("whsec_"))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            signed = f"{self.headers['webhook-id']}.{self.headers['webhook-timestamp']}.".encode()
            digest = hmac.new(key, signed + body, hashlib.sha256).digest()
            good = self.headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()
            if good:
                with received.get_lock():
                    received.value += 1
            self.send_response(204 if good else 401)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ready.put(server.server_address[1])
    server.serve_forever()


class TimedStore(AbstractDeliveryStore):
    """The real store, timing each batch from the claim to the end of its commit."""

    def __init__(self, inner: SqlAlchemyDeliveryStore) -> None:
        self.inner = inner
        self.batches: list[float] = []

    def due(self, now: datetime, limit: int) -> list[str]:
        return self.inner.due(now, limit)

    def claim(self, subscription_id: str, now: datetime) -> AbstractClaim | None:
        started = time.perf_counter()
        claim = self.inner.claim(subscription_id, now)
        if claim is None:
            return None
        commit = claim.commit

        def timed_commit(state: Any) -> None:
            commit(state)
            self.batches.append(time.perf_counter() - started)

        claim.commit = timed_commit  # type: ignore[method-assign]
        return claim


def fill_outbox(engine: Engine, count: int) -> None:
    for start in range(0, count, 1000):
        batch = [
            Event(
                type="DeclarationReleased" if number % 3 else "DeclarationLodged",
                declaration_id=str(uuid.uuid4()),
                version=1,
                status="released",
                actor="bench",
                data={"mrn": f"26GB{number:014d}", "lane": "green", "customs_value": "1250.00"},
                occurred_at=START + timedelta(milliseconds=number),
            )
            for number in range(start, min(count, start + 1000))
        ]
        with engine.begin() as connection:
            SqlAlchemyEventStore(connection).add_many(batch)


def relay_all(
    engine: Engine,
    kind: SubscriptionKind,
    publisher: AbstractPublisher,
    batch_size: int,
    **sub: Any,
) -> tuple[float, list[float], str | None]:
    """Subscribe from the start, relay everything; (seconds, batch times, secret)."""
    subscription = add_subscription(
        AddSubscription(name=f"bench {kind}", kind=kind, actor="bench", from_start=True, **sub),
        SqlAlchemySubscriptionStore(engine),
        START,
    )
    store = TimedStore(SqlAlchemyDeliveryStore(engine))
    relay = Relay(store, {kind: publisher}, batch_size=batch_size)
    try:
        started = time.perf_counter()
        report = relay.run_once()
        elapsed = time.perf_counter() - started
    finally:
        relay.close()
    if report.failures:
        raise SystemExit(f"{kind}: {report.errors}")
    SqlAlchemySubscriptionStore(engine).remove(subscription.id)
    return elapsed, store.batches, subscription.secret


def show(name: str, count: int, elapsed: float, batches: list[float]) -> None:
    ordered = sorted(batches)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(
        f"{name:8} {count:,} events in {elapsed:.2f} s = {count / elapsed:,.0f} events/s; "
        f"batch median {statistics.median(batches) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )


async def _nats_answers(url: str) -> bool:
    try:
        client = await nats.connect(url, connect_timeout=2, allow_reconnect=False)
    except Exception:
        return False
    await client.close()
    return True


async def _delete_stream(url: str, stream: str) -> None:
    client = await nats.connect(url)
    try:
        await client.jetstream().delete_stream(stream)
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument(
        "--nats", default=os.environ.get("CLEARWAY_TEST_NATS_URL", "nats://127.0.0.1:4222")
    )
    args = parser.parse_args()

    postgres = os.environ.get("CLEARWAY_BENCH_POSTGRES_URL")
    url = (
        fresh_postgres_schema(postgres)
        if postgres
        else f"sqlite:///{Path(tempfile.mkdtemp(prefix='clearway-bench-')) / 'bench.db'}"
    )
    engine = create_database_engine(url)
    migrate.upgrade(engine)
    fill_outbox(engine, args.events)
    print(f"database: {engine.dialect.name}; {args.events:,} events; batch size {args.batch_size}")

    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    ready: Any = multiprocessing.Queue()
    received: Synchronized[int] = multiprocessing.Value("q", 0)  # type: ignore[assignment]
    receiver = multiprocessing.Process(target=receive, args=(secret, ready, received), daemon=True)
    receiver.start()
    port = ready.get(timeout=30)
    try:
        elapsed, batches, _ = relay_all(
            engine,
            SubscriptionKind.WEBHOOK,
            WebhookPublisher(),
            args.batch_size,
            url=f"http://127.0.0.1:{port}/events",
            secret=secret,
        )
    finally:
        receiver.terminate()
    assert received.value == args.events, f"receiver verified {received.value} deliveries"
    show("webhook", args.events, elapsed, batches)

    if not asyncio.run(_nats_answers(args.nats)):
        print(f"nats     skipped: no server at {args.nats}")
        return
    token = uuid.uuid4().hex[:8]
    stream = f"CWBENCH_{token}"
    try:
        elapsed, batches, _ = relay_all(
            engine,
            SubscriptionKind.NATS,
            NatsPublisher(args.nats, stream=stream),
            args.batch_size,
            subject_prefix=f"cwbench.{token}",
        )
    finally:
        asyncio.run(_delete_stream(args.nats, stream))
    show("nats", args.events, elapsed, batches)
    engine.dispose()


if __name__ == "__main__":
    main()
