"""The risk model's features leak nothing: a declaration's features are built from earlier days'
declarations and findings only, never from its own label or a later one.

The leakage checks run on the first 1,200 declarations of the KCS training split (2020-01-01
to 2020-01-08, see /work/shared/data/README.md); the arithmetic is checked on a six-line
history made by hand.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import date
from itertools import islice

import pytest

from clearway.adapters.history_files import (
    LabelledHistory,
    read_history,
    read_mapping,
    shipped_mapping,
)
from clearway.domain.risk.history import History, replay
from clearway.domain.risk.history_keys import feature_names
from clearway.domain.risk.observation import Observation
from tests.conftest import ROOT

KCS_TRAIN = ROOT.parent / "shared" / "data" / "kcs-customs-declarations" / "df_syn_train_eng.csv"
NAMES = feature_names()


def column(name: str) -> int:
    return NAMES.index(name)


def same(left: Sequence[float], right: Sequence[float]) -> bool:
    """Equal rows, NaN equal to NaN."""
    return len(left) == len(right) and all(
        a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(left, right, strict=True)
    )


@pytest.fixture(scope="module")
def kcs(tmp_path_factory: pytest.TempPathFactory) -> LabelledHistory:
    path = tmp_path_factory.mktemp("kcs") / "slice.csv"
    with KCS_TRAIN.open(encoding="utf-8") as source:
        path.write_text("".join(islice(source, 1201)), encoding="utf-8")
    return read_history(path, read_mapping(shipped_mapping("kcs")))


def flipped(history: LabelledHistory, references: set[str]) -> dict[str, bool]:
    return {
        reference: (not fraud if reference in references else fraud)
        for reference, fraud in history.outcomes.items()
    }


def test_flipping_a_label_and_every_later_one_changes_no_row_up_to_its_day(
    kcs: LabelledHistory,
) -> None:
    rows, _ = replay(kcs.observations, kcs.outcomes)
    k = 600
    day = kcs.observations[k].day
    later = {observation.reference for observation in kcs.observations[k:]}
    changed, _ = replay(kcs.observations, flipped(kcs, later))
    for index, observation in enumerate(kcs.observations):
        if observation.day <= day:
            assert same(rows[index], changed[index]), (index, observation.reference)
    # The flipped findings do reach the following days (the check above can fail).
    after = [i for i, observation in enumerate(kcs.observations) if observation.day > day]
    assert after
    assert sum(not same(rows[i], changed[i]) for i in after) > len(after) // 2


@pytest.mark.parametrize("k", [0, 150, 420, 777, 1000])
def test_a_later_label_never_changes_an_earlier_row(kcs: LabelledHistory, k: int) -> None:
    rows, _ = replay(kcs.observations, kcs.outcomes)
    target = kcs.observations[k]
    changed, _ = replay(kcs.observations, flipped(kcs, {target.reference}))
    for index, observation in enumerate(kcs.observations):
        if observation.day <= target.day:
            assert same(rows[index], changed[index]), (index, observation.reference)
    # The same importer's next declaration on a later day sees the flipped finding.
    importer = target.code("importer")
    following = [
        index
        for index, observation in enumerate(kcs.observations)
        if observation.day > target.day and observation.code("importer") == importer
    ]
    if following:
        fraud = column("importer.fraud")
        assert abs(rows[following[0]][fraud] - changed[following[0]][fraud]) == 1


def test_declarations_of_the_same_day_do_not_see_each_others_labels(
    kcs: LabelledHistory,
) -> None:
    rows, _ = replay(kcs.observations, kcs.outcomes)
    day = kcs.observations[500].day
    that_day = {o.reference for o in kcs.observations if o.day == day}
    assert len(that_day) > 50
    changed, _ = replay(kcs.observations, flipped(kcs, that_day))
    for index, observation in enumerate(kcs.observations):
        if observation.day <= day:
            assert same(rows[index], changed[index])


def test_a_declaration_without_a_finding_is_seen_but_not_learned(kcs: LabelledHistory) -> None:
    target = kcs.observations[300]
    unlabelled = {ref: fraud for ref, fraud in kcs.outcomes.items() if ref != target.reference}
    _, full = replay(kcs.observations[:301], kcs.outcomes)
    _, partial = replay(kcs.observations[:301], unlabelled)
    with_finding, without = full.tally("importer", target), partial.tally("importer", target)
    assert with_finding is not None and without is not None
    assert with_finding[0] == without[0]  # seen alike
    assert with_finding[1] == without[1] + 1  # one inspection fewer
    assert full.inspected == partial.inspected + 1


# --- a history made by hand --------------------------------------------------------------------


def line(reference: str, day: int, importer: str, value: float) -> Observation:
    """10 kg of coffee (HS 090111) from Brazil through declarant D1 at office 10."""
    return Observation(
        reference=reference,
        day=date(2024, 3, day),
        codes={
            "importer": importer,
            "declarant": "D1",
            "seller": "S1",
            "hs6": "090111",
            "origin": "BR",
            "departure": "BR",
            "office": "10",
        },
        value=value,
        net_mass=10.0,
        tax_rate=8.0,
    )


SIX = [
    line("r1", 1, "A", 100.0),
    line("r2", 1, "B", 200.0),
    line("r3", 2, "A", 100.0),
    line("r4", 3, "A", 120.0),
    line("r5", 4, "A", 20.0),  # a fifth of A's usual price: undervalued
    line("r6", 4, "C", 100.0),  # C's first declaration
]
OUTCOMES = {"r1": True, "r2": False, "r3": True, "r4": False, "r5": True, "r6": False}


def features(rows: list[list[float]], index: int, *names: str) -> list[float]:
    return [rows[index][column(name)] for name in names]


COUNTS = ("importer.seen", "importer.inspected", "importer.fraud", "importer.fraud_rate")


def test_counts_and_smoothed_rates_on_a_hand_made_history() -> None:
    rows, history = replay(SIX, OUTCOMES)
    # Day 1: nothing known yet; the overall fraud rate (the prior) is 0.
    assert features(rows, 0, *COUNTS) == [0, 0, 0, 0.0]
    assert features(rows, 1, *COUNTS) == [0, 0, 0, 0.0]
    assert features(rows, 1, "hs6.seen") == [0]  # r1, the same day, is not counted yet
    # Day 2: r1 (fraud) and r2 known; prior 1/2; A: (1 + 0.5 x 2) / (1 + 2) = 2/3
    assert features(rows, 2, *COUNTS) == [1, 1, 1, pytest.approx(2 / 3)]
    assert features(rows, 2, "hs6.seen", "hs6.fraud") == [2, 1]
    # Day 4: three of A's lines known, two fraud; prior 2/4; (2 + 0.5 x 2) / (3 + 2) = 0.6
    assert features(rows, 4, *COUNTS) == [3, 3, 2, pytest.approx(0.6)]
    assert features(rows, 4, "importer.days_known", "declarant.seen") == [3.0, 4]
    # hs6: 4 seen, 2 fraud: (2 + 0.5 x 2) / (4 + 2) = 0.5
    assert features(rows, 4, "hs6.fraud_rate") == [pytest.approx(0.5)]
    # r5 and r6 share day 4: r6 is not told r5 was fraud.
    assert features(rows, 5, "hs6.seen", "hs6.fraud") == [4, 2]
    assert history.inspected == 6 and history.frauds == 3


def test_a_first_time_importer_has_seen_nothing_and_no_novelty() -> None:
    rows, _ = replay(SIX, OUTCOMES)
    # C is new: no declarations, inspections or frauds; its rate is the prior 2/4.
    assert features(rows, 5, *COUNTS) == [0, 0, 0, 0.5]
    for name in ("importer.days_known", "seller_importer.days_known"):
        assert math.isnan(features(rows, 5, name)[0])
    # The seller, known since day 1, is not new.
    assert features(rows, 5, "seller.days_known") == [3.0]


def test_an_undervalued_line_has_a_negative_price_z_score() -> None:
    rows, _ = replay(SIX, OUTCOMES)
    # A's earlier unit prices: 10, 10, 12 per kg; r5 declares 2 per kg.
    earlier = [math.log1p(10), math.log1p(10), math.log1p(12)]
    expected = (math.log1p(2) - statistics.fmean(earlier)) / statistics.pstdev(earlier)
    (z,) = features(rows, 4, "importer_hs6.price_z")
    assert z == pytest.approx(expected, rel=1e-6)
    assert z < -15
    # hs6 across importers: 10, 20, 10, 12 per kg; 2 per kg is below them all.
    (commodity_z,) = features(rows, 4, "hs6.price_z")
    assert commodity_z < 0
    # Fewer than three earlier prices: no z-score (r4 has only two of A's before it).
    assert math.isnan(features(rows, 3, "importer_hs6.price_z")[0])
    # r6, at the commodity's usual price, is far less unusual.
    assert features(rows, 5, "hs6.price_z")[0] > commodity_z


def test_live_scoring_matches_the_replay() -> None:
    # The history the replay returns scores a new line as the live system would.
    rows, history = replay(SIX[:4], OUTCOMES)
    live = History()
    for observation in SIX[:4]:
        live.observe(observation)
        live.learn(observation, OUTCOMES[observation.reference])
    assert same(history.features(SIX[4]), live.features(SIX[4]))
    assert len(rows) == 4
