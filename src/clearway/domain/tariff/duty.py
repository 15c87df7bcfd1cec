"""Every duty option for one goods item, and the one applied.

The options are those the UK Trade Tariff duty calculator offers: the third-country duty, each
tariff preference the origin qualifies for, tariff quotas and suspensions, each carrying the
additional duties (anti-dumping and countervailing by additional code, safeguard, retaliation),
excise and VAT. VAT is charged on the customs value plus every duty of the option (UK VAT Act
1994 s.21(2); Council Directive 2006/112/EC Art. 86). A safeguard duty (measure type 696) is
not charged on goods entered under a tariff quota, as the UK applies its steel safeguard
(Taxation (Cross-border Trade) Act 2018 s.26; Trade Remedies Notice 2021).

Amounts stay unrounded here; money is rounded half-up to the penny only when presented.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from clearway.domain.tariff.expressions import (
    DutyComponent,
    ToNational,
    evaluate,
    expression_text,
)
from clearway.domain.tariff.measures import (
    SAFEGUARD,
    ConditionFacts,
    Measure,
    QuotaBalance,
    Role,
)
from clearway.domain.tariff.options import (
    DutyItem,
    DutyLine,
    DutyOption,
    ItemAssessment,
    OptionKind,
    QuotaDraw,
    Requirement,
    claimed_kind,
)
from clearway.domain.tariff.tariff import Tariff
from clearway.domain.tariff.units import Unit

_KIND_OF_ROLE = {
    Role.THIRD_COUNTRY: OptionKind.THIRD_COUNTRY,
    Role.PREFERENCE: OptionKind.PREFERENCE,
    Role.QUOTA: OptionKind.QUOTA,
    Role.SUSPENSION: OptionKind.SUSPENSION,
}
_ORDER = {
    OptionKind.THIRD_COUNTRY: 1,
    OptionKind.PREFERENCE: 2,
    OptionKind.QUOTA: 3,
    OptionKind.SUSPENSION: 3,
}


def assess_item(
    item: DutyItem,
    tariff: Tariff,
    to_national: ToNational,
    quotas: Mapping[str, QuotaBalance] | None = None,
) -> ItemAssessment:
    """Every option for ``item``, the requirements on it, and the option applied.

    Raises ``UnknownCommodity``, ``QuantityRequired``, ``MissingRate`` or ``ExpressionError``
    when the duty cannot be computed; never returns a zero duty for want of data.
    """
    measures = [
        m
        for m in tariff.measures(item.commodity_code, item.on)
        if tariff.geography.covers(m.area, item.origin, m.excluded)
    ]
    facts = ConditionFacts(
        customs_value=item.customs_value,
        quantities=item.quantities,
        documents=item.documents,
        net_mass_kg=item.net_mass_kg,
        supplementary_quantity=item.supplementary_quantity,
    )
    engine = _Engine(item, tariff, to_national, facts, quotas or {})
    extras, notes = engine.additional_measures(measures)
    extra_lines = engine.extra_lines(extras)
    vat_measure = _vat_measure(measures, item.additional_codes)

    options: list[DutyOption] = []
    refused: list[DutyOption] = []
    for measure in measures:
        kind = _KIND_OF_ROLE.get(measure.role)
        if kind is None:
            continue
        if measure.additional_code and measure.additional_code not in item.additional_codes:
            continue
        option = engine.option(kind, measure, extra_lines, vat_measure, notes)
        (options if option.available else refused).append(option)
    if not any(o.kind is OptionKind.THIRD_COUNTRY for o in options):
        options.append(engine.free_of_duty(extra_lines, vat_measure, notes))
    options.sort(key=lambda o: _ORDER[o.kind])
    applied, reason = choose(options, refused, item.preference)
    requirements = tuple(engine.requirement(m) for m in measures if m.role is Role.REQUIREMENT)
    draw = fallback = fallback_reason = None
    if applied.kind is OptionKind.QUOTA and applied.order_number:
        draw = engine.quota_draw(applied.order_number)
        exhausted = replace(
            applied, available=False, reason=f"tariff quota {applied.order_number} is exhausted"
        )
        remaining = [o for o in options if o.order_number != applied.order_number]
        fallback, fallback_reason = choose(remaining, [*refused, exhausted], item.preference)
    return ItemAssessment(
        commodity_code=item.commodity_code,
        origin=item.origin,
        on=item.on,
        customs_value=item.customs_value,
        options=tuple(options),
        refused=tuple(refused),
        applied=applied,
        reason=reason,
        requirements=requirements,
        quota_draw=draw,
        fallback=fallback,
        fallback_reason=fallback_reason,
    )


def choose(
    options: Sequence[DutyOption], refused: Sequence[DutyOption], preference: str | None
) -> tuple[DutyOption, str]:
    """The option the declaration claims when it is available, else the next one down.

    A claimed quota falls back to a preference of the same origin when the claim was
    preferential, then to the third-country duty; the cheapest qualifying option of a kind wins.
    """
    wanted = claimed_kind(preference)
    claim = f"preference code {preference}" if preference else "no preference claimed"
    fallbacks = [wanted]
    if wanted is OptionKind.QUOTA and preference and preference[0] in "23":
        fallbacks.append(OptionKind.PREFERENCE)
    if OptionKind.THIRD_COUNTRY not in fallbacks:
        fallbacks.append(OptionKind.THIRD_COUNTRY)
    for kind in fallbacks:
        candidates = [o for o in options if o.kind is kind]
        if not candidates:
            continue
        best = min(candidates, key=lambda o: o.total)
        if kind is wanted:
            return (
                best,
                f"{claim}: {kind.value.replace('_', '-')} option applied ({best.description})",
            )
        why = [o.reason for o in refused if o.kind is wanted and o.reason]
        detail = f" ({why[0]})" if why else ""
        return best, (
            f"{claim}: no {wanted.value.replace('_', ' ')} option is available{detail}; "
            f"{kind.value.replace('_', '-')} option applied"
        )
    raise AssertionError("a third-country option always exists")  # pragma: no cover


def _vat_measure(measures: Sequence[Measure], codes: frozenset[str]) -> Measure | None:
    """The VAT rate: the one for a declared VAT additional code, else the standard one."""
    vat = [m for m in measures if m.role is Role.VAT]
    chosen = [m for m in vat if m.additional_code and m.additional_code in codes]
    if chosen:
        return chosen[0]
    standard = [m for m in vat if not m.additional_code]
    if standard:
        return standard[0]
    return vat[0] if len(vat) == 1 else None


class _Engine:
    def __init__(
        self,
        item: DutyItem,
        tariff: Tariff,
        to_national: ToNational,
        facts: ConditionFacts,
        quotas: Mapping[str, QuotaBalance],
    ) -> None:
        self.item = item
        self.tariff = tariff
        self.to_national = to_national
        self.facts = facts
        self.quotas = quotas

    def amount(self, components: Sequence[DutyComponent]) -> Decimal:
        return evaluate(
            components,
            customs_value=self.item.customs_value,
            quantities=self.item.quantities,
            to_national=self.to_national,
        )

    def line(self, measure: Measure, components: Sequence[DutyComponent]) -> DutyLine:
        return DutyLine(
            measure_sid=measure.sid,
            measure_type=measure.measure_type.id,
            description=measure.measure_type.description,
            expression=expression_text(components),
            amount=self.amount(components),
            additional_code=measure.additional_code,
        )

    def additional_measures(self, measures: Sequence[Measure]) -> tuple[list[Measure], list[str]]:
        """Additional duties and excise that apply, chosen by additional code.

        For a measure type split by additional code, the declared code decides; without one,
        anti-dumping and countervailing duties fall to the residual code (``…999``, "all other
        companies"), and excise to the measure without a code.
        """
        chosen: list[Measure] = []
        notes: list[str] = []
        by_type: dict[str, list[Measure]] = {}
        for measure in measures:
            if measure.role in (Role.ADDITIONAL, Role.EXCISE):
                by_type.setdefault(measure.measure_type.id, []).append(measure)
        for measure_type, group in by_type.items():
            coded = [m for m in group if m.additional_code]
            chosen.extend(m for m in group if not m.additional_code)
            if not coded:
                continue
            declared = [m for m in coded if m.additional_code in self.item.additional_codes]
            if declared:
                chosen.extend(declared)
                continue
            residual = [m for m in coded if (m.additional_code or "").endswith("999")]
            if residual and group[0].role is Role.ADDITIONAL:
                chosen.extend(residual)
                notes.append(
                    f"measure type {measure_type}: no additional code declared, the residual "
                    f"code {residual[0].additional_code} applies"
                )
            else:
                codes = ", ".join(sorted({m.additional_code or "" for m in coded}))
                notes.append(
                    f"measure type {measure_type} applies to additional codes {codes}; "
                    "none declared"
                )
        return chosen, notes

    def extra_lines(self, extras: Sequence[Measure]) -> tuple[DutyLine, ...]:
        """The additional duties and excise once per item; every option carries them."""
        lines = []
        for extra in extras:
            outcome = extra.evaluate_conditions(self.facts, self.to_national)
            if outcome.applies:
                lines.append(self.line(extra, outcome.components or ()))
        return tuple(lines)

    def option(
        self,
        kind: OptionKind,
        measure: Measure,
        extra_lines: Sequence[DutyLine],
        vat_measure: Measure | None,
        notes: Sequence[str],
    ) -> DutyOption:
        description = self.option_description(kind, measure)
        outcome = measure.evaluate_conditions(self.facts, self.to_national)
        refusal = outcome.reason if not outcome.applies else None
        if refusal is None and kind is OptionKind.QUOTA:
            refusal = self.quota_refusal(measure)
        if refusal is not None:
            return DutyOption(
                kind=kind,
                measure_sid=measure.sid,
                measure_type=measure.measure_type.id,
                description=description,
                lines=(),
                vat=None,
                order_number=measure.order_number,
                area=measure.area,
                available=False,
                reason=refusal,
            )
        lines = [self.line(measure, outcome.components or ())]
        lines.extend(
            line
            for line in extra_lines
            if not (kind is OptionKind.QUOTA and line.measure_type == SAFEGUARD)
        )
        return DutyOption(
            kind=kind,
            measure_sid=measure.sid,
            measure_type=measure.measure_type.id,
            description=description,
            lines=tuple(lines),
            vat=self.vat_line(vat_measure, lines),
            order_number=measure.order_number,
            area=measure.area,
            notes=tuple(notes),
        )

    def free_of_duty(
        self, extra_lines: Sequence[DutyLine], vat_measure: Measure | None, notes: Sequence[str]
    ) -> DutyOption:
        """No third-country duty is in force: the goods pay only additional duties and VAT."""
        lines = list(extra_lines)
        return DutyOption(
            kind=OptionKind.THIRD_COUNTRY,
            measure_sid=None,
            measure_type=None,
            description="No third-country duty in force",
            lines=tuple(lines),
            vat=self.vat_line(vat_measure, lines),
            notes=tuple(notes),
        )

    def vat_line(self, measure: Measure | None, lines: Sequence[DutyLine]) -> DutyLine | None:
        if measure is None:
            return None
        base = self.item.customs_value + sum((line.amount for line in lines), Decimal(0))
        rate = sum((c.amount for c in measure.components if c.unit is None), Decimal(0))
        return DutyLine(
            measure_sid=measure.sid,
            measure_type=measure.measure_type.id,
            description=measure.measure_type.description,
            expression=expression_text(measure.components),
            amount=base * rate / 100,
            additional_code=measure.additional_code,
        )

    def option_description(self, kind: OptionKind, measure: Measure) -> str:
        area = self.tariff.geography.describe(measure.area)
        if kind is OptionKind.QUOTA:
            return f"Tariff quota {measure.order_number} ({area})"
        if kind is OptionKind.THIRD_COUNTRY:
            return measure.measure_type.description
        return f"{measure.measure_type.description} ({area})"

    def quota_refusal(self, measure: Measure) -> str | None:
        if measure.order_number is None:
            return None
        balance = self.quotas.get(measure.order_number)
        if balance is None:
            return None  # no balance is tracked for this quota: it is treated as open
        if balance.unit is None:
            needed = self.item.customs_value
        else:
            needed = self.item.quantities.require(balance.unit)
        if balance.balance <= 0:
            return f"tariff quota {measure.order_number} is exhausted"
        if needed > balance.balance:
            return (
                f"tariff quota {measure.order_number} has {balance.balance} left, {needed} needed"
            )
        return None

    def quota_draw(self, order_number: str) -> QuotaDraw:
        """The quantity the quota is counted in (its balance's unit, else the net mass)."""
        balance = self.quotas.get(order_number)
        unit = balance.unit if balance is not None else None
        if balance is not None and unit is None:
            return QuotaDraw(order_number, self.item.customs_value, None)
        wanted = unit or Unit("KGM")
        return QuotaDraw(order_number, self.item.quantities.require(wanted), str(wanted))

    def requirement(self, measure: Measure) -> Requirement:
        outcome = measure.evaluate_conditions(self.facts, self.to_national)
        documents = tuple(
            c.document for c in measure.conditions if c.document and not c.action.negative
        )
        if not measure.conditions:
            detail = f"{measure.measure_type.description}: not allowed from {self.item.origin}"
            satisfied = measure.measure_type.series != "A"
        elif outcome.applies:
            detail = f"{measure.measure_type.description}: conditions met"
            satisfied = True
        else:
            detail = f"{measure.measure_type.description}: {outcome.reason}"
            satisfied = False
        return Requirement(
            measure_sid=measure.sid,
            measure_type=measure.measure_type.id,
            description=measure.measure_type.description,
            documents=documents,
            satisfied=satisfied,
            detail=detail,
            prohibition=measure.measure_type.series == "A",
        )
