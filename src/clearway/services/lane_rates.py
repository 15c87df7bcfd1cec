"""The lane rates reached: the share of recent lane decisions that went to each lane, and the
share drawn at random, for ordinary traders and for authorised economic operators apart.

These are the decisions the lane selector's shared window holds (``LANE_WINDOW``, the newest
2,000), the same ones its top-up measures its deficits over, so an analyst compares the lane
targets with what the selector itself sees (ASYCUDA World selectivity: the "compulsory
percentage" is reached over the recent flow, not over all time).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from clearway.domain.risk.lane import SEVERITY, Lane
from clearway.domain.risk.lanes import LaneBasis, LaneOutcome
from clearway.services.risk_ports import AbstractLaneWindowStore
from clearway.services.risk_stage import LANE_WINDOW


@dataclass(frozen=True, slots=True)
class LaneShares:
    """Counts of one population's decisions: all of them, per lane, and per lane at random."""

    decisions: int = 0
    by_lane: Counter[Lane] = field(default_factory=Counter)
    random_by_lane: Counter[Lane] = field(default_factory=Counter)

    def rate(self, lane: Lane) -> float | None:
        """The share of decisions in ``lane``; None with no decision to measure."""
        return self.by_lane[lane] / self.decisions if self.decisions else None

    def random_rate(self, lane: Lane) -> float | None:
        """The share of decisions drawn for ``lane`` by random control sampling."""
        return self.random_by_lane[lane] / self.decisions if self.decisions else None


@dataclass(frozen=True, slots=True)
class RatesReached:
    """The window's decisions, ordinary traders' and authorised economic operators' apart."""

    ordinary: LaneShares
    aeo: LaneShares

    @property
    def decisions(self) -> int:
        return self.ordinary.decisions + self.aeo.decisions

    @property
    def lanes(self) -> tuple[Lane, ...]:
        return SEVERITY


def shares_of(outcomes: Iterable[LaneOutcome]) -> RatesReached:
    """Count ``outcomes`` by population, lane and (for random control) basis."""
    counts = {False: Counter[Lane](), True: Counter[Lane]()}
    random = {False: Counter[Lane](), True: Counter[Lane]()}
    totals = {False: 0, True: 0}
    for outcome in outcomes:
        totals[outcome.aeo] += 1
        counts[outcome.aeo][outcome.lane] += 1
        if outcome.basis is LaneBasis.RANDOM:
            random[outcome.aeo][outcome.lane] += 1
    return RatesReached(
        LaneShares(totals[False], counts[False], random[False]),
        LaneShares(totals[True], counts[True], random[True]),
    )


def rates_reached(window: AbstractLaneWindowStore, size: int = LANE_WINDOW) -> RatesReached:
    """The shares over the newest ``size`` lane decisions every worker stored."""
    return shares_of(outcome for _, _, outcome in window.since(0, size))
