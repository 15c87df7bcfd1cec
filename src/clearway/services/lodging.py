"""Lodging declarations: validate, value, give an MRN, store, and record the events.

One handler serves the API (a batch of one) and bulk files (batches of thousands): the work is
done on plain domain objects and written in one transaction per batch. A declaration that
breaks a rule is returned with every violation and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from clearway.domain.access import Principal, lodging_refusal
from clearway.domain.declaration import Declaration, Valuation
from clearway.domain.errors import Conflict, Forbidden, ValidationFailed
from clearway.domain.events import (
    DECLARATION_ACCEPTED,
    DECLARATION_ASSESSED,
    DECLARATION_LODGED,
    Event,
)
from clearway.domain.export_control.referral import ControlFinding
from clearway.domain.identifiers import new_id
from clearway.domain.lifecycle import Status
from clearway.domain.money import round_money
from clearway.domain.mrn import new_mrn
from clearway.domain.record import DeclarationRecord, ReceivedMessage
from clearway.domain.rules import Violation, validate
from clearway.domain.valuation import MissingRate, UnusableRate, value_declaration
from clearway.services.assessment import (
    DeclarationAssessment,
    assess_declaration,
    assessment_document,
)
from clearway.services.context import ClearanceContext
from clearway.services.controls_stage import screening_findings
from clearway.services.ports import AbstractUnitOfWork, DuplicateDeclaration, ItemRow
from clearway.services.stages import BatchStages
from clearway.services.timing import timed


@dataclass(frozen=True, slots=True)
class LodgeDeclaration:
    """Lodge one declaration: the parsed declaration and its canonical JSON document."""

    declaration: Declaration
    document: dict[str, Any]
    actor: Principal
    message: ReceivedMessage | None = None
    """The standard message the declaration came in, kept with it."""
    checked: Checked | None = None
    """Its checks, when a worker process made them already (``prepare_checks``)."""


@dataclass(frozen=True, slots=True)
class Lodged:
    record: DeclarationRecord
    created: bool


LodgeOutcome = Lodged | ValidationFailed | Conflict | Forbidden


def payload_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


def valuation_document(valuation: Valuation) -> dict[str, Any]:
    """The valuation as stored and shown: unrounded working figures and the rounded values."""
    return {
        "basis": valuation.basis,
        "currency": valuation.currency,
        "rate_date": valuation.rate_date.isoformat(),
        "rates": {currency: str(rate) for currency, rate in sorted(valuation.rates.items())},
        "customs_value": str(round_money(valuation.total)),
        "items": [
            {
                "sequence": item.sequence,
                "invoice_amount": str(item.invoice_amount),
                "freight": str(item.freight_share),
                "insurance": str(item.insurance_share),
                "customs_value": str(round_money(item.customs_value)),
            }
            for item in valuation.items
        ],
    }


@dataclass(frozen=True, slots=True)
class Checked:
    """A declaration's violations, or its valuation and (with a tariff loaded) assessment."""

    violations: list[Violation]
    valuation: Valuation | None = None
    assessment: DeclarationAssessment | None = None
    screening: list[ControlFinding] | None = None
    """The parties' screening findings, when made with the checks (``prepare_checks``)."""
    record: tuple[DeclarationRecord, list[Event]] | None = None
    """The record it would be stored as and the events of its lodging, when made with the
    checks (``prepare_checks``); a declaration found lodged already is answered as a replay."""


def check_value_and_assess(
    declaration: Declaration, context: ClearanceContext, now: datetime
) -> Checked:
    """Validate, value and assess; the first stage that finds problems stops the rest."""
    violations, valuation = check_and_value(declaration, context, now)
    if valuation is None:
        return Checked(violations)
    with timed("duty"):
        problems, assessment = assess_declaration(declaration, valuation, context)
    if problems:
        return Checked(problems)
    return Checked([], valuation, assessment)


def prepare_checks(
    command: LodgeDeclaration, context: ClearanceContext, now: datetime
) -> LodgeDeclaration:
    """The command with what needs no database made: validation, valuation, duty, screening
    of the parties, its record and first events."""
    checked = check_value_and_assess(command.declaration, context, now)
    if checked.valuation is not None:
        # Screening is the controls stage's work done early: its time counts there, the
        # declaration once, when the stage checks the export (``BatchStages.decide``).
        with timed("controls", 0):
            screened = screening_findings(command.declaration, context)
        checked = replace(checked, screening=screened)
        checked = replace(checked, record=_new_record(command, checked, context, now))
    return replace(command, checked=checked)


