"""Lane selection: criteria first, then random control, then the top-up to each lane's rate."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from statistics import mean

import pytest

from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lanes import (
    LaneBasis,
    LaneDecision,
    LaneOutcome,
    LaneSelector,
    LaneTarget,
    LaneTargets,
)

# Red 5% (1% random), yellow 10% (2% random), blue 5% (1% random); AEO rates halved.
TARGETS = LaneTargets.validated(
    [
        LaneTarget(Lane.YELLOW, 0.10, 0.02, aeo_expected_rate=0.05, aeo_random_rate=0.01),
        LaneTarget(Lane.RED, 0.05, 0.01, aeo_expected_rate=0.025, aeo_random_rate=0.005),
        LaneTarget(Lane.BLUE, 0.05, 0.01, aeo_expected_rate=0.025, aeo_random_rate=0.005),
    ]
)
CHECKED = (Lane.RED, Lane.YELLOW, Lane.BLUE)


@dataclass(frozen=True)
class Arrival:
    criteria_lane: Lane | None
    score: float
    aeo: bool
    draw: float


def traffic(
    count: int,
    *,
    seed: int = 7,
    score: Callable[[random.Random], float] | None = None,
    criteria_red: float = 0.03,
) -> list[Arrival]:
    rng = random.Random(seed)
    arrivals = []
    for _ in range(count):
        risk = rng.betavariate(2, 5) if score is None else score(rng)
        criteria = Lane.RED if rng.random() < criteria_red else None
        arrivals.append(Arrival(criteria, risk, rng.random() < 0.10, rng.random()))
    return arrivals


def run(selector: LaneSelector, arrivals: list[Arrival]) -> list[LaneDecision]:
    return [
        selector.decide(criteria_lane=a.criteria_lane, score=a.score, aeo=a.aeo, draw=a.draw)
        for a in arrivals
    ]


def share(pairs: list[tuple[Arrival, LaneDecision]], lane: Lane, *, aeo: bool) -> float:
    """The share of AEO (or of ordinary) declarations that ended in ``lane``."""
    chosen = [decision for arrival, decision in pairs if arrival.aeo is aeo]
    return sum(decision.lane is lane for decision in chosen) / len(chosen)


@pytest.fixture(scope="module")
def flow() -> list[tuple[Arrival, LaneDecision]]:
    """20,000 declarations, 3% hit a red criterion, 10% AEO; the last 15,000 are measured."""
    arrivals = traffic(20_000)
    decisions = run(LaneSelector(TARGETS), arrivals)
    return list(zip(arrivals, decisions, strict=True))[5_000:]


def test_ordinary_declarations_reach_each_lane_rate(
    flow: list[tuple[Arrival, LaneDecision]],
) -> None:
    measured = {lane: share(flow, lane, aeo=False) for lane in CHECKED}
    assert measured[Lane.RED] == pytest.approx(0.05, abs=0.005)
    assert measured[Lane.YELLOW] == pytest.approx(0.10, abs=0.005)
    assert measured[Lane.BLUE] == pytest.approx(0.05, abs=0.005)


def test_aeo_declarations_get_the_lower_rates(flow: list[tuple[Arrival, LaneDecision]]) -> None:
    aeo = {lane: share(flow, lane, aeo=True) for lane in CHECKED}
    ordinary = {lane: share(flow, lane, aeo=False) for lane in CHECKED}
    assert all(aeo[lane] < ordinary[lane] for lane in CHECKED)
    assert aeo[Lane.YELLOW] == pytest.approx(0.05, abs=0.01)
    assert aeo[Lane.BLUE] == pytest.approx(0.025, abs=0.01)
    # The 3% red criteria hits alone exceed the AEO red rate of 2.5%: the top-up never takes
    # selections away, so AEO red is the criteria share plus 0.5% random, topped up only in the
    # odd window where criteria hits ran short.
    assert aeo[Lane.RED] == pytest.approx(0.03 + 0.97 * 0.005, abs=0.01)
    aeo_count = sum(a.aeo for a, _ in flow)
    red_top_ups = sum(a.aeo and (d.lane, d.basis) == (Lane.RED, LaneBasis.TOP_UP) for a, d in flow)
    assert red_top_ups / aeo_count < 0.002


def test_top_ups_take_the_highest_scores(flow: list[tuple[Arrival, LaneDecision]]) -> None:
    def mean_score(lane: Lane, basis: LaneBasis) -> float:
        return mean(a.score for a, d in flow if d.lane is lane and d.basis is basis)

    green = mean_score(Lane.GREEN, LaneBasis.DEFAULT)
    red, yellow, blue = (mean_score(lane, LaneBasis.TOP_UP) for lane in CHECKED)
    assert red > yellow > blue > green
    # Beta(2, 5) has mean 2/7; with the top fifth of scores gone the green remainder is lower.
    assert green < 2 / 7 < blue
    assert red > 0.65


def test_random_control_reaches_its_rate_when_every_score_is_zero() -> None:
    arrivals = traffic(20_000, score=lambda rng: 0.0, criteria_red=0.0)
    pairs = list(zip(arrivals, run(LaneSelector(TARGETS), arrivals), strict=True))
    sampled = [(a, d) for a, d in pairs if d.basis is LaneBasis.RANDOM]
    ordinary = [a for a in arrivals if not a.aeo]
    aeo = [a for a in arrivals if a.aeo]
    for lane, rate in ((Lane.RED, 0.01), (Lane.YELLOW, 0.02), (Lane.BLUE, 0.01)):
        hits = [a for a, d in sampled if d.lane is lane]
        assert sum(not a.aeo for a in hits) / len(ordinary) == pytest.approx(rate, abs=0.002)
        assert sum(a.aeo for a in hits) / len(aeo) == pytest.approx(rate / 2, abs=0.003)
        assert any(a.aeo for a in hits)
    # Equal scores leave the top-up nothing to rank by: the draw breaks the ties, so each lane
    # still reaches its expected rate rather than taking all or none of the flow.
    assert share(pairs, Lane.RED, aeo=False) == pytest.approx(0.05, abs=0.005)
    assert share(pairs, Lane.YELLOW, aeo=False) == pytest.approx(0.10, abs=0.005)


def ranked_window() -> list[LaneOutcome]:
    """100 unselected declarations scored 0.00 to 0.99: the bands are exactly 5, 10, 5 wide."""
    return [LaneOutcome(i / 100, Lane.GREEN, LaneBasis.DEFAULT, aeo=False) for i in range(100)]


def test_criteria_win_outright() -> None:
    selector = LaneSelector(TARGETS, recent=ranked_window())
    red = selector.decide(criteria_lane=Lane.RED, score=0.0, aeo=False, draw=0.999)
    assert (red.lane, red.basis) == (Lane.RED, LaneBasis.CRITERIA)
    # A draw of 0.0 is a random red sample and 0.99 the top score, yet criteria GREEN holds.
    green = selector.decide(criteria_lane=Lane.GREEN, score=0.99, aeo=True, draw=0.0)
    assert (green.lane, green.basis) == (Lane.GREEN, LaneBasis.CRITERIA)
    yellow = selector.decide(criteria_lane=Lane.YELLOW, score=0.99, aeo=False, draw=0.0)
    assert (yellow.lane, yellow.basis) == (Lane.YELLOW, LaneBasis.CRITERIA)
    assert red.explanation == (
        "selectivity criteria sent the declaration to the red lane (physical inspection)"
    )


def test_random_slices_follow_severity_order() -> None:
    selector = LaneSelector(TARGETS)
    lanes = [
        selector.decide(criteria_lane=None, score=0.5, aeo=False, draw=draw).lane
        for draw in (0.0, 0.0099, 0.01, 0.0299, 0.03, 0.0399, 0.04)
    ]
    assert lanes == [Lane.RED, Lane.RED, Lane.YELLOW, Lane.YELLOW, Lane.BLUE, Lane.BLUE, Lane.GREEN]
    aeo = selector.decide(criteria_lane=None, score=0.5, aeo=True, draw=0.006)
    assert aeo.lane is Lane.YELLOW  # the AEO red slice is only [0, 0.005)


def test_explanations_name_lane_basis_and_percentage() -> None:
    selector = LaneSelector(TARGETS, recent=ranked_window())
    sample = selector.decide(criteria_lane=None, score=0.1, aeo=False, draw=0.005)
    assert sample.explanation == "random control sample for the red lane (1.0% of declarations)"
    sample = selector.decide(criteria_lane=None, score=0.1, aeo=True, draw=0.004)
    assert sample.explanation == (
        "random control sample for the red lane (0.5% of declarations by authorised economic "
        "operators)"
    )


def test_top_up_bands_on_a_known_ranking() -> None:
    def decide(score: float, aeo: bool = False) -> LaneDecision:
        # A fresh selector per call, so each decision sees exactly the ranked window.
        selector = LaneSelector(TARGETS, recent=ranked_window())
        return selector.decide(criteria_lane=None, score=score, aeo=aeo, draw=0.5)

    red = decide(0.97)
    assert (red.lane, red.basis) == (Lane.RED, LaneBasis.TOP_UP)
    assert red.explanation == (
        "top-up to the red lane's expected rate of 5.0%: risk score 0.97 is in the top 3.0% "
        "of recent declarations not otherwise selected"
    )
    assert decide(0.90).lane is Lane.YELLOW  # 10th from the top: the 5-15 band
    assert decide(0.82).lane is Lane.BLUE  # 18th: the 15-20 band
    green = decide(0.70)
    assert (green.lane, green.basis) == (Lane.GREEN, LaneBasis.DEFAULT)
    assert "top 30.0%" in green.explanation and "(the top 20.0%)" in green.explanation
    # AEO bands are half as wide: red takes the top 2.5, yellow 2.5-7.5, blue 7.5-10.
    assert decide(0.98, aeo=True).lane is Lane.RED
    aeo = decide(0.96, aeo=True)
    assert (aeo.lane, aeo.basis) == (Lane.YELLOW, LaneBasis.TOP_UP)
    assert "expected rate of 5.0% for authorised economic operators" in aeo.explanation
    assert decide(0.90, aeo=True).lane is Lane.BLUE
    assert decide(0.85, aeo=True).lane is Lane.GREEN


def test_no_top_up_during_warm_up() -> None:
    selector = LaneSelector(TARGETS, recent=ranked_window()[:49])
    early = selector.decide(criteria_lane=None, score=0.99, aeo=False, draw=0.5)
    assert (early.lane, early.basis) == (Lane.GREEN, LaneBasis.DEFAULT)
    assert "top-up starts once 50 decisions are on record (49 so far)" in early.explanation
    # That decision was the 50th: the next top score is topped up.
    later = selector.decide(criteria_lane=None, score=0.99, aeo=False, draw=0.5)
    assert (later.lane, later.basis) == (Lane.RED, LaneBasis.TOP_UP)


def test_warm_start_continues_like_the_original() -> None:
    arrivals = traffic(3_500, seed=11)
    original = LaneSelector(TARGETS)
    decisions = run(original, arrivals[:3_000])
    stored = [
        LaneOutcome(a.score, d.lane, d.basis, a.aeo)
        for a, d in zip(arrivals[:3_000], decisions, strict=True)
    ]
    restarted = LaneSelector(TARGETS)
    restarted.warm(stored[-2_000:])
    assert restarted.recent() == original.recent()
    following = arrivals[3_000:]
    continued = run(original, following)
    assert run(restarted, following) == continued
    assert sum(d.basis is LaneBasis.TOP_UP for d in continued) > 40
    # A cold start decides differently on the same arrivals: no top-up for its first 49.
    assert run(LaneSelector(TARGETS), following) != continued


def test_window_keeps_only_the_latest_decisions() -> None:
    selector = LaneSelector(TARGETS, window=100, recent=ranked_window())
    run(selector, traffic(30))
    assert len(selector.recent()) == 100
    assert selector.recent()[0].score == 0.30


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expected_rate": 0.05, "random_rate": 0.06}, "random_rate 0.06 exceeds expected_rate"),
        (
            {"expected_rate": 1.2, "random_rate": 0.01},
            r"expected_rate 1.2 is not a share in \[0, 1\]",
        ),
        ({"expected_rate": 0.05, "random_rate": -0.01}, "random_rate -0.01 is not a share"),
        ({"expected_rate": float("nan"), "random_rate": 0.0}, "expected_rate nan is not a share"),
        (
            {"expected_rate": 0.05, "random_rate": 0.01, "aeo_expected_rate": 0.08},
            "aeo_expected_rate 0.08 exceeds expected_rate 0.05",
        ),
        (
            {
                "expected_rate": 0.05,
                "random_rate": 0.01,
                "aeo_expected_rate": 0.02,
                "aeo_random_rate": 0.03,
            },
            "aeo_random_rate 0.03 exceeds aeo_expected_rate 0.02",
        ),
    ],
)
def test_bad_lane_targets_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LaneTarget(Lane.RED, **kwargs)


def test_aeo_rates_default_to_the_ordinary_ones() -> None:
    target = LaneTarget(Lane.BLUE, 0.05, 0.01)
    assert (target.aeo_expected_rate, target.aeo_random_rate) == (0.05, 0.01)


def test_bad_target_sets_are_refused() -> None:
    with pytest.raises(ValueError, match=r"sum to 110\.0%"):
        LaneTargets.validated(
            [
                LaneTarget(Lane.RED, 0.5, 0.0),
                LaneTarget(Lane.YELLOW, 0.4, 0.0),
                LaneTarget(Lane.BLUE, 0.2, 0.0),
            ]
        )
    with pytest.raises(ValueError, match="no target for the blue lane"):
        LaneTargets.validated([TARGETS.red, TARGETS.yellow])
    with pytest.raises(ValueError, match="red lane has more than one target"):
        LaneTargets.validated([TARGETS.red, TARGETS.red, TARGETS.yellow, TARGETS.blue])
    with pytest.raises(ValueError, match="green lane takes no target"):
        LaneTarget(Lane.GREEN, 0.8, 0.0)
    # Rates summing to exactly all declarations are allowed despite float rounding.
    LaneTargets.validated(
        [
            LaneTarget(Lane.RED, 0.3, 0.0),
            LaneTarget(Lane.YELLOW, 0.6, 0.0),
            LaneTarget(Lane.BLUE, 0.1, 0.0),
        ]
    )


def test_bad_draws_and_scores_are_refused() -> None:
    selector = LaneSelector(TARGETS)
    with pytest.raises(ValueError, match="draw must be uniform"):
        selector.decide(criteria_lane=None, score=0.5, aeo=False, draw=1.0)
    with pytest.raises(ValueError, match="finite"):
        selector.decide(criteria_lane=None, score=float("nan"), aeo=False, draw=0.5)
    assert selector.recent() == ()


def test_with_no_model_the_top_up_draws_and_no_explanation_speaks_of_a_score() -> None:
    unscored = [LaneOutcome(0.0, Lane.GREEN, LaneBasis.DEFAULT, aeo=False) for _ in range(100)]
    selector = LaneSelector(TARGETS, recent=unscored)
    decisions = [
        selector.decide(criteria_lane=None, score=None, aeo=False, draw=0.04 + i / 1000)
        for i in range(900)
    ]
    topped = [d for d in decisions if d.basis is LaneBasis.TOP_UP]
    released = [d for d in decisions if d.basis is LaneBasis.DEFAULT]
    assert topped and released  # the lanes still fill to their expected rates, by the draw
    for decision in topped + released:
        assert "score" not in decision.explanation
        assert "no risk model" in decision.explanation
