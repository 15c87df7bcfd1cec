"""The officers' work: claiming held declarations, recording what the check or inspection
found, and rejecting goods that may not be released (releasing is ``services.release``).

A finding is training data: it is stored, and the trader history the model reads learns it at
once, so the next declaration of the same importer is scored with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from clearway.domain.access import Action, Principal
from clearway.domain.errors import Conflict, Forbidden, NotFound
from clearway.domain.events import (
    DECLARATION_CLAIMED,
    DECLARATION_REJECTED,
    FINDING_RECORDED,
    Event,
)
from clearway.domain.identifiers import new_id
from clearway.domain.lifecycle import Status
from clearway.domain.record import DeclarationRecord
from clearway.services.changes import end_declaration, load_for_change
from clearway.services.context import ClearanceContext
from clearway.services.ports import AbstractUnitOfWork, Finding, StoredWorkItem


@dataclass(frozen=True, slots=True)
class ClaimWork:
    """Claim one declaration, or (``reference`` None) the riskiest open one in a lane."""

    actor: Principal
    reference: str | None = None
    lane: str | None = None
    office: str | None = None


@dataclass(frozen=True, slots=True)
class RecordFinding:
    reference: str
    actor: Principal
    fraud: bool
    revenue_recovered: Decimal = Decimal(0)
    notes: str = ""


@dataclass(frozen=True, slots=True)
class RejectDeclaration:
    reference: str
    reason: str
    actor: Principal
    expected_version: int | None = None


def _officer(actor: Principal) -> None:
    if not actor.may(Action.INSPECT):
        raise Forbidden(f"the {actor.role.value} role may not work the inspection queue")


def claim_work(
    command: ClaimWork, uow: AbstractUnitOfWork, context: ClearanceContext
) -> tuple[DeclarationRecord, StoredWorkItem]:
    """Take a work item for the officer; an item another officer holds is a conflict."""
    _officer(command.actor)
    now = context.now()
    with uow:
        if command.reference is None:
            item = uow.risk.next_open(command.lane, command.office)
            if item is None:
                raise NotFound("no open work in that queue")
            record = uow.declarations.get(item.declaration_id)
            assert record is not None
        else:
            record = load_for_change(uow, command.actor, command.reference, Action.INSPECT, None)
            item = uow.risk.work_item(record.id, lock=True)
            if item is None or item.state == "done":
                raise Conflict(f"declaration {record.id} is not waiting for an officer")
            if item.state == "claimed" and item.claimed_by != command.actor.username:
                raise Conflict(f"declaration {record.id} is claimed by {item.claimed_by}")
        uow.risk.claim(record.id, command.actor.username, now)
        uow.events.add_many(
            [
                Event(
                    DECLARATION_CLAIMED,
                    record.id,
                    record.version,
                    record.status.value,
                    command.actor.username,
                    {"lane": item.lane},
                    now,
                )
            ]
        )
        uow.commit()
        claimed = uow.risk.work_item(record.id, lock=False)
        assert claimed is not None
        return record, claimed


def record_finding(
    command: RecordFinding, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Finding:
    """Store the finding (training data for the model) and let the history learn it."""
    _officer(command.actor)
    now = context.now()
    with uow:
        record = load_for_change(uow, command.actor, command.reference, Action.INSPECT, None)
        if uow.risk.work_item(record.id, lock=False) is None:
            raise Conflict(f"declaration {record.id} was never selected for a check")
        finding = Finding(
            id=new_id(),
            declaration_id=record.id,
            fraud=command.fraud,
            revenue_recovered=command.revenue_recovered,
            currency=context.national_currency,
            notes=command.notes,
            recorded_by=command.actor.username,
            recorded_at=now,
        )
        uow.risk.add_finding(finding)
        seen = uow.risk.observations(record.id)
        uow.events.add_many(
            [
                Event(
                    FINDING_RECORDED,
                    record.id,
                    record.version,
                    record.status.value,
                    command.actor.username,
                    {
                        "fraud": command.fraud,
                        "revenue_recovered": str(command.revenue_recovered),
                        "currency": context.national_currency,
                    },
                    now,
                )
            ]
        )
        uow.commit()
    context.risk.learn(seen, command.fraud)
    return finding


def reject_declaration(
    command: RejectDeclaration, uow: AbstractUnitOfWork, context: ClearanceContext
) -> DeclarationRecord:
    """Refuse release of held goods (UCC Art. 198: goods that may not be released)."""
    _officer(command.actor)
    with uow:
        record = load_for_change(
            uow, command.actor, command.reference, Action.INSPECT, command.expected_version
        )
        end_declaration(
            uow,
            record,
            Status.REJECTED,
            DECLARATION_REJECTED,
            command.actor.username,
            {"reason": command.reason},
            context.now(),
        )
        uow.commit()
        return record
