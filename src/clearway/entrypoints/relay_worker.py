"""The event relay as the entry points run it: wired from the runtime's settings, in the
foreground (``clearway relay``) or on a thread of its own beside the API server."""

from __future__ import annotations

import logging
import threading

from clearway.adapters.nats_publisher import NatsPublisher
from clearway.adapters.publishing_store import SqlAlchemyDeliveryStore
from clearway.adapters.webhooks import WebhookPublisher
from clearway.bootstrap import Runtime
from clearway.domain.subscriptions import SubscriptionKind
from clearway.services.publishing import BATCH_SIZE, Relay

log = logging.getLogger("clearway.relay")


def build_relay(runtime: Runtime, *, batch_size: int = BATCH_SIZE) -> Relay:
    """A relay over the runtime's database, publishing to webhooks and to NATS JetStream."""
    settings = runtime.settings
    return Relay(
        SqlAlchemyDeliveryStore(runtime.engine),
        {
            SubscriptionKind.WEBHOOK: WebhookPublisher(timeout=settings.webhook_timeout_seconds),
            SubscriptionKind.NATS: NatsPublisher(settings.nats_url, stream=settings.nats_stream),
        },
        clock=runtime.context.now,
        batch_size=batch_size,
    )


class BackgroundRelay:
    """A relay passing over the outbox every ``interval`` seconds on a daemon thread, so that
    requests never wait on a subscriber."""

    def __init__(self, relay: Relay, interval: float) -> None:
        self.relay = relay
        self._thread = threading.Thread(
            target=relay.run_forever, args=(interval,), name="clearway-relay", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the batch in hand, then stop and let go of connections."""
        self.relay.stop()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the event relay did not stop within %s s", timeout)
            return
        self.relay.close()


def start_background_relay(runtime: Runtime) -> BackgroundRelay | None:
    """The relay the API server runs, or None when ``relay_interval_seconds`` is 0."""
    interval = runtime.settings.relay_interval_seconds
    if interval <= 0:
        return None
    background = BackgroundRelay(build_relay(runtime), interval)
    background.start()
    return background
