"""Searching every declaration: by MRN, LRN, declarant, status, office, commodity code prefix
and lodging dates, newest first, a page at a time (the API's list filter)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from clearway.domain.errors import BadRequest, NotFound
from clearway.domain.mrn import MRN_PATTERN
from clearway.domain.record import DeclarationRecord
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.models import decode_cursor, encode_cursor
from clearway.entrypoints.web.officer_base import STATUSES, Page
from clearway.entrypoints.web.rendering import label, render
from clearway.services.ports import ListFilter
from clearway.services.queries import get_visible, list_declarations

router = APIRouter()
PAGE_SIZE = 25
COMMODITY_PREFIX = re.compile(r"^\d{2,10}$")
FIELDS = (
    "mrn",
    "lrn",
    "declarant",
    "status",
    "type",
    "office",
    "commodity",
    "lodged_from",
    "lodged_to",
)
Text = Annotated[str, Query(max_length=200)]


@dataclass
class Search:
    """The search form as typed, checked field by field."""

    values: dict[str, str]
    cursor: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    lodged_from: datetime | None = None
    lodged_to: datetime | None = None

    @classmethod
    def read(cls, values: dict[str, str], cursor: str) -> Search:
        search = cls({key: values.get(key, "").strip() for key in FIELDS}, cursor.strip())
        v, errors = search.values, search.errors
        for key in ("mrn", "declarant", "office"):
            v[key] = v[key].upper()
        if v["mrn"] and not MRN_PATTERN.match(v["mrn"]):
            errors["mrn"] = "Enter an MRN of 18 characters, like 26GBIOQ9GNF9M5GNR0"
        limits = {"lrn": 35, "declarant": 17, "office": 8}
        for key, most in limits.items():
            if len(v[key]) > most:
                errors[key] = f"Enter at most {most} characters"
        if v["status"] and v["status"] not in STATUSES:
            errors["status"] = "Choose a status from the list"
        if v["type"] not in ("", "IM", "EX"):
            errors["type"] = "Choose import or export"
        if v["commodity"] and not COMMODITY_PREFIX.match(v["commodity"]):
            errors["commodity"] = "Enter 2 to 10 digits of a commodity code, like 0702"
        search.lodged_from = search._day("lodged_from", 0)
        # The last day is included: the list's bound is the start of the next day.
        search.lodged_to = search._day("lodged_to", 1)
        if search.lodged_from and search.lodged_to and search.lodged_from >= search.lodged_to:
            errors["lodged_to"] = "The last day must be on or after the first day"
        return search

    def _day(self, key: str, days_after: int) -> datetime | None:
        text = self.values[key]
        if not text:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.errors[key] = "Enter a date, like 2026-11-23"
            return None
        return datetime.combine(day + timedelta(days=days_after), time(0), tzinfo=UTC)

    def filters(self) -> ListFilter:
        v = self.values
        return ListFilter(
            status=v["status"] or None,
            type=v["type"] or None,
            lrn=v["lrn"] or None,
            declarant_id=v["declarant"] or None,
            office=v["office"] or None,
            commodity_code=v["commodity"] or None,
            lodged_from=self.lodged_from,
            lodged_to=self.lodged_to,
        )

    def url(self, cursor: str) -> str:
        shown = {key: value for key, value in self.values.items() if value}
        if cursor:
            shown["cursor"] = cursor
        return "/officer/declarations?" + urlencode(shown)


@router.get("/declarations", response_class=HTMLResponse)
def search(
    request: Request,
    runtime: RuntimeDep,
    user: Page,
    mrn: Text = "",
    lrn: Text = "",
    declarant: Text = "",
    status: Text = "",
    type: Text = "",
    office: Text = "",
    commodity: Text = "",
    lodged_from: Text = "",
    lodged_to: Text = "",
    cursor: Text = "",
) -> HTMLResponse:
    """Declarations newest first; an MRN finds the one declaration it names."""
    typed = {
        "mrn": mrn,
        "lrn": lrn,
        "declarant": declarant,
        "status": status,
        "type": type,
        "office": office,
        "commodity": commodity,
        "lodged_from": lodged_from,
        "lodged_to": lodged_to,
    }
    found = Search.read(typed, cursor)
    rows: list[DeclarationRecord] = []
    following = None
    if not found.errors:
        rows, following = _find(runtime, user, found)
    context: dict[str, Any] = {
        "search": found,
        "values": found.values,
        "errors": found.errors,
        "messages": [{"text": text, "href": f"#f-{name}"} for name, text in found.errors.items()],
        "rows": rows,
        "searched": any(found.values.values()),
        "next_url": found.url(encode_cursor(following)) if following else None,
        "first_url": found.url("") if found.cursor else None,
        "status_choices": [("", "Any status")] + [(code, label(code)) for code in STATUSES],
        "type_choices": (("", "Imports and exports"), ("IM", "Import"), ("EX", "Export")),
    }
    return render(request, "officer/search.html", context, user=user)


def _find(runtime: RuntimeDep, user: Page, found: Search) -> tuple[list[DeclarationRecord], Any]:
    with runtime.reads() as uow:
        if found.values["mrn"]:
            # The MRN names one declaration: the API's read by MRN, not a list filter.
            try:
                return [get_visible(uow, user, found.values["mrn"])], None
            except NotFound:
                return [], None
        try:
            after = decode_cursor(found.cursor) if found.cursor else None
        except BadRequest:
            after, found.cursor = None, ""
        return list_declarations(uow, user, found.filters(), after, PAGE_SIZE)
