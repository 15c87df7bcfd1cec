"""Releasing goods: the last step, where tariff quotas are drawn down for good.

A quota is first come, first served at release (UK Taxation (Cross-border Trade) Act 2018
s.15; the EU allocates in order of acceptance, UCC IA Art. 50): each item entered under a
quota takes its quantity from the balance under a row lock. If the balance no longer covers
it, the item falls back to the option its assessment named for that case, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from clearway.domain.access import Action, Principal
from clearway.domain.errors import TransitionNotAllowed
from clearway.domain.events import DECLARATION_RELEASED, Event
from clearway.domain.lifecycle import InvalidTransition, Status, transition
from clearway.domain.money import round_money
from clearway.domain.record import DeclarationRecord
from clearway.services.changes import load_for_change
from clearway.services.context import ClearanceContext
from clearway.services.ports import AbstractUnitOfWork


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
        drawn, fell_back = _draw_quotas(uow, record, context.country, now)
        record.updated_at = now
        uow.declarations.update_status(record)
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


def _draw_quotas(
    uow: AbstractUnitOfWork, record: DeclarationRecord, jurisdiction: str, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    assessment = record.assessment
    if not assessment:
        return [], []
    drawn: list[dict[str, Any]] = []
    fell_back: list[dict[str, Any]] = []
    on = date.fromisoformat(assessment["date"])
    for item in assessment["items"]:
        draw = item.get("quota_draw")
        if not draw:
            continue
        amount = Decimal(draw["amount"])
        taken = uow.quotas.draw(
            jurisdiction=jurisdiction,
            order_number=draw["order_number"],
            on=on,
            amount=amount,
            declaration_id=record.id,
            item_sequence=item["sequence"],
            at=now,
        )
        if taken:
            drawn.append({"sequence": item["sequence"], **draw})
            continue
        item["applied"] = item["fallback"]
        item["reason"] = f"at release: {item['fallback_reason']}"
        item["quota_draw"] = None
        fell_back.append({"sequence": item["sequence"], "order_number": draw["order_number"]})
    if fell_back:
        # Totals from the presented figures of the options now applied.
        for key in ("duty", "vat", "total"):
            total = sum((Decimal(item["applied"][key]) for item in assessment["items"]), Decimal(0))
            assessment[key] = str(round_money(total))
    return drawn, fell_back
