"""Subscriptions and their delivery cursors in SQL, and the relay's hold on one at a time.

On PostgreSQL a relay holds a subscription by locking its row (``FOR UPDATE SKIP LOCKED``) in a
transaction that stays open while the batch is sent and commits the new cursor: relays in
other processes skip the row meanwhile, and a relay that dies lets go of it with its
connection. SQLite has no row locks, and its one write lock must not be held while a webhook
answers, so there a relay takes a short lease instead (``claimed_until``, in a transaction of
its own), sends without a transaction, and moves the cursor only if the lease is still its own.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from clearway.adapters.audit_trail import record
from clearway.adapters.publishing_tables import subscriptions
from clearway.adapters.tables import events
from clearway.domain.events import ADMINISTRATION_EVENTS
from clearway.domain.record import StoredEvent
from clearway.domain.subscriptions import DeliveryState, Subscription, SubscriptionKind
from clearway.services.publishing import (
    AbstractClaim,
    AbstractDeliveryStore,
    AbstractSubscriptionStore,
    EventBatch,
    SubscriptionStatus,
)

# How long a relay on SQLite may hold a subscription before another may take it over: longer
# than a batch takes, short enough that a relay that died is not waited on for long.
SQLITE_LEASE = timedelta(seconds=120)

_EVENT_COLUMNS = [events.c[column.name] for column in fields(StoredEvent)]


def _newest_sequence(connection: Connection) -> int:
    newest: int = connection.execute(
        select(func.coalesce(func.max(events.c.sequence), 0))
    ).scalar_one()
    return newest


def _lag(connection: Connection, after: int) -> int:
    """Events past a subscription's cursor that are for subscribers (not the administration's
    own, which only the ledger takes)."""
    count: int = connection.execute(
        select(func.count())
        .select_from(events)
        .where(events.c.sequence > after, events.c.type.not_in(ADMINISTRATION_EVENTS))
    ).scalar_one()
    return count


def _subscription(row: Row[Any]) -> Subscription:
    return Subscription(
        id=row.id,
        name=row.name,
        kind=SubscriptionKind(row.kind),
        event_types=tuple(row.event_types),
        active=row.active,
        created_at=row.created_at,
        created_by=row.created_by,
        url=row.url,
        secret=row.secret,
        subject_prefix=row.subject_prefix,
    )


def _state(row: Row[Any]) -> DeliveryState:
    return DeliveryState(
        last_sequence=row.last_sequence,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        last_delivered_at=row.last_delivered_at,
    )


def _state_values(state: DeliveryState) -> dict[str, Any]:
    return {
        "last_sequence": state.last_sequence,
        "attempts": state.attempts,
        "next_attempt_at": state.next_attempt_at,
        "last_error": state.last_error,
        "last_delivered_at": state.last_delivered_at,
    }


def _due(now: datetime) -> list[ColumnElement[bool]]:
    newest = select(func.coalesce(func.max(events.c.sequence), 0)).scalar_subquery()
    return [
        subscriptions.c.active,
        or_(subscriptions.c.next_attempt_at.is_(None), subscriptions.c.next_attempt_at <= now),
        subscriptions.c.last_sequence < newest,
    ]


def _unclaimed(now: datetime) -> ColumnElement[bool]:
    return or_(subscriptions.c.claimed_until.is_(None), subscriptions.c.claimed_until < now)


def read_events(
    connection: Connection, subscription: Subscription, after: int, limit: int
) -> EventBatch:
    """The next ``limit`` events after ``after`` that the subscription wants.

    The filter is applied in the query, and the scan is bounded by the newest sequence read
    first, so that a subscription to rare events moves its cursor over all the others at once.
    """
    newest = _newest_sequence(connection)
    query = select(*_EVENT_COLUMNS).where(
        events.c.sequence > after,
        events.c.sequence <= newest,
        # Changes of accounts and configuration are for the ledger alone.
        events.c.type.not_in(ADMINISTRATION_EVENTS),
    )
    if subscription.event_types:
        query = query.where(events.c.type.in_(subscription.event_types))
    rows = connection.execute(query.order_by(events.c.sequence).limit(limit)).all()
    found = [StoredEvent(**row._mapping) for row in rows]
    scanned_through = found[-1].sequence if len(found) >= limit else max(newest, after)
    return EventBatch(found, scanned_through)


class SqlAlchemyClaim(AbstractClaim):
    """A relay's hold on one subscription: a row lock (``connection``) or a SQLite lease."""

    def __init__(
        self,
        engine: Engine,
        row: Row[Any],
        *,
        connection: Connection | None = None,
        lease: datetime | None = None,
    ) -> None:
        self.subscription = _subscription(row)
        self.state = _state(row)
        self._engine = engine
        self._connection = connection
        self._lease = lease
        self._done = False

    def events(self, limit: int) -> EventBatch:
        if self._connection is not None:
            return read_events(self._connection, self.subscription, self.state.last_sequence, limit)
        with self._engine.connect() as connection:
            return read_events(connection, self.subscription, self.state.last_sequence, limit)

    def commit(self, state: DeliveryState) -> None:
        statement = update(subscriptions).where(subscriptions.c.id == self.subscription.id)
        if self._connection is not None:
            self._connection.execute(statement.values(_state_values(state)))
            self._connection.commit()
        else:
            with self._engine.begin() as connection:
                # Only while the lease is still ours: a relay that outlived its lease lost the
                # subscription to another, whose cursor must not be overwritten.
                connection.execute(
                    statement.where(subscriptions.c.claimed_until == self._lease).values(
                        claimed_until=None, **_state_values(state)
                    )
                )
        self._done = True
        self.release()

    def release(self) -> None:
        if self._connection is not None:
            if self._connection.in_transaction():
                self._connection.rollback()
            self._connection.close()
            self._connection = None
        elif not self._done:
            self._done = True
            with self._engine.begin() as connection:
                connection.execute(
                    update(subscriptions)
                    .where(
                        subscriptions.c.id == self.subscription.id,
                        subscriptions.c.claimed_until == self._lease,
                    )
                    .values(claimed_until=None)
                )


