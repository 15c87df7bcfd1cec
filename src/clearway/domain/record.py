"""A declaration as stored: its identity, state, current version and valuation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from clearway.domain.export_control.referral import Referral
from clearway.domain.lifecycle import Status


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """A declaration's version as it came in, when it came as a standard message: its format
    (``dec-dms`` WCO DEC-DMS XML, ``cusdec`` UN/EDIFACT) and the bytes received."""

    format: str
    content: bytes


@dataclass(slots=True)
class DeclarationRecord:
    id: str
    type: str
    lrn: str
    declarant_id: str
    status: Status
    version: int
    payload: dict[str, Any]
    payload_hash: str
    lodged_by: str
    lodged_at: datetime
    updated_at: datetime
    mrn: str | None = None
    accepted_at: datetime | None = None
    customs_value: Decimal | None = None
    valuation: dict[str, Any] | None = None
    assessment: dict[str, Any] | None = None
    risk: dict[str, Any] | None = None
    """The risk stage's decision on the current version: score, lane, reasons."""
    party_ids: frozenset[str] = field(default_factory=frozenset)
    referral: Referral | None = None
    """The declaration's latest referral to an agency, if it has one."""
    message: ReceivedMessage | None = None
    """The message the current version came in, when it is being stored (not read back)."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back from the outbox, with the sequence number the store gave it."""

    sequence: int
    id: str
    type: str
    declaration_id: str | None
    version: int
    status: str
    actor: str
    occurred_at: datetime
    data: dict[str, Any]
    licence_id: str | None = None
