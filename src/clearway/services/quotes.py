"""Duty quotes: every option for goods not (yet) declared, from the same engine that assesses
declarations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clearway.domain.errors import NotFound, ValidationFailed
from clearway.domain.rules import Violation
from clearway.domain.tariff.duty import assess_item
from clearway.domain.tariff.measures import Measure, QuotaBalance
from clearway.domain.tariff.options import DutyItem, ItemAssessment
from clearway.domain.tariff.tariff import Tariff, UnknownCommodity
from clearway.domain.tariff.units import Quantities, Unit
from clearway.services.assessment import (
    ASSESSMENT_ERRORS,
    assessment_problem,
    converter,
    require_presentable,
)
from clearway.services.context import ClearanceContext


@dataclass(frozen=True, slots=True)
class QuoteItem:
    """Goods to quote: the customs value is ``value + freight + insurance`` in ``currency``."""

    commodity_code: str
    origin: str
    on: date
    value: Decimal
    currency: str
    freight: Decimal = Decimal(0)
    insurance: Decimal = Decimal(0)
    quantities: tuple[tuple[Unit, Decimal], ...] = ()
    additional_codes: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    preference: str | None = None


def quote_duties(
    items: Sequence[QuoteItem],
    context: ClearanceContext,
    tariff: Tariff,
    quotas: Mapping[str, QuotaBalance] | None = None,
) -> list[ItemAssessment]:
    """Every option for each item; raises ``ValidationFailed`` listing what is missing."""
    violations: list[Violation] = []
    results: list[ItemAssessment] = []
    for index, item in enumerate(items):
        pointer = f"/items/{index}"
        to_national = converter(context, item.on)
        try:
            customs_value = to_national(item.value + item.freight + item.insurance, item.currency)
            duty_item = DutyItem(
                commodity_code=item.commodity_code,
                origin=item.origin,
                on=item.on,
                customs_value=customs_value,
                quantities=Quantities(item.quantities),
                additional_codes=item.additional_codes,
                documents=item.documents,
                preference=item.preference,
                net_mass_kg=Quantities(item.quantities).get(Unit("KGM")),
            )
            balances = context.quota_balances(item.on) if quotas is None else quotas
            assessment = assess_item(duty_item, tariff, to_national, balances)
            require_presentable(assessment)
            results.append(assessment)
        except ASSESSMENT_ERRORS as error:
            violations.append(assessment_problem(error, pointer, item.commodity_code))
    if violations:
        raise ValidationFailed(violations, "the duty cannot be calculated")
    return results


def commodity_measures(
    tariff: Tariff, commodity_code: str, on: date, origin: str | None
) -> list[Measure]:
    """The measures in force for a commodity on a date, for one origin when given."""
    try:
        found = tariff.measures(commodity_code, on)
    except UnknownCommodity as unknown:
        raise NotFound(str(unknown)) from unknown
    if origin is None:
        return found
    return [m for m in found if tariff.geography.covers(m.area, origin, m.excluded)]
