"""Lane selection: the targets each lane should reach and the streaming selector that gives every
accepted declaration its lane, with the reason an officer reads.

The order is ASYCUDA World's selectivity module: (1) selectivity criteria, (2) random control
sampling, (3) the "compulsory percentage" top-up, which fills each lane up to its expected rate
with the highest-risk declarations that would otherwise be green. Random control and the lower
rates for authorised economic operators follow the WCO Risk Management Compendium (Vol. 1,
random selection as a control on the targeting; Vol. 2, AEO facilitation) and the WCO SAFE
Framework of Standards (AEO benefits: fewer physical and documentary examinations).
"""

from __future__ import annotations

import enum
import math
from bisect import bisect_left, bisect_right, insort
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from clearway.domain.risk.lane import SEVERITY, Lane
from clearway.domain.risk.lane_targets import LaneTarget, LaneTargets

__all__ = ["LaneBasis", "LaneDecision", "LaneOutcome", "LaneSelector", "LaneTarget", "LaneTargets"]

_WHAT_HAPPENS = {
    Lane.RED: "physical inspection",
    Lane.YELLOW: "documentary check",
    Lane.BLUE: "post-clearance audit",
    Lane.GREEN: "release",
}


class LaneBasis(enum.StrEnum):
    """Which step of the selection put the declaration in its lane."""

    REQUIREMENT = "requirement"  # a prohibition or restriction of the tariff is not met
    CRITERIA = "criteria"
    RANDOM = "random"
    TOP_UP = "top_up"
    DEFAULT = "default"  # nothing selected it: green
    KEPT = "kept"  # an amended version keeps the control an earlier version was selected for


@dataclass(frozen=True, slots=True)
class LaneDecision:
    """The lane given, the step that gave it and a plain-language reason for the officer."""

    lane: Lane
    basis: LaneBasis
    explanation: str


_NEVER_GREEN = frozenset(
    {LaneBasis.REQUIREMENT, LaneBasis.RANDOM, LaneBasis.TOP_UP, LaneBasis.KEPT}
)


@dataclass(frozen=True, slots=True)
class LaneOutcome:
    """One past decision as the selector remembers it; stored so a restart can reload them."""

    score: float
    lane: Lane
    basis: LaneBasis
    aeo: bool

    def __post_init__(self) -> None:
        if not math.isfinite(self.score):
            raise ValueError(f"risk score must be a finite number, not {self.score}")
        # Outcomes come back from storage on a restart: refuse combinations selection cannot make.
        if self.basis is LaneBasis.DEFAULT and self.lane is not Lane.GREEN:
            raise ValueError(f"a default outcome is green, not {self.lane}")
        if self.basis in _NEVER_GREEN and self.lane is Lane.GREEN:
            raise ValueError(f"a {self.basis} outcome cannot be green")

    @property
    def would_be_green(self) -> bool:
        """Passed criteria and random sampling unselected: the pool the top-up ranks."""
        return self.basis in (LaneBasis.TOP_UP, LaneBasis.DEFAULT)


@dataclass(slots=True)
class _Tally:
    """Running counts over the window for one population (AEO or not)."""

    decisions: int = 0
    would_be_green: int = 0
    selected: Counter[Lane] = field(default_factory=Counter)  # by criteria or random sampling

    def count(self, outcome: LaneOutcome, step: int) -> None:
        self.decisions += step
        if outcome.would_be_green:
            self.would_be_green += step
        elif outcome.lane is not Lane.GREEN:
            self.selected[outcome.lane] += step

    def __add__(self, other: _Tally) -> _Tally:
        return _Tally(
            self.decisions + other.decisions,
            self.would_be_green + other.would_be_green,
            self.selected + other.selected,
        )


