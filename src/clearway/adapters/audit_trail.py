"""Who did what: the acting person of the current request or command, and the audit trail.

Every read of a declaration and every change of users, keys, rules, lists, reference data,
the tariff, the control list and the model is a row of ``audit_records`` (who, in which role,
through which channel, from which address, under which request id, when, and what). A change
made by someone (an API call, a portal form, an operator's command) is also an event in the
outbox (``AccountChanged`` or ``ConfigurationChanged``), written in the same transaction as the
change itself, and so a leaf of the ledger: the record of it cannot be altered unnoticed.

The acting person is a context variable set where a request is authenticated or a command
starts (``acting_as``); the stores that change things read it, so no signature down the call
chain has to carry it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from clearway.adapters.audit_tables import audit_records
from clearway.adapters.repository import SqlAlchemyEventStore
from clearway.domain.access import Principal, Role
from clearway.domain.events import ACCOUNT_CHANGED, CONFIGURATION_CHANGED, Event, utc_now

ACCOUNT_OBJECTS = frozenset({"user", "api_key"})


@dataclass(frozen=True, slots=True)
class Acting:
    """Who is acting now, and through what."""

    actor: str
    role: str | None
    channel: str
    """``api``, ``portal`` or ``cli``."""
    request_id: str | None = None
    client: str | None = None


_ACTING: contextvars.ContextVar[Acting | None] = contextvars.ContextVar(
    "clearway_acting", default=None
)


def acting_as(acting: Acting) -> None:
    """Make ``acting`` the person of the rest of this request or command."""
    _ACTING.set(acting)


def current_acting() -> Acting | None:
    return _ACTING.get()


@contextmanager
def acting(acting: Acting) -> Iterator[None]:
    token = _ACTING.set(acting)
    try:
        yield
    finally:
        _ACTING.reset(token)


def record(
    connection: Connection,
    action: str,
    object_type: str,
    object_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    *,
    change: bool = True,
    who: Acting | None = None,
    at: datetime | None = None,
) -> None:
    """Add one row to the audit trail in the caller's transaction; for a change made by
    someone, its event too (committed with the change or not at all)."""
    who = who or current_acting()
    at = at or utc_now()
    document = dict(detail or {})
    connection.execute(
        audit_records.insert().values(
            occurred_at=at,
            actor=(who.actor if who else "system")[:64],
            actor_role=who.role if who else None,
            action=action,
            object_type=object_type,
            object_id=object_id[:80] if object_id else None,
            detail=document,
            channel=who.channel if who else "system",
            request_id=who.request_id if who else None,
            client=who.client if who else None,
        )
    )
    if not change or who is None:
        # Reads change nothing; what the system does to an empty database while it is being
        # set up is recorded here only.
        return
    event_type = ACCOUNT_CHANGED if object_type in ACCOUNT_OBJECTS else CONFIGURATION_CHANGED
    SqlAlchemyEventStore(connection).add_many(
        [
            Event(
                event_type,
                None,
                0,
                "",
                who.actor[:64],
                {
                    "action": action,
                    "object_type": object_type,
                    "object_id": object_id,
                    "channel": who.channel,
                    "detail": document,
                },
                occurred_at=at,
            )
        ]
    )


READ_PARTS = {
    "declaration": "every field, with valuation, duties and clearance",
    "summary": "the list's fields: MRN, LRN, type, status, declarant, office, lodged at, value",
    "history": "every state change",
    "receipt": "the ledger receipt of its newest logged event",
    "page": "the portal page named",
}


def read_by(principal: Principal, part: str, page: str | None = None) -> dict[str, Any]:
    """What a read showed: the ``part`` of the declaration (``READ_PARTS``), in the view of
    the reader's role (a declarant's view leaves out the selection: ``domain.disclosure``)."""
    view = "declarant" if principal.role is Role.TRADER else "customs"
    what: dict[str, Any] = {"part": part, "view": view}
    if page is not None:
        what["page"] = page
    return what


def record_reads(
    engine: Engine,
    object_ids: Sequence[str],
    what: Mapping[str, Any],
    *,
    object_type: str = "declaration",
) -> None:
    """Record that the acting person read each of ``object_ids`` (``what``: the fields or the
    page), one row each, in one transaction."""
    if not object_ids:
        return
    who = current_acting()
    at = utc_now()
    row = {
        "occurred_at": at,
        "actor": (who.actor if who else "system")[:64],
        "actor_role": who.role if who else None,
        "action": f"{object_type}.read",
        "object_type": object_type,
        "detail": dict(what),
        "channel": who.channel if who else "system",
        "request_id": who.request_id if who else None,
        "client": who.client if who else None,
    }
    with engine.begin() as connection:
        connection.execute(
            audit_records.insert(), [dict(row, object_id=object_id) for object_id in object_ids]
        )


# --- reading the trail ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    """An action (``declaration.read``) or its family (``declaration``, ``login``)."""
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    occurred_at: datetime
    actor: str
    actor_role: str | None
    action: str
    object_type: str
    object_id: str | None
    detail: dict[str, Any]
    channel: str
    request_id: str | None
    client: str | None


def _conditions(filters: AuditFilter) -> list[Any]:
    table = audit_records.c
    conditions: list[Any] = []
    if filters.actor:
        conditions.append(table.actor == filters.actor)
    if filters.action:
        if "." in filters.action:
            conditions.append(table.action == filters.action)
        else:
            conditions.append(table.action.startswith(f"{filters.action}.", autoescape=True))
    if filters.object_type:
        conditions.append(table.object_type == filters.object_type)
    if filters.object_id:
        conditions.append(table.object_id == filters.object_id)
    if filters.since:
        conditions.append(table.occurred_at >= filters.since)
    if filters.until:
        conditions.append(table.occurred_at < filters.until)
    return conditions


def _record(row: Any) -> AuditRecord:
    return AuditRecord(
        row.id,
        row.occurred_at,
        row.actor,
        row.actor_role,
        row.action,
        row.object_type,
        row.object_id,
        dict(row.detail),
        row.channel,
        row.request_id,
        row.client,
    )


def search(
    engine: Engine, filters: AuditFilter, before_id: int | None, limit: int
) -> list[AuditRecord]:
    """A page of the trail, newest first; ``before_id`` continues an earlier page."""
    conditions = _conditions(filters)
    if before_id is not None:
        conditions.append(audit_records.c.id < before_id)
    query = (
        select(audit_records).where(*conditions).order_by(audit_records.c.id.desc()).limit(limit)
    )
    with engine.connect() as connection:
        return [_record(row) for row in connection.execute(query)]


def export(engine: Engine, filters: AuditFilter, chunk: int = 1000) -> Iterator[AuditRecord]:
    """Every record the filters select, oldest first, read a chunk at a time."""
    after = 0
    while True:
        query = (
            select(audit_records)
            .where(*_conditions(filters), audit_records.c.id > after)
            .order_by(audit_records.c.id)
            .limit(chunk)
        )
        with engine.connect() as connection:
            rows = [_record(row) for row in connection.execute(query)]
        yield from rows
        if len(rows) < chunk:
            return
        after = rows[-1].id
