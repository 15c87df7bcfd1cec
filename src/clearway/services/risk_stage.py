"""The risk stage of clearance: score, criteria, lane, and what follows from the lane.

Each assessed declaration is scored by the active model (one score per goods item; the
declaration takes its riskiest item's), met against the selectivity criteria, and given a lane
by the lane selector (criteria, then random sampling, then top-up). Green and blue goods are
released at once (blue with a post-clearance audit to follow); yellow and red ones are held
and join the officers' work queue. The decision, its reasons and the facts behind it are kept.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from clearway.domain.declaration import Declaration, Valuation
from clearway.domain.events import (
    DECLARATION_HELD,
    DECLARATION_LANED,
    DECLARATION_RELEASED,
    DECLARATION_RISK_SCORED,
    Event,
)
from clearway.domain.identifiers import new_id
from clearway.domain.lifecycle import Status, transition
from clearway.domain.record import DeclarationRecord
from clearway.domain.risk.facts import (
    declaration_facts,
    facts_document,
    item_facts,
)
from clearway.domain.risk.history import History
from clearway.domain.risk.lane import SEVERITY, Lane
from clearway.domain.risk.lanes import LaneBasis, LaneDecision, LaneSelector
from clearway.domain.risk.observation import Observation, observation_document
from clearway.domain.risk.reasons import reasons
from clearway.domain.risk.requirements import (
    UnmetRequirement,
    required_lane,
    unmet_requirements,
)
from clearway.domain.risk.selectivity import RuleHit, Selectivity, criteria_lane
from clearway.domain.tariff.options import ItemAssessment
from clearway.services.risk_ports import AbstractHistoryStore, AbstractLaneWindowStore

# Lanes whose goods are held for an officer; the others are released at once.
HELD_LANES = frozenset({Lane.YELLOW, Lane.RED})
# Lanes that put the declaration in the officers' work queue (blue: audit after release).
QUEUED_LANES = frozenset({Lane.YELLOW, Lane.RED, Lane.BLUE})
# Lane decisions the selector's rolling window holds (its rates are measured over these).
LANE_WINDOW = 2000


class Scorer(Protocol):
    """A trained model as the risk stage uses it."""

    names: tuple[str, ...]

    def score(self, rows: Sequence[Sequence[float]]) -> list[float]: ...

    def contributions(self, rows: Sequence[Sequence[float]]) -> list[list[float]]: ...


Scored = tuple[float | None, tuple[int, Sequence[float]] | None]
"""A declaration's score, and the index and features of the item that gave it (None, None
with no model in force or no goods to score)."""


@dataclass(frozen=True, slots=True)
class ActiveModel:
    version: int
    scorer: Scorer


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """The risk stage's verdict on one declaration version, with everything behind it."""

    declaration_id: str
    version: int
    decided_at: datetime
    score: float | None
    model_version: int | None
    lane: Lane
    basis: LaneBasis
    aeo: bool
    explanation: str
    reasons: list[dict[str, Any]]
    rule_hits: list[dict[str, Any]]
    facts: dict[str, Any]
    observations: list[dict[str, Any]]
    requirements: list[dict[str, Any]] = field(default_factory=list)
    """The prohibitions and restrictions not met, each with the documents that would meet it."""

    def document(self) -> dict[str, Any]:
        """The decision as the API shows it with the declaration."""
        return {
            "score": None if self.score is None else round(self.score, 4),
            "model_version": self.model_version,
            "lane": self.lane.value,
            "basis": self.basis.value,
            "aeo": self.aeo,
            "explanation": self.explanation,
            "reasons": self.reasons,
            "rule_hits": self.rule_hits,
            "requirements": self.requirements,
            "decided_at": self.decided_at.isoformat(),
        }