class SqlAlchemyDeliveryStore(AbstractDeliveryStore):
    def __init__(self, engine: Engine, *, lease: timedelta = SQLITE_LEASE) -> None:
        self._engine = engine
        self._locks = engine.dialect.name == "postgresql"
        self._lease = lease

    def due(self, now: datetime, limit: int) -> list[str]:
        query = select(subscriptions.c.id).where(*_due(now))
        if not self._locks:
            query = query.where(_unclaimed(now))
        query = query.order_by(subscriptions.c.created_at, subscriptions.c.id).limit(limit)
        with self._engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def claim(self, subscription_id: str, now: datetime) -> SqlAlchemyClaim | None:
        mine = subscriptions.c.id == subscription_id
        if self._locks:
            connection = self._engine.connect()
            try:
                connection.begin()
                row = connection.execute(
                    select(subscriptions)
                    .where(mine, *_due(now))
                    .with_for_update(skip_locked=True, of=subscriptions)
                ).first()
            except BaseException:
                connection.close()
                raise
            if row is None:
                connection.close()
                return None
            return SqlAlchemyClaim(self._engine, row, connection=connection)
        lease = now + self._lease
        with self._engine.begin() as connection:
            taken = connection.execute(
                update(subscriptions)
                .where(mine, _unclaimed(now), *_due(now))
                .values(claimed_until=lease)
            )
            if taken.rowcount != 1:
                return None
            row = connection.execute(select(subscriptions).where(mine)).one()
        return SqlAlchemyClaim(self._engine, row, lease=lease)


class SqlAlchemySubscriptionStore(AbstractSubscriptionStore):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, subscription: Subscription, *, from_start: bool) -> None:
        with self._engine.begin() as connection:
            # At the end: the next event to commit has a larger sequence than any seen now.
            start = 0 if from_start else _newest_sequence(connection)
            record(
                connection,
                "subscription.created",
                "subscription",
                subscription.id,
                {
                    "name": subscription.name,
                    "kind": subscription.kind.value,
                    "event_types": list(subscription.event_types),
                },
            )
            connection.execute(
                insert(subscriptions).values(
                    id=subscription.id,
                    name=subscription.name,
                    kind=subscription.kind.value,
                    url=subscription.url,
                    secret=subscription.secret,
                    subject_prefix=subscription.subject_prefix,
                    event_types=list(subscription.event_types),
                    active=subscription.active,
                    created_at=subscription.created_at,
                    created_by=subscription.created_by,
                    last_sequence=start,
                    attempts=0,
                )
            )

    def _statuses(self, subscription_id: str | None) -> list[SubscriptionStatus]:
        query = select(subscriptions).order_by(subscriptions.c.created_at, subscriptions.c.id)
        if subscription_id is not None:
            query = query.where(subscriptions.c.id == subscription_id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
            lags = [_lag(connection, row.last_sequence) for row in rows]
        return [
            SubscriptionStatus(_subscription(row), _state(row), lag)
            for row, lag in zip(rows, lags, strict=True)
        ]

    def get(self, subscription_id: str) -> SubscriptionStatus | None:
        found = self._statuses(subscription_id)
        return found[0] if found else None

    def statuses(self) -> list[SubscriptionStatus]:
        return self._statuses(None)

    def remove(self, subscription_id: str) -> bool:
        with self._engine.begin() as connection:
            removed = connection.execute(
                delete(subscriptions).where(subscriptions.c.id == subscription_id)
            )
            if removed.rowcount:
                record(connection, "subscription.removed", "subscription", subscription_id)
        return removed.rowcount == 1

    def set_active(self, subscription_id: str, active: bool) -> bool:
        values: dict[str, Any] = {"active": active}
        if active:
            values["next_attempt_at"] = None
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(subscriptions).where(subscriptions.c.id == subscription_id).values(values)
            )
            if changed.rowcount:
                action = "subscription.resumed" if active else "subscription.paused"
                record(connection, action, "subscription", subscription_id)
        return changed.rowcount == 1
