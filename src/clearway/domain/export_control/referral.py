"""Referrals: what customs cannot decide alone goes to the agency that owns the rule.

A referral holds the declaration until it closes (Regulation (EU) 2021/821 Art. 23: customs
may suspend the export for up to 30 working days while the competent authority decides; the
administration sets the deadline). Approval resumes clearance, denial rejects the declaration,
and a referral nobody answered by its deadline expires and goes to the customs officers.

open ─► information_requested ─► open (the exporter replied)
  │            │
  └────────────┴─► approved / denied / expired / withdrawn (the declaration was cancelled,
                   or amended: the new version's findings go to a new referral)

A referral is about one version of the declaration: the agency decides on the findings it
was shown. An amendment withdraws the open referral, and the amended version, if its controls
find anything, is referred afresh (``supersedes`` links the two), so a decision taken on one
version can never release another.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

EXPORT_CONTROL_AGENCY = "export-control"


class ReferralReason(enum.StrEnum):
    LICENCE_MISSING = "licence_missing"
    LICENCE_MISMATCH = "licence_mismatch"
    SCREENING_MATCH = "screening_match"
    CONTROL_LIST = "control_list"
    EMBARGO = "embargo"


class ReferralState(enum.StrEnum):
    OPEN = "open"
    INFORMATION_REQUESTED = "information_requested"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({ReferralState.OPEN, ReferralState.INFORMATION_REQUESTED})

_ONWARD: dict[ReferralState, frozenset[ReferralState]] = {
    ReferralState.OPEN: frozenset(
        {
            ReferralState.INFORMATION_REQUESTED,
            ReferralState.APPROVED,
            ReferralState.DENIED,
            ReferralState.EXPIRED,
            ReferralState.WITHDRAWN,
        }
    ),
    ReferralState.INFORMATION_REQUESTED: frozenset(
        {
            ReferralState.OPEN,
            ReferralState.APPROVED,
            ReferralState.DENIED,
            ReferralState.EXPIRED,
            ReferralState.WITHDRAWN,
        }
    ),
    ReferralState.APPROVED: frozenset(),
    ReferralState.WITHDRAWN: frozenset(),
    ReferralState.DENIED: frozenset(),
    ReferralState.EXPIRED: frozenset(),
}

# The order in which reasons are named: the gravest first.
_GRAVITY = (
    ReferralReason.EMBARGO,
    ReferralReason.SCREENING_MATCH,
    ReferralReason.LICENCE_MISMATCH,
    ReferralReason.LICENCE_MISSING,
    ReferralReason.CONTROL_LIST,
)


class ReferralClosed(Exception):
    """A referral that has been decided or has expired cannot change again."""


@dataclass(frozen=True, slots=True)
class ControlFinding:
    """One thing the controls stage found: its reason, the item or party, and the details."""

    reason: ReferralReason
    message: str
    item: int | None = None
    party: str | None = None
    blocking: bool = False
    """A prohibition: the agency may approve only by citing the exemption that applies."""
    details: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {
            "reason": self.reason.value,
            "message": self.message,
            "item": self.item,
            "party": self.party,
            "blocking": self.blocking,
            "details": self.details,
        }


def finding_from_document(document: dict[str, Any]) -> ControlFinding:
    return ControlFinding(
        ReferralReason(document["reason"]),
        document["message"],
        document.get("item"),
        document.get("party"),
        bool(document.get("blocking", False)),
        dict(document.get("details") or {}),
    )


def main_reason(findings: list[ControlFinding]) -> ReferralReason:
    reasons = {finding.reason for finding in findings}
    return next(reason for reason in _GRAVITY if reason in reasons)


@dataclass(slots=True)
class Referral:
    id: str
    declaration_id: str
    declaration_version: int
    agency: str
    reason: ReferralReason
    findings: list[ControlFinding]
    deadline: datetime
    created_at: datetime
    state: ReferralState = ReferralState.OPEN
    information_request: str | None = None
    reply: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None
    supersedes: str | None = None
    """The referral of an earlier version of the declaration that this one replaced."""

    @property
    def blocking(self) -> bool:
        return any(finding.blocking for finding in self.findings)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def move(self, wanted: ReferralState) -> None:
        if wanted not in _ONWARD[self.state]:
            raise ReferralClosed(
                f"referral {self.id} is {self.state.value.replace('_', ' ')}; it cannot become "
                f"{wanted.value.replace('_', ' ')}"
            )
        self.state = wanted

    def overdue(self, now: datetime) -> bool:
        return self.is_open and now > self.deadline

    def document(self) -> dict[str, Any]:
        """The referral as the agency and customs see it."""
        return {
            "id": self.id,
            "declaration_id": self.declaration_id,
            "declaration_version": self.declaration_version,
            "supersedes": self.supersedes,
            "agency": self.agency,
            "reason": self.reason.value,
            "state": self.state.value,
            "blocking": self.blocking,
            "deadline": self.deadline.isoformat(),
            "created_at": self.created_at.isoformat(),
            "findings": [finding.document() for finding in self.findings],
            "information_request": self.information_request,
            "reply": self.reply,
            "decided_by": self.decided_by,
            "decided_at": None if self.decided_at is None else self.decided_at.isoformat(),
            "note": self.note,
        }

    def trader_document(self) -> dict[str, Any]:
        """What the declarant is told: that the agency has the goods, until when, and its
        question; not what matched (a listed party must not be tipped off)."""
        return {
            "agency": self.agency,
            "state": self.state.value,
            "deadline": self.deadline.isoformat(),
            "information_request": self.information_request,
        }
