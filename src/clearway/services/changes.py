"""Changing a lodged declaration: amendments (a new version) and cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clearway.domain.access import Action, Principal
from clearway.domain.declaration import Declaration, DeclarationType
from clearway.domain.errors import (
    Forbidden,
    PreconditionFailed,
    TransitionNotAllowed,
    ValidationFailed,
)
from clearway.domain.events import (
    DECLARATION_AMENDED,
    DECLARATION_CANCELLED,
    LICENCE_CREDITED,
    Event,
)
from clearway.domain.export_control.referral import ReferralState
from clearway.domain.lifecycle import InvalidTransition, Status, can_amend, transition
from clearway.domain.money import round_money
from clearway.domain.record import DeclarationRecord
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


@dataclass(frozen=True, slots=True)
class AmendDeclaration:
    reference: str
    declaration: Declaration
    document: dict[str, Any]
    actor: Principal
    expected_version: int | None = None


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
    record = get_visible(uow, actor, reference)
    if not actor.may(action):
        raise Forbidden(f"the {actor.role.value} role may not {action.value} declarations")
    if expected_version is not None and expected_version != record.version:
        raise PreconditionFailed(
            f"declaration {record.id} is at version {record.version}, not {expected_version}"
        )
    return record


def amend_declaration(
    command: AmendDeclaration, uow: AbstractUnitOfWork, context: ClearanceContext
) -> DeclarationRecord:
    """Store the amended declaration as a new version, valued again (UCC Art. 173)."""
    now = context.now()
    # Checked before the transaction opens: assessment reads quota balances.
    checked = check_value_and_assess(command.declaration, context, now)
    with uow:
        record = load_for_change(
            uow, command.actor, command.reference, Action.AMEND, command.expected_version
        )
        if not can_amend(record.status):
            raise TransitionNotAllowed(f"a {record.status.value} declaration cannot be amended")
        if payload_hash(command.document) == record.payload_hash:
            return record
        violations = identity_violations(record, command.declaration)
        violations.extend(checked.violations)
        valuation = checked.valuation
        if violations or valuation is None:
            raise ValidationFailed(violations)
        record.version += 1
        record.payload = command.document
        record.payload_hash = payload_hash(command.document)
        record.valuation = valuation_document(valuation)
        record.customs_value = round_money(valuation.total)
        if checked.assessment is not None:
            if record.status is Status.ACCEPTED:
                record.status = Status.ASSESSED
            record.assessment = assessment_document(checked.assessment)
        record.party_ids = command.declaration.party_ids()
        record.updated_at = now
        uow.declarations.add_version(
            record, item_rows(command.declaration, valuation), command.actor.username
        )
        uow.events.add_many(
            [
                Event(
                    DECLARATION_AMENDED,
                    record.id,
                    record.version,
                    record.status.value,
                    command.actor.username,
                    {
                        "payload_hash": record.payload_hash,
                        "customs_value": str(record.customs_value),
                    },
                    now,
                )
            ]
            + (
                [assessment_event(record, checked.assessment, command.actor.username, now)]
                if checked.assessment is not None
                else []
            )
        )
        uow.commit()
        return record


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
    for referral in uow.referrals.for_declaration(record.id):
        if referral.is_open:
            referral.move(ReferralState.WITHDRAWN)
            referral.decided_at, referral.decided_by = now, actor
            uow.referrals.update(referral)
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
