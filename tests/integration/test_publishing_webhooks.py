"""The relay delivering the outbox to real webhook receivers, on SQLite and PostgreSQL: signed,
in order, once each, through a subscriber's outage and a relay's crash."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from clearway.adapters.publishing_store import SqlAlchemyClaim
from clearway.bootstrap import Runtime
from clearway.domain import events as types
from clearway.domain.access import Principal, Role
from clearway.domain.subscriptions import SubscriptionKind
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.lodging import LodgeDeclaration, lodge_declaration
from tests.conftest import NOW, example
from tests.integration.publishing_support import (
    Clock,
    WebhookReceiver,
    add_events,
    running_receiver,
    status,
    story,
    subscribe,
    webhook_relay,
)

WEBHOOK = SubscriptionKind.WEBHOOK


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


def _webhook(runtime: Runtime, receiver: WebhookReceiver, path: str, **fields: Any) -> Any:
    subscription = subscribe(runtime, kind=WEBHOOK, url=receiver.url(path), **fields)
    receiver.secrets[path] = subscription.secret
    return subscription


def test_every_event_reaches_the_webhook_signed_in_order_and_once(
    runtime: Runtime, receiver: WebhookReceiver
) -> None:
    receiver.start()
    subscription = _webhook(runtime, receiver, "/hooks/agency")
    add_events(runtime, story(14))
    relay = webhook_relay(runtime, Clock(), batch_size=5)
    try:
        first = relay.run_once()
        again = relay.run_once()
    finally:
        relay.close()
    assert (first.delivered, first.failures, again.delivered) == (14, 0, 0)
    assert receiver.bad_signatures == 0
    assert len(receiver.received) == 14
    bodies = [delivery.body for delivery in receiver.received]
    assert [body["sequence"] for body in bodies] == list(range(1, 15))
    assert [delivery.webhook_id for delivery in receiver.received] == [b["id"] for b in bodies]
    drawn = bodies[5]
    assert drawn == {
        "sequence": 6,
        "id": drawn["id"],
        "type": "LicenceDrawn",
        "declaration_id": "decl-0000",
        "licence_id": "GB-EXP-0000",
        "version": 1,
        "status": "issued",
        "actor": "officer",
        "occurred_at": "2026-11-23T10:00:05+00:00",
        "data": {"number": 5, "amount": "1250.00"},
    }
    delivery = status(runtime, subscription)
    assert (delivery.delivery.last_sequence, delivery.lag, delivery.delivery.attempts) == (14, 0, 0)
    assert delivery.delivery.last_delivered_at == NOW


def test_a_subscriber_that_is_down_gets_everything_once_when_it_is_back(
    runtime: Runtime, receiver: WebhookReceiver
) -> None:
    subscription = _webhook(runtime, receiver, "/hooks/down")
    add_events(runtime, story(7))
    clock = Clock()
    relay = webhook_relay(runtime, clock)
    try:
        failed = relay.run_once()
        first = status(runtime, subscription).delivery
        # Not due again until the backoff has passed.
        assert relay.run_once().failures == 0
        clock.advance(timedelta(seconds=1))
        relay.run_once()
        second = status(runtime, subscription).delivery
        receiver.start()
        clock.advance(timedelta(seconds=2))
        add_events(runtime, story(3))
        recovered = relay.run_once()
    finally:
        relay.close()

    assert (failed.delivered, failed.failures) == (0, 1)
    assert first.last_sequence == 0 and first.attempts == 1
    assert "cannot reach http://127.0.0.1" in (first.last_error or "")
    # 1 s after the first failure, 2 s after the second, half of each fixed and half drawn
    # (the test draws 0.5).
    assert first.next_attempt_at == NOW + timedelta(seconds=0.75)
    assert second.attempts == 2
    assert second.next_attempt_at == NOW + timedelta(seconds=1 + 1.5)
    assert recovered.delivered == 10
    assert [d.body["sequence"] for d in receiver.received] == list(range(1, 11))
    after = status(runtime, subscription)
    assert (after.delivery.attempts, after.delivery.last_error, after.lag) == (0, None, 0)
    assert after.delivery.next_attempt_at is None


def test_a_refused_delivery_stops_the_batch_and_is_retried_in_order(
    runtime: Runtime, receiver: WebhookReceiver
) -> None:
    receiver.start()
    subscription = _webhook(runtime, receiver, "/hooks/picky")
    add_events(runtime, story(6))
    with runtime.uow() as uow:
        fourth = uow.events.since(3, 1)[0]
    # A 4xx other than 408 and 429 is retried too: dropping the event would lose it.
    receiver.refuse_once[fourth.id] = 404
    clock = Clock()
    relay = webhook_relay(runtime, clock)
    try:
        first = relay.run_once()
        held = status(runtime, subscription)
        clock.advance(timedelta(seconds=1))
        second = relay.run_once()
    finally:
        relay.close()
    assert (first.delivered, first.failures) == (3, 1)
    assert held.delivery.last_sequence == 3 and held.lag == 3
    assert held.delivery.last_error == f"{receiver.url('/hooks/picky')} answered 404"
    assert second.delivered == 3
    assert [d.body["sequence"] for d in receiver.received] == [1, 2, 3, 4, 5, 6]


def test_a_crash_between_sending_and_committing_resends_with_the_same_ids(
    runtime: Runtime, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver.start()
    subscription = _webhook(runtime, receiver, "/hooks/crash")
    add_events(runtime, story(5))
    commit = SqlAlchemyClaim.commit
    crashes = []

    def crash_once(self: SqlAlchemyClaim, state: Any) -> None:
        if not crashes:
            crashes.append(state)
            raise RuntimeError("relay killed before its commit")
        commit(self, state)

    monkeypatch.setattr(SqlAlchemyClaim, "commit", crash_once)
    relay = webhook_relay(runtime, Clock())
    try:
        with pytest.raises(RuntimeError, match="killed"):
            relay.run_once()
        lost = status(runtime, subscription)
        resent = relay.run_once()
    finally:
        relay.close()
    assert lost.delivery.last_sequence == 0 and lost.lag == 5
    assert resent.delivered == 5
    ids = [delivery.webhook_id for delivery in receiver.received]
    assert len(ids) == 10 and ids[:5] == ids[5:]
    assert [d.body["sequence"] for d in receiver.unique("/hooks/crash")] == [1, 2, 3, 4, 5]
    assert status(runtime, subscription).delivery.last_sequence == 5


def test_a_filter_delivers_only_the_types_asked_for_and_moves_past_the_rest(
    runtime: Runtime, receiver: WebhookReceiver
) -> None:
    receiver.start()
    wanted = [types.DECLARATION_RELEASED, types.LICENCE_REVOKED]
    subscription = _webhook(runtime, receiver, "/hooks/filtered", event_types=wanted)
    add_events(runtime, story(21))  # three of each type, the last a LicenceRevoked
    add_events(runtime, story(1))  # then a DeclarationLodged, which is not wanted
    relay = webhook_relay(runtime, Clock(), batch_size=2)
    try:
        report = relay.run_once()
    finally:
        relay.close()
    assert report.delivered == 6
    got = [(d.body["type"], d.body["sequence"]) for d in receiver.received]
    assert got == [
        ("DeclarationReleased", 5),
        ("LicenceRevoked", 7),
        ("DeclarationReleased", 12),
        ("LicenceRevoked", 14),
        ("DeclarationReleased", 19),
        ("LicenceRevoked", 21),
    ]
    after = status(runtime, subscription)
    assert (after.delivery.last_sequence, after.lag) == (22, 0)


def test_a_new_subscription_starts_with_the_next_event_unless_asked_for_all(
    runtime: Runtime, receiver: WebhookReceiver
) -> None:
    receiver.start()
    add_events(runtime, story(4))
    _webhook(runtime, receiver, "/hooks/new")
    _webhook(runtime, receiver, "/hooks/all", from_start=True)
    add_events(runtime, story(2))
    relay = webhook_relay(runtime, Clock())
    try:
        relay.run_once()
    finally:
        relay.close()
    assert [d.body["sequence"] for d in receiver.unique("/hooks/new")] == [5, 6]
    assert [d.body["sequence"] for d in receiver.unique("/hooks/all")] == [1, 2, 3, 4, 5, 6]


def test_relays_running_at_once_never_deliver_an_event_twice(
    runtime: Runtime, receiver: WebhookReceiver
) -> None:
    """Row locks on PostgreSQL, leases on SQLite: each subscription is served by one relay at
    a time, so no event is sent twice however the relays interleave."""
    receiver.start()
    paths = [f"/hooks/{name}" for name in ("customs", "agency", "port")]
    for path in paths:
        _webhook(runtime, receiver, path)
    add_events(runtime, story(150))
    relays = [webhook_relay(runtime, Clock(), batch_size=7) for _ in range(4)]
    start = threading.Barrier(len(relays))
    errors: list[BaseException] = []

    def run(relay: Any) -> None:
        try:
            start.wait()
            for _ in range(5):
                relay.run_once()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for relay in relays:
        relay.close()
    assert errors == []
    assert receiver.bad_signatures == 0
    for path in paths:
        sequences = [d.body["sequence"] for d in receiver.received if d.path == path]
        assert sequences == list(range(1, 151)), path


def test_a_lodged_declaration_s_events_reach_the_subscriber_as_stored(
    runtime: Runtime, receiver: WebhookReceiver
) -> None:
    receiver.start()
    _webhook(runtime, receiver, "/hooks/lodged")
    parsed = parse_declaration(example("import"))
    broker = Principal("broker", Role.TRADER, "GB123456789000")
    lodged = lodge_declaration(
        LodgeDeclaration(parsed.declaration, parsed.document, broker),
        runtime.uow(),
        runtime.context,
    )
    relay = webhook_relay(runtime, Clock())
    try:
        relay.run_once()
    finally:
        relay.close()
    with runtime.uow() as uow:
        stored = uow.events.for_declaration(lodged.record.id)
    bodies = [delivery.body for delivery in receiver.received]
    assert bodies[0]["type"] == "DeclarationLodged"
    assert [(body["id"], body["type"], body["sequence"]) for body in bodies] == [
        (event.id, event.type, event.sequence) for event in stored
    ]
    assert {body["declaration_id"] for body in bodies} == {lodged.record.id}
    assert bodies[0]["actor"] == "broker"
