"""Subscriptions to the event stream: who receives which events, how, and how far they have got.

A subscription is a webhook (an HTTP endpoint that receives each event signed with a shared
secret, per the Standard Webhooks specification) or a NATS JetStream subject prefix. It may
narrow the stream to some event types. Its delivery state is a cursor: the sequence of the last
event it has been given (events the filter leaves out count as given), with the attempts,
error and next attempt time of a failing delivery.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from clearway.domain import events as _events
from clearway.domain.errors import ValidationFailed
from clearway.domain.record import StoredEvent
from clearway.domain.rules.base import Violation

EVENT_TYPES: frozenset[str] = (
    frozenset(
        value
        for name, value in vars(_events).items()
        if name.isupper() and name.isidentifier() and isinstance(value, str)
    )
    - _events.ADMINISTRATION_EVENTS
)
"""Every event type a subscriber may receive: the upper-case string constants of
``domain.events`` but the administration's own."""

DEFAULT_SUBJECT_PREFIX = "clearway"
SECRET_PREFIX = "whsec_"
# Standard Webhooks: secrets are 24 to 64 random bytes, base64-encoded after "whsec_".
SECRET_BYTES = 32
_SECRET_SIZES = range(24, 65)
# NATS subject tokens may hold any printable character but ".", "*", ">" and white space; a
# prefix here is kept to letters, digits, "_" and "-" so that it is also safe in a stream's
# subject list and in every client's configuration ("$" would reach the system subjects).
_SUBJECT_PREFIX = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
_MAX_SUBJECT_PREFIX = 100
_MAX_URL = 2000
_MAX_NAME = 120
# Retry schedule: 1 s after the first failure, doubling to at most 5 minutes between attempts.
RETRY_BASE = timedelta(seconds=1)
RETRY_CAP = timedelta(minutes=5)


class SubscriptionKind(enum.StrEnum):
    WEBHOOK = "webhook"
    NATS = "nats"


class SubscriptionRejected(ValidationFailed):
    """A subscription that cannot be stored: a bad URL, subject prefix, secret or event type."""

    slug, title = "subscription-rejected", "Subscription is not valid"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    name: str
    kind: SubscriptionKind
    event_types: tuple[str, ...]
    """The event types delivered (sorted once checked); empty means every type."""
    active: bool
    created_at: datetime
    created_by: str
    url: str | None = None
    """Webhooks: where events are POSTed."""
    secret: str | None = None
    """Webhooks: the ``whsec_…`` secret that signs each delivery."""
    subject_prefix: str | None = None
    """NATS: the first tokens of every subject published."""

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """How far a subscription's delivery has got."""

    last_sequence: int
    """Every event up to this sequence has been delivered or left out by the filter."""
    attempts: int = 0
    """Failed attempts since the last success."""
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    last_delivered_at: datetime | None = None


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_…`` secret stands for (Standard Webhooks, "Signature scheme")."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def _secret_problem(secret: str) -> str | None:
    if not secret.startswith(SECRET_PREFIX):
        return f"a webhook secret starts with {SECRET_PREFIX}"
    try:
        key = secret_key(secret)
    except (binascii.Error, ValueError):
        return f"a webhook secret is {SECRET_PREFIX} followed by base64"
    if len(key) not in _SECRET_SIZES:
        return "a webhook secret holds 24 to 64 bytes (32 to 88 base64 characters)"
    return None


def _url_problem(url: str) -> str | None:
    if len(url) > _MAX_URL:
        return f"a webhook URL has at most {_MAX_URL} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"not a URL: {error}"
    if parts.scheme not in {"http", "https"}:
        return "a webhook URL starts with http:// or https://"
    if not parts.hostname:
        return "a webhook URL names a host"
    if parts.username is not None or parts.password is not None:
        return "a webhook URL carries no credentials: deliveries are signed with the secret"
    if parts.fragment:
        return "a webhook URL has no #fragment"
    if port == 0 or any(character.isspace() for character in url):
        return "not a URL"
    return None


