"""The export-control part of the controls stage: each export item against the control list,
the destination measures and the licence it cites.

Regulation (EU) 2021/821: Art. 3 (an export of an Annex I item needs an authorisation),
Art. 4 (catch-all: the authority may require one for unlisted items), Art. 12 (licence types)
and Art. 23 (customs may suspend the export and refer it to the competent authority). Findings
become a referral; what a licence covers becomes its draws, taken at release.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from clearway.domain.declaration import Declaration, DeclarationType, GoodsItem
from clearway.domain.export_control.control_list import (
    ControlCode,
    ControlCodeError,
    ControlList,
    MeasureAction,
)
from clearway.domain.export_control.documents import (
    CitedLicence,
    cited_licences,
    declares_not_listed,
)
from clearway.domain.export_control.licence import (
    NET_MASS_UNIT,
    Converter,
    ExportClaim,
    Licence,
    LicenceDraw,
    LicenceProblem,
    check_licence,
)
from clearway.domain.export_control.referral import ControlFinding, ReferralReason
from clearway.domain.valuation import item_price

DUAL_USE = "dual-use"


@dataclass(slots=True)
class ExportControls:
    """What the export checks found, and the licence draws the goods will make at release."""

    findings: list[ControlFinding] = field(default_factory=list)
    draws: list[LicenceDraw] = field(default_factory=list)


def cited_numbers(declaration: Declaration) -> set[str]:
    """Every licence number the declaration's items cite."""
    if declaration.type is not DeclarationType.EXPORT:
        return set()
    return {cited.number for item in declaration.items for cited in cited_licences(item)}


def check_export(
    declaration: Declaration,
    control_list: ControlList,
    licences: Mapping[str, Licence],
    *,
    on: date,
    convert: Converter,
) -> ExportControls:
    """Check every item of an export; an import has nothing to check here."""
    outcome = ExportControls()
    if declaration.type is not DeclarationType.EXPORT:
        return outcome
    in_use = dict(licences)  # balances as this declaration's earlier items leave them
    for item in declaration.items:
        codes = _codes(item, control_list)
        destination = declaration.destination_country or ""
        for measure in control_list.destination_measures(destination, codes):
            prohibited = measure.action is MeasureAction.PROHIBIT
            outcome.findings.append(
                ControlFinding(
                    ReferralReason.EMBARGO,
                    f"item {item.sequence}: exports to {declaration.destination_country} are "
                    f"{'prohibited' if prohibited else 'restricted'} under {measure.list_name} "
                    f"({measure.legal_basis})",
                    item=item.sequence,
                    blocking=prohibited,
                    details={"list": measure.list_name, "action": measure.action.value},
                )
            )
        cited = cited_licences(item)
        declared = _declared_entry(item)
        if cited:
            claim = _claim(declaration, item)
            draw, problems = _first_covering(claim, cited, in_use, on, convert)
            if draw is not None:
                outcome.draws.append(draw)
                in_use[draw.licence_number] = in_use[draw.licence_number].with_use(
                    draw.line, draw.quantity, draw.value
                )
            else:
                outcome.findings.append(_mismatch(item, problems))
        elif declared is not None and declares_not_listed(item):
            outcome.findings.append(
                ControlFinding(
                    ReferralReason.CONTROL_LIST,
                    f"item {item.sequence} declares control-list entry {declared} and also "
                    "declares the goods not listed (Y901)",
                    item=item.sequence,
                    details={"entry": declared},
                )
            )
        elif declared is not None:
            outcome.findings.append(
                ControlFinding(
                    ReferralReason.LICENCE_MISSING,
                    f"item {item.sequence} is classified {declared} but cites no licence "
                    "(X060, X061-X068, X070 or X071)",
                    item=item.sequence,
                    details={"entry": declared},
                )
            )
        elif codes and not declares_not_listed(item):
            listed = ", ".join(str(code) for code in codes)
            outcome.findings.append(
                ControlFinding(
                    ReferralReason.CONTROL_LIST,
                    f"item {item.sequence}: commodity {item.commodity_code} may be control-list "
                    f"entry {listed}; cite a licence, or declare Y901 if the goods are not listed",
                    item=item.sequence,
                    details={"entries": [str(code) for code in codes]},
                )
            )
    return outcome


def _declared_entry(item: GoodsItem) -> str | None:
    if item.control is None:
        return None
    return item.control.entry


def _codes(item: GoodsItem, control_list: ControlList) -> tuple[ControlCode, ...]:
    """The entries the item is, or may be: the one it declares, else those its code
    correlates with."""
    declared = _declared_entry(item)
    if declared is not None and item.control is not None and item.control.list == DUAL_USE:
        try:
            return (ControlCode.parse(declared),)
        except ControlCodeError:
            return ()
    if item.commodity_code is None:
        return ()
    return tuple(entry.code for entry in control_list.correlated_entries(item.commodity_code))


def _claim(declaration: Declaration, item: GoodsItem) -> ExportClaim:
    """What the item draws on a licence: quantities and value as declared; an item stating no
    code, mass or price draws nothing of what it does not state."""
    quantities = {NET_MASS_UNIT: item.net_mass_kg} if item.net_mass_kg is not None else {}
    units = item.supplementary_units
    if units is not None and units.unit is not None:
        quantities[units.unit] = units.quantity
    exporter = declaration.exporter or declaration.declarant
    price = item_price(item, declaration)
    return ExportClaim(
        sequence=item.sequence,
        commodity_code=item.commodity_code or "",
        control_entry=_declared_entry(item),
        quantities=quantities,
        value=price.value if price else Decimal(0),
        currency=price.currency if price else "",
        exporter_id=exporter.id,
        destination=declaration.destination_country or "",
        consignee=declaration.consignee.name if declaration.consignee else None,
        end_user=declaration.end_user.name if declaration.end_user else None,
    )


def _first_covering(
    claim: ExportClaim,
    cited: Sequence[CitedLicence],
    licences: Mapping[str, Licence],
    on: date,
    convert: Converter,
) -> tuple[LicenceDraw | None, list[LicenceProblem]]:
    problems: list[LicenceProblem] = []
    for reference in cited:
        licence = licences.get(reference.number)
        if licence is None:
            problems.append(
                LicenceProblem(
                    claim.sequence,
                    "licence-unknown",
                    f"no licence {reference.number} has been issued",
                    reference.number,
                )
            )
            continue
        checked = check_licence(
            licence,
            claim,
            on=on,
            licence_type=reference.code.type,
            authorisation=reference.code.authorisation,
            convert=convert,
        )
        if isinstance(checked, LicenceDraw):
            return checked, []
        problems.extend(checked)
    return None, problems


def _mismatch(item: GoodsItem, problems: list[LicenceProblem]) -> ControlFinding:
    return ControlFinding(
        ReferralReason.LICENCE_MISMATCH,
        f"item {item.sequence}: " + "; ".join(problem.message for problem in problems),
        item=item.sequence,
        details={
            "problems": [
                {"code": p.code, "message": p.message, "licence": p.licence_number}
                for p in problems
            ]
        },
    )
