"""The trader's dashboard: their company's declarations sorted into tabs, searched and paged.

The declarations come from the API's ``list_declarations`` with the trader as the principal, so
a trader sees exactly what the API shows them. The tabs depend on more than the stored status
(goods held for a document check need action; goods with the agency do not), so the dashboard
reads the company's declarations matching the search once, counts every tab and pages the
chosen one with the API's cursor (newest first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from clearway.domain.access import Principal
from clearway.domain.errors import BadRequest, NotFound
from clearway.domain.lifecycle import Status
from clearway.domain.mrn import MRN_PATTERN
from clearway.domain.record import DeclarationRecord
from clearway.entrypoints.api.models import decode_cursor, encode_cursor
from clearway.entrypoints.web.trader_status import SEARCHABLE, Outcome, Tab, outcome
from clearway.services.ports import AbstractUnitOfWork, Cursor, ListFilter
from clearway.services.queries import get_visible, list_declarations

PAGE_SIZE = 20
# Rows read per call while counting; the API's own largest page.
BATCH = 500


@dataclass(frozen=True, slots=True)
class Search:
    """The dashboard's search form, as typed, with a message for each field it cannot use."""

    mrn: str = ""
    lrn: str = ""
    status: str = ""
    lodged_from: str = ""
    lodged_to: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return any((self.mrn, self.lrn, self.status, self.lodged_from, self.lodged_to))

    def query(self) -> dict[str, str]:
        """The search as query parameters, for tab and paging links."""
        fields = {
            "mrn": self.mrn,
            "lrn": self.lrn,
            "status": self.status,
            "lodged_from": self.lodged_from,
            "lodged_to": self.lodged_to,
        }
        return {name: value for name, value in fields.items() if value}

    def filters(self) -> ListFilter:
        """The API's filter for this search; dates are whole UTC days, both included."""
        start = _day(self.lodged_from)
        end = _day(self.lodged_to)
        return ListFilter(
            status=self.status or None,
            lrn=self.lrn or None,
            lodged_from=None if start is None else datetime.combine(start, time(), UTC),
            lodged_to=None
            if end is None
            else datetime.combine(end + timedelta(days=1), time(), UTC),
        )


def read_search(params: Mapping[str, str]) -> Search:
    """The search from the query string, each field checked the way the API checks it."""
    mrn = params.get("mrn", "").strip().upper()
    lrn = params.get("lrn", "").strip()
    status = params.get("status", "").strip()
    lodged_from = params.get("lodged_from", "").strip()
    lodged_to = params.get("lodged_to", "").strip()
    errors: dict[str, str] = {}
    if mrn and not MRN_PATTERN.match(mrn):
        errors["mrn"] = "Enter the 18-character MRN customs gave, like 26GBLQ2PJQQIEUVXR3"
    if len(lrn) > 35:
        errors["lrn"] = "Enter an LRN of at most 35 characters"
    if status and status not in {value.value for value, _ in SEARCHABLE}:
        errors["status"] = "Choose a status from the list"
    for name, text, label in (
        ("lodged_from", lodged_from, "Lodged from"),
        ("lodged_to", lodged_to, "Lodged to"),
    ):
        if text and _day(text) is None:
            errors[name] = f"{label} must be a real date, like 2026-12-03"
    start, end = _day(lodged_from), _day(lodged_to)
    if start and end and end < start and "lodged_to" not in errors:
        errors["lodged_to"] = "Lodged to must be the same as or after lodged from"
    typed = {
        "mrn": mrn,
        "lrn": lrn,
        "status": status,
        "lodged_from": lodged_from,
        "lodged_to": lodged_to,
    }
    # A field in error is left out of the search (and shown as typed beside its message).
    return Search(
        **{name: value for name, value in typed.items() if name not in errors},
        errors=errors,
        typed=typed,
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Row:
    record: DeclarationRecord
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Dashboard:
    tab: Tab
    rows: list[Row]
    counts: dict[Tab, int]
    next_cursor: str | None


def dashboard(
    uow: AbstractUnitOfWork,
    principal: Principal,
    search: Search,
    tab: Tab,
    cursor: str | None,
    page_size: int = PAGE_SIZE,
) -> Dashboard:
    """One page of ``tab`` and the count of every tab, for the declarations ``search``
    finds among those ``principal`` may see."""
    after = decode_cursor(cursor) if cursor else None
    with uow:
        found = [Row(record, outcome(record)) for record in _matching(uow, principal, search)]
    counts = Counter(row.outcome.tab for row in found)
    in_tab = [row for row in found if row.outcome.tab is tab and _after(row.record, after)]
    page = in_tab[:page_size]
    following = (
        encode_cursor(Cursor(page[-1].record.lodged_at, page[-1].record.id))
        if len(in_tab) > page_size
        else None
    )
    return Dashboard(tab, page, {each: counts.get(each, 0) for each in Tab}, following)


def _matching(
    uow: AbstractUnitOfWork, principal: Principal, search: Search
) -> list[DeclarationRecord]:
    if search.mrn:
        try:
            record = get_visible(uow, principal, search.mrn)
        except NotFound:
            return []
        listed = [record] if _fits(record, search) else []
        return listed
    records: list[DeclarationRecord] = []
    after: Cursor | None = None
    while True:
        page, after = list_declarations(uow, principal, search.filters(), after, BATCH)
        records.extend(page)
        if after is None:
            break
    # List rows carry neither the risk decision nor the referral, which decide the tab of
    # held goods: those few are read whole.
    return [
        get_visible(uow, principal, record.id) if record.status is Status.HELD else record
        for record in records
    ]


def _fits(record: DeclarationRecord, search: Search) -> bool:
    """Whether a declaration found by its MRN also meets the rest of the search."""
    filters = search.filters()
    checks: list[Any] = [
        filters.status is None or record.status.value == filters.status,
        filters.lrn is None or record.lrn == filters.lrn,
        filters.lodged_from is None or record.lodged_at >= filters.lodged_from,
        filters.lodged_to is None or record.lodged_at < filters.lodged_to,
    ]
    return all(checks)


def _after(record: DeclarationRecord, cursor: Cursor | None) -> bool:
    """Whether ``record`` comes after ``cursor`` in the newest-first order."""
    if cursor is None:
        return True
    return (record.lodged_at, record.id) < (cursor.lodged_at, cursor.id)


def tab_from(text: str | None) -> Tab:
    try:
        return Tab(text or Tab.SUBMITTED.value)
    except ValueError:
        raise BadRequest(f"there is no dashboard tab {text!r}") from None
