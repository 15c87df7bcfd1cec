"""The rules of publishing that need no server: retry schedule, subjects, the event body, the
Standard Webhooks signature, and what a subscription may hold."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from clearway.adapters.webhooks import signature
from clearway.domain import events as types
from clearway.domain.record import StoredEvent
from clearway.domain.subscriptions import (
    EVENT_TYPES,
    Subscription,
    SubscriptionKind,
    SubscriptionRejected,
    checked_subscription,
    event_document,
    event_subject,
    new_secret,
    retry_delay,
    secret_key,
)

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _event(declaration_id: str | None, licence_id: str | None, event_type: str) -> StoredEvent:
    return StoredEvent(
        sequence=42,
        id="0193a0b0-0000-7000-8000-000000000001",
        type=event_type,
        declaration_id=declaration_id,
        version=2,
        status="released",
        actor="officer",
        occurred_at=AT,
        data={"lane": "green"},
        licence_id=licence_id,
    )


def test_retries_double_from_one_second_up_to_five_minutes_with_half_drawn() -> None:
    lowest = [retry_delay(attempts, 0.0).total_seconds() for attempts in range(1, 12)]
    highest = [retry_delay(attempts, 0.999999).total_seconds() for attempts in range(1, 12)]
    assert lowest == [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 150, 150]
    assert [round(seconds) for seconds in highest] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert retry_delay(10_000, 0.5) == timedelta(seconds=225)


def test_subjects_put_licence_events_under_licence_even_when_a_declaration_drew_them() -> None:
    assert (
        event_subject("clearway", _event("d-1", None, types.DECLARATION_RELEASED))
        == "clearway.declaration.DeclarationReleased"
    )
    assert (
        event_subject("customs.gb", _event(None, "GB-1", types.LICENCE_ISSUED))
        == "customs.gb.licence.LicenceIssued"
    )
    assert (
        event_subject("clearway", _event("d-1", "GB-1", types.LICENCE_DRAWN))
        == "clearway.licence.LicenceDrawn"
    )


def test_the_event_body_has_every_field_a_subscriber_needs() -> None:
    assert event_document(_event("d-1", None, types.DECLARATION_RELEASED)) == {
        "sequence": 42,
        "id": "0193a0b0-0000-7000-8000-000000000001",
        "type": "DeclarationReleased",
        "declaration_id": "d-1",
        "licence_id": None,
        "version": 2,
        "status": "released",
        "actor": "officer",
        "occurred_at": "2026-11-23T10:00:00+00:00",
        "data": {"lane": "green"},
    }


def test_the_signature_matches_the_standard_webhooks_example() -> None:
    """The worked example of the Standard Webhooks specification (spec/standard-webhooks.md,
    "Signature scheme"), also used by its reference libraries' tests."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        signature(secret_key(secret), "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_generated_secrets_are_32_random_bytes() -> None:
    first, second = new_secret(), new_secret()
    assert first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_the_event_types_are_those_of_the_domain() -> None:
    assert {"DeclarationLodged", "DeclarationReleased", "LicenceRevoked"} <= EVENT_TYPES
    assert all(event_type[0].isupper() and "." not in event_type for event_type in EVENT_TYPES)


def _webhook(**fields: object) -> Subscription:
    values: dict[str, object] = {
        "id": "s-1",
        "name": "agency",
        "kind": SubscriptionKind.WEBHOOK,
        "event_types": (),
        "active": True,
        "created_at": AT,
        "created_by": "admin",
        "url": "https://agency.example/in",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        **fields,
    }
    return Subscription(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "https://agency.example/in",
        "http://127.0.0.1:8080/hooks?token=1",
        "https://[::1]/in",
    ],
)
def test_http_and_https_urls_are_accepted(url: str) -> None:
    assert checked_subscription(_webhook(url=url)).url == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://agency.example/in",
        "https:///no-host",
        "https://agency.example:99999/in",
        "https://agency.example/in#part",
        "https://agency .example/in",
        "javascript:alert(1)",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(SubscriptionRejected) as refused:
        checked_subscription(_webhook(url=url))
    assert [violation.pointer for violation in refused.value.violations] == ["/url"]


@pytest.mark.parametrize("secret", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!", "whsec_AAAA"])
def test_secrets_not_in_the_standard_form_are_refused(secret: str) -> None:
    with pytest.raises(SubscriptionRejected) as refused:
        checked_subscription(_webhook(secret=secret))
    assert [violation.pointer for violation in refused.value.violations] == ["/secret"]


@pytest.mark.parametrize("prefix", ["clearway", "customs.gb", "agency_1.events-eu"])
def test_subject_prefixes_of_plain_tokens_are_accepted(prefix: str) -> None:
    nats = _webhook(kind=SubscriptionKind.NATS, url=None, secret=None, subject_prefix=prefix)
    assert checked_subscription(nats).subject_prefix == prefix


@pytest.mark.parametrize(
    "prefix", ["", "clearway.", ".clearway", "a..b", "a.*", "a.>", "$JS", "a b"]
)
def test_subject_prefixes_with_wildcards_or_empty_tokens_are_refused(prefix: str) -> None:
    nats = _webhook(kind=SubscriptionKind.NATS, url=None, secret=None, subject_prefix=prefix)
    with pytest.raises(SubscriptionRejected) as refused:
        checked_subscription(nats)
    assert [violation.pointer for violation in refused.value.violations] == ["/subject_prefix"]


def test_event_types_are_checked_sorted_and_kept_once() -> None:
    wanted = ("LicenceRevoked", "DeclarationReleased", "LicenceRevoked")
    assert checked_subscription(_webhook(event_types=wanted)).event_types == (
        "DeclarationReleased",
        "LicenceRevoked",
    )
    with pytest.raises(SubscriptionRejected) as refused:
        checked_subscription(_webhook(event_types=("LicenceRevoked", "licencerevoked")))
    assert [violation.pointer for violation in refused.value.violations] == ["/event_types/1"]