@dataclass(slots=True)
class RiskStage:
    """The risk stage's working state in one process: criteria and model in force, and the
    lane selector, whose window follows the decisions every process stores (``catch_up``).
    The trader history is not kept here: each batch reads what it needs from the store."""

    selectivity: Selectivity = field(default_factory=Selectivity)
    model: ActiveModel | None = None
    rng: random.Random = field(default_factory=random.Random)
    selector: LaneSelector = field(init=False)
    writer: str = field(default_factory=new_id)
    """Names this process's lane decisions in the shared window, so it does not count its
    own twice."""
    _seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.selector = LaneSelector(self.selectivity.targets, window=LANE_WINDOW)

    def use_selectivity(self, selectivity: Selectivity) -> None:
        """Take new criteria; the lane window carries over to the new targets."""
        with self._lock:
            self.selectivity = selectivity
            self.selector = LaneSelector(
                selectivity.targets, window=LANE_WINDOW, recent=self.selector.recent()
            )

    def catch_up(self, window: AbstractLaneWindowStore) -> None:
        """Count the lane decisions other processes stored since this one last looked."""
        with self._lock:
            for sequence, writer, outcome in window.since(self._seen, LANE_WINDOW):
                if writer != self.writer:
                    self.selector.warm([outcome])
                self._seen = max(self._seen, sequence)

    def decide(
        self,
        record: DeclarationRecord,
        declaration: Declaration,
        valuation: Valuation | None,
        assessments: Mapping[int, ItemAssessment],
        now: datetime,
        *,
        seen: Sequence[Observation],
        history: History,
        scored: Scored | None = None,
        amended: bool = False,
        kept: Lane | None = None,
    ) -> RiskDecision:
        """Score, meet the criteria and give the lane. ``seen`` are the declaration's
        observations and ``history`` what is known of their keys; ``scored`` its score when
        its batch was scored already (``score_many``). An amended version (``amended``) is
        decided afresh but not counted in the lane window again, and keeps at least the
        ``kept`` lane an earlier version was held in: amending does not lift a control."""
        score, riskiest = scored or self.score_many([seen], history)[0]
        trader = declaration.trader
        aeo = self.selectivity.is_aeo(declaration.declarant.id, trader.id if trader else None)
        new_trader = bool(seen) and history.tally("importer", seen[0]) is None
        header = declaration_facts(
            declaration,
            total_value=valuation.total if valuation else None,
            aeo=aeo,
            new_trader=new_trader,
            risk_score=score,
        )
        values = (
            {item.sequence: item.customs_value for item in valuation.items} if valuation else {}
        )
        items = [
            item_facts(
                item, values.get(item.sequence), assessments.get(item.sequence), self.selectivity
            )
            for item in declaration.items
        ]
        hits = self.selectivity.hits(header, items, on=now.date(), aeo=aeo)
        unmet = unmet_requirements(assessments)
        with self._lock:
            lane = self.selector.decide(
                criteria_lane=criteria_lane(hits),
                score=score,
                aeo=aeo,
                draw=self.rng.random(),
                required_lane=required_lane(unmet),
                remember=not amended,
            )
        if kept is not None and SEVERITY.index(kept) < SEVERITY.index(lane.lane):
            lane = LaneDecision(
                kept,
                LaneBasis.KEPT,
                f"kept in the {kept} lane an earlier version of this declaration was held in: "
                "an amendment does not lift a selection for control",
            )
        # The reasons of a score are read where goods are held, queued or audited: TreeSHAP is
        # worked out for those, not for the green releases most declarations get.
        model_reasons = (
            self._reasons(riskiest, [item.sequence for item in declaration.items])
            if riskiest is not None and lane.lane is not Lane.GREEN
            else []
        )
        decision = RiskDecision(
            declaration_id=record.id,
            version=record.version,
            decided_at=now,
            score=score,
            model_version=self.model.version if self.model and score is not None else None,
            lane=lane.lane,
            basis=lane.basis,
            aeo=aeo,
            explanation=_explanation(lane.explanation, hits, unmet),
            reasons=model_reasons,
            rule_hits=[hit.document() for hit in hits],
            requirements=[requirement.document() for requirement in unmet],
            facts=facts_document(header, items),
            observations=[observation_document(observation) for observation in seen],
        )
        return decision

    def score_many(
        self, declarations: Sequence[Sequence[Observation]], history: History
    ) -> list[Scored]:
        """Each declaration's score (its riskiest item's) with that item's index and features,
        from its observations: every item of every declaration in one call to the model."""
        if self.model is None:
            return [(None, None)] * len(declarations)
        rows = [[history.features(observation) for observation in seen] for seen in declarations]
        flat = self.model.scorer.score([row for item_rows in rows for row in item_rows])
        scored: list[Scored] = []
        start = 0
        for item_rows in rows:
            scores = flat[start : start + len(item_rows)]
            start += len(item_rows)
            if not scores:
                scored.append((None, None))
                continue
            riskiest = max(range(len(scores)), key=scores.__getitem__)
            scored.append((scores[riskiest], (riskiest, item_rows[riskiest])))
        return scored

    def _reasons(
        self, riskiest: tuple[int, Sequence[float]], sequences: Sequence[int]
    ) -> list[dict[str, Any]]:
        """What drove the riskiest item's score (TreeSHAP contributions), strongest first."""
        assert self.model is not None
        index, row = riskiest
        scorer = self.model.scorer
        (contributions,) = scorer.contributions([row])
        found = reasons(scorer.names, row, contributions)
        return [{"item": sequences[index], **reason.document()} for reason in found]


