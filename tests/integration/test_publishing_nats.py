"""The relay publishing the outbox to a real NATS JetStream server: one subject per area and
event type, the event id as ``Nats-Msg-Id`` so that a resend is stored once, nothing lost while
the server is out of reach."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import orjson
import pytest

from clearway.adapters.nats_publisher import NatsPublisher
from clearway.adapters.publishing_store import SqlAlchemyClaim, SqlAlchemyDeliveryStore
from clearway.bootstrap import Runtime
from clearway.domain import events as types
from clearway.domain.subscriptions import SubscriptionKind
from clearway.services.publishing import Relay
from tests.integration.publishing_support import (
    Clock,
    NatsTarget,
    add_events,
    nats_relay,
    own_stream,
    required_nats_url,
    status,
    story,
    stream_messages,
    subscribe,
)

NATS = SubscriptionKind.NATS


@pytest.fixture(scope="module")
def nats_url() -> str:
    return required_nats_url()


@pytest.fixture
def target(nats_url: str) -> Iterator[NatsTarget]:
    yield from own_stream(nats_url)


def test_events_are_published_to_subjects_by_area_and_type(
    runtime: Runtime, target: NatsTarget
) -> None:
    subscription = subscribe(runtime, kind=NATS, subject_prefix=target.prefix)
    add_events(runtime, story(7))
    relay = nats_relay(runtime, Clock(), target.url, target.stream)
    try:
        report = relay.run_once()
    finally:
        relay.close()
    assert (report.delivered, report.failures) == (7, 0)
    stored = stream_messages(target)
    prefix = target.prefix
    assert [message.subject for message in stored] == [
        f"{prefix}.declaration.DeclarationLodged",
        f"{prefix}.declaration.DeclarationHeld",
        f"{prefix}.declaration.DeclarationReferred",
        f"{prefix}.licence.LicenceIssued",
        f"{prefix}.declaration.DeclarationReleased",
        f"{prefix}.licence.LicenceDrawn",  # drawn by a declaration, filed under the licence
        f"{prefix}.licence.LicenceRevoked",
    ]
    bodies = [orjson.loads(message.data or b"") for message in stored]
    assert [body["sequence"] for body in bodies] == list(range(1, 8))
    assert [(message.headers or {}).get("Nats-Msg-Id") for message in stored] == [
        body["id"] for body in bodies
    ]
    assert bodies[5]["declaration_id"] == "decl-0000"
    assert bodies[5]["licence_id"] == "GB-EXP-0000"
    assert status(runtime, subscription).lag == 0


def test_a_resend_after_a_crash_is_stored_once_by_jetstream(
    runtime: Runtime, target: NatsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscription = subscribe(runtime, kind=NATS, subject_prefix=target.prefix)
    add_events(runtime, story(6))
    commit = SqlAlchemyClaim.commit
    crashed: list[Any] = []

    def crash_once(self: SqlAlchemyClaim, state: Any) -> None:
        if not crashed:
            crashed.append(state)
            raise RuntimeError("relay killed before its commit")
        commit(self, state)

    monkeypatch.setattr(SqlAlchemyClaim, "commit", crash_once)
    relay = nats_relay(runtime, Clock(), target.url, target.stream)
    try:
        with pytest.raises(RuntimeError, match="killed"):
            relay.run_once()
        assert status(runtime, subscription).delivery.last_sequence == 0
        resent = relay.run_once()
    finally:
        relay.close()
    assert resent.delivered == 6
    stored = stream_messages(target)
    assert len(stored) == 6
    assert [orjson.loads(message.data or b"")["sequence"] for message in stored] == list(
        range(1, 7)
    )
    assert status(runtime, subscription).delivery.last_sequence == 6


def test_a_filtered_subscription_publishes_only_its_types(
    runtime: Runtime, target: NatsTarget
) -> None:
    subscribe(
        runtime,
        kind=NATS,
        subject_prefix=target.prefix,
        event_types=[types.LICENCE_ISSUED, types.LICENCE_DRAWN, types.LICENCE_REVOKED],
    )
    add_events(runtime, story(14))
    relay = nats_relay(runtime, Clock(), target.url, target.stream)
    try:
        relay.run_once()
    finally:
        relay.close()
    assert [message.subject for message in stream_messages(target)] == [
        f"{target.prefix}.licence.{event_type}"
        for event_type in ("LicenceIssued", "LicenceDrawn", "LicenceRevoked") * 2
    ]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_nothing_is_lost_while_the_server_is_out_of_reach(
    runtime: Runtime, target: NatsTarget
) -> None:
    subscription = subscribe(runtime, kind=NATS, subject_prefix=target.prefix)
    add_events(runtime, story(4))
    clock = Clock()
    unreachable = Relay(
        SqlAlchemyDeliveryStore(runtime.engine),
        {NATS: NatsPublisher(f"nats://127.0.0.1:{_closed_port()}", stream=target.stream)},
        clock=clock,
        draw=lambda: 0.5,
    )
    try:
        failed = unreachable.run_once()
    finally:
        unreachable.close()
    held = status(runtime, subscription)
    assert (failed.delivered, failed.failures) == (0, 1)
    assert (held.delivery.attempts, held.lag) == (1, 4)
    assert (held.delivery.last_error or "").startswith("NATS at nats://127.0.0.1:")

    clock.advance(timedelta(seconds=1))
    relay = nats_relay(runtime, clock, target.url, target.stream)
    try:
        recovered = relay.run_once()
    finally:
        relay.close()
    assert recovered.delivered == 4
    assert len(stream_messages(target)) == 4
    assert status(runtime, subscription).delivery.attempts == 0
