"""The agency's side of a referral: its queue, questions to the exporter, and its decision.

Approval resumes clearance where the controls stage stopped it: goods laned green or blue are
released (licences and quotas drawn), goods laned yellow or red go to the customs officers.
Denial rejects the declaration. A referral still open at its deadline expires, and the
declaration goes to the officers' queue for a document check.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from clearway.domain.access import Action, Principal, change_refusal
from clearway.domain.declaration import Party
from clearway.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clearway.domain.events import (
    DECLARATION_REJECTED,
    REFERRAL_DECIDED,
    REFERRAL_INFORMATION_REQUESTED,
    REFERRAL_REPLIED,
    Event,
)
from clearway.domain.export_control.referral import (
    OPEN_STATES,
    Referral,
    ReferralClosed,
    ReferralReason,
    ReferralState,
)
from clearway.domain.lifecycle import Status
from clearway.domain.record import DeclarationRecord
from clearway.domain.risk.lane import Lane
from clearway.domain.rules import Violation
from clearway.services.changes import end_declaration
from clearway.services.context import ClearanceContext
from clearway.services.ports import AbstractUnitOfWork
from clearway.services.queries import get_visible
from clearway.services.release import release_goods
from clearway.services.risk_ports import WorkItem
from clearway.services.risk_stage import HELD_LANES


class Decision(enum.StrEnum):
    APPROVE = "approve"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class DecideReferral:
    referral_id: str
    decision: Decision
    note: str
    actor: Principal
    dismiss_matches: bool = False
    """On approval: the screening matches were false positives; they stop recurring for the
    parties they were found on."""
    only: frozenset[tuple[str, str]] | None = None
    """With ``dismiss_matches``: only these (party role, entity id) matches, the ones the
    agency found false; the others stay matches. None: every match of the referral."""


@dataclass(frozen=True, slots=True)
class RequestInformation:
    referral_id: str
    question: str
    actor: Principal


@dataclass(frozen=True, slots=True)
class ReplyToReferral:
    reference: str
    reply: str
    actor: Principal


def _agency(actor: Principal) -> None:
    if not actor.may(Action.MANAGE_EXPORT_CONTROL):
        raise Forbidden(f"the {actor.role.value} role may not decide referrals")


def _locked(uow: AbstractUnitOfWork, referral_id: str) -> tuple[Referral, DeclarationRecord]:
    """The referral and its declaration, both locked: the declaration's row first, as every
    change to a declaration takes it, then the referral's."""
    found = uow.referrals.get(referral_id, lock=False)
    if found is None:
        raise NotFound(f"no referral {referral_id}")
    record = uow.declarations.get(found.declaration_id, lock=True)
    if record is None:  # referrals are only written with their declaration
        raise NotFound(f"no declaration {found.declaration_id}")
    referral = uow.referrals.get(referral_id, lock=True)
    assert referral is not None
    if referral.is_open and referral.declaration_version != record.version:
        raise Conflict(
            f"referral {referral.id} is about version {referral.declaration_version} of "
            f"declaration {record.id}, which is now at version {record.version}"
        )
    return referral, record


def _move(referral: Referral, wanted: ReferralState) -> None:
    try:
        referral.move(wanted)
    except ReferralClosed as closed:
        raise Conflict(str(closed)) from closed


