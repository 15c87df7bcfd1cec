"""Domain events: every state change of a declaration or a licence, past tense, in the outbox.

An event's ``sequence`` is given by the store when the event is written, in the same
transaction as the change it records; events become visible in the order of their sequence
(the store serialises their insertion up to commit), so a reader that has seen sequence n has
seen every earlier event there will ever be. The relay publishes them; the ledger logs them.

An event is about a declaration (``declaration_id``), a licence (``licence_id``), or both (a
licence drawn by a declaration's release); an account or configuration change is about
neither.
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
    """Something that happened to a declaration or a licence."""

    type: str
    declaration_id: str | None
    version: int
    status: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=utc_now)
    id: str = field(default_factory=new_id)
    licence_id: str | None = None


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
DECLARATION_REFERRED = "DeclarationReferred"
REFERRAL_DECIDED = "ReferralDecided"
REFERRAL_WITHDRAWN = "ReferralWithdrawn"
LICENCE_ISSUED = "LicenceIssued"
LICENCE_AMENDED = "LicenceAmended"
LICENCE_SUSPENDED = "LicenceSuspended"
LICENCE_REINSTATED = "LicenceReinstated"
LICENCE_REVOKED = "LicenceRevoked"
LICENCE_DRAWN = "LicenceDrawn"
LICENCE_CREDITED = "LicenceCredited"
REFERRAL_INFORMATION_REQUESTED = "ReferralInformationRequested"
REFERRAL_REPLIED = "ReferralReplied"
ACCOUNT_CHANGED = "AccountChanged"
"""A user or API key was created, changed, disabled or revoked (no declaration, no licence)."""
CONFIGURATION_CHANGED = "ConfigurationChanged"
"""Rules, lists, reference data, the tariff, the control list or the model changed."""

ADMINISTRATION_EVENTS = frozenset({ACCOUNT_CHANGED, CONFIGURATION_CHANGED})
"""Events for the ledger and the audit trail only, never published to subscribers: they name
selectivity rules and lists, which must not reach traders or partners (WCO Risk Management
Compendium: profiles are confidential)."""
