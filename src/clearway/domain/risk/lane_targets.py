"""The rates each inspection lane should reach: the expected share of declarations, the part of
it drawn purely at random, and the lower rates granted to authorised economic operators.

Basis: ASYCUDA World selectivity module (per-lane random percentage and "compulsory percentage"
the top-up fills to); WCO Risk Management Compendium (random selection as a control on the
targeting); WCO SAFE Framework of Standards, AEO benefits (fewer examinations than other
traders). Green has no target: it is whatever the other lanes leave.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from clearway.domain.risk.lane import SEVERITY, Lane

# Rates like 0.3 + 0.6 + 0.1 add up to a hair over 1 in binary floating point.
_SUM_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True, init=False)
class LaneTarget:
    """One lane's rates, each a share of all declarations (0.05 is 5%).

    ``random_rate`` is the minimum share selected purely at random; the AEO rates default to the
    ordinary ones and may not exceed them.
    """

    lane: Lane
    expected_rate: float
    random_rate: float
    aeo_expected_rate: float
    aeo_random_rate: float

    def __init__(
        self,
        lane: Lane,
        expected_rate: float,
        random_rate: float,
        aeo_expected_rate: float | None = None,
        aeo_random_rate: float | None = None,
    ) -> None:
        # A frozen dataclass with its own __init__, so the AEO rates read as plain floats.
        object.__setattr__(self, "lane", lane)
        object.__setattr__(self, "expected_rate", expected_rate)
        object.__setattr__(self, "random_rate", random_rate)
        aeo_expected = expected_rate if aeo_expected_rate is None else aeo_expected_rate
        aeo_random = random_rate if aeo_random_rate is None else aeo_random_rate
        object.__setattr__(self, "aeo_expected_rate", aeo_expected)
        object.__setattr__(self, "aeo_random_rate", aeo_random)
        self._check()

    def _check(self) -> None:
        if self.lane is Lane.GREEN:
            raise ValueError("the green lane takes no target: it is what the other lanes leave")
        rates = {
            "expected_rate": self.expected_rate,
            "random_rate": self.random_rate,
            "aeo_expected_rate": self.aeo_expected_rate,
            "aeo_random_rate": self.aeo_random_rate,
        }
        for name, rate in rates.items():
            if not 0.0 <= rate <= 1.0:  # also refuses NaN
                raise ValueError(f"{self.lane} lane: {name} {rate} is not a share in [0, 1]")
        pairs = (
            ("random_rate", "expected_rate"),
            ("aeo_random_rate", "aeo_expected_rate"),
            ("aeo_expected_rate", "expected_rate"),
            ("aeo_random_rate", "random_rate"),
        )
        for smaller, larger in pairs:
            if rates[smaller] > rates[larger]:
                raise ValueError(
                    f"{self.lane} lane: {smaller} {rates[smaller]} exceeds {larger} {rates[larger]}"
                )

    def expected_for(self, *, aeo: bool) -> float:
        return self.aeo_expected_rate if aeo else self.expected_rate

    def random_for(self, *, aeo: bool) -> float:
        return self.aeo_random_rate if aeo else self.random_rate


@dataclass(frozen=True, slots=True)
class LaneTargets:
    """The targets of the red, yellow and blue lanes; green is the remainder."""

    red: LaneTarget
    yellow: LaneTarget
    blue: LaneTarget

    def __post_init__(self) -> None:
        named = {Lane.RED: self.red, Lane.YELLOW: self.yellow, Lane.BLUE: self.blue}
        for lane, target in named.items():
            if target.lane is not lane:
                raise ValueError(f"the {lane} target is given for the {target.lane} lane")
        total = math.fsum(target.expected_rate for target in self.in_severity_order)
        if total > 1.0 + _SUM_TOLERANCE:
            raise ValueError(
                f"the expected rates of the red, yellow and blue lanes sum to {total:.1%}, "
                "more than all declarations"
            )

    @classmethod
    def validated(cls, targets: Iterable[LaneTarget]) -> LaneTargets:
        """Build from one target per non-green lane, in any order."""
        by_lane: dict[Lane, LaneTarget] = {}
        for target in targets:
            if target.lane in by_lane:
                raise ValueError(f"the {target.lane} lane has more than one target")
            by_lane[target.lane] = target
        missing = [lane for lane in (Lane.RED, Lane.YELLOW, Lane.BLUE) if lane not in by_lane]
        if missing:
            raise ValueError(f"no target for the {', '.join(missing)} lane(s)")
        return cls(red=by_lane[Lane.RED], yellow=by_lane[Lane.YELLOW], blue=by_lane[Lane.BLUE])

    @property
    def in_severity_order(self) -> tuple[LaneTarget, ...]:
        """Red, yellow, blue: the order random slices and top-up bands are taken in."""
        return tuple(self.for_lane(lane) for lane in SEVERITY if lane is not Lane.GREEN)

    def for_lane(self, lane: Lane) -> LaneTarget:
        if lane is Lane.GREEN:
            raise ValueError("the green lane takes no target: it is what the other lanes leave")
        return {Lane.RED: self.red, Lane.YELLOW: self.yellow, Lane.BLUE: self.blue}[lane]
