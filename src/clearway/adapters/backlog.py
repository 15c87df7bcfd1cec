"""What is waiting, read in a few short queries for the operator's monitoring: the officers'
undecided work per lane, the agency's open referrals, and the two tails of the outbox: events
not yet delivered to every active subscription, and events not yet integrated in the ledger,
each with the time of its oldest event.

A subscription's delivery position is its cursor (``subscriptions.last_sequence``: every event
up to it delivered or filtered out), so the events past the smallest cursor of the active
subscriptions are those some subscriber still waits for. The ledger's position is the newest
outbox sequence it logged (``ledger_entries.sequence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, ScalarSelect, func, select

from clearway.adapters.export_control_tables import referrals
from clearway.adapters.ledger_tables import ledger_entries
from clearway.adapters.publishing_tables import subscriptions
from clearway.adapters.risk_store import CLAIMED, OPEN
from clearway.adapters.risk_tables import work_items
from clearway.adapters.tables import events
from clearway.domain.export_control.referral import OPEN_STATES


@dataclass(frozen=True, slots=True)
class Tail:
    """The outbox's events after a position: how many, and when the oldest occurred."""

    events: int
    oldest: datetime | None

    def age_seconds(self, now: datetime) -> float:
        """Seconds since the oldest event occurred; 0 when nothing waits."""
        if self.oldest is None:
            return 0.0
        return max(0.0, (now - self.oldest).total_seconds())


def undecided_work(connection: Connection) -> dict[str, int]:
    """Work items open or claimed (the officer has not decided), per lane."""
    rows = connection.execute(
        select(work_items.c.lane, func.count())
        .where(work_items.c.state.in_((OPEN, CLAIMED)))
        .group_by(work_items.c.lane)
    )
    return {lane: int(count) for lane, count in rows}


def open_referrals(connection: Connection) -> int:
    """Referrals the agency has still to answer."""
    count = connection.execute(
        select(func.count())
        .select_from(referrals)
        .where(referrals.c.state.in_(sorted(state.value for state in OPEN_STATES)))
    ).scalar_one()
    return int(count)


def _tail(connection: Connection, position: ScalarSelect[int]) -> Tail:
    count, oldest = connection.execute(
        select(func.count(), func.min(events.c.occurred_at)).where(events.c.sequence > position)
    ).one()
    return Tail(int(count), oldest)


def undelivered(connection: Connection) -> Tail:
    """Events some active subscription has not had yet; none without an active one."""
    slowest = (
        select(func.min(subscriptions.c.last_sequence))
        .where(subscriptions.c.active)
        .scalar_subquery()
    )
    return _tail(connection, slowest)


def not_integrated(connection: Connection) -> Tail:
    """Events after the newest one in the ledger: those its next pass will integrate."""
    logged = select(func.coalesce(func.max(ledger_entries.c.sequence), 0)).scalar_subquery()
    return _tail(connection, logged)
