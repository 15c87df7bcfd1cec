"""Population stability of the model's features: a baseline of training deciles, and the PSI of
later rows against it, with hand-computed values.

The training feature below takes the values 0, 1, …, 999, so its inner decile edges are
99.9, 199.8, …, 899.1 and each of the ten bins holds 10% of the rows.
"""

from __future__ import annotations

import pytest

from clearway.domain.risk.drift import Baseline, baseline, drift, population_stability

NAN = float("nan")
TRAINING = [[float(value)] for value in range(1000)]


def test_the_baseline_holds_decile_edges_and_shares() -> None:
    found = baseline(["value"], TRAINING).features["value"]
    assert found.edges == pytest.approx([99.9 * k for k in range(1, 10)])
    assert found.shares == pytest.approx([0.1] * 10)
    assert found.missing == 0


def test_identical_rows_are_stable() -> None:
    assert population_stability(baseline(["value"], TRAINING), TRAINING) == {"value": 0.0}
    # A sample spread the same way (every other value) is stable too.
    sample = TRAINING[::2]
    assert population_stability(baseline(["value"], TRAINING), sample)["value"] < 0.001


def test_a_small_shift_stays_under_the_moderate_mark() -> None:
    # +50: the first bin keeps 50..99 (5%), the last gains 900..1049 (15%);
    # PSI = (0.05 - 0.1) ln 0.5 + (0.15 - 0.1) ln 1.5 = 0.034657 + 0.020273 = 0.054931
    shifted = [[value + 50] for (value,) in TRAINING]
    report = drift(baseline(["value"], TRAINING), shifted)
    assert report.stability["value"] == pytest.approx(0.054931, abs=1e-6)
    assert report.moderate == report.major == []


def test_a_moderate_shift() -> None:
    # 80..999 and 80 more rows at 950: first bin 2%, last bin 18%;
    # PSI = (0.02 - 0.1) ln 0.2 + (0.18 - 0.1) ln 1.8 = 0.128755 + 0.047023 = 0.175778
    rows = [[float(value)] for value in range(80, 1000)] + [[950.0]] * 80
    report = drift(baseline(["value"], TRAINING), rows)
    assert report.stability["value"] == pytest.approx(0.175778, abs=1e-6)
    assert report.moderate == ["value"]
    assert report.major == []


def test_a_major_shift() -> None:
    # +300: the three lowest bins empty (counted as 0.01%), the last holds 40%;
    # PSI = 3 (0.0001 - 0.1) ln(0.0001 / 0.1) + (0.4 - 0.1) ln 4 = 2.070254 + 0.415888 = 2.486143
    shifted = [[value + 300] for (value,) in TRAINING]
    report = drift(baseline(["value"], TRAINING), shifted)
    assert report.stability["value"] == pytest.approx(2.486143, abs=1e-6)
    assert report.major == ["value"]


def test_missing_values_are_a_bin_of_their_own() -> None:
    # Training: 10% missing, the rest 0..899 (each decile 9% of all rows).
    training = [[NAN]] * 100 + [[float(value)] for value in range(900)]
    found = baseline(["value"], training)
    assert found.features["value"].missing == pytest.approx(0.1)
    assert sum(found.features["value"].shares) == pytest.approx(0.9)
    # Now half the rows lack the value, the other half as before (each decile 5%):
    # PSI = 10 (0.05 - 0.09) ln(0.05 / 0.09) + (0.5 - 0.1) ln 5 = 0.235115 + 0.643775 = 0.878890
    recent = [[NAN]] * 900 + [[float(value)] for value in range(900)]
    report = drift(found, recent)
    assert report.stability["value"] == pytest.approx(0.878890, abs=1e-6)
    assert report.major == ["value"]


def test_a_feature_that_is_mostly_zero_has_fewer_bins() -> None:
    # 85% zero, then 1..150: deciles 1 to 8 are all 0 and merge into one edge; the 9th is 50.1.
    training = [[0.0]] * 850 + [[float(value)] for value in range(1, 151)]
    found = baseline(["seen"], training).features["seen"]
    assert found.edges == pytest.approx([0.0, 50.1])
    # zeros fall in the bin closed at 0; 1..50 in the next; 51..150 above 50.1
    assert found.shares == pytest.approx([0.85, 0.05, 0.10])
    assert population_stability(baseline(["seen"], training), training)["seen"] == 0.0
    # All zeros later: PSI = 0.15 ln(1 / 0.85) + (0.0001 - 0.05) ln(0.0001 / 0.05)
    #   + (0.0001 - 0.1) ln(0.0001 / 0.1) = 0.024378 + 0.310109 + 0.690085 = 1.024572
    report = drift(baseline(["seen"], training), [[0.0]] * 1000)
    assert report.stability["seen"] == pytest.approx(1.024572, abs=1e-6)
    assert report.major == ["seen"]


def test_features_are_matched_by_name_and_the_baseline_survives_json() -> None:
    training = [[float(value), float(value % 7)] for value in range(1000)]
    stored = Baseline.from_document(baseline(["value", "weekday"], training).document())
    # Rows with the columns the other way round, and a feature the baseline never had.
    rows = [[row[1], row[0] + 300, 1.0] for row in training]
    psi = population_stability(stored, rows, ["weekday", "value", "unknown"])
    assert set(psi) == {"value", "weekday"}
    assert psi["weekday"] == 0.0
    assert psi["value"] == pytest.approx(2.486143, abs=1e-6)


def test_no_rows_no_figures() -> None:
    report = drift(baseline(["value"], TRAINING), [])
    assert report.rows == 0
    assert report.stability == {}
