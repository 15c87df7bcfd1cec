"""Domain events: every state change of a declaration, past tense, kept in the outbox.

An event's ``sequence`` is given by the store when the event is written, in the same
transaction as the change it records; later stages hash events into the ledger and publish them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from clearway.domain.identifiers import new_id


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a declaration."""

    type: str
    declaration_id: str
    version: int
    status: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=utc_now)
    id: str = field(default_factory=new_id)


DECLARATION_LODGED = "DeclarationLodged"
DECLARATION_ACCEPTED = "DeclarationAccepted"
DECLARATION_ASSESSED = "DeclarationAssessed"
DECLARATION_REJECTED = "DeclarationRejected"
DECLARATION_AMENDED = "DeclarationAmended"
DECLARATION_CANCELLED = "DeclarationCancelled"
DECLARATION_RISK_SCORED = "DeclarationRiskScored"
DECLARATION_LANED = "DeclarationLaned"
DECLARATION_HELD = "DeclarationHeld"
DECLARATION_CLAIMED = "DeclarationClaimed"
FINDING_RECORDED = "FindingRecorded"
DECLARATION_RELEASED = "DeclarationReleased"
