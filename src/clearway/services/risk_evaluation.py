"""How well a risk model selects fraud, measured as the KCS dataset's authors measure it.

Protocol (Customs Import Declaration Datasets, arXiv 2208.02484): fit on the training split,
use the validation split only to stop training, rank the test rows by score; Precision@n% is
the share of frauds among the top floor(N·n/100) rows, Recall@n% the share of all frauds found
there. The model is compared in the same run with a random ranking and with LightGBM at its
default settings on the raw columns, each over the same seeds.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sklearn.metrics import roc_auc_score

from clearway.adapters.history_files import LabelledHistory
from clearway.adapters.risk_model import ModelSettings, fit, fit_default
from clearway.domain.risk.history import replay
from clearway.domain.risk.observation import CODE_FIELDS, NUMBER_FIELDS, Observation

PERCENTS = (5, 10)
FIGURES = ("precision_at_5", "precision_at_10", "recall_at_5", "recall_at_10", "auc")


def top(scores: Sequence[float], percent: int) -> list[int]:
    """Indices of the floor(N·percent/100) highest scores (ties kept in row order)."""
    count = math.floor(len(scores) * percent / 100)
    return sorted(range(len(scores)), key=lambda index: -scores[index])[:count]


def figures(scores: Sequence[float], labels: Sequence[bool]) -> dict[str, float]:
    """Precision and recall at 5% and 10%, and the area under the ROC curve."""
    frauds = sum(labels)
    result: dict[str, float] = {}
    for percent in PERCENTS:
        chosen = top(scores, percent)
        found = sum(labels[index] for index in chosen)
        result[f"precision_at_{percent}"] = found / len(chosen) if chosen else 0.0
        result[f"recall_at_{percent}"] = found / frauds if frauds else 0.0
    result["auc"] = float(roc_auc_score(list(labels), list(scores)))
    return result


def summary(runs: Sequence[dict[str, float]]) -> dict[str, float]:
    """Mean of each figure over the seeds, with ``…_std`` its sample standard deviation."""
    result: dict[str, float] = {}
    for name in FIGURES:
        values = [run[name] for run in runs]
        result[name] = round(statistics.fmean(values), 4)
        result[f"{name}_std"] = round(statistics.stdev(values), 4) if len(values) > 1 else 0.0
    return result


@dataclass(frozen=True, slots=True)
class Splits:
    train: LabelledHistory
    valid: LabelledHistory
    test: LabelledHistory


def _labels(part: LabelledHistory) -> list[bool]:
    return [part.outcomes[observation.reference] for observation in part.observations]


def evaluate(
    splits: Splits,
    *,
    seeds: int = 5,
    settings: ModelSettings | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Figures for the model, a random ranking and default LightGBM, as one JSON-ready dict.

    Test labels are read only to score the rankings: the history the test rows are featured
    from holds the training and validation findings, never a test finding.
    """
    if seeds < 1:
        raise ValueError("at least one seed is needed")
    train, valid, test = (
        splits.train.observations,
        splits.valid.observations,
        splits.test.observations,
    )
    known = {**splits.train.outcomes, **splits.valid.outcomes}
    started = time.perf_counter()
    rows, history = replay([*train, *valid, *test], known)
    feature_seconds = time.perf_counter() - started
    train_rows, valid_rows = rows[: len(train)], rows[len(train) : len(train) + len(valid)]
    test_rows = rows[len(train) + len(valid) :]
    train_labels, valid_labels, test_labels = (
        _labels(splits.train),
        _labels(splits.valid),
        _labels(splits.test),
    )
    model_runs, random_runs, default_runs = [], [], []
    train_seconds: list[float] = []
    score_seconds: list[float] = []
    rounds: list[int] = []
    raw = RawColumns(train)
    raw_train, raw_test = raw.rows(train), raw.rows(test)
    for seed in range(seeds):
        progress(f"seed {seed + 1} of {seeds}")
        clock = time.perf_counter()
        model = fit(
            train_rows,
            train_labels,
            history.names,
            seed=seed,
            settings=settings,
            valid=(valid_rows, valid_labels),
        )
        train_seconds.append(time.perf_counter() - clock)
        rounds.append(model.rounds)
        clock = time.perf_counter()
        scores = model.score(test_rows)
        score_seconds.append(time.perf_counter() - clock)
        model_runs.append(figures(scores, test_labels))
        draw = random.Random(seed)
        random_runs.append(figures([draw.random() for _ in test_rows], test_labels))
        control = fit_default(raw_train, train_labels, raw.names, seed=seed)
        default_runs.append(figures(control.score(raw_test), test_labels))
    report: dict[str, Any] = summary(model_runs)
    report["random"] = summary(random_runs)
    report["default_lightgbm"] = summary(default_runs)
    train_time = statistics.median(train_seconds)
    score_time = statistics.median(score_seconds)
    report["seeds"] = seeds
    report["rows"] = {"train": len(train), "valid": len(valid), "test": len(test)}
    report["features"] = len(history.names)
    report["boosting_rounds"] = round(statistics.fmean(rounds))
    report["timing"] = {
        "features_rows_per_second": round(len(rows) / feature_seconds),
        "train_seconds_median": round(train_time, 2),
        "train_rows_per_second": round(len(train) / train_time),
        "score_rows_per_second": round(len(test) / score_time),
    }
    return report


class RawColumns:
    """The file's own columns as numbers, each code numbered in order of first appearance in
    training (a code training never saw is missing): the input of the default control."""

    def __init__(self, train: Sequence[Observation]) -> None:
        self.vocabulary: dict[str, dict[str, int]] = {name: {} for name in CODE_FIELDS}
        for observation in train:
            for name, code in observation.codes.items():
                numbers = self.vocabulary[name]
                numbers.setdefault(code, len(numbers))
        self.codes = [name for name in CODE_FIELDS if self.vocabulary[name]]
        self.names = (*self.codes, *NUMBER_FIELDS)

    def rows(self, observations: Sequence[Observation]) -> list[list[float]]:
        return [
            [
                *(
                    float(self.vocabulary[name].get(observation.codes.get(name, ""), math.nan))
                    for name in self.codes
                ),
                observation.value,
                observation.net_mass,
                observation.tax_rate,
            ]
            for observation in observations
        ]
