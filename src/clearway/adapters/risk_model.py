"""The learned risk model: a LightGBM gradient-boosted tree ensemble over the history features.

A model is its booster plus the feature names it was trained on; it saves to and loads from
LightGBM's own text format, so a stored model is readable and does not depend on pickling.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import lightgbm


def _lightgbm() -> ModuleType:
    """LightGBM, imported where a model is trained or read (not by every command), and
    without the scikit-learn wrappers Clearway does not use unless scikit-learn is loaded
    already: importing it with LightGBM would add more than a second to reading a model."""
    if "lightgbm" in sys.modules:
        return sys.modules["lightgbm"]
    hidden = "sklearn" not in sys.modules
    if hidden:
        sys.modules["sklearn"] = None  # type: ignore[assignment]  # LightGBM's compat: absent
    try:
        import lightgbm
    finally:
        if hidden:
            del sys.modules["sklearn"]
    return lightgbm


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """Booster parameters; the defaults were chosen on the KCS validation split only."""

    learning_rate: float = 0.03
    num_leaves: int = 31
    min_child_samples: int = 20
    feature_fraction: float = 0.5
    bagging_fraction: float = 0.8
    max_rounds: int = 3000
    early_stopping_rounds: int = 200
    threads: int = 0

    def params(self, seed: int) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "seed": seed,
            "num_threads": self.threads,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }


INFERENCE_THREADS = int(os.environ.get("CLEARWAY_RISK_THREADS", "1"))
"""Threads LightGBM predicts with (``CLEARWAY_RISK_THREADS``, default 1)."""


class RiskModel:
    """A trained booster that scores feature rows and explains each score."""

    def __init__(
        self, booster: lightgbm.Booster, names: Sequence[str], *, threads: int = INFERENCE_THREADS
    ) -> None:
        if list(booster.feature_name()) != [_safe(name) for name in names]:
            raise ValueError("the model was trained on other features than these")
        self.booster = booster
        self.names = tuple(names)
        self.threads = threads
        """Threads a prediction uses: one by default, so that scoring in a loaded server or
        beside other workers does not fight them for the cores (OpenMP)."""

    def score(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Probability of fraud for each row."""
        if not rows:
            return []
        scores = self.booster.predict(np.asarray(rows, dtype=np.float64), num_threads=self.threads)
        return [float(score) for score in scores]

    def contributions(self, rows: Sequence[Sequence[float]]) -> list[list[float]]:
        """Each feature's contribution to each row's score (log-odds, TreeSHAP); bias last."""
        matrix = self.booster.predict(
            np.asarray(rows, dtype=np.float64), pred_contrib=True, num_threads=self.threads
        )
        return [[float(value) for value in row] for row in matrix]

    @property
    def rounds(self) -> int:
        return int(self.booster.current_iteration())

    def to_text(self) -> str:
        return str(self.booster.model_to_string())

    @classmethod
    def from_text(cls, text: str, names: Sequence[str]) -> RiskModel:
        return cls(_lightgbm().Booster(model_str=text), names)


def fit(
    rows: Sequence[Sequence[float]],
    labels: Sequence[bool],
    names: Sequence[str],
    *,
    seed: int = 0,
    settings: ModelSettings | None = None,
    valid: tuple[Sequence[Sequence[float]], Sequence[bool]] | None = None,
) -> RiskModel:
    """Train on ``rows``; with ``valid``, stop when its log-loss no longer improves."""
    settings = settings or ModelSettings()
    if len(rows) != len(labels) or not rows:
        raise ValueError("training needs as many labels as rows, and at least one row")
    if len(set(labels)) < 2:
        raise ValueError("training needs both outcomes: some fraud found and some not")
    lightgbm = _lightgbm()

    feature_names = [_safe(name) for name in names]
    train_set = lightgbm.Dataset(
        np.asarray(rows, dtype=np.float64),
        label=np.asarray(labels, dtype=np.float64),
        feature_name=feature_names,
        free_raw_data=True,
    )
    callbacks: list[Callable[..., Any]] = []
    valid_sets = []
    if valid is not None:
        valid_sets.append(
            train_set.create_valid(
                np.asarray(valid[0], dtype=np.float64),
                label=np.asarray(valid[1], dtype=np.float64),
            )
        )
        callbacks.append(lightgbm.early_stopping(settings.early_stopping_rounds, verbose=False))
    booster = lightgbm.train(
        settings.params(seed),
        train_set,
        num_boost_round=settings.max_rounds
        if valid is not None
        else _rounds_without_valid(settings),
        valid_sets=valid_sets,
        callbacks=callbacks,
    )
    if valid is not None and booster.best_iteration > 0:
        booster = lightgbm.Booster(
            model_str=booster.model_to_string(num_iteration=booster.best_iteration)
        )
    return RiskModel(booster, names)


def fit_default(
    rows: Sequence[Sequence[float]], labels: Sequence[bool], names: Sequence[str], *, seed: int
) -> RiskModel:
    """LightGBM with its default parameters (100 rounds, 31 leaves), as a control."""
    lightgbm = _lightgbm()

    train_set = lightgbm.Dataset(
        np.asarray(rows, dtype=np.float64),
        label=np.asarray(labels, dtype=np.float64),
        feature_name=[_safe(name) for name in names],
    )
    params = {"objective": "binary", "seed": seed, "verbosity": -1, "deterministic": True}
    return RiskModel(lightgbm.train(params, train_set), names)


def settings_record(settings: ModelSettings) -> dict[str, Any]:
    return asdict(settings)


def _rounds_without_valid(settings: ModelSettings) -> int:
    # Without a validation set there is nothing to stop on: a fixed, moderate number of rounds.
    return min(settings.max_rounds, 600)


def _safe(name: str) -> str:
    # LightGBM refuses some punctuation in feature names; dots become double underscores.
    return name.replace(".", "__")
