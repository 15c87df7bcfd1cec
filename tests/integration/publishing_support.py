"""What the publishing tests share: a real webhook receiver that checks signatures as the
Standard Webhooks spec tells receivers to, events written through the unit of work, a clock
the test moves, and the NATS server (skipped without one, failed in CI without one)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import nats
import nats.js.errors
import orjson
import pytest
from nats.js.api import RawStreamMsg

from clearway.adapters.nats_publisher import NatsPublisher
from clearway.adapters.publishing_store import SqlAlchemyDeliveryStore, SqlAlchemySubscriptionStore
from clearway.adapters.webhooks import WebhookPublisher
from clearway.bootstrap import Runtime
from clearway.domain import events as types
from clearway.domain.events import Event
from clearway.domain.subscriptions import Subscription, SubscriptionKind
from clearway.services.publishing import (
    AddSubscription,
    Relay,
    SubscriptionStatus,
    add_subscription,
    subscription_status,
)
from tests.conftest import NOW

NATS_URL = os.environ.get("CLEARWAY_TEST_NATS_URL")
# Standard Webhooks: receivers refuse timestamps further than this from their own clock.
TOLERANCE_SECONDS = 5 * 60


class Clock:
    """The relay's clock: starts at the tests' NOW and moves only when told."""

    def __init__(self, start: datetime = NOW) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


# --- events -------------------------------------------------------------------------------------

# A declaration's way through (lodged, held, referred, released) and a licence's (issued, drawn
# by a declaration's release, revoked).
STORY = (
    (types.DECLARATION_LODGED, "declaration"),
    (types.DECLARATION_HELD, "declaration"),
    (types.DECLARATION_REFERRED, "declaration"),
    (types.LICENCE_ISSUED, "licence"),
    (types.DECLARATION_RELEASED, "declaration"),
    (types.LICENCE_DRAWN, "both"),
    (types.LICENCE_REVOKED, "licence"),
)


def story(count: int) -> list[Event]:
    """``count`` events cycling through ``STORY``, each with the data a subscriber sees."""
    made = []
    for number in range(count):
        event_type, about = STORY[number % len(STORY)]
        declaration_id = None if about == "licence" else f"decl-{number // len(STORY):04d}"
        licence_id = None if about == "declaration" else f"GB-EXP-{number // len(STORY):04d}"
        made.append(
            Event(
                type=event_type,
                declaration_id=declaration_id,
                licence_id=licence_id,
                version=1,
                status="held" if about == "declaration" else "issued",
                actor="officer",
                data={"number": number, "amount": "1250.00"},
                occurred_at=NOW + timedelta(seconds=number),
            )
        )
    return made


def add_events(runtime: Runtime, new_events: Sequence[Event]) -> None:
    with runtime.uow() as uow:
        uow.events.add_many(new_events)
        uow.commit()


def subscribe(runtime: Runtime, **fields: Any) -> Subscription:
    command = AddSubscription(**{"name": "test", "actor": "admin", **fields})
    return add_subscription(command, SqlAlchemySubscriptionStore(runtime.engine), NOW)


def status(runtime: Runtime, subscription: Subscription) -> SubscriptionStatus:
    return subscription_status(subscription.id, SqlAlchemySubscriptionStore(runtime.engine))


def webhook_relay(runtime: Runtime, clock: Clock, *, batch_size: int = 200) -> Relay:
    return Relay(
        SqlAlchemyDeliveryStore(runtime.engine),
        {SubscriptionKind.WEBHOOK: WebhookPublisher(timeout=10)},
        clock=clock,
        batch_size=batch_size,
        draw=lambda: 0.5,
    )


def nats_relay(runtime: Runtime, clock: Clock, url: str, stream: str) -> Relay:
    return Relay(
        SqlAlchemyDeliveryStore(runtime.engine),
        {SubscriptionKind.NATS: NatsPublisher(url, stream=stream, timeout=5)},
        clock=clock,
        draw=lambda: 0.5,
    )


# --- the webhook receiver -----------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    path: str
    webhook_id: str
    body: dict[str, Any]


@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 for webhooks, one secret per path.

    It takes its port at once but answers only after ``start``: until then connections are
    refused, as from a subscriber that is down. ``refuse_once`` makes it answer one delivery
    of an event with an error status.
    """

    secrets: dict[str, str] = field(default_factory=dict)
    received: list[Delivery] = field(default_factory=list)
    bad_signatures: int = 0
    refuse_once: dict[str, int] = field(default_factory=dict)
    _lock: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                status = receiver._receive(self.path, self.headers, body)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        self.server.daemon_threads = True
        self.server.server_bind()
        self.port = self.server.server_address[1]
        self._thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self.server.server_activate()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()

    def _receive(self, path: str, headers: Any, body: bytes) -> int:
        webhook_id = headers["webhook-id"]
        timestamp = headers["webhook-timestamp"]
        secret = self.secrets.get(path)
        with self._lock:
            if secret is None or not verified(secret, webhook_id, timestamp, body, headers):
                self.bad_signatures += 1
                return 401
            refused = self.refuse_once.pop(webhook_id, None)
            if refused is not None:
                return refused
            self.received.append(Delivery(path, webhook_id, orjson.loads(body)))
            self._lock.notify_all()
        return 204

    def unique(self, path: str) -> list[Delivery]:
        """What ``path`` received, each webhook-id once (a receiver's deduplication)."""
        seen: set[str] = set()
        kept = []
        for delivery in self.received:
            if delivery.path == path and delivery.webhook_id not in seen:
                seen.add(delivery.webhook_id)
                kept.append(delivery)
        return kept

    def wait_for(self, path: str, count: int, timeout: float = 60) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self.unique(path)) >= count, timeout)


