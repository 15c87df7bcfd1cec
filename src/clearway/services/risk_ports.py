"""What the risk stage and the officers' work queue need from storage: the risk decisions and
work items, the trader history and the lane window every worker shares; adapters implement
them (``adapters.risk_store``, ``adapters.risk_state``)."""

from __future__ import annotations

import abc
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from clearway.domain.risk.history import History, Tally
from clearway.domain.risk.lanes import LaneOutcome
from clearway.domain.risk.observation import Observation


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A declaration waiting for an officer: a document check, an inspection or an audit."""

    declaration_id: str
    lane: str
    score: float | None
    office: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredWorkItem:
    declaration_id: str
    lane: str
    state: str
    score: float | None
    office: str
    created_at: datetime
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which work to list; ``lane`` None means the goods held for a check (yellow and red),
    blue-lane audits are listed only when asked for."""

    lane: str | None = None
    state: str | None = None
    """None: undecided work (open or claimed)."""
    office: str | None = None
    claimed_by: str | None = None
    """Only the work this officer holds."""


@dataclass(frozen=True, slots=True)
class QueueCursor:
    """Position after the last item of a page: riskiest first, then oldest."""

    score: float | None
    created_at: datetime
    declaration_id: str


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A work item with what an officer needs to choose it from the list."""

    item: StoredWorkItem
    mrn: str | None
    declarant_id: str
    declaration_type: str
    status: str
    version: int
    customs_value: Decimal | None
    reasons: list[dict[str, Any]]
    rule_hits: list[dict[str, Any]]
    requirements: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Finding:
    """What an officer found: fraud or not, and the revenue the finding recovers."""

    id: str
    declaration_id: str
    fraud: bool
    revenue_recovered: Decimal
    currency: str
    notes: str
    recorded_by: str
    recorded_at: datetime


class AbstractRiskStore(abc.ABC):
    @abc.abstractmethod
    def add_decisions(self, decisions: Sequence[Any]) -> None:
        """Store risk decisions (``services.risk_stage.RiskDecision``)."""

    @abc.abstractmethod
    def open_work_items(self, items: Sequence[WorkItem]) -> None:
        """Put the declarations in the officers' queue, unclaimed, replacing earlier items."""

    @abc.abstractmethod
    def close_work_item(self, declaration_id: str, at: datetime) -> None:
        """Mark the declaration's open work item done, if it has one."""

    @abc.abstractmethod
    def work_item(self, declaration_id: str, *, lock: bool) -> StoredWorkItem | None:
        """The declaration's work item; with ``lock``, held for update until commit."""

    @abc.abstractmethod
    def claim(self, declaration_id: str, officer: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def unclaim(self, declaration_id: str) -> None:
        """Put a claimed item back in the queue, open."""

    @abc.abstractmethod
    def open_candidates(
        self, lane: str | None, office: str | None, limit: int
    ) -> list[StoredWorkItem]:
        """Open items of goods held for a check, riskiest first (not locked)."""

    @abc.abstractmethod
    def queue(
        self, filters: QueueFilter, after: QueueCursor | None, limit: int
    ) -> list[QueueEntry]:
        """Work items with their declarations, riskiest first, then oldest."""

    @abc.abstractmethod
    def add_finding(self, finding: Finding) -> None: ...

    @abc.abstractmethod
    def observations(self, declaration_id: str) -> list[Observation]:
        """What the model saw of the declaration's current version, to learn a finding."""


class AbstractHistoryStore(abc.ABC):
    """The risk model's trader history, shared by every worker (``domain.risk.history``)."""

    @abc.abstractmethod
    def read(self, keys: Collection[str]) -> tuple[dict[str, Tally], int, int]:
        """The stored tallies of these keys (those that exist), and the administration-wide
        inspections and frauds found."""

    @abc.abstractmethod
    def add(self, counted: History) -> None:
        """Add what ``counted`` holds (declarations seen, findings learned) to the store."""


class AbstractLaneWindowStore(abc.ABC):
    """The lane selector's window, shared by every worker: lane decisions in commit order."""

    @abc.abstractmethod
    def since(self, sequence: int, limit: int) -> list[tuple[int, str, LaneOutcome]]:
        """The newest ``limit`` decisions after ``sequence``, oldest first, with their
        sequence and the writer that stored them."""

    @abc.abstractmethod
    def add(self, writer: str, outcomes: Sequence[LaneOutcome]) -> None:
        """Store the decisions after every earlier-committing one (held until commit)."""
