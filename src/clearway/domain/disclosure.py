"""What a declarant is told about the clearance of their own declaration.

A trader learns what happens to the goods (released, held for a document check, held for a
physical examination, with the agency) and which documents are missing, never why they were
selected: not the risk score, its reasons, the selectivity rules met, the lane's basis, a
selection for post-clearance audit, the officers' findings, or what a screening matched (WCO
Risk Management Compendium, Vol. 1: selection criteria and profiles are confidential; UCC
Art. 12(1) on confidential information; a listed party must not be tipped off).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from clearway.domain import events as ev
from clearway.domain.risk.lane import Lane


class Outcome(enum.StrEnum):
    """What happens to the goods, in the declarant's terms."""

    RELEASED = "released"
    DOCUMENT_CHECK = "document_check"
    PHYSICAL_EXAMINATION = "physical_examination"


# A blue lane is a release to the declarant: the audit comes later and unannounced.
OUTCOMES = {
    Lane.GREEN: Outcome.RELEASED,
    Lane.BLUE: Outcome.RELEASED,
    Lane.YELLOW: Outcome.DOCUMENT_CHECK,
    Lane.RED: Outcome.PHYSICAL_EXAMINATION,
}

# Events whose ledger entries say nothing of the selection: a declarant's receipt proves one
# of these (the entries themselves cannot be redacted without breaking the proof).
DECLARANT_RECEIPT_EVENTS = frozenset(
    {
        ev.DECLARATION_LODGED,
        ev.DECLARATION_ACCEPTED,
        ev.DECLARATION_ASSESSED,
        ev.DECLARATION_AMENDED,
        ev.DECLARATION_CANCELLED,
        ev.REFERRAL_REPLIED,
    }
)
# Internal work a declarant does not see at all.
_HIDDEN_EVENTS = frozenset({ev.DECLARATION_CLAIMED, ev.FINDING_RECORDED, ev.REFERRAL_WITHDRAWN})
# For the other events, the members a declarant may read; the rest are dropped.
_SHOWN_DATA: dict[str, frozenset[str]] = {
    ev.DECLARATION_RISK_SCORED: frozenset(),
    ev.DECLARATION_REFERRED: frozenset({"agency", "deadline"}),
    ev.REFERRAL_DECIDED: frozenset({"decision"}),
}


def declarant_risk(risk: Mapping[str, Any]) -> dict[str, Any]:
    """The risk stage's decision as its declarant sees it: the outcome and the documents the
    tariff's restrictions ask for that were not presented."""
    return {
        "outcome": OUTCOMES[Lane(risk["lane"])].value,
        "documents_required": [
            {
                "item": requirement["item"],
                "description": requirement["description"],
                "documents": requirement["documents"],
            }
            for requirement in risk.get("requirements", ())
        ],
        "decided_at": risk.get("decided_at"),
    }


def declarant_sees(event_type: str) -> bool:
    return event_type not in _HIDDEN_EVENTS


def declarant_event_data(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's data as its declarant may read it."""
    if "lane" in data:
        shown = {
            k: v
            for k, v in data.items()
            if k not in {"lane", "basis", "explanation", "rule_hits", "post_clearance_audit"}
        }
        return {**shown, "outcome": OUTCOMES[Lane(data["lane"])].value}
    allowed = _SHOWN_DATA.get(event_type)
    if allowed is None:
        return dict(data)
    return {key: value for key, value in data.items() if key in allowed}
