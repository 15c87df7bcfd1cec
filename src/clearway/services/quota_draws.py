"""Drawing tariff quotas down as goods are released, by an officer or at once in the green lane.

A quota is first come, first served at release (UK Taxation (Cross-border Trade) Act 2018
s.15; the EU allocates in order of acceptance, UCC IA Art. 50): each item entered under a
quota takes its quantity from the balance under a row lock. If the balance no longer covers
it, the item falls back to the option its assessment named for that case, with the reason.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from clearway.domain.money import round_money
from clearway.domain.record import DeclarationRecord
from clearway.services.ports import AbstractUnitOfWork


def draw_quotas(
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
