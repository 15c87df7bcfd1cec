"""The event relay as the entry points run it: wired from the settings, in the foreground
(``clearway relay``, ``clearway worker``) or on a thread of its own beside the API server."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine

from clearway.adapters.nats_publisher import NatsPublisher
from clearway.adapters.publishing_store import SqlAlchemyDeliveryStore
from clearway.adapters.webhooks import WebhookPublisher
from clearway.bootstrap import Runtime
from clearway.config import Settings
from clearway.domain.events import utc_now
from clearway.domain.subscriptions import SubscriptionKind
from clearway.services.publishing import BATCH_SIZE, Relay

log = logging.getLogger("clearway.relay")


def build_relay(runtime: Runtime, *, batch_size: int = BATCH_SIZE) -> Relay:
    """A relay over the runtime's database, publishing to webhooks and to NATS JetStream."""
    return settings_relay(
        runtime.engine, runtime.settings, clock=runtime.context.now, batch_size=batch_size
    )


def settings_relay(
    engine: Engine,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    batch_size: int = BATCH_SIZE,
) -> Relay:
    """A relay over ``engine`` alone, as ``clearway worker`` runs it: the publishers as the
    settings configure them, and nothing of the clearance runtime (reference data, screening
    index, risk model) read."""
    return Relay(
        SqlAlchemyDeliveryStore(engine),
        {
            SubscriptionKind.WEBHOOK: WebhookPublisher(timeout=settings.webhook_timeout_seconds),
            SubscriptionKind.NATS: NatsPublisher(settings.nats_url, stream=settings.nats_stream),
        },
        clock=clock,
        batch_size=batch_size,
    )


class Loop(Protocol):
    """Work done pass after pass until stopped: the relay, the ledger's integrator."""

    def run_forever(self, interval: float) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class BackgroundLoop:
    """A loop passing every ``interval`` seconds on a daemon thread, so that requests never
    wait on a subscriber or on the ledger."""

    def __init__(self, loop: Loop, interval: float, name: str) -> None:
        self.loop = loop
        self._name = name
        self._thread = threading.Thread(
            target=loop.run_forever, args=(interval,), name=name, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the batch in hand, then stop and let go of connections."""
        self.loop.stop()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("%s did not stop within %s s", self._name, timeout)
            return
        self.loop.close()


def start_background_relay(runtime: Runtime) -> BackgroundLoop | None:
    """The relay the API server runs, or None when ``relay_interval_seconds`` is 0."""
    interval = runtime.settings.relay_interval_seconds
    if interval <= 0:
        return None
    background = BackgroundLoop(build_relay(runtime), interval, "clearway-relay")
    background.start()
    return background