def _prefix_problem(prefix: str) -> str | None:
    if len(prefix) > _MAX_SUBJECT_PREFIX or not _SUBJECT_PREFIX.fullmatch(prefix):
        return (
            "a subject prefix is one or more tokens of letters, digits, '_' or '-' joined by "
            f"'.', at most {_MAX_SUBJECT_PREFIX} characters (e.g. clearway or customs.gb)"
        )
    return None


def _event_type_violations(event_types: Iterable[str]) -> list[Violation]:
    return [
        Violation("SUB.EVENT_TYPE", f"/event_types/{index}", f"no event type {event_type!r}")
        for index, event_type in enumerate(event_types)
        if event_type not in EVENT_TYPES
    ]


def checked_subscription(subscription: Subscription) -> Subscription:
    """The subscription ready to store, its event types sorted and each once; otherwise every
    problem, with a pointer each (into the event types as given)."""
    problems: list[tuple[str, str]] = []
    name = subscription.name.strip()
    if not name or len(name) > _MAX_NAME:
        problems.append(("/name", f"a name has 1 to {_MAX_NAME} characters"))
    if subscription.kind is SubscriptionKind.WEBHOOK:
        if subscription.url is None:
            problems.append(("/url", "a webhook needs a url"))
        elif (problem := _url_problem(subscription.url)) is not None:
            problems.append(("/url", problem))
        if subscription.secret is None:
            problems.append(("/secret", "a webhook needs a secret"))
        elif (problem := _secret_problem(subscription.secret)) is not None:
            problems.append(("/secret", problem))
        if subscription.subject_prefix is not None:
            problems.append(("/subject_prefix", "only NATS subscriptions have a subject prefix"))
    else:
        if subscription.subject_prefix is None:
            problems.append(("/subject_prefix", "a NATS subscription needs a subject prefix"))
        elif (problem := _prefix_problem(subscription.subject_prefix)) is not None:
            problems.append(("/subject_prefix", problem))
        for field_name in ("url", "secret"):
            if getattr(subscription, field_name) is not None:
                problems.append((f"/{field_name}", f"only webhooks have a {field_name}"))
    violations = [Violation("SUB.FIELD", pointer, message) for pointer, message in problems]
    violations.extend(_event_type_violations(subscription.event_types))
    if violations:
        raise SubscriptionRejected(violations, violations[0].message)
    return replace(subscription, event_types=tuple(sorted(set(subscription.event_types))))


def retry_delay(attempts: int, draw: float) -> timedelta:
    """How long to wait after the ``attempts``-th failure in a row: exponential, capped, with
    "equal jitter" (half the step fixed, half drawn; ``draw`` is uniform in [0, 1)) so that
    subscriptions that failed together do not all come back at the same instant."""
    step = min(RETRY_CAP, RETRY_BASE * (1 << min(max(attempts, 1) - 1, 30)))
    return step / 2 + step / 2 * draw


def event_area(event: StoredEvent) -> str:
    """``licence`` for an event about a licence (even one drawn by a declaration),
    ``administration`` for a change of accounts or configuration, else ``declaration``."""
    if event.licence_id is not None:
        return "licence"
    if event.declaration_id is None:
        return "administration"
    return "declaration"


def event_subject(prefix: str, event: StoredEvent) -> str:
    """The NATS subject: ``<prefix>.declaration.<Type>``, ``<prefix>.licence.<Type>`` or
    ``<prefix>.administration.<Type>``."""
    return f"{prefix}.{event_area(event)}.{event.type}"


def event_document(event: StoredEvent) -> dict[str, Any]:
    """The JSON body every subscriber receives for an event."""
    return {
        "sequence": event.sequence,
        "id": event.id,
        "type": event.type,
        "declaration_id": event.declaration_id,
        "licence_id": event.licence_id,
        "version": event.version,
        "status": event.status,
        "actor": event.actor,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.data,
    }
