"""What a declaration's state means to its declarant: the status in words, the dashboard tab it
belongs on and what, if anything, the trader has to do.

The wording follows the UK Customs Declaration Service's trader dashboard (its "Submitted",
"Action needed", "Rejected" and "Cancelled" tabs and its status messages) where Clearway's
states fit them. A trader is told the outcome of the customs checks (released, held for a
document check, held for a physical examination, referred to the export-control agency),
never the score, rule or screening match behind it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from clearway.domain.export_control.referral import OPEN_STATES, ReferralState
from clearway.domain.lifecycle import Status
from clearway.domain.record import DeclarationRecord
from clearway.domain.risk.lane import Lane


class Tab(enum.StrEnum):
    SUBMITTED = "submitted"
    ACTION = "action"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class TabText:
    label: str
    heading: str
    hint: str


TABS: dict[Tab, TabText] = {
    Tab.SUBMITTED: TabText(
        "Submitted",
        "Submitted declarations",
        "Declarations being cleared and released goods. Select an MRN to see the declaration, "
        "its duties and its history.",
    ),
    Tab.ACTION: TabText(
        "Action needed",
        "Declarations that need action",
        "Goods held for a document check or a physical examination, and questions from the "
        "export-control agency waiting for your answer. Select an MRN to see what is needed.",
    ),
    Tab.REJECTED: TabText(
        "Rejected",
        "Rejected declarations",
        "Declarations customs or the export-control agency refused. Select an MRN to see it.",
    ),
    Tab.CANCELLED: TabText(
        "Cancelled",
        "Cancelled declarations",
        "Declarations you or customs cancelled (invalidated). Select an MRN to see it.",
    ),
}

# Statuses a trader may search for, in the order a declaration passes them.
STATUS_WORDS: dict[Status, str] = {
    Status.LODGED: "Declaration submitted",
    Status.ACCEPTED: "Accepted",
    Status.ASSESSED: "Accepted, duties calculated",
    Status.RISK_SCORED: "Accepted, checks under way",
    Status.LANED: "Accepted, checks under way",
    Status.HELD: "On hold",
    Status.RELEASED: "Released",
    Status.REJECTED: "Declaration rejected",
    Status.CANCELLED: "Cancelled",
}
SEARCHABLE = (
    (Status.ACCEPTED, "Accepted"),
    (Status.HELD, "On hold"),
    (Status.RELEASED, "Released"),
    (Status.REJECTED, "Declaration rejected"),
    (Status.CANCELLED, "Cancelled"),
)
# Lanes as a trader hears of them; the blue lane (an audit after release) is not announced.
LANE_WORDS: dict[str, str] = {
    Lane.GREEN.value: "no check before release",
    Lane.BLUE.value: "no check before release",
    Lane.YELLOW.value: "a document check",
    Lane.RED.value: "a physical examination",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """A declaration's state as its declarant sees it."""

    words: str
    """The status, as on the dashboard: "Documents required"."""
    badge: str
    """The badge's colour class: released, held, rejected, cancelled or blue."""
    tab: Tab
    explanation: str
    """One sentence on what it means and what to do."""
    final: bool
    """Nothing more will happen to it: the page stops asking for news."""


def outcome(record: DeclarationRecord) -> Outcome:
    """The trader's view of ``record``'s state. A held declaration needs its risk decision
    and referral loaded (``get_visible`` does; list rows do not)."""
    status = record.status
    if status is Status.RELEASED:
        return Outcome(
            "Released",
            "released",
            Tab.SUBMITTED,
            "Goods have permission to progress.",
            record.type != "EX",
        )
    if status is Status.REJECTED:
        return Outcome(
            "Declaration rejected",
            "rejected",
            Tab.REJECTED,
            "The declaration was refused. Lodge a corrected declaration with a new LRN.",
            True,
        )
    if status is Status.CANCELLED:
        return Outcome(
            "Cancelled", "cancelled", Tab.CANCELLED, "This declaration was cancelled.", True
        )
    if status is Status.HELD:
        return _held(record)
    if status is Status.LODGED:
        return Outcome(
            "Declaration submitted",
            "blue",
            Tab.SUBMITTED,
            "Customs have received the declaration and are checking it.",
            False,
        )
    return Outcome(
        STATUS_WORDS[status],
        "blue",
        Tab.SUBMITTED,
        "Customs have accepted the declaration and are deciding on its checks.",
        False,
    )


def _held(record: DeclarationRecord) -> Outcome:
    referral = record.referral
    if referral is not None and referral.state is ReferralState.INFORMATION_REQUESTED:
        return Outcome(
            "Query raised",
            "held",
            Tab.ACTION,
            "The export-control agency has a question about this export. Answer it below.",
            False,
        )
    if referral is not None and referral.state in OPEN_STATES:
        return Outcome(
            "Referred to the export-control agency",
            "held",
            Tab.SUBMITTED,
            "The goods are held while the export-control agency reviews the export. "
            "It will ask you if it needs anything.",
            False,
        )
    lane = (record.risk or {}).get("lane")
    if lane == Lane.RED.value:
        return Outcome(
            "Goods being examined",
            "held",
            Tab.ACTION,
            "The goods are held for a physical examination. Have the goods and the documents "
            "you declared ready for the officer.",
            False,
        )
    # A document check, and the check customs take over when the agency did not answer in time.
    return Outcome(
        "Documents required",
        "held",
        Tab.ACTION,
        "The goods are held for a document check. Make sure every certificate and licence "
        "the goods need is declared; amend the declaration to add a missing one.",
        False,
    )


def lane_words(lane: str | None) -> str:
    return LANE_WORDS.get(lane or "", "")
