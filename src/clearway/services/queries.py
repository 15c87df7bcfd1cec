"""Reading declarations: one by id or MRN, lists, history; only what the caller may see."""

from __future__ import annotations

from clearway.domain.access import Action, Principal, may_see
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
    record = get_visible(uow, principal, reference)
    return uow.events.for_declaration(record.id)