def verified(secret: str, webhook_id: str, timestamp: str, body: bytes, headers: Any) -> bool:
    """A receiver's check, written from the spec rather than from Clearway's signing code."""
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    offered = [
        value.split(",", 1)[1] for value in headers["webhook-signature"].split() if "," in value
    ]
    return any(hmac.compare_digest(expected, signature) for signature in offered)


def running_receiver() -> Iterator[WebhookReceiver]:
    """For a fixture: a receiver, closed afterwards (``start`` it to have it answer)."""
    made = WebhookReceiver()
    yield made
    made.close()


# --- NATS ---------------------------------------------------------------------------------------


async def _quiet(error: Exception) -> None:
    pass


def nats_problem(url: str) -> str | None:
    async def probe() -> None:
        client = await nats.connect(
            url, connect_timeout=2, allow_reconnect=False, error_cb=_quiet, max_reconnect_attempts=0
        )
        try:
            await client.jetstream().account_info()
        finally:
            await client.close()

    try:
        asyncio.run(probe())
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def required_nats_url() -> str:
    """The NATS server with JetStream at CLEARWAY_TEST_NATS_URL (skip, or fail in CI)."""
    if not NATS_URL:
        pytest.skip("NATS tests need CLEARWAY_TEST_NATS_URL (e.g. nats://127.0.0.1:4222)")
    problem = nats_problem(NATS_URL)
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CLEARWAY_TEST_NATS_URL is set but NATS is unreachable: {problem}")
        pytest.skip(f"NATS at CLEARWAY_TEST_NATS_URL is unreachable: {problem}")
    return NATS_URL


@dataclass(frozen=True)
class NatsTarget:
    url: str
    stream: str
    prefix: str


def own_stream(nats_url: str) -> Iterator[NatsTarget]:
    """For a fixture: a stream name and subject prefix of the test's own, the stream deleted
    afterwards."""
    token = uuid.uuid4().hex[:10]
    target = NatsTarget(nats_url, f"CWTEST_{token}", f"cwtest.{token}")
    yield target
    asyncio.run(_delete_stream(target))


async def _delete_stream(target: NatsTarget) -> None:
    client = await nats.connect(target.url, error_cb=_quiet)
    try:
        await client.jetstream().delete_stream(target.stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await client.close()


def stream_messages(target: NatsTarget) -> list[RawStreamMsg]:
    """Every message the test's stream holds, in stream order."""

    async def read() -> list[RawStreamMsg]:
        client = await nats.connect(target.url, error_cb=_quiet)
        try:
            jetstream = client.jetstream()
            state = (await jetstream.stream_info(target.stream)).state
            if state.messages == 0:
                return []
            return [
                await jetstream.get_msg(target.stream, sequence)
                for sequence in range(state.first_seq, state.last_seq + 1)
            ]
        finally:
            await client.close()

    return asyncio.run(read())
