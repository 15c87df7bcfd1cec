"""Releasing goods: the last step, where tariff quotas (``quota_draws``) and export licences
(``controls_stage``) are drawn down for good and the declaration leaves the work queue.

An officer releases goods held for a check; the agency's approval of a referral releases goods
whose lane was green or blue. Goods still waiting for the agency cannot be released by customs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clearway.domain.access import Action, Principal
from clearway.domain.errors import Conflict, TransitionNotAllowed
from clearway.domain.events import DECLARATION_RELEASED, Event
from clearway.domain.export_control.referral import ReferralReason, ReferralState
from clearway.domain.lifecycle import InvalidTransition, Status, transition
from clearway.domain.record import DeclarationRecord
from clearway.services.changes import load_for_change
from clearway.services.context import ClearanceContext
from clearway.services.controls_stage import draws_at_release, take_draws
from clearway.services.ports import AbstractUnitOfWork
from clearway.services.quota_draws import draw_quotas
from clearway.services.work_queue import take_work


@dataclass(frozen=True, slots=True)
class ReleaseDeclaration:
    reference: str
    actor: Principal
    expected_version: int | None = None


def release_declaration(
    command: ReleaseDeclaration, uow: AbstractUnitOfWork, context: ClearanceContext
) -> DeclarationRecord:
    """Release the goods, drawing their quotas and licences down; one transaction.

    The officer must hold the declaration's check (an unclaimed one is claimed by releasing
    it; another officer's claim refuses, unless the officer supervises). The agency's approval
    counts only for the version it was given on.
    """
    now = context.now()
    with uow:
        record = load_for_change(
            uow, command.actor, command.reference, Action.RELEASE, command.expected_version
        )
        waiting = uow.referrals.for_declaration(record.id)
        if any(referral.is_open for referral in waiting):
            raise Conflict(
                f"declaration {record.id} is waiting for the export-control agency's answer "
                "to its referral; it cannot be released before"
            )
        approved = any(
            referral.state is ReferralState.APPROVED
            and referral.declaration_version == record.version
            for referral in waiting
        )
        _, events = take_work(uow, record, command.actor, now)
        events.extend(
            release_goods(uow, record, context, command.actor.username, now, approved=approved)
        )
        uow.events.add_many(events)
        uow.commit()
        return record


def release_goods(
    uow: AbstractUnitOfWork,
    record: DeclarationRecord,
    context: ClearanceContext,
    actor: str,
    now: datetime,
    *,
    approved: bool,
    data: dict[str, Any] | None = None,
) -> list[Event]:
    """Release a held declaration: draw its licences and quotas, leave the work queue.

    The export is checked once more against its licences under their locks. A licence that
    no longer covers the goods stops the release, unless the agency approved the export.
    """
    try:
        record.status = transition(record.status, Status.RELEASED)
    except InvalidTransition as refused:
        raise TransitionNotAllowed(str(refused)) from refused
    controls = draws_at_release(uow, record, context, now)
    refusals = [f for f in controls.findings if f.reason is ReferralReason.LICENCE_MISMATCH]
    if refusals and not approved:
        raise Conflict("the goods cannot be released: " + "; ".join(f.message for f in refusals))
    drawn, fell_back = draw_quotas(uow, record, context.country, now)
    record.updated_at = now
    uow.declarations.update_status(record)
    uow.risk.close_work_item(record.id, now)
    if fell_back:
        uow.declarations.update_assessment(record)
    released = Event(
        DECLARATION_RELEASED,
        record.id,
        record.version,
        record.status.value,
        actor,
        {**(data or {}), "quota_drawings": drawn, "quota_fallbacks": fell_back},
        now,
    )
    return [released, *take_draws(uow, record, controls.draws, actor, now)]
