"""Changing a lodged declaration: amendments (a new version, cleared again) and cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clearway.domain.access import Action, Principal, change_refusal
from clearway.domain.declaration import Declaration, DeclarationType
from clearway.domain.errors import (
    Conflict,
    Forbidden,
    PreconditionFailed,
    TransitionNotAllowed,
    ValidationFailed,
)
from clearway.domain.events import (
    DECLARATION_AMENDED,
    DECLARATION_CANCELLED,
    LICENCE_CREDITED,
    REFERRAL_WITHDRAWN,
    Event,
)
from clearway.domain.export_control.referral import ReferralState
from clearway.domain.lifecycle import InvalidTransition, Status, can_amend, reopen, transition
from clearway.domain.money import round_money
from clearway.domain.record import DeclarationRecord, ReceivedMessage
from clearway.domain.risk.lane import Lane
from clearway.domain.rules.amendments import identity_violations
from clearway.services.assessment import assessment_document
from clearway.services.context import ClearanceContext
from clearway.services.lodging import (
    assessment_event,
    check_value_and_assess,
    item_rows,
    payload_hash,
    valuation_document,
)
from clearway.services.ports import AbstractUnitOfWork, StoredDraw
from clearway.services.queries import get_visible
from clearway.services.risk_ports import StoredWorkItem
from clearway.services.risk_stage import HELD_LANES
from clearway.services.stages import Amended, BatchStages


@dataclass(frozen=True, slots=True)
class AmendDeclaration:
    reference: str
    declaration: Declaration
    document: dict[str, Any]
    actor: Principal
    expected_version: int | None = None
    message: ReceivedMessage | None = None


@dataclass(frozen=True, slots=True)
class CancelDeclaration:
    reference: str
    reason: str
    actor: Principal
    expected_version: int | None = None


def load_for_change(
    uow: AbstractUnitOfWork,
    actor: Principal,
    reference: str,
    action: Action,
    expected_version: int | None,
) -> DeclarationRecord:
    """The declaration, locked for the rest of the transaction, after the caller's rights and
    the version it expects are checked: two changes to one declaration never interleave."""
    if not actor.may(action):
        raise Forbidden(f"the {actor.role.value} role may not {action.value} declarations")
    record = get_visible(uow, actor, reference, lock=True)
    refusal = change_refusal(actor, record.declarant_id)
    if refusal is not None:
        raise Forbidden(refusal)
    if expected_version is not None and expected_version != record.version:
        raise PreconditionFailed(
            f"declaration {record.id} is at version {record.version}, not {expected_version}"
        )
    return record


def amend_declaration(
    command: AmendDeclaration, uow: AbstractUnitOfWork, context: ClearanceContext
) -> DeclarationRecord:
    """Store the amended declaration as a new version and clear it again: validated, valued,
    assessed, screened, licence-checked, scored and laned like a new declaration (UCC Art.
    173). An open referral of the earlier version is withdrawn and the new version referred
    afresh if its controls find anything; goods held for a check stay held for at least that
    check; goods the new version clears are released at once, drawing its licences and quotas.
    """
    now = context.now()
    # Checked before the transaction opens: assessment reads quota balances.
    checked = check_value_and_assess(command.declaration, context, now)
    with uow:
        record = load_for_change(
            uow, command.actor, command.reference, Action.AMEND, command.expected_version
        )
        if not can_amend(record.status):
            raise TransitionNotAllowed(_not_amendable(record.status))
        if payload_hash(command.document) == record.payload_hash:
            return record
        violations = identity_violations(record, command.declaration)
        violations.extend(checked.violations)
        valuation = checked.valuation
        if violations or valuation is None:
            raise ValidationFailed(violations)
        work = uow.risk.work_item(record.id, lock=True)
        if work is not None and work.state == "claimed":
            raise Conflict(
                f"declaration {record.id} is being examined by {work.claimed_by}: no amendment "
                "is permitted once customs have said they will examine the goods (UCC Art. "
                "173(2)(a)); the officer can hand the claim back"
            )
        actor = command.actor.username
        held_lane = _held_lane(record, work)
        assessment = checked.assessment
        record.status = reopen(record.status, assessed=assessment is not None)
        record.version += 1
        record.payload = command.document
        record.payload_hash = payload_hash(command.document)
        record.valuation = valuation_document(valuation)
        record.customs_value = round_money(valuation.total)
        record.assessment = None if assessment is None else assessment_document(assessment)
        record.risk = None
        record.party_ids = command.declaration.party_ids()
        record.updated_at = now
        record.message = command.message
        uow.declarations.add_version(record, item_rows(command.declaration, valuation), actor)
        events = [
            Event(
                DECLARATION_AMENDED,
                record.id,
                record.version,
                record.status.value,
                actor,
                {
                    "payload_hash": record.payload_hash,
                    "customs_value": str(record.customs_value),
                },
                now,
            )
        ]
        if assessment is not None:
            events.append(assessment_event(record, assessment, actor, now))
        withdrawn = withdraw_referrals(
            uow, record, actor, now, f"superseded by version {record.version}"
        )
        events.extend(withdrawn.events)
        uow.risk.close_work_item(record.id, now)
        carried = Amended(held_lane, withdrawn.latest)
        stages = BatchStages()
        if assessment is not None:
            events.extend(
                stages.decide(
                    record,
                    command.declaration,
                    actor,
                    valuation,
                    assessment,
                    context,
                    uow,
                    now,
                    amended=carried,
                )
            )
        else:
            events.extend(
                stages.control(
                    record, command.declaration, actor, context, uow, now, amended=carried
                )
            )
        uow.declarations.update_status(record)
        stages.store(uow, context, now, events)
        uow.commit()
        return record


def _not_amendable(status: Status) -> str:
    if status is Status.RELEASED:
        return (
            "released goods cannot be amended (UCC Art. 173(2)(c)); a correction after release "
            "is a post-clearance matter for the customs office"
        )
    return f"a {status.value} declaration cannot be amended"


def _held_lane(record: DeclarationRecord, work: StoredWorkItem | None) -> Lane | None:
    """The check the declaration is held for: its open work item's lane (a yellow or red
    lane, or an expired referral's document check) or, while the agency has it, the lane the
    risk stage gave."""
    if record.status is not Status.HELD:
        return None
    lane = work.lane if work is not None and work.state != "done" else None
    if lane is None and record.risk is not None:
        lane = record.risk.get("lane")
    if lane is None or Lane(lane) not in HELD_LANES:
        return None
    return Lane(lane)


@dataclass(frozen=True, slots=True)
class Withdrawn:
    events: list[Event]
    latest: str | None
    """The newest referral withdrawn, if any."""


def withdraw_referrals(
    uow: AbstractUnitOfWork, record: DeclarationRecord, actor: str, now: datetime, why: str
) -> Withdrawn:
    """Withdraw the declaration's open referrals (cancelled, rejected, or amended: the
    agency no longer decides on that version); one event each."""
    events: list[Event] = []
    latest: str | None = None
    for referral in uow.referrals.for_declaration(record.id):
        if not referral.is_open:
            continue
        referral.move(ReferralState.WITHDRAWN)
        referral.decided_at, referral.decided_by = now, actor
        referral.note = why
        uow.referrals.update(referral)
        latest = latest or referral.id
        if record.referral is not None and record.referral.id == referral.id:
            record.referral = referral
        events.append(
            Event(
                REFERRAL_WITHDRAWN,
                record.id,
                record.version,
                record.status.value,
                actor,
                {
                    "referral_id": referral.id,
                    "agency": referral.agency,
                    "declaration_version": referral.declaration_version,
                    "reason": why,
                },
                now,
            )
        )
    return Withdrawn(events, latest)


def cancel_declaration(
    command: CancelDeclaration, uow: AbstractUnitOfWork, context: ClearanceContext
) -> DeclarationRecord:
    """Invalidate a declaration before release (UCC Art. 174)."""
    with uow:
        record = load_for_change(
            uow, command.actor, command.reference, Action.CANCEL, command.expected_version
        )
        if record.status is Status.RELEASED and record.type != DeclarationType.EXPORT.value:
            raise TransitionNotAllowed(
                "a released import cannot be cancelled; only an export whose goods have not "
                "left can be invalidated after release"
            )
        end_declaration(
            uow,
            record,
            Status.CANCELLED,
            DECLARATION_CANCELLED,
            command.actor.username,
            {"reason": command.reason},
            context.now(),
        )
        uow.commit()
        return record


def end_declaration(
    uow: AbstractUnitOfWork,
    record: DeclarationRecord,
    final: Status,
    event_type: str,
    actor: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    """Take the declaration to a final state: stored, out of the work queue, and recorded."""
    try:
        record.status = transition(record.status, final)
    except InvalidTransition as refused:
        raise TransitionNotAllowed(str(refused)) from refused
    record.updated_at = now
    uow.declarations.update_status(record)
    uow.risk.close_work_item(record.id, now)
    events = [Event(event_type, record.id, record.version, record.status.value, actor, data, now)]
    events.extend(withdraw_referrals(uow, record, actor, now, f"declaration {final.value}").events)
    if final is Status.CANCELLED:
        events.extend(credit_events(uow.licences.credit(record.id, now), record, actor, now))
    uow.events.add_many(events)


def credit_events(
    credited: list[StoredDraw], record: DeclarationRecord, actor: str, now: datetime
) -> list[Event]:
    """One event per draw given back to its licence."""
    return [
        Event(
            LICENCE_CREDITED,
            record.id,
            record.version,
            record.status.value,
            actor,
            {
                "line": stored.draw.line,
                "item": stored.draw.sequence,
                "quantity": str(stored.draw.quantity),
                "unit": stored.draw.unit,
                "value": str(stored.draw.value),
                "currency": stored.draw.currency,
            },
            now,
            licence_id=stored.draw.licence_number,
        )
        for stored in credited
    ]
