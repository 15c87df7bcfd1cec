"""A declaration as its declarant reads it: parties, goods, duties, missing documents and
history, built from the API's trader view (``public``) and the API's ``history``.

Only what a trader may be told is taken: the risk stage's score, reasons, rules and
explanation, and the screening findings of a referral, are never read here; history events
are shown from a list of the ones a trader may see, each with only its harmless details.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from clearway.adapters.reference_files import code_rows
from clearway.adapters.tariff_files import measure_types
from clearway.domain import events as ev
from clearway.domain.record import StoredEvent
from clearway.domain.reference import ReferenceData
from clearway.domain.risk.lane import Lane
from clearway.domain.tariff.measures import Geography
from clearway.entrypoints.api.models import DeclarationPublic
from clearway.entrypoints.web.rendering import money
from clearway.entrypoints.web.trader_status import lane_words

PARTY_ROLES = (
    ("declarant", "Declarant"),
    ("importer", "Importer"),
    ("exporter", "Exporter"),
    ("consignee", "Consignee"),
    ("end_user", "End user"),
    ("representative", "Representative"),
)
OPTION_KINDS = {
    "third_country": "Third-country duty",
    "preference": "Tariff preference",
    "quota": "Tariff quota",
    "suspension": "Duty suspension",
    "free": "Free of duty",
}
EXCISE_SERIES = "Q"
CHECK_LANES = frozenset({Lane.YELLOW.value, Lane.RED.value})


@cache
def office_names() -> dict[str, str]:
    """Customs offices' names from the shipped code list (the reference data keeps only their
    countries)."""
    return {row.code: row.description for row in code_rows() if row.list == "office"}


@cache
def _excise_types() -> frozenset[str]:
    """Measure types of the excise series (TARIC series Q), read once from the shipped list."""
    return frozenset(code for code, kind in measure_types().items() if kind.series == EXCISE_SERIES)


@dataclass(frozen=True, slots=True)
class Party:
    role: str
    name: str
    identifier: str
    address: str


@dataclass(frozen=True, slots=True)
class DutyOption:
    kind: str
    description: str
    rates: str
    duty: Decimal
    excise: Decimal
    vat: Decimal
    total: Decimal
    applied: bool
    available: bool


@dataclass(frozen=True, slots=True)
class MissingDocument:
    requirement: str
    documents: tuple[str, ...]
    """Each document that would meet it, as "N851 Phytosanitary certificate"."""


@dataclass(frozen=True, slots=True)
class Item:
    sequence: int
    commodity_code: str
    description: str
    origin: str
    quantities: tuple[str, ...]
    invoice_amount: str
    customs_value: str
    options: tuple[DutyOption, ...]
    reason: str
    missing: tuple[MissingDocument, ...]


@dataclass(frozen=True, slots=True)
class Totals:
    duty: Decimal
    excise: Decimal
    vat: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    title: str
    detail: str
    occurred_at: datetime


def parties(document: Mapping[str, Any], geography: Geography) -> list[Party]:
    found = []
    for key, role in PARTY_ROLES:
        party = document.get(key)
        if not isinstance(party, dict):
            continue
        address = party.get("address") or {}
        country = address.get("country") or party.get("country") or ""
        lines = [address.get(part, "") for part in ("street", "city", "postcode")]
        lines.append(_country(country, geography))
        found.append(
            Party(
                role,
                str(party.get("name", "")),
                str(party.get("id", "")),
                ", ".join(line for line in lines if line),
            )
        )
    return found


def _country(code: str, geography: Geography) -> str:
    name = geography.describe(code) if code else ""
    return f"{name} ({code})" if name and name != code else code


def items(view: DeclarationPublic, reference: ReferenceData, geography: Geography) -> list[Item]:
    """Each goods item with its value and, when the tariff assessed it, every duty option and
    the documents its restrictions still need."""
    currency = view.customs_value.currency if view.customs_value else ""
    values = {
        entry["sequence"]: entry["customs_value"]
        for entry in (view.valuation or {}).get("items", [])
    }
    assessed = {entry["sequence"]: entry for entry in (view.assessment or {}).get("items", [])}
    invoice_currency = (view.declaration.get("invoice") or {}).get("currency", "")
    built = []
    for line in view.declaration["items"]:
        sequence = int(line["sequence"])
        assessment = assessed.get(sequence, {})
        built.append(
            Item(
                sequence=sequence,
                commodity_code=str(line["commodity_code"]),
                description=str(line.get("description", "")),
                origin=_country(str(line.get("origin_country", "")), geography),
                quantities=_quantities(line, reference),
                invoice_amount=money(line.get("invoice_amount"), invoice_currency),
                customs_value=money(values.get(sequence), currency),
                options=_options(assessment),
                reason=str(assessment.get("reason") or ""),
                missing=_missing(assessment, reference),
            )
        )
    return built


def _quantities(line: Mapping[str, Any], reference: ReferenceData) -> tuple[str, ...]:
    shown = []
    if line.get("net_mass_kg"):
        shown.append(f"Net mass {Decimal(str(line['net_mass_kg'])):,} kg")
    if line.get("gross_mass_kg"):
        shown.append(f"Gross mass {Decimal(str(line['gross_mass_kg'])):,} kg")
    packages = line.get("packages") or {}
    if packages.get("count"):
        kind = reference.package_kinds.get(str(packages.get("kind", "")))
        name = kind.description.lower() if kind else str(packages.get("kind", ""))
        shown.append(f"{int(packages['count']):,} packages ({name})")
    units = line.get("supplementary_units") or {}
    if units.get("quantity"):
        shown.append(f"{Decimal(str(units['quantity'])):,} {_unit_words(str(units['unit']))}")
    return tuple(shown)


def _unit_words(unit: str) -> str:
    return {"NAR": "items", "LTR": "litres", "KGM": "kg", "MTQ": "cubic metres"}.get(unit, unit)


def _options(assessment: Mapping[str, Any]) -> tuple[DutyOption, ...]:
    applied = assessment.get("applied") or {}
    return tuple(
        _option(option, _same(option, applied)) for option in assessment.get("options", [])
    )


def _same(option: Mapping[str, Any], applied: Mapping[str, Any]) -> bool:
    keys = ("type", "measure_sid", "order_number")
    return bool(applied) and all(option.get(key) == applied.get(key) for key in keys)


def _option(option: Mapping[str, Any], applied: bool) -> DutyOption:
    lines: Sequence[Mapping[str, Any]] = option.get("lines", [])
    excise = sum(
        (Decimal(line["amount"]) for line in lines if line["measure_type"] in _excise_types()),
        Decimal(0),
    )
    # One line is the option's own rate; with more (an anti-dumping duty, excise), each is named.
    rates = (
        [str(lines[0]["expression"])]
        if len(lines) == 1
        else [f"{line['description']} {line['expression']}" for line in lines]
    )
    vat_line = option.get("vat_line")
    if vat_line:
        rates.append(f"VAT {vat_line['expression']}")
    return DutyOption(
        kind=OPTION_KINDS.get(str(option.get("type")), str(option.get("type", ""))),
        description=str(option.get("description", "")),
        rates="; ".join(rates),
        duty=Decimal(option["duty"]) - excise,
        excise=excise,
        vat=Decimal(option["vat"]),
        total=Decimal(option["total"]),
        applied=applied,
        available=bool(option.get("available", True)),
    )


def _missing(
    assessment: Mapping[str, Any], reference: ReferenceData
) -> tuple[MissingDocument, ...]:
    """The item's restrictions not met, once each (a restriction can be recorded by two
    measures), with the documents that would meet it."""
    seen: dict[tuple[str, tuple[str, ...]], MissingDocument] = {}
    for requirement in assessment.get("requirements", []):
        if requirement.get("satisfied") or not requirement.get("documents"):
            continue
        codes = tuple(requirement["documents"])
        key = (str(requirement.get("description", "")), codes)
        seen.setdefault(
            key,
            MissingDocument(
                key[0],
                tuple(
                    f"{code} {reference.document_types[code]}"
                    if code in reference.document_types
                    else code
                    for code in codes
                ),
            ),
        )
    return tuple(seen.values())


def totals(items_: Sequence[Item], assessment: Mapping[str, Any] | None) -> Totals | None:
    """What the declaration owes under the options applied, as the assessment adds it up."""
    if not assessment:
        return None
    excise = sum(
        (option.excise for item in items_ for option in item.options if option.applied),
        Decimal(0),
    )
    return Totals(
        duty=Decimal(assessment["duty"]) - excise,
        excise=excise,
        vat=Decimal(assessment["vat"]),
        total=Decimal(assessment["total"]),
    )


def timeline(events: Sequence[StoredEvent], currency: str) -> list[TimelineEntry]:
    """The declaration's history in a trader's words, newest first; events a trader is not
    told of (scores, officers' findings) are left out."""
    entries = []
    previous = ""
    for event in events:
        shown = _entry(event, previous, currency)
        if shown is not None:
            entries.append(TimelineEntry(shown[0], shown[1], event.occurred_at))
        previous = event.type
    return entries[::-1]


def _entry(event: StoredEvent, previous: str, currency: str) -> tuple[str, str] | None:
    data = event.data
    lane = lane_words(str(data.get("lane", "")))
    match event.type:
        case ev.DECLARATION_LODGED:
            return "Declaration submitted", f"Lodged with LRN {data.get('lrn', '')}."
        case ev.DECLARATION_ACCEPTED:
            value = money(data.get("customs_value"), str(data.get("currency", currency)))
            return "Accepted", f"MRN {data.get('mrn', '')} given; customs value {value}."
        case ev.DECLARATION_ASSESSED:
            due = money(data.get("total"), str(data.get("currency", currency)))
            return "Duties calculated", f"Duty and VAT due: {due}."
        case ev.DECLARATION_LANED:
            return "Customs checks decided", f"Customs chose {lane}." if lane else ""
        case ev.DECLARATION_HELD:
            # Goods the lane let through are held only while the agency reviews them.
            checked = data.get("lane") in CHECK_LANES
            return "On hold", f"Goods held for {lane}." if checked else "Goods held."
        case ev.DECLARATION_CLAIMED:
            return "Check started", "A customs officer has started the check."
        case ev.DECLARATION_RELEASED:
            return "Released", "Goods have permission to progress."
        case ev.DECLARATION_REFERRED:
            return "Referred", "Goods held for the export-control agency to review."
        case ev.REFERRAL_INFORMATION_REQUESTED:
            return "Query raised", f"The agency asked: {data.get('question', '')}"
        case ev.REFERRAL_REPLIED:
            return "Query answered", "You answered the agency's question."
        case ev.REFERRAL_DECIDED:
            return "Agency decision", "The export-control agency finished its review."
        case ev.REFERRAL_WITHDRAWN:
            return "Referral closed", "The agency's review of an earlier version was closed."
        case ev.DECLARATION_AMENDED:
            return "Amendment accepted", f"Version {event.version} replaces the earlier one."
        case ev.DECLARATION_CANCELLED:
            return "Cancelled", f"Reason given: {data.get('reason', '')}"
        case ev.DECLARATION_REJECTED:
            # An agency's refusal note may name what matched; the trader hears only the outcome.
            if previous == ev.REFERRAL_DECIDED:
                return "Declaration rejected", "The export-control agency refused the export."
            return "Declaration rejected", f"Reason given: {data.get('reason', '')}"
        case ev.LICENCE_DRAWN:
            return "Licence drawn down", f"Item {data.get('item', '')} counted against the licence."
        case ev.LICENCE_CREDITED:
            return "Licence credited", "The licence quantity drawn was given back."
    return None
