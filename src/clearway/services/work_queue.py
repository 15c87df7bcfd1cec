"""The officers' work: the queue of held declarations, claims, findings, and rejecting goods
that may not be released (releasing is ``services.release``).

A claim is ownership: while an officer holds a declaration, only that officer (or a
supervisor) records findings on it, releases it or rejects it; acting on an unclaimed one
claims it. Every such step locks the declaration's row first, then its work item, so two
officers acting at once are served one after the other and the second is told who has it.

A finding is training data: it is stored, and the trader history the model reads learns it in
the same transaction, so the next declaration of the same importer is scored with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
from clearway.services.ports import AbstractUnitOfWork
from clearway.services.queries import get_visible
from clearway.services.risk_ports import (
    Finding,
    QueueCursor,
    QueueEntry,
    QueueFilter,
    StoredWorkItem,
)
from clearway.services.risk_stage import learned

# Open items looked at per claim of the next one; past those locked by others, the next page.
_CANDIDATES = 20


@dataclass(frozen=True, slots=True)
class ClaimWork:
    """Claim one declaration, or (``reference`` None) the riskiest open one in a lane."""

    actor: Principal
    reference: str | None = None
    lane: str | None = None
    office: str | None = None


@dataclass(frozen=True, slots=True)
class HandBack:
    """Give a claimed declaration back to the queue (its claimant, or a supervisor)."""

    reference: str
    actor: Principal


@dataclass(frozen=True, slots=True)
class RecordFinding:
    reference: str
    actor: Principal
    fraud: bool
    revenue_recovered: Decimal = Decimal(0)
    notes: str = ""
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class RejectDeclaration:
    reference: str
    reason: str
    actor: Principal
    expected_version: int | None = None


def _officer(actor: Principal) -> None:
    if not actor.may(Action.INSPECT):
        raise Forbidden(f"the {actor.role.value} role may not work the inspection queue")


def _claimed(record: DeclarationRecord, item: StoredWorkItem, actor: str, now: datetime) -> Event:
    return Event(
        DECLARATION_CLAIMED,
        record.id,
        record.version,
        record.status.value,
        actor,
        {"lane": item.lane},
        now,
    )


def take_work(
    uow: AbstractUnitOfWork, record: DeclarationRecord, actor: Principal, now: datetime
) -> tuple[StoredWorkItem | None, list[Event]]:
    """Make the actor the holder of the (locked) declaration's undecided work item: an
    unclaimed one is claimed now; one another officer holds is refused unless the actor
    supervises. No undecided work item: nothing to hold (None)."""
    item = uow.risk.work_item(record.id, lock=True)
    if item is None or item.state == "done":
        return None, []
    if item.state == "claimed":
        if item.claimed_by == actor.username or actor.may(Action.SUPERVISE):
            return item, []
        raise Conflict(
            f"declaration {record.id} is claimed by {item.claimed_by}; only that officer or a "
            "supervisor may act on it"
        )
    uow.risk.claim(record.id, actor.username, now)
    return item, [_claimed(record, item, actor.username, now)]


def claim_work(
    command: ClaimWork, uow: AbstractUnitOfWork, context: ClearanceContext
) -> tuple[DeclarationRecord, StoredWorkItem]:
    """Take a work item for the officer; an item another officer holds is a conflict."""
    _officer(command.actor)
    now = context.now()
    with uow:
        if command.reference is None:
            record = _lock_next(uow, command)
        else:
            record = load_for_change(uow, command.actor, command.reference, Action.INSPECT, None)
        item = uow.risk.work_item(record.id, lock=True)
        if item is None or item.state == "done":
            raise Conflict(f"declaration {record.id} is not waiting for an officer")
        if item.state == "claimed" and item.claimed_by != command.actor.username:
            raise Conflict(f"declaration {record.id} is claimed by {item.claimed_by}")
        if item.state != "claimed":
            uow.risk.claim(record.id, command.actor.username, now)
            uow.events.add_many([_claimed(record, item, command.actor.username, now)])
        uow.commit()
        claimed = uow.risk.work_item(record.id, lock=False)
        assert claimed is not None
        return record, claimed


def _lock_next(uow: AbstractUnitOfWork, command: ClaimWork) -> DeclarationRecord:
    """The riskiest open declaration no other transaction is acting on, locked.

    Candidates are read unlocked and their declaration rows locked with SKIP LOCKED, so
    officers claiming side by side each get another one, and the lock order (declaration,
    then work item) is the same as every other change's: no two transactions wait on each
    other in a cycle."""
    seen: set[str] = set()
    while True:
        candidates = [
            item
            for item in uow.risk.open_candidates(
                command.lane, command.office, _CANDIDATES + len(seen)
            )
            if item.declaration_id not in seen
        ]
        if not candidates:
            raise NotFound("no open work in that queue")
        for candidate in candidates:
            seen.add(candidate.declaration_id)
            if not uow.declarations.try_lock(candidate.declaration_id):
                continue
            item = uow.risk.work_item(candidate.declaration_id, lock=True)
            if item is None or item.state != "open":
                continue  # claimed or decided since it was listed
            record = uow.declarations.get(candidate.declaration_id)
            assert record is not None  # work items are written with their declaration
            return record


def hand_back(command: HandBack, uow: AbstractUnitOfWork, context: ClearanceContext) -> None:
    """Put a claimed declaration back in the queue: by its claimant, or by a supervisor."""
    _officer(command.actor)
    with uow:
        record = load_for_change(uow, command.actor, command.reference, Action.INSPECT, None)
        item = uow.risk.work_item(record.id, lock=True)
        if item is None or item.state != "claimed":
            raise Conflict(f"declaration {record.id} is not claimed")
        if item.claimed_by != command.actor.username and not command.actor.may(Action.SUPERVISE):
            raise Conflict(
                f"declaration {record.id} is claimed by {item.claimed_by}; only that officer or "
                "a supervisor may hand it back"
            )
        uow.risk.unclaim(record.id)
        uow.commit()


def record_finding(
    command: RecordFinding, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Finding:
    """Store the finding (training data for the model) and let the history learn it. A
    finding on a blue-lane audit completes it."""
    _officer(command.actor)
    now = context.now()
    with uow:
        record = load_for_change(
            uow, command.actor, command.reference, Action.INSPECT, command.expected_version
        )
        item, events = take_work(uow, record, command.actor, now)
        if item is None:
            if uow.risk.work_item(record.id, lock=False) is None:
                raise Conflict(f"declaration {record.id} was never selected for a check")
            raise Conflict(f"the check of declaration {record.id} is already decided")
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
        uow.history.add(learned(uow.risk.observations(record.id), command.fraud))
        if item.lane == "blue":
            uow.risk.close_work_item(record.id, now)
        events.append(
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
        )
        uow.events.add_many(events)
        uow.commit()
    return finding


def reject_declaration(
    command: RejectDeclaration, uow: AbstractUnitOfWork, context: ClearanceContext
) -> DeclarationRecord:
    """Refuse release of held goods (UCC Art. 198: goods that may not be released)."""
    _officer(command.actor)
    now = context.now()
    with uow:
        record = load_for_change(
            uow, command.actor, command.reference, Action.INSPECT, command.expected_version
        )
        if record.status is not Status.HELD:
            raise Conflict(f"a {record.status.value} declaration cannot be rejected")
        _, events = take_work(uow, record, command.actor, now)
        uow.events.add_many(events)
        end_declaration(
            uow,
            record,
            Status.REJECTED,
            DECLARATION_REJECTED,
            command.actor.username,
            {"reason": command.reason},
            now,
        )
        uow.commit()
        return record


def work_item_of(
    uow: AbstractUnitOfWork, actor: Principal, reference: str
) -> StoredWorkItem | None:
    """The check of a declaration (by id or MRN): its lane, state and who holds it; None for
    a declaration never selected for one."""
    _officer(actor)
    with uow:
        record = get_visible(uow, actor, reference)
        return uow.risk.work_item(record.id, lock=False)


def list_work(
    uow: AbstractUnitOfWork,
    actor: Principal,
    filters: QueueFilter,
    after: QueueCursor | None,
    limit: int,
) -> tuple[list[QueueEntry], QueueCursor | None]:
    """A page of the queue, riskiest first then oldest, and the cursor of the next page."""
    _officer(actor)
    with uow:
        rows = uow.risk.queue(filters, after, limit + 1)
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    last = page[-1].item
    return page, QueueCursor(last.score, last.created_at, last.declaration_id)