class BatchHistory:
    """What a batch's declarations need of the shared trader history, read once per key."""

    def __init__(self, store: AbstractHistoryStore) -> None:
        self._store = store
        self.history = History()
        self._read: set[str] = set()

    def known(self, seen: Sequence[Observation]) -> History:
        """The history, holding the stored tallies of every key these observations read."""
        wanted = {key for observation in seen for key in self.history.stored_keys(observation)}
        missing = wanted - self._read
        if missing or not self._read:
            tallies, inspected, frauds = self._store.read(missing)
            self.history.take(tallies)
            self.history.inspected, self.history.frauds = inspected, frauds
            self._read |= missing | {""}
        return self.history


def counted(seen: Iterable[Sequence[Observation]]) -> History:
    """The declarations ``seen`` as counts to add to the shared history."""
    history = History()
    for observations in seen:
        for observation in observations:
            history.observe(observation)
    return history


def learned(seen: Sequence[Observation], fraud: bool) -> History:
    """An officer's finding on a declaration as counts to add to the shared history."""
    history = History()
    for observation in seen:
        history.learn(observation, fraud)
    return history


def _explanation(
    lane_explanation: str, hits: Sequence[RuleHit], unmet: Sequence[UnmetRequirement]
) -> str:
    explanation = lane_explanation
    if unmet:
        explanation += ". Requirements not met: " + "; ".join(
            requirement.sentence() for requirement in unmet
        )
    if hits:
        explanation += ". Criteria met: " + "; ".join(
            f"{hit.rule_id} v{hit.version} ({hit.lane.value}): {hit.reason}" for hit in hits
        )
    return explanation


def lane_events(
    record: DeclarationRecord,
    decision: RiskDecision,
    actor: str,
    now: datetime,
    *,
    referred: bool = False,
) -> list[Event]:
    """Move the record through risk_scored and laned to released or held; the events of it.

    A declaration referred to an agency is held whatever its lane; the lane applies once the
    agency approves.
    """
    events = []
    record.status = transition(record.status, Status.RISK_SCORED)
    events.append(
        Event(
            DECLARATION_RISK_SCORED,
            record.id,
            record.version,
            record.status.value,
            actor,
            {
                "score": None if decision.score is None else round(decision.score, 4),
                "model_version": decision.model_version,
                "reasons": decision.reasons,
            },
            now,
        )
    )
    record.status = transition(record.status, Status.LANED)
    events.append(
        Event(
            DECLARATION_LANED,
            record.id,
            record.version,
            record.status.value,
            actor,
            {
                "lane": decision.lane.value,
                "basis": decision.basis.value,
                "explanation": decision.explanation,
                "rule_hits": decision.rule_hits,
            },
            now,
        )
    )
    held = referred or decision.lane in HELD_LANES
    record.status = transition(record.status, Status.HELD if held else Status.RELEASED)
    record.updated_at = now
    data: dict[str, Any] = {"lane": decision.lane.value}
    if referred:
        data["referred"] = True
    if not held:
        data["post_clearance_audit"] = decision.lane is Lane.BLUE
    events.append(
        Event(
            DECLARATION_HELD if held else DECLARATION_RELEASED,
            record.id,
            record.version,
            record.status.value,
            actor,
            data,
            now,
        )
    )
    return events
