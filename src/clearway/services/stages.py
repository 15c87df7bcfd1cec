"""The stages after duty, on a batch being lodged: controls (screening, export control), then
risk and lane; and what their decisions leave to store in the batch's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from clearway.domain.declaration import Declaration, Valuation
from clearway.domain.events import DECLARATION_HELD, Event
from clearway.domain.export_control.referral import ControlFinding, Referral
from clearway.domain.lifecycle import Status, transition
from clearway.domain.record import DeclarationRecord
from clearway.domain.risk.facts import observations
from clearway.domain.risk.history import forget_key_values
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lanes import LaneOutcome
from clearway.domain.risk.observation import Observation
from clearway.services.assessment import DeclarationAssessment
from clearway.services.context import ClearanceContext
from clearway.services.controls_stage import (
    Controls,
    check_controls,
    open_referral,
    referral_event,
    take_draws,
)
from clearway.services.ports import AbstractUnitOfWork
from clearway.services.quota_draws import draw_quotas
from clearway.services.risk_ports import WorkItem
from clearway.services.risk_stage import (
    QUEUED_LANES,
    BatchHistory,
    RiskDecision,
    Scored,
    counted,
    lane_events,
)
from clearway.services.timing import timed


@dataclass(frozen=True, slots=True)
class Amended:
    """What an amended declaration carries over from its earlier version into clearance."""

    held_lane: Lane | None
    """The check the earlier version was held for; the new version's lane is at least as
    severe (an amendment does not lift a selection for control)."""
    referral_id: str | None
    """The earlier version's referral, withdrawn; a new referral supersedes it."""


