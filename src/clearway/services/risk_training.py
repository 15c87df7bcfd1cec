"""Training a risk model for production, from a file of past outcomes or from the officers'
own findings, and watching the declarations it scores drift away from those it learned on.

Training replays the whole history in date order, the way the live system would have seen it
(each declaration's features come from earlier declarations and earlier findings only), keeps
the latest days aside to stop the boosting and to measure the model, and fits on the rest. The
held-out figures are a little optimistic, since the same days chose when to stop; the protocol
of ``risk_evaluation`` (a separate test period) is the honest measure.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from clearway.adapters.history_files import LabelledHistory
from clearway.adapters.model_store import active_model
from clearway.adapters.risk_model import ModelSettings, RiskModel, fit, settings_record
from clearway.adapters.risk_store import stored_history
from clearway.domain.errors import Conflict
from clearway.domain.risk.drift import Baseline, DriftReport, baseline, drift
from clearway.domain.risk.history import replay
from clearway.services.risk_evaluation import figures

# Retraining on findings needs at least this many declarations with a finding.
MIN_FINDINGS = 50
# Fewest labelled declaration lines any training accepts.
MIN_LABELLED = 50


class TrainingError(Exception):
    """The history cannot train a model (too little of it, or a single outcome)."""


@dataclass(frozen=True, slots=True)
class TrainedModel:
    """A fitted model with everything ``model_store.save_model`` keeps beside it."""

    model: RiskModel
    settings: dict[str, Any]
    metrics: dict[str, Any]
    training_rows: int
    baseline: dict[str, Any]
    timing: dict[str, float]


def _held_out_from(days: Sequence[date], valid_share: float) -> date:
    """The first of the latest ``valid_share`` of the distinct days."""
    held = max(1, round(len(days) * valid_share))
    if held >= len(days):
        raise TrainingError(
            f"the history spans {len(days)} day(s): too few to hold the latest "
            f"{valid_share:.0%} of days out"
        )
    return days[-held]


def train_from_history(
    history: LabelledHistory,
    *,
    seed: int = 0,
    settings: ModelSettings | None = None,
    valid_share: float = 0.15,
) -> TrainedModel:
    """Fit on the labelled declarations before the latest ``valid_share`` of days, stop on and
    measure with those days; unlabelled declarations count in the features only."""
    if not 0 < valid_share < 1:
        raise TrainingError("the held-out share of days must be between 0 and 1")
    settings = settings or ModelSettings()
    labelled = [
        index
        for index, observation in enumerate(history.observations)
        if observation.reference in history.outcomes
    ]
    if len(labelled) < MIN_LABELLED:
        raise TrainingError(
            f"the history holds {len(labelled)} declaration lines with a known outcome; "
            f"training needs at least {MIN_LABELLED}"
        )
    days = sorted({history.observations[index].day for index in labelled})
    cutoff = _held_out_from(days, valid_share)

    started = time.perf_counter()
    rows, replayed = replay(history.observations, history.outcomes)
    feature_seconds = time.perf_counter() - started
    train = [i for i in labelled if history.observations[i].day < cutoff]
    valid = [i for i in labelled if history.observations[i].day >= cutoff]
    train_rows, valid_rows = [rows[i] for i in train], [rows[i] for i in valid]
    train_labels = [history.outcomes[history.observations[i].reference] for i in train]
    valid_labels = [history.outcomes[history.observations[i].reference] for i in valid]
    for part, labels in (("training", train_labels), ("held-out", valid_labels)):
        if len(set(labels)) < 2:
            raise TrainingError(
                f"the {part} days hold only one outcome ({sum(labels)} fraud in "
                f"{len(labels)}): both fraud and no fraud are needed"
            )

    clock = time.perf_counter()
    model = fit(
        train_rows,
        train_labels,
        replayed.names,
        seed=seed,
        settings=settings,
        valid=(valid_rows, valid_labels),
    )
    train_seconds = time.perf_counter() - clock
    held_out = figures(model.score(valid_rows), valid_labels)
    metrics: dict[str, Any] = {name: round(value, 4) for name, value in held_out.items()}
    metrics.update(
        {
            "held_out_from": cutoff.isoformat(),
            "held_out_to": days[-1].isoformat(),
            "held_out_rows": len(valid),
            "held_out_fraud_rate": round(sum(valid_labels) / len(valid_labels), 4),
            "rounds": model.rounds,
        }
    )
    recorded = {**settings_record(settings), "seed": seed, "valid_share": valid_share}
    return TrainedModel(
        model=model,
        settings=recorded,
        metrics=metrics,
        training_rows=len(train),
        baseline=baseline(replayed.names, train_rows).document(),
        timing={
            "features_seconds": round(feature_seconds, 2),
            "features_rows_per_second": round(len(rows) / max(feature_seconds, 1e-9)),
            "train_seconds": round(train_seconds, 2),
            "train_rows_per_second": round(len(train) / max(train_seconds, 1e-9)),
        },
    )


# --- the officers' findings -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatabaseHistory:
    """The stored history and how many declarations in it carry a finding."""

    history: LabelledHistory
    declarations: int
    findings: int
    frauds: int


def database_history(connection: Connection) -> DatabaseHistory:
    """Every declaration's current decision as observations, labelled with its latest finding.

    Each goods item of a declaration with a finding takes that finding's outcome; declarations
    nobody inspected are observations only (they count in the features, not as labels).
    """
    history = LabelledHistory([], {})
    declarations = labelled = frauds = 0
    for seen, fraud in stored_history(connection):
        declarations += 1
        labelled += fraud is not None
        frauds += bool(fraud)
        history.observations.extend(seen)
        if fraud is not None:
            history.outcomes.update((observation.reference, fraud) for observation in seen)
    return DatabaseHistory(history, declarations, labelled, frauds)


def history_from_database(connection: Connection) -> LabelledHistory:
    """The stored observations with the officers' findings as labels: what retraining learns."""
    return database_history(connection).history