class LaneSelector:
    """Gives lanes one declaration at a time, remembering the last ``window`` decisions.

    The top-up is feed-forward: a lane's deficit is its expected rate less the share criteria
    and random sampling already give it in the window, and that deficit, as a share of the
    would-be-green declarations, is taken from the top of their score ranking (red the top band,
    then yellow, then blue). Counting earlier top-ups in the deficit instead would make a
    controller that settles halfway between the criteria-and-random share and the target.

    Counts are kept per population, so ordinary declarations reach ``expected_rate`` and AEO
    declarations ``aeo_expected_rate`` (a narrower band of the same ranking); while a population
    has fewer than ``warmup`` decisions in the window it borrows the counts of all declarations.
    The score ranking is shared: with AEO declarations a tenth of traffic, their own ranking
    would rest on too few scores to place a 2.5% band.

    Warm-up: until the window holds ``warmup`` decisions there is no top-up (criteria and
    random sampling still run), since a band cut from a few dozen scores would swing with each
    declaration. A restarted process should reload its stored outcomes with ``warm``.
    """

    def __init__(
        self,
        targets: LaneTargets,
        *,
        window: int = 2000,
        warmup: int = 50,
        recent: Iterable[LaneOutcome] = (),
    ) -> None:
        if window < 1:
            raise ValueError(f"the window must hold at least one decision, not {window}")
        if not 0 <= warmup <= window:
            raise ValueError(f"warm-up of {warmup} decisions must lie within the window {window}")
        self.targets = targets
        self._size = window
        self._warmup = warmup
        self._window: deque[LaneOutcome] = deque()
        self._tallies = {False: _Tally(), True: _Tally()}
        self._green_scores: list[float] = []  # sorted: quantiles by bisection
        self.warm(recent)

    def warm(self, recent: Iterable[LaneOutcome]) -> None:
        """Replay stored outcomes, oldest first, as though they had just been decided."""
        for outcome in recent:
            self._record(outcome)

    def recent(self) -> tuple[LaneOutcome, ...]:
        """The window, oldest first: what to store for ``warm`` after a restart."""
        return tuple(self._window)

    def decide(
        self,
        *,
        criteria_lane: Lane | None,
        score: float | None,
        aeo: bool,
        draw: float,
        required_lane: Lane | None = None,
        remember: bool = True,
    ) -> LaneDecision:
        """Give the next declaration its lane and (with ``remember``) count the decision.

        ``criteria_lane`` is the most severe lane among the selectivity criteria that hit (GREEN
        forces release, e.g. an AEO simplification), or None when none hit; ``required_lane``
        the check that unmet prohibitions and restrictions call for, which no criterion can
        lighten; ``score`` the model's, None with no model in force (the top-up then takes
        declarations by the draw alone, and says so); ``draw`` is a uniform number in [0, 1)
        from the caller, so the domain holds no hidden randomness. A decision taken again for an
        amended version is not counted: the window measures declarations, not versions.
        """
        if not 0.0 <= draw < 1.0:
            raise ValueError(f"draw must be uniform in [0, 1), not {draw}")
        if required_lane is Lane.GREEN:
            raise ValueError("an unmet requirement calls for a check, not the green lane")
        decision = self._choose(criteria_lane, required_lane, score, aeo, draw)
        if remember:
            self._record(LaneOutcome(score or 0.0, decision.lane, decision.basis, aeo))
        return decision

    def _choose(
        self,
        criteria_lane: Lane | None,
        required_lane: Lane | None,
        score: float | None,
        aeo: bool,
        draw: float,
    ) -> LaneDecision:
        if required_lane is not None and (
            criteria_lane is None or SEVERITY.index(required_lane) <= SEVERITY.index(criteria_lane)
        ):
            return LaneDecision(
                required_lane,
                LaneBasis.REQUIREMENT,
                f"prohibitions and restrictions of the tariff are not met: {required_lane} lane "
                f"({_WHAT_HAPPENS[required_lane]})",
            )
        if criteria_lane is not None:
            return LaneDecision(criteria_lane, LaneBasis.CRITERIA, _criteria_reason(criteria_lane))
        sampled = 0.0
        for target in self.targets.in_severity_order:
            rate = target.random_for(aeo=aeo)
            if sampled <= draw < sampled + rate:
                who = " by authorised economic operators" if aeo else ""
                return LaneDecision(
                    target.lane,
                    LaneBasis.RANDOM,
                    f"random control sample for the {target.lane} lane "
                    f"({rate:.1%} of declarations{who})",
                )
            sampled += rate
        # Unselected, the draw is uniform on [sampled, 1): rescaled, it breaks score ties.
        tie_break = (draw - sampled) / (1.0 - sampled)
        return self._top_up(score, aeo, tie_break)

    def _top_up(self, score: float | None, aeo: bool, tie_break: float) -> LaneDecision:
        unselected = "no selectivity criterion hit and not drawn for random control"
        if len(self._window) < self._warmup or not self._green_scores:
            return LaneDecision(
                Lane.GREEN,
                LaneBasis.DEFAULT,
                f"green lane ({_WHAT_HAPPENS[Lane.GREEN]}): {unselected}; the top-up starts "
                f"once {self._warmup} decisions are on record ({len(self._window)} so far)",
            )
        tally = self._tallies[aeo]
        if tally.decisions < self._warmup:
            tally = self._tallies[False] + self._tallies[True]
        scores = self._green_scores
        pool = len(scores)
        ranked = score or 0.0
        above = pool - bisect_right(scores, ranked)
        ties = bisect_right(scores, ranked) - bisect_left(scores, ranked)
        # Equal scores share a rank range; the draw places this declaration within it, so a
        # flow of identical scores still fills each band to its share instead of all or none.
        position = above + tie_break * ties
        top = min(pool, int(position) + 1) / pool
        band_end = 0.0
        for target in self.targets.in_severity_order:
            band_end += _needed_share(target, tally, aeo)
            if position < band_end * pool:
                expected = target.expected_for(aeo=aeo)
                who = " for authorised economic operators" if aeo else ""
                why = (
                    f"risk score {score:.2f} is in the top {top:.1%} of recent declarations "
                    "not otherwise selected"
                    if score is not None
                    else "drawn among the declarations not otherwise selected (no risk model "
                    "is in force to rank them)"
                )
                return LaneDecision(
                    target.lane,
                    LaneBasis.TOP_UP,
                    f"top-up to the {target.lane} lane's expected rate of {expected:.1%}{who}: "
                    f"{why}",
                )
        if score is None:
            return LaneDecision(
                Lane.GREEN,
                LaneBasis.DEFAULT,
                f"green lane ({_WHAT_HAPPENS[Lane.GREEN]}): {unselected}, nor drawn for the "
                "top-up (no risk model is in force to rank declarations)",
            )
        return LaneDecision(
            Lane.GREEN,
            LaneBasis.DEFAULT,
            f"green lane ({_WHAT_HAPPENS[Lane.GREEN]}): {unselected}; risk score {score:.2f} "
            f"is in the top {top:.1%} of recent declarations, outside the top-up bands "
            f"(the top {min(band_end, 1.0):.1%})",
        )

    def _record(self, outcome: LaneOutcome) -> None:
        if len(self._window) == self._size:
            self._forget(self._window.popleft())
        self._window.append(outcome)
        self._tallies[outcome.aeo].count(outcome, +1)
        if outcome.would_be_green:
            insort(self._green_scores, outcome.score)

    def _forget(self, outcome: LaneOutcome) -> None:
        self._tallies[outcome.aeo].count(outcome, -1)
        if outcome.would_be_green:
            del self._green_scores[bisect_left(self._green_scores, outcome.score)]


def _needed_share(target: LaneTarget, tally: _Tally, aeo: bool) -> float:
    """The share of would-be-green declarations the lane must take to reach its rate."""
    if tally.decisions == 0 or tally.would_be_green == 0:
        return 0.0
    deficit = target.expected_for(aeo=aeo) - tally.selected[target.lane] / tally.decisions
    return min(1.0, max(0.0, deficit / (tally.would_be_green / tally.decisions)))


def _criteria_reason(lane: Lane) -> str:
    if lane is Lane.GREEN:
        return (
            "selectivity criteria released the declaration to the green lane "
            f"({_WHAT_HAPPENS[lane]}); random control and top-up do not apply"
        )
    return f"selectivity criteria sent the declaration to the {lane} lane ({_WHAT_HAPPENS[lane]})"
