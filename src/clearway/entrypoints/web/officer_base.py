"""What every officer page shares: who may open them (officers and supervisors), the words
for lanes, selection steps and events, and telling the outcome of an action as a message."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Request

from clearway.domain.access import Action, Principal
from clearway.domain.errors import ClearwayError, PreconditionFailed
from clearway.domain.lifecycle import Status
from clearway.entrypoints.web.session import page_for

Page = Annotated[Principal, page_for(Action.INSPECT)]

# ASYCUDA World's lane colours and what each asks of the officer.
LANES = {
    "green": "Green: released without a check",
    "yellow": "Yellow: document check",
    "red": "Red: physical inspection",
    "blue": "Blue: post-clearance audit",
}
LANE_TASKS = {
    "green": "no check",
    "yellow": "document check",
    "red": "physical inspection",
    "blue": "post-clearance audit",
}
LANE_CHOICES = (
    ("", "Yellow and red (goods held)"),
    ("yellow", "Yellow: document check"),
    ("red", "Red: physical inspection"),
    ("blue", "Blue: post-clearance audit"),
)
# Which step of the selection put the declaration in its lane (domain.risk.lanes.LaneBasis).
BASES = {
    "requirement": "a prohibition or restriction of the tariff is not met",
    "criteria": "selectivity criteria met",
    "random": "random control sample",
    "top_up": "top-up to the lane's target rate",
    "default": "nothing selected it",
    "kept": "kept from the check an earlier version was selected for",
}
WORK_STATES = {"open": "Waiting for an officer", "claimed": "Claimed", "done": "Decided"}
EVENTS = {
    "DeclarationLodged": "Lodged",
    "DeclarationAccepted": "Accepted, MRN given",
    "DeclarationAssessed": "Duties assessed",
    "DeclarationRejected": "Rejected",
    "DeclarationAmended": "Amended",
    "DeclarationCancelled": "Cancelled",
    "DeclarationRiskScored": "Risk scored",
    "DeclarationLaned": "Lane given",
    "DeclarationHeld": "Held for a check",
    "DeclarationClaimed": "Claimed by an officer",
    "FindingRecorded": "Finding recorded",
    "DeclarationReleased": "Released",
    "DeclarationReferred": "Referred to the export-control agency",
    "ReferralDecided": "Agency decided",
    "ReferralWithdrawn": "Referral withdrawn",
    "ReferralInformationRequested": "Agency asked for information",
    "ReferralReplied": "Declarant replied to the agency",
    "LicenceDrawn": "Licence drawn down",
    "LicenceCredited": "Licence credited back",
}
SOURCES = {
    "ofac-sdn": "OFAC Specially Designated Nationals (US Treasury)",
    "bis-dpl": "BIS Denied Persons List (US Commerce)",
    "un": "UN Security Council consolidated list",
}
STATUSES = tuple(status.value for status in Status)
PROBLEM_KEY = "officer_problem"


def age(since: datetime, now: datetime) -> str:
    """``5 min``, ``3 h 10 min``, ``2 days``: how long the work has waited."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} days"


def problem_text(error: ClearwayError, record_id: str, mrn: str | None) -> str:
    """The refusal in the officer's words: the MRN rather than the internal id, and a stale
    page explained."""
    if isinstance(error, PreconditionFailed):
        return (
            "The declaration changed while you had it open. The page now shows it as it is; "
            "check it and try again."
        )
    detail = error.detail.replace(record_id, mrn or "this declaration")
    return detail[:1].upper() + detail[1:] + ("" if detail.endswith(".") else ".")


def keep_problem(request: Request, message: str) -> None:
    """A refusal shown as an error on the next page, after a redirect."""
    request.session[PROBLEM_KEY] = message


def take_problem(request: Request) -> str | None:
    message: str | None = request.session.pop(PROBLEM_KEY, None)
    return message


def local_officer_path(path: str | None, default: str) -> str:
    """Only a path among the officer's pages: never an address elsewhere (open redirect)."""
    if path and path.startswith("/officer") and "//" not in path and "\\" not in path:
        return path
    return default