class BatchStages:
    """The controls and risk stages' decisions on a batch, and what they leave to store."""

    def __init__(self) -> None:
        forget_key_values()  # the last batch's
        self.decisions: list[RiskDecision] = []
        self.work: list[WorkItem] = []
        self.referrals: list[Referral] = []
        self.released: list[tuple[DeclarationRecord, Event]] = []
        self.observed: list[list[Observation]] = []
        self.outcomes: list[LaneOutcome] = []
        self._history: BatchHistory | None = None
        self._scored: dict[str, tuple[list[Observation], Scored]] = {}

    def _known(self, uow: AbstractUnitOfWork, context: ClearanceContext) -> BatchHistory:
        """The batch's view of the shared history; the lane window caught up first."""
        if self._history is None:
            context.risk.catch_up(uow.lanes)
            self._history = BatchHistory(uow.history)
        return self._history

    def score(
        self,
        batch: Sequence[tuple[DeclarationRecord, Declaration, Valuation, DeclarationAssessment]],
        context: ClearanceContext,
        uow: AbstractUnitOfWork,
        now: datetime,
    ) -> None:
        """Score a batch of new declarations before they are decided one by one: the history
        of every key they read in one query, every item in one call to the model. A
        declaration's features read the history as stored, not its batch-mates."""
        # Counted as the risk stage's time; its declarations count once each, when decided.
        with timed("risk", 0):
            seen_each = [
                observations(
                    declaration,
                    valuation,
                    dict(zip(assessment.sequences, assessment.items, strict=True)),
                    record.id,
                    now.date(),
                )
                for record, declaration, valuation, assessment in batch
            ]
            history = self._known(uow, context).known(
                [observation for seen in seen_each for observation in seen]
            )
            scores = context.risk.score_many(seen_each, history)
            for (record, *_), seen, scored in zip(batch, seen_each, scores, strict=True):
                self._scored[record.id] = (seen, scored)

    def decide(
        self,
        record: DeclarationRecord,
        declaration: Declaration,
        actor: str,
        valuation: Valuation | None,
        assessment: DeclarationAssessment,
        context: ClearanceContext,
        uow: AbstractUnitOfWork,
        now: datetime,
        *,
        amended: Amended | None = None,
        screened: list[ControlFinding] | None = None,
    ) -> list[Event]:
        """Controls, then risk and lane, for an assessed declaration (a new one, or the new
        version of an amended one)."""
        with timed("controls"):
            controls = check_controls(declaration, context, uow, now.date(), screened)
        with timed("risk"):
            by_sequence = dict(zip(assessment.sequences, assessment.items, strict=True))
            prepared = self._scored.pop(record.id, None) if amended is None else None
            if prepared is None:
                seen = observations(declaration, valuation, by_sequence, record.id, now.date())
                history = self._known(uow, context).known(seen)
                scored = None
            else:
                (seen, scored), history = prepared, self._known(uow, context).history
            decision = context.risk.decide(
                record,
                declaration,
                valuation,
                by_sequence,
                now,
                seen=seen,
                history=history,
                scored=scored,
                amended=amended is not None,
                kept=amended.held_lane if amended else None,
            )
            events = lane_events(record, decision, actor, now, referred=controls.referred)
        record.risk = decision.document()
        self.decisions.append(decision)
        if amended is None:
            self.observed.append(seen)
            self.outcomes.append(
                LaneOutcome(decision.score or 0.0, decision.lane, decision.basis, decision.aeo)
            )
        if controls.referred:
            supersedes = amended.referral_id if amended else None
            events.insert(-1, self._refer(record, controls, context, actor, now, supersedes))
        elif decision.lane in QUEUED_LANES:
            self.work.append(
                WorkItem(record.id, decision.lane.value, decision.score, declaration.office, now)
            )
        if record.status is Status.RELEASED:
            self.released.append((record, events[-1]))
            # Drawn now, not when the batch is stored, so that the next declaration of the
            # batch sees the balance this one left.
            events.extend(take_draws(uow, record, controls.draws, actor, now))
        return events

    def control(
        self,
        record: DeclarationRecord,
        declaration: Declaration,
        actor: str,
        context: ClearanceContext,
        uow: AbstractUnitOfWork,
        now: datetime,
        *,
        amended: Amended | None = None,
        screened: list[ControlFinding] | None = None,
    ) -> list[Event]:
        """The controls stage alone, for a declaration that could not be assessed (no tariff
        is loaded): what it refers is held for the agency; the rest stays accepted."""
        with timed("controls"):
            controls = check_controls(declaration, context, uow, now.date(), screened)
        if not controls.referred:
            return []
        record.status = transition(record.status, Status.HELD)
        record.updated_at = now
        supersedes = amended.referral_id if amended else None
        referred = self._refer(record, controls, context, actor, now, supersedes)
        held = Event(
            DECLARATION_HELD,
            record.id,
            record.version,
            record.status.value,
            actor,
            {"referred": True},
            now,
        )
        return [referred, held]

    def _refer(
        self,
        record: DeclarationRecord,
        controls: Controls,
        context: ClearanceContext,
        actor: str,
        now: datetime,
        supersedes: str | None,
    ) -> Event:
        """Open the declaration's referral to the agency; the event that records it."""
        referral = open_referral(record, controls.findings, context, now, supersedes)
        record.referral = referral
        self.referrals.append(referral)
        return referral_event(record, referral, actor)

    def store(
        self,
        uow: AbstractUnitOfWork,
        context: ClearanceContext,
        now: datetime,
        events: Sequence[Event],
    ) -> None:
        """Write what the batch decided, in the batch's transaction: decisions, work items,
        referrals, quota draws of what was released, the declarations counted in the shared
        history, then the batch's ``events`` and the lane decisions (both after the quota
        draws, whose outcome the release events carry, and both under the outbox's lock
        until commit)."""
        uow.risk.add_decisions(self.decisions)
        uow.risk.open_work_items(self.work)
        for referral in self.referrals:
            uow.referrals.add(referral)
        for record, released in self.released:
            drawn, fell_back = draw_quotas(uow, record, context.country, now)
            released.data.update(quota_drawings=drawn, quota_fallbacks=fell_back)
            if fell_back:
                uow.declarations.update_assessment(record)
        if self.observed:
            uow.history.add(counted(self.observed))
        uow.events.add_many(events)
        uow.lanes.add(context.risk.writer, self.outcomes)
