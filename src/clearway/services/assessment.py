"""Assessing duties: every goods item of an accepted import declaration through the tariff.

The customs value comes from the valuation (national currency, unrounded); quantities from
the declared net mass, supplementary units and further quantities; the date is the acceptance
date (UCC Art. 85: the duty is that in force when the declaration is accepted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, DecimalException
from typing import Any

from clearway.domain.declaration import Declaration, DeclarationType, GoodsItem, Valuation
from clearway.domain.money import presentable, round_money
from clearway.domain.reference import UnusableRate, usable_rate
from clearway.domain.rules import Violation
from clearway.domain.tariff.duty import assess_item
from clearway.domain.tariff.expressions import ExpressionError, ToNational
from clearway.domain.tariff.measures import QuotaBalance
from clearway.domain.tariff.options import DutyItem, DutyLine, DutyOption, ItemAssessment
from clearway.domain.tariff.tariff import UnknownCommodity
from clearway.domain.tariff.units import Quantities, QuantityRequired, Unit
from clearway.domain.valuation import MissingRate
from clearway.services.context import ClearanceContext


@dataclass(frozen=True, slots=True)
class DeclarationAssessment:
    currency: str
    on: date
    items: tuple[ItemAssessment, ...]
    sequences: tuple[int, ...] = ()
    """The declaration's item numbers, in the order of ``items``."""

    @property
    def duty(self) -> Decimal:
        return sum((item.applied.duty for item in self.items), Decimal(0))

    @property
    def vat(self) -> Decimal:
        return sum((item.applied.vat_amount for item in self.items), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.duty + self.vat


def converter(context: ClearanceContext, on: date) -> ToNational:
    """Amounts in a foreign currency to national currency at the rate valid on ``on``
    (for EUR, the monthly rate of that month). Raises ``MissingRate``, or ``UnusableRate`` when
    the rate stored is not fit to convert at."""

    def to_national(amount: Decimal, currency: str) -> Decimal:
        if currency == context.national_currency:
            return amount
        return amount * usable_rate(currency, on, context.reference.rates.rate(currency, on))

    return to_national


def item_quantities(item: GoodsItem) -> Quantities:
    declared: list[tuple[Unit, Decimal]] = (
        [(Unit("KGM"), item.net_mass_kg)] if item.net_mass_kg is not None else []
    )
    units = item.supplementary_units
    if units is not None and units.unit is not None:
        declared.append((Unit.parse(units.unit), units.quantity))
    declared.extend((Unit.parse(unit), amount) for unit, amount in item.quantities)
    return Quantities(declared)


def duty_item(item: GoodsItem, customs_value: Decimal, on: date) -> DutyItem:
    """The item as the duty engine takes it. A preference is looked up for the country of
    preferential origin when the declaration states one (UCC 5/16), else for the origin; goods
    of no declared origin pay the duty for every origin (erga omnes)."""
    assert item.commodity_code is not None
    return DutyItem(
        commodity_code=item.commodity_code,
        origin=item.preferential_origin or item.origin_country or "",
        on=on,
        customs_value=customs_value,
        quantities=item_quantities(item),
        additional_codes=frozenset(item.additional_codes),
        documents=frozenset(document.type for document in item.documents),
        preference=item.preference,
        net_mass_kg=item.net_mass_kg,
        supplementary_quantity=item.supplementary_units.quantity
        if item.supplementary_units
        else None,
    )


def assess_declaration(
    declaration: Declaration,
    valuation: Valuation,
    context: ClearanceContext,
    quotas: Mapping[str, QuotaBalance] | None = None,
) -> tuple[list[Violation], DeclarationAssessment | None]:
    """The assessment, or the reasons it cannot be made (each pointing at its item).

    Exports pay no import duty: their assessment has no items. With no tariff loaded nothing
    is assessed (``None`` and no violations).
    """
    on = valuation.rate_date
    if not len(context.tariff):
        return [], None
    if declaration.type is DeclarationType.EXPORT:
        return [], DeclarationAssessment(context.national_currency, on, ())
    to_national = converter(context, on)
    balances = context.quota_balances(on) if quotas is None else quotas
    values = {value.sequence: value.customs_value for value in valuation.items}
    violations: list[Violation] = []
    assessed: list[ItemAssessment] = []
    for index, item in enumerate(declaration.items):
        pointer = f"/items/{index}"
        if item.commodity_code is None:
            continue  # a simplified declaration's item states no code: nothing is assessed
        try:
            assessment = assess_item(
                duty_item(item, values[item.sequence], on),
                context.tariff,
                to_national,
                balances,
            )
            require_presentable(assessment)
            assessed.append(assessment)
        except ASSESSMENT_ERRORS as error:
            violations.append(assessment_problem(error, pointer, item.commodity_code or ""))
    if violations:
        return violations, None
    result = DeclarationAssessment(
        context.national_currency,
        on,
        tuple(assessed),
        tuple(item.sequence for item in declaration.items if item.commodity_code is not None),
    )
    if not all(presentable(figure) for figure in (result.duty, result.vat, result.total)):
        return [
            Violation(
                "TA005",
                "/items",
                f"the declaration's duty and VAT ({result.total:.3E}) are beyond any amount "
                "that can be charged: the tariff data must be corrected",
            )
        ], None
    return [], result


class UnpresentableDuty(ArithmeticError):
    """A duty or VAT figure the tariff's stored values make too large (or not finite) to be
    charged or shown: the tariff data must be corrected, the declaration is not to blame."""


def require_presentable(item: ItemAssessment) -> None:
    """Raises ``UnpresentableDuty`` unless every figure of every option can be shown."""
    options = (*item.options, *item.refused, *((item.fallback,) if item.fallback else ()))
    for option in options:
        lines = (*option.lines, *((option.vat,) if option.vat else ()))
        figures = (*(line.amount for line in lines), option.duty, option.total)
        if not all(presentable(figure) for figure in figures):
            raise UnpresentableDuty(
                f"the {option.kind.value.replace('_', ' ')} duty and VAT computed for commodity "
                f"{item.commodity_code} ({option.total:.3E}) are beyond any amount that can be "
                "charged: the tariff data must be corrected"
            )


# DecimalException: arithmetic on absurd stored tariff figures (an overflow, an invalid
# operation) refuses the item as the tariff's problem rather than failing the request.
ASSESSMENT_ERRORS = (
    UnknownCommodity,
    QuantityRequired,
    MissingRate,
    ExpressionError,
    UnpresentableDuty,
    DecimalException,
)


def assessment_problem(error: Exception, pointer: str, commodity_code: str) -> Violation:
    """Why an item's duty cannot be computed, as a violation pointing at the item."""
    if isinstance(error, UnknownCommodity):
        return Violation("TA001", f"{pointer}/commodity_code", str(error))
    if isinstance(error, QuantityRequired):
        return Violation(
            "TA002",
            f"{pointer}/quantities",
            f"the tariff charges commodity {commodity_code} by {error.unit.label}: "
            f"give a quantity in {error.unit}",
        )
    if isinstance(error, UnusableRate):
        return Violation("CL013", pointer, str(error))
    if isinstance(error, MissingRate):
        return Violation("TA003", pointer, str(error))
    if isinstance(error, UnpresentableDuty):
        return Violation("TA005", pointer, str(error))
    if isinstance(error, DecimalException):
        return Violation(
            "TA005",
            pointer,
            f"the duty on commodity {commodity_code} cannot be computed from the tariff's "
            f"figures ({type(error).__name__}): the tariff data must be corrected",
        )
    return Violation("TA004", pointer, str(error))


def money(amount: Decimal) -> str:
    return str(round_money(amount))


def line_document(line: DutyLine) -> dict[str, Any]:
    return {
        "measure_sid": line.measure_sid,
        "measure_type": line.measure_type,
        "description": line.description,
        "expression": line.expression,
        "additional_code": line.additional_code,
        "amount": money(line.amount),
    }


def option_document(option: DutyOption, currency: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": option.kind.value,
        "measure_type": option.measure_type,
        "measure_sid": option.measure_sid,
        "description": option.description,
        "geographical_area": option.area,
        "order_number": option.order_number,
        "available": option.available,
        "lines": [line_document(line) for line in option.lines],
        "duty": money(option.duty),
        "vat": money(option.vat_amount),
        "vat_line": line_document(option.vat) if option.vat else None,
        "total": money(option.total),
        "currency": currency,
    }
    if option.reason:
        document["reason"] = option.reason
    if option.notes:
        document["notes"] = list(option.notes)
    return document


def item_document(
    item: ItemAssessment, currency: str, sequence: int | None = None
) -> dict[str, Any]:
    document: dict[str, Any] = {} if sequence is None else {"sequence": sequence}
    document.update(
        {
            "commodity_code": item.commodity_code,
            "origin": item.origin,
            "date": item.on.isoformat(),
            "customs_value": money(item.customs_value),
            "applied": option_document(item.applied, currency),
            "reason": item.reason,
            "options": [option_document(option, currency) for option in item.options],
            "refused": [option_document(option, currency) for option in item.refused],
            "quota_draw": {
                "order_number": item.quota_draw.order_number,
                "amount": str(item.quota_draw.amount),
                "unit": item.quota_draw.unit,
            }
            if item.quota_draw
            else None,
            "fallback": option_document(item.fallback, currency) if item.fallback else None,
            "fallback_reason": item.fallback_reason,
            "requirements": [
                {
                    "measure_sid": r.measure_sid,
                    "measure_type": r.measure_type,
                    "description": r.description,
                    "documents": list(r.documents),
                    "satisfied": r.satisfied,
                    "detail": r.detail,
                    "prohibition": r.prohibition,
                }
                for r in item.requirements
            ],
        }
    )
    return document


def assessment_document(assessment: DeclarationAssessment) -> dict[str, Any]:
    """The assessment as stored and shown: presented figures rounded half-up to the penny."""
    return {
        "date": assessment.on.isoformat(),
        "currency": assessment.currency,
        "duty": money(assessment.duty),
        "vat": money(assessment.vat),
        "total": money(assessment.total),
        "items": [
            item_document(item, assessment.currency, sequence)
            for item, sequence in zip(assessment.items, assessment.sequences, strict=True)
        ],
    }
