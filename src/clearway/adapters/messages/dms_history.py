"""The DMS notifications of a declaration, read off its events.

Every notification a declarant gets is derived from the declaration's history, so it can be
read again at any time and says the same: DMSRCV when lodged, DMSACC when accepted, DMSTAX with
the duties of the version assessed, DMSREQ for an accepted amendment, DMSDOC when documents are
to be checked (yellow lane), DMSCTL when goods are held for examination or referred to the
export-control agency, DMSCLE on release, DMSINV on cancellation, DMSREJ on rejection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from clearway.adapters.messages.dms_notification_data import (
    GoodsItemTaxes,
    NotificationData,
    NotificationKind,
    Statement,
    TaxLine,
)
from clearway.domain import events as ev
from clearway.domain.record import DeclarationRecord, StoredEvent

# TARIC measure types (first digit groups) and the CDS tax type they are charged as.
_CUSTOMS_DUTY = frozenset(
    {
        "103",
        "105",
        "106",
        "112",
        "115",
        "117",
        "119",
        "122",
        "123",
        "141",
        "142",
        "143",
        "145",
        "146",
        "147",
    }
)
_TAX_TYPES = {
    "305": "B00",  # VAT
    "551": "A35", "552": "A30", "553": "A45", "554": "A40",  # anti-dumping, countervailing
    "555": "A30", "561": "A35", "562": "A30", "564": "A35", "565": "A30", "566": "A30",
    "570": "A30", "695": "A20", "696": "A20",  # additional duties
}  # fmt: skip
_EXCISE = "306"
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
# The lane as customs sees it, or the outcome as its declarant does (``domain/disclosure``);
# a blue lane is a release to the declarant (the audit comes later, unannounced).
_DOCUMENT_CHECK = frozenset({"yellow", "document_check"})
_EXAMINATION = frozenset({"red", "physical_examination"})


def tax_type(measure_type: str | None, additional_code: str | None = None) -> str | None:
    """The CDS tax type (``A00`` customs duty, ``B00`` VAT, ``A30`` anti-dumping, ``411``
    excise on its UK excise code ``X411`` …) of a TARIC measure type, or None for a measure
    CDS has no tax type for here."""
    if measure_type is None:
        return None
    if measure_type in _CUSTOMS_DUTY:
        return "A00"
    if measure_type == _EXCISE:
        code = additional_code or ""
        return code[1:] if code[:1] == "X" and code[1:].isdigit() else None
    return _TAX_TYPES.get(measure_type)


def _rate(expression: str) -> Decimal | None:
    match = _RATE.match(expression)
    return Decimal(match.group(1)) if match else None


def _money(text: Any) -> Decimal:
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return Decimal(0)


def tax_lines(item: Mapping[str, Any], regime: str | None = None) -> tuple[TaxLine, ...]:
    """The DutyTaxFee lines of one assessed item: each duty of the option applied, then VAT
    on the customs value and those duties."""
    applied = item["applied"]
    currency = applied.get("currency", "GBP")
    customs_value = _money(item["customs_value"])
    lines: list[TaxLine] = []
    duties = Decimal(0)
    for line in applied.get("lines", ()):
        code = tax_type(line.get("measure_type"), line.get("additional_code"))
        if code is None:
            continue
        amount = _money(line["amount"])
        duties += amount
        rate = _rate(line.get("expression", ""))
        lines.append(
            TaxLine(
                type_code=code,
                base_amount=customs_value if rate is not None else None,
                rate=rate,
                assessed=amount,
                payable=amount,
                duty_regime=regime,
                currency=currency,
            )
        )
    vat = applied.get("vat_line")
    if vat:
        amount = _money(vat["amount"])
        lines.append(
            TaxLine(
                type_code="B00",
                base_amount=customs_value + duties,
                rate=_rate(vat.get("expression", "")),
                assessed=amount,
                payable=amount,
                duty_regime=regime,
                currency=currency,
            )
        )
    return tuple(lines)


def tax_notification(
    record: DeclarationRecord, version: int, assessment: Mapping[str, Any], at: Any
) -> NotificationData:
    preferences = {
        item.get("sequence"): item.get("preference") for item in record.payload.get("items", ())
    }
    items = tuple(
        GoodsItemTaxes(int(item["sequence"]), tax_lines(item, preferences.get(item["sequence"])))
        for item in assessment.get("items", ())
        if "sequence" in item
    )
    return NotificationData(
        kind=NotificationKind.DMSTAX,
        issued_at=at,
        lrn=record.lrn,
        mrn=record.mrn,
        version=version,
        status_code="4",
        items=tuple(item for item in items if item.lines),
    )


def notifications(
    record: DeclarationRecord,
    history: Sequence[StoredEvent],
    assessments: Mapping[int, Mapping[str, Any] | None],
) -> list[NotificationData]:
    """Every notification of the declaration, oldest first, one per event that has one."""
    found: list[NotificationData] = []
    held: set[int] = set()

    def add(kind: NotificationKind, event: StoredEvent, **more: Any) -> None:
        found.append(
            NotificationData(
                kind=kind,
                issued_at=event.occurred_at,
                lrn=record.lrn,
                mrn=record.mrn,
                version=event.version,
                **more,
            )
        )

    for event in history:
        if event.type == ev.DECLARATION_LODGED:
            add(NotificationKind.DMSRCV, event)
        elif event.type == ev.DECLARATION_ACCEPTED:
            add(NotificationKind.DMSACC, event, accepted_at=event.occurred_at)
        elif event.type == ev.DECLARATION_AMENDED:
            add(NotificationKind.DMSREQ, event, status_code="39")
        elif event.type == ev.DECLARATION_ASSESSED:
            assessment = assessments.get(event.version)
            if assessment:
                found.append(tax_notification(record, event.version, assessment, event.occurred_at))
        elif event.type == ev.DECLARATION_LANED:
            lane = str(event.data.get("outcome") or event.data.get("lane", ""))
            if lane in _DOCUMENT_CHECK:
                add(NotificationKind.DMSDOC, event, statements=(Statement(code="ACA"),))
                held.add(event.version)
            elif lane in _EXAMINATION:
                add(NotificationKind.DMSCTL, event)
                held.add(event.version)
        elif event.type in {ev.DECLARATION_HELD, ev.DECLARATION_REFERRED}:
            if event.version not in held:  # once per version: the lane may have said it
                add(NotificationKind.DMSCTL, event)
                held.add(event.version)
        elif event.type == ev.DECLARATION_RELEASED:
            add(NotificationKind.DMSCLE, event)
        elif event.type == ev.DECLARATION_CANCELLED:
            add(NotificationKind.DMSINV, event, cancelled_at=event.occurred_at)
        elif event.type == ev.DECLARATION_REJECTED:
            add(NotificationKind.DMSREJ, event, rejected_at=event.occurred_at)
    return found
