"""Whether the declarations scored now still look like those the model was trained on.

A baseline keeps, for each feature, the decile edges of its training values, the share of
training rows in each bin and the share of rows where the feature was missing. The population
stability index compares a later population with it, bin by bin (the missing rows are a bin):

    PSI = sum over bins of (actual - expected) * ln(actual / expected)

Reading it follows the usual rule of thumb of credit scoring (N. Siddiqi, *Credit Risk
Scorecards*, Wiley 2006, ch. 8; B. Yurdakul, *Statistical Properties of Population Stability
Index*, 2018): below 0.1 no significant change, 0.1 to 0.25 a moderate shift worth watching,
above 0.25 a major shift — retrain, or find out what changed.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Bins of the baseline: deciles.
BINS = 10
# Above this PSI a feature has shifted moderately; above MAJOR, majorly (Siddiqi 2006).
MODERATE = 0.1
MAJOR = 0.25
# An empty bin counts as this share, so that its logarithm stays finite.
MIN_SHARE = 1e-4


@dataclass(frozen=True, slots=True)
class FeatureBaseline:
    """One feature in training: the inner bin edges, each bin's share and the missing share.

    A value v falls in the first bin whose edge is at least v (bins are closed on the right);
    values above the last edge fall in the last bin. Equal deciles are merged, so a feature
    that is mostly 0 has fewer, wider bins.
    """

    edges: tuple[float, ...]
    shares: tuple[float, ...]
    missing: float

    def distribution(self, values: Sequence[float]) -> tuple[list[float], float]:
        """Share of ``values`` in each bin, and the share that is missing (NaN)."""
        counts = [0] * (len(self.edges) + 1)
        missing = 0
        for value in values:
            if math.isnan(value):
                missing += 1
            else:
                counts[bisect_left(self.edges, value)] += 1
        total = len(values) or 1
        return [count / total for count in counts], missing / total


@dataclass(frozen=True, slots=True)
class Baseline:
    """The training population, feature by feature, and how many rows it was taken from."""

    features: dict[str, FeatureBaseline]
    rows: int

    def document(self) -> dict[str, Any]:
        """As JSON, for the model's row in the store."""
        return {
            "rows": self.rows,
            "features": {
                name: {
                    "edges": list(feature.edges),
                    "shares": list(feature.shares),
                    "missing": feature.missing,
                }
                for name, feature in self.features.items()
            },
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Baseline:
        return cls(
            features={
                name: FeatureBaseline(
                    edges=tuple(float(edge) for edge in feature["edges"]),
                    shares=tuple(float(share) for share in feature["shares"]),
                    missing=float(feature["missing"]),
                )
                for name, feature in document.get("features", {}).items()
            },
            rows=int(document.get("rows", 0)),
        )


def baseline(names: Sequence[str], rows: Sequence[Sequence[float]]) -> Baseline:
    """Decile edges and shares of every feature over the training ``rows`` (NaN skipped)."""
    features: dict[str, FeatureBaseline] = {}
    for column, name in enumerate(names):
        values = [row[column] for row in rows]
        present = sorted(value for value in values if not math.isnan(value))
        if len(present) >= 2:
            cuts = statistics.quantiles(present, n=BINS, method="inclusive")
            edges = tuple(sorted(set(cuts)))
        else:
            edges = tuple(present)
        empty = FeatureBaseline(edges, (), 0.0)
        shares, missing = empty.distribution(values)
        features[name] = FeatureBaseline(edges, tuple(shares), missing)
    return Baseline(features, len(rows))


def _psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    total = 0.0
    for before, now in zip(expected, actual, strict=True):
        before, now = max(before, MIN_SHARE), max(now, MIN_SHARE)
        total += (now - before) * math.log(now / before)
    return total


def population_stability(
    baseline: Baseline, rows: Sequence[Sequence[float]], names: Sequence[str] | None = None
) -> dict[str, float]:
    """PSI of each baseline feature over ``rows``, whose columns are ``names`` (by default the
    baseline's features in order). A feature the rows lack is left out."""
    names = list(baseline.features) if names is None else list(names)
    columns = {name: index for index, name in enumerate(names)}
    stability: dict[str, float] = {}
    if not rows:
        return stability
    for name, feature in baseline.features.items():
        column = columns.get(name)
        if column is None:
            continue
        shares, missing = feature.distribution([row[column] for row in rows])
        stability[name] = _psi(
            (*feature.shares, feature.missing),
            (*shares, missing),
        )
    return stability


@dataclass(frozen=True, slots=True)
class DriftReport:
    """PSI per feature over ``rows`` recent rows, with the features that moved, worst first."""

    rows: int
    stability: dict[str, float]
    moderate: list[str]
    major: list[str]

    def document(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "thresholds": {"moderate": MODERATE, "major": MAJOR},
            "major": self.major,
            "moderate": self.moderate,
            "psi": {name: round(value, 4) for name, value in self.stability.items()},
        }


def drift(
    baseline: Baseline, rows: Sequence[Sequence[float]], names: Sequence[str] | None = None
) -> DriftReport:
    """The PSI of every feature and those above the moderate (0.1) and major (0.25) marks."""
    stability = population_stability(baseline, rows, names)
    worst_first = sorted(stability, key=lambda name: -stability[name])
    return DriftReport(
        rows=len(rows),
        stability=stability,
        moderate=[name for name in worst_first if MODERATE < stability[name] <= MAJOR],
        major=[name for name in worst_first if stability[name] > MAJOR],
    )
