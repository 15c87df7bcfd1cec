"""Publishing the outbox to subscribers: the relay, the ports it needs, and the commands that
add and remove subscriptions.

The relay takes one due subscription at a time (the store makes sure no other relay holds it
meanwhile), reads the events after its cursor in sequence order, sends those its filter
wants, and moves the cursor in the same transaction that held the subscription. A failure
keeps the cursor on the event that failed, counts the attempt and sets the next one after an
exponential, capped, jittered delay; the rest of that batch waits, so order is kept.

Delivery is at least once: a relay that dies between sending and committing sends again. Every
message carries the event's id as a stable delivery id (``webhook-id``, ``Nats-Msg-Id``) so that
the subscriber (or JetStream's duplicate window) drops the second copy.
"""

from __future__ import annotations

import abc
import logging
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import orjson

from clearway.domain.errors import NotFound
from clearway.domain.events import utc_now
from clearway.domain.identifiers import new_id
from clearway.domain.record import StoredEvent
from clearway.domain.subscriptions import (
    DEFAULT_SUBJECT_PREFIX,
    DeliveryState,
    Subscription,
    SubscriptionKind,
    checked_subscription,
    event_document,
    new_secret,
    retry_delay,
)

log = logging.getLogger("clearway.relay")

# Events read for one subscription at a time.
BATCH_SIZE = 200
# Longest error kept on a subscription.
ERROR_LENGTH = 500

# --- ports --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Message:
    """One event as it goes out: the same JSON body for every subscriber."""

    event: StoredEvent
    body: bytes


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """How many of the messages handed over went out, in order, and why the next did not."""

    delivered: int
    error: str | None = None


class AbstractPublisher(abc.ABC):
    """Sends messages to one kind of subscriber (webhooks, NATS)."""

    @abc.abstractmethod
    def deliver(self, subscription: Subscription, messages: Sequence[Message]) -> DeliveryReport:
        """Send ``messages`` in order and stop at the first that fails; a failed delivery is
        reported, never raised."""

    def close(self) -> None:  # noqa: B027  (most publishers hold nothing to let go of)
        """Let go of connections."""


@dataclass(frozen=True, slots=True)
class EventBatch:
    events: list[StoredEvent]
    """The next events the subscription wants, in sequence order."""
    scanned_through: int
    """Every event up to this sequence is in ``events`` or is one the filter leaves out."""


class AbstractClaim(abc.ABC):
    """One subscription's delivery, held by one relay until ``commit`` or ``release``."""

    subscription: Subscription
    state: DeliveryState

    @abc.abstractmethod
    def events(self, limit: int) -> EventBatch:
        """Up to ``limit`` events after the cursor that the subscription wants."""

    @abc.abstractmethod
    def commit(self, state: DeliveryState) -> None:
        """Store the new delivery state and let the subscription go."""

    @abc.abstractmethod
    def release(self) -> None:
        """Let the subscription go unchanged (nothing happens after ``commit``)."""


class AbstractDeliveryStore(abc.ABC):
    @abc.abstractmethod
    def due(self, now: datetime, limit: int) -> list[str]:
        """Active subscriptions with events after their cursor and no retry pending later."""

    @abc.abstractmethod
    def claim(self, subscription_id: str, now: datetime) -> AbstractClaim | None:
        """The subscription's delivery, or None if another relay holds it or it is not due."""


@dataclass(frozen=True, slots=True)
class SubscriptionStatus:
    subscription: Subscription
    delivery: DeliveryState
    lag: int
    """Events stored after the cursor: the newest sequence less the cursor."""


class AbstractSubscriptionStore(abc.ABC):
    @abc.abstractmethod
    def add(self, subscription: Subscription, *, from_start: bool) -> None:
        """Store a subscription whose cursor is at the start of the outbox or at its end."""

    @abc.abstractmethod
    def get(self, subscription_id: str) -> SubscriptionStatus | None: ...

    @abc.abstractmethod
    def statuses(self) -> list[SubscriptionStatus]:
        """Every subscription, oldest first."""

    @abc.abstractmethod
    def remove(self, subscription_id: str) -> bool:
        """Delete the subscription; False if there was none."""

    @abc.abstractmethod
    def set_active(self, subscription_id: str, active: bool) -> bool:
        """Pause or resume delivery (a resumed subscription is due at once); False if there
        is no such subscription."""


# --- managing subscriptions ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddSubscription:
    name: str
    kind: SubscriptionKind
    actor: str
    url: str | None = None
    secret: str | None = None
    """Webhooks: ``whsec_…``; generated when not given."""
    subject_prefix: str | None = None
    """NATS: ``clearway`` when not given."""
    event_types: Iterable[str] = ()
    active: bool = True
    from_start: bool = False
    """Deliver the events already stored too, not only those from now on."""


def add_subscription(
    command: AddSubscription, store: AbstractSubscriptionStore, now: datetime
) -> Subscription:
    """Check and store a subscription; the returned one holds the secret, shown this once."""
    webhook = command.kind is SubscriptionKind.WEBHOOK
    subscription = checked_subscription(
        Subscription(
            id=new_id(),
            name=command.name.strip(),
            kind=command.kind,
            event_types=tuple(command.event_types),
            active=command.active,
            created_at=now,
            created_by=command.actor,
            url=command.url,
            secret=(command.secret or new_secret()) if webhook else command.secret,
            subject_prefix=(
                command.subject_prefix
                if webhook or command.subject_prefix is not None
                else DEFAULT_SUBJECT_PREFIX
            ),
        )
    )
    store.add(subscription, from_start=command.from_start)
    return subscription


