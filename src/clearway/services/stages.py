"""The stages after duty, on a batch being lodged: controls (screening, export control), then
risk and lane; and what their decisions leave to store in the batch's transaction."""

from __future__ import annotations

from datetime import datetime

from clearway.domain.declaration import Declaration, Valuation
from clearway.domain.events import DECLARATION_HELD, Event
from clearway.domain.export_control.referral import Referral
from clearway.domain.lifecycle import Status, transition
from clearway.domain.record import DeclarationRecord
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
from clearway.services.ports import AbstractUnitOfWork, WorkItem
from clearway.services.quota_draws import draw_quotas
from clearway.services.risk_stage import QUEUED_LANES, RiskDecision, lane_events


class BatchStages:
    """The controls and risk stages' decisions on a batch, and what they leave to store."""

    def __init__(self) -> None:
        self.decisions: list[RiskDecision] = []
        self.work: list[WorkItem] = []
        self.referrals: list[Referral] = []
        self.released: list[tuple[DeclarationRecord, Event]] = []
        self.observed: list[list[Observation]] = []

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
    ) -> list[Event]:
        """Controls, then risk and lane, for an assessed declaration."""
        controls = check_controls(declaration, context, uow, now.date())
        by_sequence = dict(zip(assessment.sequences, assessment.items, strict=True))
        decision, seen = context.risk.decide(record, declaration, valuation, by_sequence, now)
        events = lane_events(record, decision, actor, now, referred=controls.referred)
        record.risk = decision.document()
        self.decisions.append(decision)
        self.observed.append(seen)
        if controls.referred:
            events.insert(-1, self._refer(record, controls, context, actor, now))
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
    ) -> list[Event]:
        """The controls stage alone, for a declaration that could not be assessed (no tariff
        is loaded): what it refers is held for the agency; the rest stays accepted."""
        controls = check_controls(declaration, context, uow, now.date())
        if not controls.referred:
            return []
        record.status = transition(record.status, Status.HELD)
        record.updated_at = now
        referred = self._refer(record, controls, context, actor, now)
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
    ) -> Event:
        """Open the declaration's referral to the agency; the event that records it."""
        referral = open_referral(record, controls.findings, context, now)
        record.referral = referral
        self.referrals.append(referral)
        return referral_event(record, referral, actor)

    def store(self, uow: AbstractUnitOfWork, jurisdiction: str, now: datetime) -> None:
        uow.risk.add_decisions(self.decisions)
        uow.risk.open_work_items(self.work)
        for referral in self.referrals:
            uow.referrals.add(referral)
        for record, released in self.released:
            drawn, fell_back = draw_quotas(uow, record, jurisdiction, now)
            released.data.update(quota_drawings=drawn, quota_fallbacks=fell_back)
            if fell_back:
                uow.declarations.update_assessment(record)
