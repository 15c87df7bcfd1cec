"""Storing the risk stage's work: decisions with their reasons and facts, the officers' work
items, and what is read back: by a restarted process (lane window, trader history) and by
replaying rules over past decisions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Subquery, and_, exists, func, insert, or_, select, update

from clearway.adapters.bulk import insert_rows
from clearway.adapters.risk_tables import findings, risk_decisions, work_items
from clearway.adapters.tables import declarations
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lanes import LaneBasis, LaneOutcome
from clearway.domain.risk.observation import Observation, observation_from_document
from clearway.services.risk_ports import (
    AbstractRiskStore,
    Finding,
    QueueCursor,
    QueueEntry,
    QueueFilter,
    StoredWorkItem,
    WorkItem,
)
from clearway.services.risk_stage import RiskDecision
from clearway.services.selectivity_admin import ReplayFact

OPEN = "open"
CLAIMED = "claimed"
DONE = "done"
# Lanes whose goods wait, held, for an officer; blue-lane audits come after release.
HELD = ("yellow", "red")
# Unscored items rank below every score (scores lie in [0, 1]).
_NO_SCORE = -1.0
_RANK = func.coalesce(work_items.c.score, _NO_SCORE)
_QUEUE_ORDER = (_RANK.desc(), work_items.c.created_at, work_items.c.declaration_id)


class SqlAlchemyRiskStore(AbstractRiskStore):
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_decisions(self, decisions: Sequence[RiskDecision]) -> None:
        if not decisions:
            return
        insert_rows(
            self._connection,
            risk_decisions,
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
                    "requirements": decision.requirements,
                }
                for decision in decisions
            ],
        )

    def open_work_items(self, items: Sequence[WorkItem]) -> None:
        if not items:
            return
        # A declaration has one work item: the current version's check replaces any earlier.
        self._connection.execute(
            work_items.delete().where(
                work_items.c.declaration_id.in_([item.declaration_id for item in items])
            )
        )
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

    def unclaim(self, declaration_id: str) -> None:
        self._connection.execute(
            update(work_items)
            .where(work_items.c.declaration_id == declaration_id, work_items.c.state == CLAIMED)
            .values(state=OPEN, claimed_by=None, claimed_at=None)
        )

    def open_candidates(
        self, lane: str | None, office: str | None, limit: int
    ) -> list[StoredWorkItem]:
        query = select(work_items).where(work_items.c.state == OPEN)
        query = query.where(
            work_items.c.lane == lane if lane is not None else work_items.c.lane.in_(HELD)
        )
        if office is not None:
            query = query.where(work_items.c.office == office)
        query = query.order_by(*_QUEUE_ORDER).limit(limit)
        return [StoredWorkItem(**row) for row in self._connection.execute(query).mappings()]

    def queue(
        self, filters: QueueFilter, after: QueueCursor | None, limit: int
    ) -> list[QueueEntry]:
        query = (
            select(
                work_items,
                declarations.c.mrn,
                declarations.c.declarant_id,
                declarations.c.type.label("declaration_type"),
                declarations.c.status.label("declaration_status"),
                declarations.c.version.label("declaration_version"),
                declarations.c.customs_value,
                risk_decisions.c.reasons,
                risk_decisions.c.rule_hits,
                risk_decisions.c.requirements,
            )
            .join(declarations, declarations.c.id == work_items.c.declaration_id)
            .outerjoin(
                risk_decisions,
                and_(
                    risk_decisions.c.declaration_id == declarations.c.id,
                    risk_decisions.c.version == declarations.c.version,
                ),
            )
        )
        if filters.state is None:
            query = query.where(work_items.c.state.in_((OPEN, CLAIMED)))
        else:
            query = query.where(work_items.c.state == filters.state)
        if filters.lane is not None:
            query = query.where(work_items.c.lane == filters.lane)
        elif filters.state is None:
            query = query.where(work_items.c.lane.in_(HELD))
        if filters.office is not None:
            query = query.where(work_items.c.office == filters.office)
        if filters.claimed_by is not None:
            query = query.where(work_items.c.claimed_by == filters.claimed_by)
        if after is not None:
            rank = _RANK
            at = after.score if after.score is not None else _NO_SCORE
            query = query.where(
                or_(
                    rank < at,
                    and_(rank == at, work_items.c.created_at > after.created_at),
                    and_(
                        rank == at,
                        work_items.c.created_at == after.created_at,
                        work_items.c.declaration_id > after.declaration_id,
                    ),
                )
            )
        query = query.order_by(*_QUEUE_ORDER).limit(limit)
        entries = []
        for row in self._connection.execute(query).mappings():
            item = StoredWorkItem(**{column.name: row[column.name] for column in work_items.c})
            entries.append(
                QueueEntry(
                    item=item,
                    mrn=row["mrn"],
                    declarant_id=row["declarant_id"],
                    declaration_type=row["declaration_type"],
                    status=row["declaration_status"],
                    version=row["declaration_version"],
                    customs_value=row["customs_value"],
                    reasons=row["reasons"] or [],
                    rule_hits=row["rule_hits"] or [],
                    requirements=row["requirements"] or [],
                )
            )
        return entries

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
    fields = {
        **row,
        "lane": Lane(row["lane"]),
        "basis": LaneBasis(row["basis"]),
        "requirements": row["requirements"] or [],
    }
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
