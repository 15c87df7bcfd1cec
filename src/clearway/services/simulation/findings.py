"""Findings on simulated declarations: a past the risk model can learn from where there is none.

The simulator knows which declarations it made suspicious (undervalued, of an unusual origin,
from a first-time trader). Taken as an inspection's finding on each of them, that is a labelled
history of the kind ``clearway risk train --history`` reads: each declaration is validated,
valued and assessed as lodging does it, observed line by line as the risk stage observes it,
and dated on one of the days before the declarations that follow it. Every line of a
declaration takes its finding, as retraining on the officers' findings does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from clearway.adapters.history_files import LabelledHistory
from clearway.adapters.risk_model import ModelSettings
from clearway.domain.declaration import Declaration
from clearway.domain.risk.facts import observations
from clearway.domain.risk.history import History, rebuilt
from clearway.domain.risk.observation import Observation
from clearway.services.context import ClearanceContext
from clearway.services.lodging import check_value_and_assess
from clearway.services.risk_training import TrainedModel, train_from_history

# The simulated past spans this many days before the day it is used on.
HISTORY_DAYS = 30
# Booster settings for a model trained in about a second on a few thousand lines: a higher
# learning rate and earlier stopping than the defaults (which were chosen on the KCS data, some
# fifteen times larger), and one thread: on data this small more threads only wait on each other.
QUICK_SETTINGS = ModelSettings(
    learning_rate=0.1, max_rounds=300, early_stopping_rounds=30, threads=1
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One simulated declaration as the risk stage saw it, and what an inspection found."""

    seen: list[Observation]
    fraud: bool


@dataclass(frozen=True, slots=True)
class SimulatedFindings:
    """Declarations with a finding each, oldest first; those that did not clear are left out."""

    findings: list[Finding]
    # Declarations offered that failed validation, valuation or assessment.
    refused: int

    @property
    def declarations(self) -> int:
        return len(self.findings)

    @property
    def frauds(self) -> int:
        return sum(finding.fraud for finding in self.findings)

    def history(self) -> LabelledHistory:
        """The observations and their outcomes, as a labelled history file would give them."""
        observed = [observation for finding in self.findings for observation in finding.seen]
        outcomes = {
            observation.reference: finding.fraud
            for finding in self.findings
            for observation in finding.seen
        }
        return LabelledHistory(observed, outcomes)

    def known(self) -> History:
        """What the administration knows after these declarations and findings: the trader
        history the next declarations are scored against."""
        return rebuilt((finding.seen, finding.fraud) for finding in self.findings)


def simulated_findings(
    declarations: Iterable[tuple[Declaration, bool]],
    context: ClearanceContext,
    now: datetime,
    *,
    days: int = HISTORY_DAYS,
) -> SimulatedFindings:
    """``declarations`` (each with whether it was made suspicious), lodged in order over the
    ``days`` days before ``now``'s day, a finding of fraud on each suspicious one.

    They are validated, valued and assessed on ``now``, against ``context``'s reference data
    and tariff, so that their values and duty rates are those lodging would find."""
    if days < 1:
        raise ValueError("the simulated past spans at least one day")
    offered = list(declarations)
    first_day = now.date() - timedelta(days=days)
    findings: list[Finding] = []
    refused = 0
    for index, (declaration, suspicious) in enumerate(offered):
        checked = check_value_and_assess(declaration, context, now)
        if checked.valuation is None:
            refused += 1
            continue
        assessment = checked.assessment
        by_sequence = (
            dict(zip(assessment.sequences, assessment.items, strict=True)) if assessment else {}
        )
        day = first_day + timedelta(days=index * days // len(offered))
        seen = observations(
            declaration, checked.valuation, by_sequence, _reference(day, index), day
        )
        findings.append(Finding(seen, suspicious))
    return SimulatedFindings(findings, refused)


def train_on_findings(
    simulated: SimulatedFindings, *, seed: int = 0, settings: ModelSettings = QUICK_SETTINGS
) -> TrainedModel:
    """A model fitted on the findings, the latest 15% of days held out to stop and measure it
    (``risk_training.train_from_history``); raises ``TrainingError`` on too few findings."""
    return train_from_history(simulated.history(), seed=seed, settings=settings)


def _reference(day: date, index: int) -> str:
    return f"simulated-{day:%Y%m%d}-{index:06d}"
