"""Selectivity criteria as the administration keeps them: versioned rules with an owner, a
reason and validity dates, the named lists they refer to, and value-control bands.

A ``Selectivity`` is a snapshot of everything in force, read once and applied to many
declarations; ``hits`` says which rules a declaration meets and the lane each one asks for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from clearway.domain.risk.lane import Lane, most_severe
from clearway.domain.risk.lane_targets import LaneTarget, LaneTargets
from clearway.domain.risk.rule_fields import Facts
from clearway.domain.risk.rule_language import ParsedRule, evaluate, parse_rule

# The list whose codes (EORIs) are authorised economic operators.
AEO_LIST = "aeo"
# Unit of a value-control band per kilogram of net mass.
PER_KILOGRAM = "KGM"


@dataclass(frozen=True, slots=True)
class SelectivityRule:
    """One version of a criterion: ``expression`` is ``condition -> lane`` in the rule language."""

    rule_id: str
    version: int
    expression: str
    owner: str
    reason: str
    valid_from: date
    valid_to: date | None = None
    applies_to_aeo: bool = True
    parsed: ParsedRule = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parsed", parse_rule(self.expression))

    @property
    def lane(self) -> Lane:
        return self.parsed.lane

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True, slots=True)
class ValueBand:
    """Usual customs value per unit for commodities under a code prefix (value control)."""

    commodity_prefix: str
    unit: str
    min_unit_value: Decimal | None
    max_unit_value: Decimal | None


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule_id: str
    version: int
    lane: Lane
    reason: str
    items: tuple[int, ...]

    def document(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "version": self.version,
            "lane": self.lane.value,
            "reason": self.reason,
            "items": list(self.items),
        }


DEFAULT_TARGETS = LaneTargets.validated(
    (
        LaneTarget(Lane.RED, 0.03, 0.005, 0.015, 0.0025),
        LaneTarget(Lane.YELLOW, 0.07, 0.01, 0.035, 0.005),
        LaneTarget(Lane.BLUE, 0.05, 0.01, 0.025, 0.005),
    )
)
"""Rates until an analyst sets them: about 85% green, within what the WCO reports as usual."""


@dataclass(frozen=True, slots=True)
class Selectivity:
    """Everything the criteria stage applies: rules, lists, value bands and lane targets."""

    rules: tuple[SelectivityRule, ...] = ()
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    bands: tuple[ValueBand, ...] = ()
    targets: LaneTargets = DEFAULT_TARGETS

    def is_aeo(self, *identifiers: str | None) -> bool:
        operators = self.lists.get(AEO_LIST, frozenset())
        return any(identifier in operators for identifier in identifiers if identifier)

    def band(self, commodity: str, units: Sequence[str]) -> ValueBand | None:
        """The band of the longest prefix of ``commodity`` in one of ``units``."""
        best: ValueBand | None = None
        for band in self.bands:
            if (
                band.unit in units
                and commodity.startswith(band.commodity_prefix)
                and (best is None or len(band.commodity_prefix) > len(best.commodity_prefix))
            ):
                best = band
        return best

    def hits(
        self, declaration: Facts, items: Sequence[Facts], *, on: date, aeo: bool
    ) -> list[RuleHit]:
        """The rules in force on ``on`` that the declaration meets (AEO-exempt ones skipped)."""
        found = []
        for rule in self.rules:
            if not rule.in_force(on) or (aeo and not rule.applies_to_aeo):
                continue
            outcome = evaluate(rule.parsed, declaration, items, self.lists)
            if outcome.matched:
                found.append(
                    RuleHit(
                        rule.rule_id, rule.version, rule.lane, rule.reason, outcome.matched_items
                    )
                )
        return found


def criteria_lane(hits: Sequence[RuleHit]) -> Lane | None:
    """The most severe lane any criterion asks for, or None when no criterion was met."""
    return most_severe(hit.lane for hit in hits) if hits else None
