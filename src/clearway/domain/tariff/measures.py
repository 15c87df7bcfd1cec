"""Measures, their conditions, and the geography that says which origins they cover.

TARIC model (EU Commission, TARIC3 specifications; the UK Trade Tariff follows it): a measure
type belongs to a series (C applicable duty, D anti-dumping/countervailing, J safeguard and
retaliation, P VAT, Q excise, A prohibitions, B restrictions …); a measure covers a country or a
group of countries minus its exclusions, for a validity period; its conditions, grouped by
condition code and read in order, decide whether it applies and which duty it charges.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from clearway.domain.tariff.expressions import DutyComponent, ToNational
from clearway.domain.tariff.units import Quantities, Unit

ERGA_OMNES = "1011"


class Role(enum.StrEnum):
    """What the duty engine does with a measure type."""

    THIRD_COUNTRY = "third_country"
    PREFERENCE = "preference"
    QUOTA = "quota"
    SUSPENSION = "suspension"
    ADDITIONAL = "additional"  # anti-dumping, countervailing, safeguard, retaliation
    EXCISE = "excise"
    VAT = "vat"
    REQUIREMENT = "requirement"  # prohibitions and restrictions (series A and B)
    INFORMATION = "information"


# Measure types that open a duty option (UK Trade Tariff duty calculator's mapping).
_OPTION_TYPES: dict[str, Role] = {
    "103": Role.THIRD_COUNTRY,
    "105": Role.THIRD_COUNTRY,
    "112": Role.SUSPENSION,
    "115": Role.SUSPENSION,
    "117": Role.SUSPENSION,
    "119": Role.SUSPENSION,
    "141": Role.PREFERENCE,
    "142": Role.PREFERENCE,
    "145": Role.PREFERENCE,
    "106": Role.PREFERENCE,
    "122": Role.QUOTA,
    "123": Role.QUOTA,
    "143": Role.QUOTA,
    "146": Role.QUOTA,
}
_SERIES_ROLES: dict[str, Role] = {
    "A": Role.REQUIREMENT,
    "B": Role.REQUIREMENT,
    "D": Role.ADDITIONAL,
    "J": Role.ADDITIONAL,
    "P": Role.VAT,
    "Q": Role.EXCISE,
}
SAFEGUARD = "696"
PREFERENTIAL_QUOTAS = frozenset({"143", "146"})


def role_of(measure_type: str, series: str) -> Role:
    """The series decides first (a B-series type is a restriction whatever its number), then
    the duty-option mapping of series C types."""
    role = _SERIES_ROLES.get(series)
    if role is not None:
        return role
    return _OPTION_TYPES.get(measure_type, Role.INFORMATION)


@dataclass(frozen=True, slots=True)
class MeasureType:
    id: str
    series: str
    description: str
    role: Role = field(init=False, compare=False)

    def __post_init__(self) -> None:
        # Decided once: the engine asks every measure's role for every item.
        object.__setattr__(self, "role", role_of(self.id, self.series))


class Geography:
    """Geographical areas: countries, and groups with their member countries."""

    def __init__(
        self,
        descriptions: Mapping[str, str] | None = None,
        members: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.descriptions = dict(descriptions or {})
        self.members = {group: frozenset(codes) for group, codes in (members or {}).items()}

    def covers(self, area: str, country: str, excluded: frozenset[str] = frozenset()) -> bool:
        """Whether goods originating in ``country`` fall under a measure for ``area``."""
        if country in excluded:
            return False
        if area in (country, ERGA_OMNES):
            return True
        return country in self.members.get(area, ())

    def describe(self, area: str) -> str:
        return self.descriptions.get(area, area)


class Action(enum.StrEnum):
    """TARIC measure action codes the engine distinguishes (positive or negative)."""

    APPLY_AMOUNT = "01"
    NOT_ALLOWED = "04"
    NOT_APPLICABLE = "07"
    SUBHEADING_NOT_ALLOWED = "08"
    NOT_ALLOWED_AFTER_CONTROL = "09"
    ALLOWED = "24"
    APPLY_MENTIONED_DUTY = "27"
    SUBHEADING_ALLOWED = "28"
    ALLOWED_AFTER_CONTROL = "29"

    @property
    def negative(self) -> bool:
        return self in _NEGATIVE


_NEGATIVE = frozenset(
    {
        Action.NOT_ALLOWED,
        Action.NOT_APPLICABLE,
        Action.SUBHEADING_NOT_ALLOWED,
        Action.NOT_ALLOWED_AFTER_CONTROL,
    }
)

# Condition codes whose threshold is a floor the declared figure must reach (entry price V,
# ratio R …) and those whose threshold is a ceiling (E, I: quantity or price per unit at most).
_AT_LEAST = frozenset({"F", "L", "M", "R", "S", "V"})
_AT_MOST = frozenset({"E", "I", "J", "U"})
_RATIO = frozenset({"R", "U"})


@dataclass(frozen=True, slots=True)
class Threshold:
    amount: Decimal
    currency: str | None
    unit: Unit | None


@dataclass(frozen=True, slots=True)
class MeasureCondition:
    code: str
    sequence: int
    action: Action
    document: str | None = None
    threshold: Threshold | None = None
    components: tuple[DutyComponent, ...] = ()
    requirement: str | None = None


@dataclass(frozen=True, slots=True)
class ConditionFacts:
    """What a declaration item offers to measure conditions."""

    customs_value: Decimal
    quantities: Quantities
    documents: frozenset[str]
    net_mass_kg: Decimal | None = None
    supplementary_quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ConditionOutcome:
    applies: bool
    components: tuple[DutyComponent, ...] | None
    reason: str | None = None
    documents_accepted: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Measure:
    sid: str
    measure_type: MeasureType
    commodity_code: str
    area: str
    valid_from: date
    valid_to: date | None = None
    excluded: frozenset[str] = frozenset()
    components: tuple[DutyComponent, ...] = ()
    conditions: tuple[MeasureCondition, ...] = ()
    additional_code: str | None = None
    order_number: str | None = None
    footnotes: tuple[str, ...] = ()
    source: str = "national"
    condition_groups: tuple[tuple[str, tuple[MeasureCondition, ...]], ...] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        groups: dict[str, list[MeasureCondition]] = {}
        for condition in sorted(self.conditions, key=lambda c: c.sequence):
            groups.setdefault(condition.code, []).append(condition)
        object.__setattr__(
            self, "condition_groups", tuple((code, tuple(g)) for code, g in groups.items())
        )

    @property
    def role(self) -> Role:
        return self.measure_type.role

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def all_zero(self) -> bool:
        return not self.conditions and all(c.amount == 0 for c in self.components)

    def evaluate_conditions(
        self, facts: ConditionFacts, to_national: ToNational
    ) -> ConditionOutcome:
        """Read each condition group in sequence; the first condition met decides.

        TARIC: conditions with the same code are alternatives tried in order; a measure with
        several condition codes needs every group to allow it. A met condition whose action
        is positive applies the measure, with the condition's own components when it has them.
        """
        components: tuple[DutyComponent, ...] | None = None
        for code, group in self.condition_groups:
            accepted = tuple(c.document for c in group if c.document and not c.action.negative)
            met = _first_met(group, facts, to_national)
            if met is None:
                continue
            if met.action.negative:
                reason = (
                    f"needs one of the documents {', '.join(accepted)}"
                    if accepted
                    else f"condition {code} not met"
                )
                return ConditionOutcome(False, None, reason, accepted)
            if met.components:
                components = met.components
        return ConditionOutcome(True, components if components is not None else self.components)


def _first_met(
    group: tuple[MeasureCondition, ...], facts: ConditionFacts, to_national: ToNational
) -> MeasureCondition | None:
    for condition in group:
        if condition.document:
            if condition.document in facts.documents:
                return condition
            continue
        threshold = condition.threshold
        if threshold is None:
            return condition
        verdict = _threshold_met(condition.code, threshold, facts, to_national)
        if verdict is None:
            return None  # the figure the group compares is not declared: the group is silent
        if verdict:
            return condition
    return None


def _threshold_met(
    code: str, threshold: Threshold, facts: ConditionFacts, to_national: ToNational
) -> bool | None:
    if code in _RATIO:
        if facts.net_mass_kg is None or not facts.supplementary_quantity:
            return None
        figure = facts.net_mass_kg / facts.supplementary_quantity
        limit = threshold.amount
    elif threshold.currency is not None and threshold.unit is not None:
        # A price per unit (entry price): compare the customs value with the threshold price
        # for the declared quantity, both in national currency.
        quantity = facts.quantities.require(threshold.unit)
        figure = facts.customs_value
        limit = to_national(threshold.amount * quantity, threshold.currency)
    elif threshold.unit is not None:
        declared = facts.quantities.get(threshold.unit)
        if declared is None:
            return None
        figure, limit = declared, threshold.amount
    elif threshold.currency is not None:
        figure, limit = facts.customs_value, to_national(threshold.amount, threshold.currency)
    else:
        return None
    if code in _AT_MOST:
        return figure <= limit
    return figure >= limit


@dataclass(frozen=True, slots=True)
class QuotaBalance:
    """A tariff quota's remaining volume, as at the assessment date."""

    order_number: str
    balance: Decimal
    unit: Unit | None
    valid_from: date
    valid_to: date | None = None
    initial_volume: Decimal | None = None