def _checked(command: LodgeDeclaration) -> Checked:
    assert command.checked is not None
    return command.checked


def assessment_event(
    record: DeclarationRecord, assessment: DeclarationAssessment, actor: str, now: datetime
) -> Event:
    return Event(
        DECLARATION_ASSESSED,
        record.id,
        record.version,
        Status.ASSESSED.value,
        actor,
        {
            "currency": assessment.currency,
            "duty": str(round_money(assessment.duty)),
            "vat": str(round_money(assessment.vat)),
            "total": str(round_money(assessment.total)),
            "options_applied": [item.applied.kind.value for item in assessment.items],
        },
        now,
    )


def check_and_value(
    declaration: Declaration, context: ClearanceContext, now: datetime
) -> tuple[list[Violation], Valuation | None]:
    """Every rule violation, and the valuation when there are none."""
    today = now.date()
    with timed("validate"):
        violations = validate(declaration, context.rule_context(today))
    if violations:
        return violations, None
    try:
        with timed("value"):
            valuation = value_declaration(
                declaration,
                on=today,
                rate=context.reference.rates.rate,
                national_currency=context.national_currency,
                import_basis=context.import_basis,
            )
    except MissingRate as missing:
        code = "CL013" if isinstance(missing, UnusableRate) else "CL012"
        return [Violation(code, "/invoice/currency", str(missing))], None
    return [], valuation


def item_rows(declaration: Declaration, valuation: Valuation) -> list[ItemRow]:
    values = {item.sequence: item.customs_value for item in valuation.items}
    return [
        ItemRow(
            sequence=item.sequence,
            commodity_code=item.commodity_code,
            origin_country=item.origin_country,
            preference=item.preference,
            net_mass_kg=item.net_mass_kg,
            invoice_amount=item.invoice_amount,
            customs_value=round_money(values[item.sequence]),
        )
        for item in declaration.items
    ]


def _new_record(
    command: LodgeDeclaration, checked: Checked, context: ClearanceContext, now: datetime
) -> tuple[DeclarationRecord, list[Event]]:
    declaration = command.declaration
    valuation = checked.valuation
    assert valuation is not None
    declaration_id = new_id()
    actor = command.actor.username
    mrn = new_mrn(declaration.type.value, context.country, now.date())
    customs_value: Decimal = round_money(valuation.total)
    record = DeclarationRecord(
        id=declaration_id,
        type=declaration.type.value,
        lrn=declaration.lrn,
        declarant_id=declaration.declarant.id or "",
        status=Status.ACCEPTED,
        version=1,
        payload=command.document,
        payload_hash=payload_hash(command.document),
        lodged_by=actor,
        lodged_at=now,
        updated_at=now,
        mrn=mrn,
        accepted_at=now,
        customs_value=customs_value,
        valuation=valuation_document(valuation),
        party_ids=declaration.party_ids(),
        message=command.message,
    )
    if checked.assessment is not None:
        record.status = Status.ASSESSED
        record.assessment = assessment_document(checked.assessment)
    lodged = Event(
        DECLARATION_LODGED,
        declaration_id,
        1,
        Status.LODGED.value,
        actor,
        {
            "lrn": declaration.lrn,
            "declarant": record.declarant_id,
            "type": record.type,
            "payload_hash": record.payload_hash,
        },
        now,
    )
    accepted = Event(
        DECLARATION_ACCEPTED,
        declaration_id,
        1,
        Status.ACCEPTED.value,
        actor,
        {"mrn": mrn, "customs_value": str(customs_value), "currency": context.national_currency},
        now,
    )
    events = [lodged, accepted]
    if checked.assessment is not None:
        events.append(assessment_event(record, checked.assessment, actor, now))
    return record, events