def subscription_status(
    subscription_id: str, store: AbstractSubscriptionStore
) -> SubscriptionStatus:
    found = store.get(subscription_id)
    if found is None:
        raise NotFound(f"no subscription {subscription_id}")
    return found


def remove_subscription(subscription_id: str, store: AbstractSubscriptionStore) -> None:
    if not store.remove(subscription_id):
        raise NotFound(f"no subscription {subscription_id}")


def set_subscription_active(
    subscription_id: str, active: bool, store: AbstractSubscriptionStore
) -> SubscriptionStatus:
    """Pause delivery (events wait in the outbox) or resume it, trying again at once."""
    if not store.set_active(subscription_id, active):
        raise NotFound(f"no subscription {subscription_id}")
    return subscription_status(subscription_id, store)


# --- the relay ----------------------------------------------------------------------------------


@dataclass(slots=True)
class RelayPass:
    """What one pass of the relay did."""

    delivered: int = 0
    failures: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    """The last error per subscription id."""


@dataclass(frozen=True, slots=True)
class _Served:
    delivered: int
    error: str | None
    more: bool


def message(event: StoredEvent) -> Message:
    return Message(event, orjson.dumps(event_document(event)))


class Relay:
    """Publishes the outbox to every active subscription; see the module's docstring."""

    def __init__(
        self,
        store: AbstractDeliveryStore,
        publishers: Mapping[SubscriptionKind, AbstractPublisher],
        *,
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = BATCH_SIZE,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self._store = store
        self._publishers = dict(publishers)
        self._clock = clock
        self._batch_size = batch_size
        self._draw = draw
        self._stopping = threading.Event()

    def run_once(self) -> RelayPass:
        """Deliver what is due now, batch by batch, until every due subscription has caught
        up or failed (subscriptions take turns, a batch each)."""
        report = RelayPass()
        pending = self._store.due(self._clock(), limit=1000)
        while pending and not self._stopping.is_set():
            again = []
            for subscription_id in pending:
                served = self._serve(subscription_id)
                if served is None:
                    continue
                report.delivered += served.delivered
                if served.error is not None:
                    report.failures += 1
                    report.errors[subscription_id] = served.error
                elif served.more:
                    again.append(subscription_id)
            pending = again
        return report

    def run_forever(self, interval: float) -> None:
        """Pass after pass, ``interval`` seconds apart, until ``stop``; a pass that fails (the
        database is away) is logged and the next one tries again."""
        while not self._stopping.is_set():
            try:
                report = self.run_once()
                if report.delivered:
                    log.info("delivered %s events", report.delivered)
            except Exception:
                log.exception("event relay pass failed; trying again in %s s", interval)
            self._stopping.wait(interval)

    def stop(self) -> None:
        """End ``run_forever`` (and a ``run_once`` in progress) after the current batch."""
        self._stopping.set()

    def close(self) -> None:
        for publisher in self._publishers.values():
            publisher.close()

    def _serve(self, subscription_id: str) -> _Served | None:
        now = self._clock()
        claim = self._store.claim(subscription_id, now)
        if claim is None:
            return None
        try:
            subscription, state = claim.subscription, claim.state
            batch = claim.events(self._batch_size)
            messages = [message(event) for event in batch.events]
            report = self._deliver(subscription, messages)
            if report.error is None:
                if batch.scanned_through == state.last_sequence:
                    return _Served(0, None, more=False)
                claim.commit(
                    DeliveryState(
                        last_sequence=batch.scanned_through,
                        last_delivered_at=now if messages else state.last_delivered_at,
                    )
                )
                return _Served(len(messages), None, more=len(batch.events) >= self._batch_size)
            failed = messages[report.delivered].event
            attempts = 1 if report.delivered else state.attempts + 1
            error = report.error[:ERROR_LENGTH]
            claim.commit(
                DeliveryState(
                    # Everything before the failed event was delivered or filtered out, and no
                    # event with a smaller sequence can still appear (see domain.events).
                    last_sequence=failed.sequence - 1,
                    attempts=attempts,
                    next_attempt_at=now + retry_delay(attempts, self._draw()),
                    last_error=error,
                    last_delivered_at=now if report.delivered else state.last_delivered_at,
                )
            )
            log.warning(
                "subscription %s (%s): event %s not delivered (attempt %s): %s",
                subscription.name,
                subscription.id,
                failed.sequence,
                attempts,
                error,
            )
            return _Served(report.delivered, error, more=False)
        finally:
            claim.release()

    def _deliver(self, subscription: Subscription, messages: list[Message]) -> DeliveryReport:
        if not messages:
            return DeliveryReport(0)
        publisher = self._publishers.get(subscription.kind)
        if publisher is None:
            return DeliveryReport(0, f"this relay has no publisher for {subscription.kind} yet")
        try:
            report = publisher.deliver(subscription, messages)
        except Exception as error:
            # A publisher reports failures rather than raising; one that raises anyway must
            # not stop the other subscriptions, so it counts as a failed attempt.
            log.exception("publishing to subscription %s failed", subscription.id)
            return DeliveryReport(0, f"{type(error).__name__}: {error}")
        delivered = max(0, min(report.delivered, len(messages)))
        if delivered == len(messages):
            return DeliveryReport(delivered)
        return DeliveryReport(delivered, report.error or "the publisher stopped without a reason")
