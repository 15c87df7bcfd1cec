"""Releasing goods held for an officer: the last step, where tariff quotas are drawn down
for good (``quota_draws``) and the declaration leaves the work queue."""

from __future__ import annotations

from dataclasses import dataclass

from clearway.domain.access import Action, Principal
from clearway.domain.errors import TransitionNotAllowed
from clearway.domain.events import DECLARATION_RELEASED, Event
from clearway.domain.lifecycle import InvalidTransition, Status, transition
from clearway.domain.record import DeclarationRecord
from clearway.services.changes import load_for_change
from clearway.services.context import ClearanceContext
from clearway.services.ports import AbstractUnitOfWork
from clearway.services.quota_draws import draw_quotas


@dataclass(frozen=True, slots=True)
class ReleaseDeclaration:
    reference: str
    actor: Principal
    expected_version: int | None = None


def release_declaration(
    command: ReleaseDeclaration, uow: AbstractUnitOfWork, context: ClearanceContext
) -> DeclarationRecord:
    """Release the goods, drawing their quotas down; one transaction."""
    with uow:
        record = load_for_change(
            uow, command.actor, command.reference, Action.RELEASE, command.expected_version
        )
        try:
            record.status = transition(record.status, Status.RELEASED)
        except InvalidTransition as refused:
            raise TransitionNotAllowed(str(refused)) from refused
        now = context.now()
        drawn, fell_back = draw_quotas(uow, record, context.country, now)
        record.updated_at = now
        uow.declarations.update_status(record)
        uow.risk.close_work_item(record.id, now)
        if fell_back:
            uow.declarations.update_assessment(record)
        uow.events.add_many(
            [
                Event(
                    DECLARATION_RELEASED,
                    record.id,
                    record.version,
                    record.status.value,
                    command.actor.username,
                    {"quota_drawings": drawn, "quota_fallbacks": fell_back},
                    now,
                )
            ]
        )
        uow.commit()
        return record
