"""Reading declarations: one by id or MRN, lists, history; only what the caller may see."""

from __future__ import annotations

from dataclasses import replace

from clearway.domain.access import Action, Principal, Role, may_see
from clearway.domain.disclosure import (
    DECLARANT_RECEIPT_EVENTS,
    declarant_event_data,
    declarant_sees,
)
from clearway.domain.errors import Forbidden, NotFound
from clearway.domain.mrn import MRN_PATTERN
from clearway.domain.record import DeclarationRecord, StoredEvent
from clearway.services.ports import AbstractUnitOfWork, Cursor, ListFilter


def get_visible(
    uow: AbstractUnitOfWork, principal: Principal, reference: str, *, lock: bool = False
) -> DeclarationRecord:
    """The declaration with this id or MRN; one the caller may not see does not exist for them.
    With ``lock``, the declaration's row is held until the transaction ends."""
    if not principal.may(Action.READ):
        raise Forbidden(f"the {principal.role.value} role may not read declarations")
    record = (
        uow.declarations.get_by_mrn(reference, lock=lock)
        if MRN_PATTERN.match(reference)
        else uow.declarations.get(reference, lock=lock)
    )
    if record is None or not may_see(
        principal, record.party_ids, referred=record.referral is not None
    ):
        raise NotFound(f"no declaration {reference}")
    return record


def list_declarations(
    uow: AbstractUnitOfWork,
    principal: Principal,
    filters: ListFilter,
    after: Cursor | None,
    limit: int,
) -> tuple[list[DeclarationRecord], Cursor | None]:
    """A page of declarations, newest first, and the cursor of the next page if there is one."""
    if not principal.may(Action.READ):
        raise Forbidden(f"the {principal.role.value} role may not read declarations")
    rows = uow.declarations.list(principal, filters, after, limit + 1)
    page = rows[:limit]
    following = Cursor(page[-1].lodged_at, page[-1].id) if len(rows) > limit else None
    return page, following


def history(uow: AbstractUnitOfWork, principal: Principal, reference: str) -> list[StoredEvent]:
    """Every event of the declaration, oldest first; a trader reads them as its declarant may
    (``domain/disclosure.py``: no selection, score, findings or claims)."""
    record = get_visible(uow, principal, reference)
    events = uow.events.for_declaration(record.id)
    if principal.role is not Role.TRADER:
        return events
    return [
        replace(event, data=declarant_event_data(event.type, event.data))
        for event in events
        if declarant_sees(event.type)
    ]


def receipt_event(
    uow: AbstractUnitOfWork, principal: Principal, reference: str
) -> tuple[str, int | None]:
    """The declaration's id and the event its receipt proves: the newest one, or for a trader
    the newest whose entry tells nothing of the selection (None when there is none)."""
    record = get_visible(uow, principal, reference)
    if principal.role is not Role.TRADER:
        return record.id, None
    shown = [e for e in uow.events.for_declaration(record.id) if e.type in DECLARANT_RECEIPT_EVENTS]
    if not shown:
        raise NotFound(f"declaration {reference} has no event a receipt can be given for yet")
    return record.id, shown[-1].sequence