def decide_referral(
    command: DecideReferral, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Referral:
    """Approve or deny; one transaction with what follows for the declaration."""
    _agency(command.actor)
    note = command.note.strip()
    with uow:
        referral, record = _locked(uow, command.referral_id)
        if command.decision is Decision.APPROVE and referral.blocking and not note:
            raise ValidationFailed(
                [
                    Violation(
                        "EC001",
                        "/note",
                        "the export is prohibited for its destination; approve it only by "
                        "citing in the note the exemption or derogation that applies",
                    )
                ]
            )
        now = context.now()
        approved = command.decision is Decision.APPROVE
        if command.dismiss_matches:
            _dismiss_matches(uow, referral, command, now)
        _move(referral, ReferralState.APPROVED if approved else ReferralState.DENIED)
        referral.decided_by, referral.decided_at = command.actor.username, now
        referral.note = note or None
        uow.referrals.update(referral)
        actor = command.actor.username
        uow.events.add_many([_decided(record, referral, actor, now)])
        if approved:
            uow.events.add_many(_resume(uow, record, context, actor, now))
        else:
            end_declaration(
                uow,
                record,
                Status.REJECTED,
                DECLARATION_REJECTED,
                actor,
                {"reason": f"export denied by the {referral.agency} agency: {note}".rstrip(": ")},
                now,
            )
        uow.commit()
        return referral


def _dismiss_matches(
    uow: AbstractUnitOfWork, referral: Referral, command: DecideReferral, now: datetime
) -> None:
    """Record every screening match of the referral as a false positive for its party."""
    screened = [f for f in referral.findings if f.reason is ReferralReason.SCREENING_MATCH]
    if command.decision is not Decision.APPROVE or not screened:
        raise ValidationFailed(
            [
                Violation(
                    "EC002",
                    "/dismiss_matches",
                    "only the approval of a referral with screening matches dismisses matches",
                )
            ]
        )
    reason = f"false positive, referral {referral.id} approved" + (
        f": {command.note.strip()}" if command.note.strip() else ""
    )
    for finding in screened:
        named = finding.details["party"]
        party = Party(name=named["name"], id=named.get("id"), country=named.get("country"))
        for match in finding.details["matches"]:
            if command.only is not None and (finding.party, match["entity_id"]) not in command.only:
                continue
            uow.dismissals.add(party, match["entity_id"], reason, command.actor.username, now)


def _decided(record: DeclarationRecord, referral: Referral, actor: str, now: datetime) -> Event:
    return Event(
        REFERRAL_DECIDED,
        record.id,
        record.version,
        record.status.value,
        actor,
        {
            "referral_id": referral.id,
            "agency": referral.agency,
            "reason": referral.reason.value,
            "decision": referral.state.value,
            "note": referral.note,
        },
        now,
    )


def _resume(
    uow: AbstractUnitOfWork,
    record: DeclarationRecord,
    context: ClearanceContext,
    actor: str,
    now: datetime,
) -> list[Event]:
    """Carry on with the lane the risk stage gave: release, or queue for the officers."""
    lane = Lane((record.risk or {}).get("lane", Lane.YELLOW.value))
    score = (record.risk or {}).get("score")
    office = str(record.payload.get("office", ""))
    if lane in HELD_LANES:
        uow.risk.open_work_items([WorkItem(record.id, lane.value, score, office, now)])
        return []
    events = release_goods(
        uow,
        record,
        context,
        actor,
        now,
        approved=True,
        data={"lane": lane.value, "post_clearance_audit": lane is Lane.BLUE},
    )
    if lane is Lane.BLUE:
        uow.risk.open_work_items([WorkItem(record.id, lane.value, score, office, now)])
    return events


def request_information(
    command: RequestInformation, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Referral:
    _agency(command.actor)
    with uow:
        referral, record = _locked(uow, command.referral_id)
        _move(referral, ReferralState.INFORMATION_REQUESTED)
        referral.information_request = command.question.strip()
        uow.referrals.update(referral)
        uow.events.add_many(
            [
                Event(
                    REFERRAL_INFORMATION_REQUESTED,
                    record.id,
                    record.version,
                    record.status.value,
                    command.actor.username,
                    {"referral_id": referral.id, "question": referral.information_request},
                    context.now(),
                )
            ]
        )
        uow.commit()
        return referral


def reply_to_referral(
    command: ReplyToReferral, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Referral:
    """The exporter answers the agency's question; the referral is open again."""
    with uow:
        record = get_visible(uow, command.actor, command.reference, lock=True)
        if not command.actor.may(Action.AMEND):
            raise Forbidden(f"the {command.actor.role.value} role may not answer referrals")
        refusal = change_refusal(command.actor, record.declarant_id)
        if refusal is not None:
            raise Forbidden(refusal)
        asked = [
            referral
            for referral in uow.referrals.for_declaration(record.id)
            if referral.state is ReferralState.INFORMATION_REQUESTED
        ]
        if not asked:
            raise Conflict(f"the agency has asked no question about declaration {record.id}")
        referral = uow.referrals.get(asked[0].id, lock=True)
        assert referral is not None
        _move(referral, ReferralState.OPEN)
        referral.reply = command.reply.strip()
        uow.referrals.update(referral)
        uow.events.add_many(
            [
                Event(
                    REFERRAL_REPLIED,
                    record.id,
                    record.version,
                    record.status.value,
                    command.actor.username,
                    {"referral_id": referral.id},
                    context.now(),
                )
            ]
        )
        uow.commit()
        return referral


def expire_referrals(uow: AbstractUnitOfWork, context: ClearanceContext) -> list[Referral]:
    """Expire every referral past its deadline; the officers take the declarations over."""
    with uow:
        now = context.now()
        expired = []
        events = []
        for candidate in uow.referrals.overdue(now):
            # Declarations another transaction is changing are left for the next pass.
            if not uow.declarations.try_lock(candidate.declaration_id):
                continue
            referral = uow.referrals.get(candidate.id, lock=True)
            if referral is None or not referral.overdue(now):
                continue
            referral.move(ReferralState.EXPIRED)
            referral.decided_at = now
            referral.decided_by = "system"
            uow.referrals.update(referral)
            expired.append(referral)
            record = uow.declarations.get(referral.declaration_id)
            if record is None or record.status is not Status.HELD:
                continue
            score = (record.risk or {}).get("score")
            office = str(record.payload.get("office", ""))
            uow.risk.open_work_items([WorkItem(record.id, Lane.YELLOW.value, score, office, now)])
            events.append(_decided(record, referral, "system", now))
        uow.events.add_many(events)
        uow.commit()
        return expired


def agency_queue(
    uow: AbstractUnitOfWork,
    actor: Principal,
    agency: str,
    limit: int,
    states: Collection[ReferralState] = OPEN_STATES,
) -> list[Referral]:
    """The agency's referrals in ``states`` (the open ones unless told), nearest deadline
    first."""
    _agency(actor)
    with uow:
        return uow.referrals.queue(agency, sorted(state.value for state in states), limit)


def visible_referral(uow: AbstractUnitOfWork, actor: Principal, referral_id: str) -> Referral:
    if not (actor.may(Action.MANAGE_EXPORT_CONTROL) or actor.may(Action.RELEASE)):
        raise Forbidden(f"the {actor.role.value} role may not read referrals")
    with uow:
        referral = uow.referrals.get(referral_id, lock=False)
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    return referral