def lodge_declarations(
    commands: Sequence[LodgeDeclaration], uow: AbstractUnitOfWork, context: ClearanceContext
) -> list[LodgeOutcome]:
    """Lodge a batch in one transaction; outcomes come back in the order of ``commands``.

    Lodging the same LRN again as the same declarant returns the stored declaration
    (``created=False``); the same LRN with a different content is a conflict.
    """
    now = context.now()
    with timed("lodge", len(commands)):
        outcomes: list[LodgeOutcome | None] = [None] * len(commands)
        valued: list[tuple[int, Checked]] = []
        for index, command in enumerate(commands):
            refused = lodging_refusal(command.actor, command.declaration.declarant.id)
            if refused is not None:
                outcomes[index] = Forbidden(refused)
                continue
            # What needs no database is done before the transaction starts (on SQLite it
            # holds the write lock throughout): checks, screening, the record.
            checked = command.checked or _checked(prepare_checks(command, context, now))
            if checked.valuation is None:
                outcomes[index] = ValidationFailed(checked.violations)
            else:
                valued.append((index, checked))

        with uow:
            keys = [
                (commands[i].declaration.declarant.id or "", commands[i].declaration.lrn)
                for i, _ in valued
            ]
            existing = uow.declarations.find_by_lrn(keys) if keys else {}
            new_rows: list[tuple[DeclarationRecord, list[ItemRow]]] = []
            new_events: list[Event] = []
            laned = BatchStages()
            claimed: dict[tuple[str, str], DeclarationRecord] = dict(existing)
            created: list[tuple[int, Checked, DeclarationRecord, list[Event]]] = []
            for (index, checked), key in zip(valued, keys, strict=True):
                command = commands[index]
                stored = claimed.get(key)
                if stored is not None:
                    outcomes[index] = _replay(stored, command)
                    continue
                record, events = checked.record or _new_record(command, checked, context, now)
                claimed[key] = record
                created.append((index, checked, record, events))
            laned.score(
                [
                    (record, commands[index].declaration, checked.valuation, checked.assessment)
                    for index, checked, record, _ in created
                    if checked.valuation is not None and checked.assessment is not None
                ],
                context,
                uow,
                now,
            )
            for index, checked, record, events in created:
                command = commands[index]
                if checked.assessment is not None:
                    events.extend(
                        laned.decide(
                            record,
                            command.declaration,
                            command.actor.username,
                            checked.valuation,
                            checked.assessment,
                            context,
                            uow,
                            now,
                            screened=checked.screening,
                        )
                    )
                else:
                    events.extend(
                        laned.control(
                            record,
                            command.declaration,
                            command.actor.username,
                            context,
                            uow,
                            now,
                            screened=checked.screening,
                        )
                    )
                assert checked.valuation is not None
                new_rows.append((record, item_rows(command.declaration, checked.valuation)))
                new_events.extend(events)
                outcomes[index] = Lodged(record, created=True)
            if not new_rows:
                return [outcome for outcome in outcomes if outcome is not None]
            try:
                with timed("store", len(new_rows)):
                    uow.declarations.add_many(new_rows)
                    laned.store(uow, context, now, new_events)
                    uow.commit()
            except DuplicateDeclaration:
                uow.rollback()
            else:
                return [outcome for outcome in outcomes if outcome is not None]
    # A concurrent writer stored one of these LRNs first: lodge one by one, so that each
    # command is answered as new or as a replay of what the other writer stored.
    if len(commands) == 1:
        return lodge_declarations(commands, uow, context)
    return [
        outcome for command in commands for outcome in lodge_declarations([command], uow, context)
    ]


def _replay(stored: DeclarationRecord, command: LodgeDeclaration) -> LodgeOutcome:
    if stored.payload_hash == payload_hash(command.document):
        return Lodged(stored, created=False)
    return Conflict(
        f"LRN {stored.lrn} was already lodged by {stored.declarant_id} with different "
        f"content (declaration {stored.id}); amend that declaration or use a new LRN"
    )


def lodge_declaration(
    command: LodgeDeclaration, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Lodged:
    """Lodge one declaration; raises the refusal instead of returning it."""
    (outcome,) = lodge_declarations([command], uow, context)
    return lodged_or_raised(outcome)


def lodged_or_raised(outcome: LodgeOutcome) -> Lodged:
    """The declaration lodged, or the refusal raised."""
    if isinstance(outcome, Lodged):
        return outcome
    raise outcome