def check_retrainable(stored: DatabaseHistory, minimum: int = MIN_FINDINGS) -> None:
    """Refuse to retrain on too few findings, or on findings that are all alike."""
    if stored.findings < minimum:
        raise TrainingError(
            f"only {stored.findings} declaration(s) carry an officer's finding; retraining "
            f"needs at least {minimum}"
        )
    if stored.frauds in (0, stored.findings):
        outcome = "fraud" if stored.frauds else "no fraud"
        raise TrainingError(
            f"all {stored.findings} findings are {outcome}: retraining needs both outcomes"
        )


# --- drift -------------------------------------------------------------------------------------


class NoActiveModel(Conflict):
    """Drift is measured against the active model's baseline, and none is active."""


@dataclass(frozen=True, slots=True)
class DriftResult:
    version: int
    since: date
    report: DriftReport

    def document(self) -> dict[str, Any]:
        return {"version": self.version, "since": self.since.isoformat(), **self.report.document()}


def drift_report(
    connection: Connection, days: int = 30, *, today: date | None = None
) -> DriftResult:
    """The active model's training baseline against the features of the last ``days`` days of
    declarations, rebuilt by replaying the stored history with its known findings."""
    if days < 1:
        raise ValueError("the window is at least one day")
    stored = active_model(connection)
    if stored is None:
        raise NoActiveModel("no risk model is active: promote one first")
    since = (today or datetime.now(UTC).date()) - timedelta(days=days - 1)
    history = history_from_database(connection)
    rows, replayed = replay(history.observations, history.outcomes)
    recent = [
        row
        for row, observation in zip(rows, history.observations, strict=True)
        if observation.day >= since
    ]
    report = drift(Baseline.from_document(stored.info.baseline), recent, replayed.names)
    return DriftResult(stored.version, since, report)
