"""Subscriptions through the API: administrators add, read and remove them, bad ones are refused
with a pointer to each problem, the delivery state shows how far each has got, and the server
runs the relay beside the requests when its settings say so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clearway.adapters.tables import events
from clearway.bootstrap import Runtime
from clearway.domain.events import ADMINISTRATION_EVENTS
from clearway.entrypoints.api.app import create_app
from tests.conftest import add_user
from tests.integration.publishing_support import (
    Clock,
    WebhookReceiver,
    add_events,
    running_receiver,
    story,
    webhook_relay,
)

SUBSCRIPTIONS = "/api/v1/subscriptions"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


def subscribers_sequences(runtime: Runtime) -> list[int]:
    """The sequences of the stored events subscribers receive: all but the administration's
    own (the subscription's creation among them), which only the ledger takes."""
    with runtime.engine.connect() as connection:
        return list(
            connection.execute(
                select(events.c.sequence)
                .where(events.c.type.not_in(ADMINISTRATION_EVENTS))
                .order_by(events.c.sequence)
            ).scalars()
        )


def test_an_administrator_adds_reads_and_removes_a_webhook(api: Any) -> None:
    admin = api.as_("admin")
    created = api.post(
        SUBSCRIPTIONS,
        json={
            "name": "border agency",
            "kind": "webhook",
            "url": "https://agency.example/clearway/events",
            "event_types": ["DeclarationReleased", "LicenceRevoked"],
        },
        headers=admin,
    )
    assert created.status_code == 201
    body = created.json()
    assert created.headers["location"] == f"{SUBSCRIPTIONS}/{body['id']}"
    assert body["secret"].startswith("whsec_") and len(body["secret"]) == 6 + 44
    assert body["event_types"] == ["DeclarationReleased", "LicenceRevoked"]
    assert body["created_by"] == "admin" and body["active"] is True
    assert body["delivery"] == {
        "cursor": 0,
        "lag": 0,
        "attempts": 0,
        "next_attempt_at": None,
        "last_error": None,
        "last_delivered_at": None,
    }

    read = api.get(f"{SUBSCRIPTIONS}/{body['id']}", headers=admin).json()
    assert "secret" not in read
    assert read["url"] == "https://agency.example/clearway/events"
    assert [entry["id"] for entry in api.get(SUBSCRIPTIONS, headers=admin).json()] == [body["id"]]

    assert api.delete(f"{SUBSCRIPTIONS}/{body['id']}", headers=admin).status_code == 204
    gone = api.get(f"{SUBSCRIPTIONS}/{body['id']}", headers=admin)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert api.delete(f"{SUBSCRIPTIONS}/{body['id']}", headers=admin).status_code == 404


def test_a_nats_subscription_gets_the_default_prefix_and_no_secret(api: Any) -> None:
    created = api.post(
        SUBSCRIPTIONS, json={"name": "stream", "kind": "nats"}, headers=api.as_("admin")
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["subject_prefix"], body["secret"], body["url"]) == ("clearway", None, None)
    assert body["event_types"] == []


@pytest.mark.parametrize(
    ("fields", "pointers"),
    [
        ({"kind": "webhook", "url": "ftp://agency.example/in"}, ["/url"]),
        ({"kind": "webhook", "url": "https://user:pw@agency.example/in"}, ["/url"]),
        ({"kind": "webhook"}, ["/url"]),
        ({"kind": "webhook", "url": "https://a.example/", "secret": "hunter2"}, ["/secret"]),
        ({"kind": "nats", "subject_prefix": "clearway.*"}, ["/subject_prefix"]),
        ({"kind": "nats", "subject_prefix": "customs..gb"}, ["/subject_prefix"]),
        ({"kind": "nats", "url": "https://a.example/"}, ["/url"]),
        (
            {"kind": "nats", "event_types": ["DeclarationReleased", "DeclarationTeleported"]},
            ["/event_types/1"],
        ),
    ],
)
def test_a_bad_subscription_is_refused_with_a_pointer_to_each_problem(
    api: Any, fields: dict[str, Any], pointers: list[str]
) -> None:
    refused = api.post(SUBSCRIPTIONS, json={"name": "bad", **fields}, headers=api.as_("admin"))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "urn:clearway:problem:subscription-rejected"
    assert [error["pointer"] for error in problem["errors"]] == pointers
    assert api.get(SUBSCRIPTIONS, headers=api.as_("admin")).json() == []


def test_an_unknown_kind_is_a_schema_error(api: Any) -> None:
    refused = api.post(
        SUBSCRIPTIONS, json={"name": "x", "kind": "carrier-pigeon"}, headers=api.as_("admin")
    )
    assert refused.status_code == 422
    assert [error["pointer"] for error in refused.json()["errors"]] == ["/kind"]


@pytest.mark.parametrize("username", ["officer", "analyst", "agency", "broker"])
def test_only_administrators_manage_subscriptions(refusing_api: Any, username: str) -> None:
    api = refusing_api
    headers = api.as_(username)
    assert api.get(SUBSCRIPTIONS, headers=headers).status_code == 403
    posted = api.post(SUBSCRIPTIONS, json={"name": "x", "kind": "nats"}, headers=headers)
    assert posted.status_code == 403


def test_the_delivery_state_shows_lag_cursor_and_the_last_error(
    api: Any, runtime: Runtime, receiver: WebhookReceiver
) -> None:
    admin = api.as_("admin")
    body = api.post(
        SUBSCRIPTIONS,
        json={"name": "agency", "kind": "webhook", "url": receiver.url("/in")},
        headers=admin,
    ).json()
    receiver.secrets["/in"] = body["secret"]
    add_events(runtime, story(5))
    waiting = api.get(f"{SUBSCRIPTIONS}/{body['id']}", headers=admin).json()["delivery"]
    assert (waiting["cursor"], waiting["lag"]) == (0, 5)

    relay = webhook_relay(runtime, Clock())  # the receiver is not up yet
    try:
        relay.run_once()
    finally:
        relay.close()
    failing = api.get(f"{SUBSCRIPTIONS}/{body['id']}", headers=admin).json()["delivery"]
    # The cursor passes over the subscription's own creation (for the ledger only) and stops
    # before the first event it could not deliver.
    first = subscribers_sequences(runtime)[0]
    assert (failing["cursor"], failing["lag"], failing["attempts"]) == (first - 1, 5, 1)
    assert failing["last_error"].startswith(f"cannot reach {receiver.url('/in')}")
    assert failing["next_attempt_at"] == "2026-11-23T10:00:00.750000Z"


def test_the_server_relays_events_in_the_background_and_stops_at_shutdown(
    runtime: Runtime, receiver: WebhookReceiver
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"relay_interval_seconds": 0.05})
    receiver.start()
    with TestClient(create_app(runtime=runtime)) as client:
        headers = {"Authorization": f"Bearer {add_user(runtime, 'admin')}"}
        body = client.post(
            SUBSCRIPTIONS,
            json={"name": "agency", "kind": "webhook", "url": receiver.url("/in")},
            headers=headers,
        ).json()
        receiver.secrets["/in"] = body["secret"]
        add_events(runtime, story(9))
        assert receiver.wait_for("/in", 9)
        background = client.app.state.relay  # type: ignore[attr-defined]
        assert background.running
    assert not background.running
    assert [d.body["sequence"] for d in receiver.received] == subscribers_sequences(runtime)
    assert len(receiver.received) == 9


def test_a_paused_subscription_keeps_its_events_until_resumed(
    api: Any, runtime: Runtime, receiver: WebhookReceiver
) -> None:
    admin = api.as_("admin")
    receiver.start()
    body = api.post(
        SUBSCRIPTIONS,
        json={"name": "agency", "kind": "webhook", "url": receiver.url("/in"), "active": False},
        headers=admin,
    ).json()
    receiver.secrets["/in"] = body["secret"]
    add_events(runtime, story(4))
    relay = webhook_relay(runtime, Clock())
    try:
        relay.run_once()
        paused = api.get(f"{SUBSCRIPTIONS}/{body['id']}", headers=admin).json()
        resumed = api.patch(
            f"{SUBSCRIPTIONS}/{body['id']}", json={"active": True}, headers=admin
        ).json()
        relay.run_once()
    finally:
        relay.close()
    assert (paused["active"], paused["delivery"]["lag"]) == (False, 4)
    assert resumed["active"] is True
    assert [d.body["sequence"] for d in receiver.received] == subscribers_sequences(runtime)
    assert len(receiver.received) == 4
    missing = api.patch(f"{SUBSCRIPTIONS}/nope", json={"active": True}, headers=admin)
    assert missing.status_code == 404
