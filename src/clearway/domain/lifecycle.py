"""The declaration lifecycle: its states and the transitions allowed between them.

lodged → accepted (MRN given) or rejected → assessed → risk_scored → laned
→ released / held / cancelled. Amending creates a new version, which goes through clearance
again from accepted (or assessed); rejected and cancelled declarations are final, and so is a
released import. A released export may still be invalidated while the goods have not left
(UCC Art. 174(1) and Delegated Regulation (EU) 2015/2446 Art. 248), which gives its licence
draws back.
"""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    LODGED = "lodged"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ASSESSED = "assessed"
    RISK_SCORED = "risk_scored"
    LANED = "laned"
    HELD = "held"
    RELEASED = "released"
    CANCELLED = "cancelled"


_OPEN = {Status.ACCEPTED, Status.ASSESSED, Status.RISK_SCORED, Status.LANED, Status.HELD}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.LODGED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.CANCELLED}),
    Status.ACCEPTED: frozenset({Status.ASSESSED, Status.HELD, Status.RELEASED, Status.CANCELLED}),
    Status.ASSESSED: frozenset(
        {Status.RISK_SCORED, Status.HELD, Status.RELEASED, Status.CANCELLED}
    ),
    Status.RISK_SCORED: frozenset({Status.LANED, Status.HELD, Status.RELEASED, Status.CANCELLED}),
    Status.LANED: frozenset({Status.HELD, Status.RELEASED, Status.CANCELLED}),
    Status.HELD: frozenset({Status.RELEASED, Status.REJECTED, Status.CANCELLED}),
    Status.RELEASED: frozenset({Status.CANCELLED}),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
}

FINAL = frozenset(status for status, onward in TRANSITIONS.items() if not onward)


class InvalidTransition(Exception):
    """A state change the lifecycle does not allow."""

    def __init__(self, current: Status, wanted: Status) -> None:
        super().__init__(f"a {current.value} declaration cannot become {wanted.value}")
        self.current = current
        self.wanted = wanted


def transition(current: Status, wanted: Status) -> Status:
    """Return ``wanted`` when the lifecycle allows it from ``current``, else raise."""
    if wanted not in TRANSITIONS[current]:
        raise InvalidTransition(current, wanted)
    return wanted


def can_amend(status: Status) -> bool:
    """Amendments are accepted until the goods are released (UCC Art. 173(2)(c): none after
    release)."""
    return status in _OPEN


def reopen(current: Status, *, assessed: bool) -> Status:
    """The state an amended version starts clearance again from: accepted, or assessed when
    the tariff assessed it. The new version then passes every control as a new declaration
    would (UCC Art. 173(1): the amendment is examined as the declaration was)."""
    wanted = Status.ASSESSED if assessed else Status.ACCEPTED
    if not can_amend(current):
        raise InvalidTransition(current, wanted)
    return wanted
