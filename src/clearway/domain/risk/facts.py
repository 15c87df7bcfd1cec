"""What the risk stage reads off a declaration: the facts selectivity rules test and the
observations the learned model scores, one per goods item.

Facts are stored with each decision as JSON (numbers as text, so nothing is lost), which is
what replaying a rule over past declarations reads back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from clearway.domain.declaration import Declaration, GoodsItem, Party, Valuation
from clearway.domain.risk.observation import Observation
from clearway.domain.risk.rule_fields import FIELDS, Facts, FieldKind, Value
from clearway.domain.risk.selectivity import PER_KILOGRAM, Selectivity
from clearway.domain.tariff.options import ItemAssessment


def declaration_facts(
    declaration: Declaration,
    *,
    total_value: Decimal | None,
    aeo: bool,
    new_trader: bool,
    risk_score: float | None,
) -> dict[str, Value]:
    trader = declaration.trader
    return {
        "type": declaration.type.value,
        "procedure": declaration.procedure,
        "office": declaration.office,
        "declarant": declaration.declarant.id,
        "importer": declaration.importer.id if declaration.importer else None,
        "exporter": declaration.exporter.id if declaration.exporter else None,
        "trader": trader.id if trader else None,
        "dispatch_country": declaration.dispatch_country,
        "destination_country": declaration.destination_country,
        "transport_mode": declaration.transport.mode if declaration.transport else None,
        "incoterm": declaration.incoterm.code if declaration.incoterm else None,
        "invoice_currency": declaration.invoice.currency if declaration.invoice else None,
        "total_value": total_value,
        "item_count": Decimal(len(declaration.items)),
        "aeo": aeo,
        "new_trader": new_trader,
        "risk_score": None if risk_score is None else Decimal(f"{risk_score:.6f}"),
    }


def item_facts(
    item: GoodsItem,
    customs_value: Decimal | None,
    assessment: ItemAssessment | None,
    selectivity: Selectivity,
) -> dict[str, Value]:
    """An item's facts, its unit value taken per the unit its value-control band uses."""
    supplementary = item.supplementary_units
    units = (
        (supplementary.unit, PER_KILOGRAM)
        if supplementary and supplementary.unit
        else (PER_KILOGRAM,)
    )
    band = selectivity.band(item.commodity_code, units) if item.commodity_code else None
    unit_value: Decimal | None = None
    if customs_value is not None:
        quantity: Decimal | None
        if band and supplementary and band.unit == supplementary.unit:
            quantity = supplementary.quantity
        else:
            quantity = item.net_mass_kg
        unit_value = customs_value / quantity if quantity and quantity > 0 else None
    return {
        "sequence": Decimal(item.sequence),
        "commodity": item.commodity_code,
        "hs6": item.commodity_code[:6] if item.commodity_code else None,
        "origin": item.origin_country,
        "preference": item.preference,
        "description": item.description,
        "customs_value": customs_value,
        "net_mass": item.net_mass_kg,
        "unit_value": unit_value,
        "value_min": band.min_unit_value if band else None,
        "value_max": band.max_unit_value if band else None,
        "duty": assessment.applied.duty if assessment else None,
        "supplementary_unit": supplementary.quantity if supplementary else None,
    }


def facts_document(declaration: Facts, items: Sequence[Facts]) -> dict[str, Any]:
    """Facts as JSON: numbers as text, everything else as it is."""

    def encode(facts: Facts) -> dict[str, Any]:
        return {
            name: str(value) if isinstance(value, Decimal) else value
            for name, value in facts.items()
            if value is not None
        }

    return {"declaration": encode(declaration), "items": [encode(item) for item in items]}


def facts_from_document(document: Mapping[str, Any]) -> tuple[Facts, list[Facts]]:
    """The facts stored by ``facts_document``, numbers back as ``Decimal``."""

    def decode(facts: Mapping[str, Any]) -> dict[str, Value]:
        decoded: dict[str, Value] = {}
        for name, value in facts.items():
            spec = FIELDS.get(name)
            number = name == "sequence" or (spec is not None and spec.kind is FieldKind.NUMBER)
            decoded[name] = Decimal(value) if number and value is not None else value
        return decoded

    return decode(document.get("declaration", {})), [
        decode(item) for item in document.get("items", [])
    ]


def _party_code(party: Party | None) -> str | None:
    """A party as the history knows it: its EORI number, else its name folded."""
    if party is None:
        return None
    return party.id or (party.name.casefold() if party.name else None)


def observations(
    declaration: Declaration,
    valuation: Valuation | None,
    assessments: Mapping[int, ItemAssessment],
    reference: str,
    day: date,
) -> list[Observation]:
    """One observation per goods item, referenced ``<declaration>/<item sequence>``."""
    values = {value.sequence: value.customs_value for value in valuation.items} if valuation else {}
    trader = declaration.trader
    partner = declaration.exporter if trader is declaration.importer else declaration.consignee
    found: list[Observation] = []
    for item in declaration.items:
        customs_value = values.get(item.sequence, item.invoice_amount) or Decimal(0)
        assessment = assessments.get(item.sequence)
        codes = {
            "importer": _party_code(trader),
            "declarant": _party_code(declaration.declarant),
            "seller": _party_code(partner),
            "hs6": item.commodity_code[:6] if item.commodity_code else None,
            "origin": item.origin_country,
            "departure": declaration.dispatch_country,
            "office": declaration.office,
            "transport_mode": declaration.transport.mode if declaration.transport else None,
            "procedure": declaration.procedure,
            "tax_type": assessment.applied.kind.value if assessment else None,
            "origin_indicator": item.preference,
        }
        tax_rate = (
            float(assessment.applied.duty / customs_value * 100)
            if assessment and customs_value > 0
            else 0.0
        )
        found.append(
            Observation(
                reference=f"{reference}/{item.sequence}",
                day=day,
                codes={name: code for name, code in codes.items() if code},
                value=float(customs_value),
                net_mass=float(item.net_mass_kg or 0),
                tax_rate=tax_rate,
            )
        )
    return found
