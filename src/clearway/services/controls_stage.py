"""The controls stage of clearance: export control and screening, between duty and risk.

Every party of every declaration is screened against the sanctions and denied-party lists;
every export item is checked against the control list, the destination measures and the
licence it cites (``domain.export_control.controls``). What customs cannot decide alone is
referred to the agency that owns the rule, and the declaration is held until the agency
answers. Licences are drawn at release, under their row locks, after one more check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from clearway.domain.declaration import Declaration, Party
from clearway.domain.events import DECLARATION_REFERRED, LICENCE_DRAWN, Event
from clearway.domain.export_control.controls import ExportControls, check_export, cited_numbers
from clearway.domain.export_control.licence import Converter, Licence, LicenceDraw
from clearway.domain.export_control.referral import (
    EXPORT_CONTROL_AGENCY,
    ControlFinding,
    Referral,
    ReferralReason,
    main_reason,
)
from clearway.domain.identifiers import new_id
from clearway.domain.record import DeclarationRecord
from clearway.domain.screening.match import ScreeningMatch
from clearway.domain.valuation import MissingRate
from clearway.services.assessment import converter
from clearway.services.context import ClearanceContext
from clearway.services.ports import AbstractUnitOfWork


@dataclass(slots=True)
class Controls:
    """The controls stage's findings on one declaration and the draws its release will make."""

    findings: list[ControlFinding] = field(default_factory=list)
    draws: list[LicenceDraw] = field(default_factory=list)

    @property
    def referred(self) -> bool:
        return bool(self.findings)


def currency_converter(context: ClearanceContext, on: date) -> Converter:
    """Amounts between any two currencies through the national currency, at the day's rates."""
    to_national = converter(context, on)

    def convert(amount: Decimal, source: str, target: str) -> Decimal | None:
        try:
            return to_national(amount, source) / to_national(Decimal(1), target)
        except MissingRate:
            return None

    return convert


def screening_findings(declaration: Declaration, context: ClearanceContext) -> list[ControlFinding]:
    """Every party's matches above the threshold that the agency has not dismissed."""
    findings = []
    for role, party in declaration.parties().items():
        matches = context.screening.screen_party(party)
        if matches:
            findings.append(_screening_finding(role, party, matches))
    return findings


def _screening_finding(
    role: str, party: Party, matches: Sequence[ScreeningMatch]
) -> ControlFinding:
    best = max(matches, key=lambda match: match.score)
    # A name typed with look-alike letters of another script is a disguise: say so up front.
    disguised = "; the name mixes scripts to look like Latin letters" if best.mixed_script else ""
    return ControlFinding(
        ReferralReason.SCREENING_MATCH,
        f"the {role.replace('_', ' ')} {party.name!r} matches the listed {best.listed_name!r} "
        f"({best.entity_id}, score {best.score:.2f}){disguised}",
        party=role,
        details={
            "party": {"name": party.name, "id": party.id, "country": party.country_code},
            "matches": [match.document() for match in matches],
        },
    )


def check_controls(
    declaration: Declaration,
    context: ClearanceContext,
    uow: AbstractUnitOfWork,
    on: date,
    screened: list[ControlFinding] | None = None,
) -> Controls:
    """Screen the parties (unless ``screened`` holds their findings already) and check the
    export; the cited licences are read under lock, so the draws found here still hold when
    a release in the same transaction takes them."""
    licences = uow.licences.get_many(sorted(cited_numbers(declaration)), lock=True)
    exported = _check_export(declaration, context, licences, on)
    if screened is None:
        screened = screening_findings(declaration, context)
    findings = screened + exported.findings
    return Controls(findings, exported.draws)


def _check_export(
    declaration: Declaration,
    context: ClearanceContext,
    licences: Mapping[str, Licence],
    on: date,
) -> ExportControls:
    return check_export(
        declaration,
        context.control_list,
        licences,
        on=on,
        convert=currency_converter(context, on),
    )


def open_referral(
    record: DeclarationRecord,
    findings: list[ControlFinding],
    context: ClearanceContext,
    now: datetime,
    supersedes: str | None = None,
) -> Referral:
    return Referral(
        id=new_id(),
        declaration_id=record.id,
        declaration_version=record.version,
        supersedes=supersedes,
        agency=EXPORT_CONTROL_AGENCY,
        reason=main_reason(findings),
        findings=list(findings),
        deadline=now + context.referral_deadline,
        created_at=now,
    )


def referral_event(record: DeclarationRecord, referral: Referral, actor: str) -> Event:
    return Event(
        DECLARATION_REFERRED,
        record.id,
        record.version,
        record.status.value,
        actor,
        {
            "referral_id": referral.id,
            "agency": referral.agency,
            "reason": referral.reason.value,
            "deadline": referral.deadline.isoformat(),
            "findings": len(referral.findings),
            "blocking": referral.blocking,
            "supersedes": referral.supersedes,
        },
        referral.created_at,
    )


def take_draws(
    uow: AbstractUnitOfWork,
    record: DeclarationRecord,
    draws: Sequence[LicenceDraw],
    actor: str,
    now: datetime,
) -> list[Event]:
    """Draw the licences down for a released declaration; one event per draw."""
    if not draws:
        return []
    uow.licences.add_draws(draws, record.id, record.version, now)
    left = uow.licences.get_many([draw.licence_number for draw in draws], lock=False)
    events = []
    for draw in draws:
        line = next(item for item in left[draw.licence_number].items if item.line == draw.line)
        events.append(
            Event(
                LICENCE_DRAWN,
                record.id,
                record.version,
                left[draw.licence_number].state.value,
                actor,
                {
                    "line": draw.line,
                    "item": draw.sequence,
                    "quantity": str(draw.quantity),
                    "unit": draw.unit,
                    "value": str(draw.value),
                    "currency": draw.currency,
                    "quantity_left": _text(line.quantity_left),
                    "value_left": _text(line.value_left),
                },
                now,
                licence_id=draw.licence_number,
            )
        )
    return events


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def draws_at_release(
    uow: AbstractUnitOfWork, record: DeclarationRecord, context: ClearanceContext, now: datetime
) -> Controls:
    """Check the export once more under the licences' locks, as it stands at release."""
    if context.read_declaration is None:
        raise RuntimeError("the clearance context cannot read stored declarations")
    declaration = context.read_declaration(record.payload)
    licences = uow.licences.get_many(sorted(cited_numbers(declaration)), lock=True)
    exported = _check_export(declaration, context, licences, now.date())
    return Controls(exported.findings, exported.draws)
