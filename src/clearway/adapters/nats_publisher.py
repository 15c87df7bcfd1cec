"""NATS JetStream delivery: each event published to ``<prefix>.declaration.<EventType>`` or
``<prefix>.licence.<EventType>`` and acknowledged by the stream before the next is sent.

Every message carries the header ``Nats-Msg-Id`` set to the event's id, so that JetStream
stores a resend within the stream's duplicate window only once (the acknowledgement then says
``duplicate``); the stream is created, or its subjects widened, on first use of a prefix with a
duplicate window of at least ``duplicate_window``.

nats-py is asynchronous and the relay is not: the client lives on an event loop in a thread of
its own, where its pings and reconnects keep running between batches.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext

from clearway.domain.subscriptions import Subscription, event_subject
from clearway.services.publishing import AbstractPublisher, DeliveryReport, Message

log = logging.getLogger("clearway.relay.nats")

DEFAULT_STREAM = "CLEARWAY"
# Resends after a relay died between publishing and committing come back within seconds; ten
# minutes leaves room for a database that took a while to return.
DEFAULT_DUPLICATE_WINDOW = timedelta(minutes=10)
# Seconds to wait for the server to connect or to acknowledge a message.
DEFAULT_TIMEOUT = 5.0
_FAILURES = (nats.errors.Error, OSError, asyncio.TimeoutError)

T = TypeVar("T")


class _LoopThread:
    """An asyncio loop running in a daemon thread, for blocking callers to submit work to."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="clearway-nats", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class NatsPublisher(AbstractPublisher):
    def __init__(
        self,
        url: str,
        *,
        stream: str = DEFAULT_STREAM,
        duplicate_window: timedelta = DEFAULT_DUPLICATE_WINDOW,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._url = url
        self._stream = stream
        self._duplicate_window = duplicate_window.total_seconds()
        self._timeout = timeout
        self._loop: _LoopThread | None = None
        self._client: Client | None = None
        self._ready_prefixes: set[str] = set()

    def deliver(self, subscription: Subscription, messages: Sequence[Message]) -> DeliveryReport:
        assert subscription.subject_prefix is not None
        if self._loop is None:
            self._loop = _LoopThread()
        return self._loop.run(self._deliver(subscription.subject_prefix, messages))

    def close(self) -> None:
        if self._loop is None:
            return
        if self._client is not None:
            try:
                self._loop.run(self._client.close())
            except _FAILURES as error:
                log.warning("closing the NATS connection: %s", _describe(error))
            self._client = None
        self._loop.close()
        self._loop = None

    async def _deliver(self, prefix: str, messages: Sequence[Message]) -> DeliveryReport:
        try:
            jetstream = await self._jetstream()
            await self._ensure_stream(jetstream, prefix)
        except _FAILURES as error:
            return DeliveryReport(0, f"NATS at {self._url}: {_describe(error)}")
        for index, message in enumerate(messages):
            try:
                await jetstream.publish(
                    event_subject(prefix, message.event),
                    message.body,
                    timeout=self._timeout,
                    stream=self._stream,
                    headers={"Nats-Msg-Id": message.event.id},
                )
            except _FAILURES as error:
                # The stream may be gone or changed: look at it again before the next attempt.
                self._ready_prefixes.discard(prefix)
                return DeliveryReport(index, f"NATS stream {self._stream}: {_describe(error)}")
        return DeliveryReport(len(messages))

    async def _jetstream(self) -> JetStreamContext:
        if self._client is None or self._client.is_closed:
            self._ready_prefixes.clear()
            self._client = await nats.connect(
                self._url,
                connect_timeout=max(1, round(self._timeout)),
                # A few quick tries, then the delivery fails and waits for its backoff; a
                # connection that gave up is made anew at the next delivery.
                allow_reconnect=True,
                max_reconnect_attempts=3,
                reconnect_time_wait=1,
                error_cb=self._on_error,
                name="clearway-relay",
            )
        return self._client.jetstream(timeout=self._timeout)

    async def _on_error(self, error: Exception) -> None:
        log.warning("NATS at %s: %s", self._url, _describe(error))

    async def _ensure_stream(self, jetstream: JetStreamContext, prefix: str) -> None:
        """Create the stream, or add ``<prefix>.>`` to its subjects and widen its duplicate
        window, unless this connection has done so already."""
        if prefix in self._ready_prefixes:
            return
        subject = f"{prefix}.>"
        try:
            info = await jetstream.stream_info(self._stream)
        except nats.js.errors.NotFoundError:
            await jetstream.add_stream(
                name=self._stream, subjects=[subject], duplicate_window=self._duplicate_window
            )
        else:
            config = info.config
            subjects = list(config.subjects or [])
            window = config.duplicate_window or 0
            if subject not in subjects or window < self._duplicate_window:
                await jetstream.update_stream(
                    config.evolve(
                        subjects=[*subjects, subject] if subject not in subjects else subjects,
                        duplicate_window=max(window, self._duplicate_window),
                    )
                )
        self._ready_prefixes.add(prefix)
