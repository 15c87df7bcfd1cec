"""Storing the risk stage's work: decisions with their reasons and facts, the officers' work
items, and what is read back: by a restarted process (lane window, trader history) and by
replaying rules over past decisions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Subquery, and_, exists, func, insert, select, update

from clearway.adapters.risk_tables import findings, risk_decisions, work_items
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lanes import LaneBasis, LaneOutcome
from clearway.domain.risk.observation import Observation, observation_from_document
from clearway.services.ports import (
    AbstractRiskStore,
    Finding,
    StoredWorkItem,
    WorkItem,
)
from clearway.services.risk_stage import RiskDecision
from clearway.services.selectivity_admin import ReplayFact

OPEN = "open"
CLAIMED = "claimed"
DONE = "done"


class SqlAlchemyRiskStore(AbstractRiskStore):
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_decisions(self, decisions: Sequence[RiskDecision]) -> None:
        if not decisions:
            return
        self._connection.execute(
            insert(risk_decisions),
            [
                {
                    "declaration_id": decision.declaration_id,
                    "version": decision.version,
                    "decided_at": decision.decided_at,
                    "score": decision.score,
                    "model_version": decision.model_version,
                    "lane": decision.lane.value,
                    "basis": decision.basis.value,
                    "aeo": decision.aeo,
                    "explanation": decision.explanation,
                    "reasons": decision.reasons,
                    "rule_hits": decision.rule_hits,
                    "facts": decision.facts,
                    "observations": decision.observations,
                }
                for decision in decisions
            ],
        )

    def open_work_items(self, items: Sequence[WorkItem]) -> None:
        if not items:
            return
        self._connection.execute(
            insert(work_items),
            [
                {
                    "declaration_id": item.declaration_id,
                    "lane": item.lane,
                    "state": OPEN,
                    "score": item.score,
                    "office": item.office,
                    "created_at": item.created_at,
                }
                for item in items
            ],
        )

    def close_work_item(self, declaration_id: str, at: datetime) -> None:
        self._connection.execute(
            update(work_items)
            .where(work_items.c.declaration_id == declaration_id, work_items.c.state != DONE)
            .values(state=DONE, closed_at=at)
        )

    def work_item(self, declaration_id: str, *, lock: bool) -> StoredWorkItem | None:
        query = select(work_items).where(work_items.c.declaration_id == declaration_id)
        if lock:
            query = query.with_for_update()
        row = self._connection.execute(query).mappings().first()
        return None if row is None else StoredWorkItem(**row)

    def claim(self, declaration_id: str, officer: str, at: datetime) -> None:
        self._connection.execute(
            update(work_items)
            .where(work_items.c.declaration_id == declaration_id)
            .values(state=CLAIMED, claimed_by=officer, claimed_at=at)
        )

    def next_open(self, lane: str | None, office: str | None) -> StoredWorkItem | None:
        query = select(work_items).where(work_items.c.state == OPEN)
        if lane is not None:
            query = query.where(work_items.c.lane == lane)
        if office is not None:
            query = query.where(work_items.c.office == office)
        # Riskiest first, then oldest; SKIP LOCKED lets officers claim side by side on
        # PostgreSQL (SQLite serialises writers, so there is nothing to skip).
        query = (
            query.order_by(work_items.c.score.desc().nulls_last(), work_items.c.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        row = self._connection.execute(query).mappings().first()
        return None if row is None else StoredWorkItem(**row)

    def add_finding(self, finding: Finding) -> None:
        self._connection.execute(
            insert(findings).values(
                id=finding.id,
                declaration_id=finding.declaration_id,
                fraud=finding.fraud,
                revenue_recovered=finding.revenue_recovered,
                currency=finding.currency,
                notes=finding.notes,
                recorded_by=finding.recorded_by,
                recorded_at=finding.recorded_at,
            )
        )

    def observations(self, declaration_id: str) -> list[Observation]:
        row = self._connection.execute(
            select(risk_decisions.c.observations)
            .where(risk_decisions.c.declaration_id == declaration_id)
            .order_by(risk_decisions.c.version.desc())
            .limit(1)
        ).first()
        return [] if row is None else [observation_from_document(doc) for doc in row.observations]


def work_queue(
    connection: Connection,
    *,
    lane: str | None,
    state: str | None,
    office: str | None,
    limit: int,
) -> list[StoredWorkItem]:
    """Work items riskiest first (open and claimed unless ``state`` says otherwise)."""
    query = select(work_items)
    if state is None:
        query = query.where(work_items.c.state != DONE)
    else:
        query = query.where(work_items.c.state == state)
    if lane is not None:
        query = query.where(work_items.c.lane == lane)
    if office is not None:
        query = query.where(work_items.c.office == office)
    query = query.order_by(work_items.c.score.desc().nulls_last(), work_items.c.created_at).limit(
        limit
    )
    return [StoredWorkItem(**row) for row in connection.execute(query).mappings()]


def risk_document(
    connection: Connection, declaration_id: str, version: int
) -> dict[str, Any] | None:
    """The decision on this version of the declaration, as the API shows it; None if none."""
    row = (
        connection.execute(
            select(risk_decisions).where(
                risk_decisions.c.declaration_id == declaration_id,
                risk_decisions.c.version == version,
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    fields = {**row, "lane": Lane(row["lane"]), "basis": LaneBasis(row["basis"])}
    return RiskDecision(**fields).document()


def recent_outcomes(connection: Connection, limit: int) -> list[LaneOutcome]:
    """The last ``limit`` lane decisions, oldest first, to warm the lane selector."""
    rows = connection.execute(
        select(
            risk_decisions.c.score,
            risk_decisions.c.lane,
            risk_decisions.c.basis,
            risk_decisions.c.aeo,
        )
        .order_by(risk_decisions.c.decided_at.desc())
        .limit(limit)
    ).all()
    return [
        LaneOutcome(row.score or 0.0, Lane(row.lane), LaneBasis(row.basis), row.aeo)
        for row in reversed(rows)
    ]


def stored_history(
    connection: Connection,
) -> Iterator[tuple[list[Observation], bool | None]]:
    """Every decided declaration's observations (current version) in decision order, with its
    latest finding: True fraud, False none found, None not inspected yet."""
    latest_finding: dict[str, bool] = {
        declaration_id: bool(fraud)
        for declaration_id, fraud in connection.execute(
            select(findings.c.declaration_id, findings.c.fraud).order_by(
                findings.c.recorded_at, findings.c.id
            )
        )
    }
    latest = _current_versions()
    rows = connection.execute(
        select(risk_decisions.c.declaration_id, risk_decisions.c.observations)
        .join(
            latest,
            (risk_decisions.c.declaration_id == latest.c.declaration_id)
            & (risk_decisions.c.version == latest.c.version),
        )
        .order_by(risk_decisions.c.decided_at, risk_decisions.c.declaration_id)
    )
    for row in rows:
        seen = [observation_from_document(document) for document in row.observations or []]
        yield seen, latest_finding.get(row.declaration_id)


def replay_facts(
    connection: Connection, date_from: date, date_to: date, limit: int
) -> Iterator[ReplayFact]:
    """The current (highest) version of the decision on each declaration decided between the
    two dates inclusive (UTC), newest first, at most ``limit``: facts, lane, AEO status and
    whether a finding, and a finding of fraud, was recorded."""
    latest = _current_versions()
    same_declaration = findings.c.declaration_id == risk_decisions.c.declaration_id
    start = datetime.combine(date_from, time(), UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(), UTC)
    query = (
        select(
            risk_decisions.c.declaration_id,
            risk_decisions.c.lane,
            risk_decisions.c.aeo,
            risk_decisions.c.facts,
            exists().where(same_declaration).label("with_finding"),
            exists().where(same_declaration, findings.c.fraud).label("fraud"),
        )
        .join(
            latest,
            and_(
                latest.c.declaration_id == risk_decisions.c.declaration_id,
                latest.c.version == risk_decisions.c.version,
            ),
        )
        .where(risk_decisions.c.decided_at >= start, risk_decisions.c.decided_at < end)
        .order_by(risk_decisions.c.decided_at.desc(), risk_decisions.c.declaration_id)
        .limit(limit)
    )
    with connection.execute(query.execution_options(yield_per=1000)) as rows:
        for row in rows:
            yield ReplayFact(
                row.declaration_id,
                row.lane,
                bool(row.aeo),
                row.facts,
                bool(row.with_finding),
                bool(row.fraud),
            )


def _current_versions() -> Subquery:
    """Each declaration's decision on its current (highest) version."""
    return (
        select(
            risk_decisions.c.declaration_id,
            func.max(risk_decisions.c.version).label("version"),
        )
        .group_by(risk_decisions.c.declaration_id)
        .subquery()
    )
