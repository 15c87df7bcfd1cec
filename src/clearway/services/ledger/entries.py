"""A ledger entry: the exact bytes one outbox event becomes in the log.

The entry is the event as a JSON object in RFC 8785 (JSON Canonicalization Scheme) form, so
that anyone holding the event's fields can rebuild the very bytes that were hashed (RFC 9162
§2.1.1 hashes the entry as given), and anyone holding the bytes can read them as plain JSON.
Its members: the outbox ``sequence``, the event's ``event_id``, ``type``, ``declaration_id``,
``licence_id``, ``version``, ``status``, ``actor``, ``occurred_at`` (ISO 8601, UTC) and
``data`` (the event's payload as stored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from clearway.domain.events import Event
from clearway.services.ledger.canonical import CanonicalizationError, canonical_json

ENTRY_FIELDS = (
    "sequence",
    "event_id",
    "type",
    "declaration_id",
    "licence_id",
    "version",
    "status",
    "actor",
    "occurred_at",
    "data",
)


class EntryError(ValueError):
    """Bytes that are not a ledger entry in canonical form."""


def event_entry(sequence: int, event: Event) -> bytes:
    """The canonical entry bytes of ``event``, stored in the outbox at ``sequence``."""
    return canonical_json(
        {
            "sequence": sequence,
            "event_id": event.id,
            "type": event.type,
            "declaration_id": event.declaration_id,
            "licence_id": event.licence_id,
            "version": event.version,
            "status": event.status,
            "actor": event.actor,
            "occurred_at": _utc_text(event.occurred_at),
            "data": event.data,
        }
    )


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry read back from its bytes."""

    sequence: int
    event_id: str
    type: str
    declaration_id: str | None
    licence_id: str | None
    version: int
    status: str
    actor: str
    occurred_at: str
    data: dict[str, Any]


def read_entry(entry: bytes) -> Entry:
    """Parse entry bytes, refusing any that are not canonical (RFC 8785) or lack a member."""
    try:
        fields = json.loads(entry)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EntryError(f"the entry is not JSON: {error}") from None
    if not isinstance(fields, dict) or set(fields) != set(ENTRY_FIELDS):
        raise EntryError(f"an entry has exactly the members {', '.join(ENTRY_FIELDS)}")
    try:
        canonical = canonical_json(fields)
    except (CanonicalizationError, UnicodeEncodeError) as error:
        # JSON that RFC 8785 has no form for: an integer beyond ±(2^53 - 1), a lone surrogate.
        raise EntryError(f"the entry is not in RFC 8785 canonical form: {error}") from None
    if canonical != entry:
        raise EntryError("the entry is not in RFC 8785 canonical form")
    return Entry(**fields)


@lru_cache(maxsize=4096)
def _utc_text(moment: datetime) -> str:
    """The time as the entry writes it; kept for the events that share the moment."""
    if moment.tzinfo is None:
        raise EntryError("an event time must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
