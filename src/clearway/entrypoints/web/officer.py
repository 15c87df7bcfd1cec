"""The officer's work queue: held declarations riskiest first, filtered by lane, office and
claim, refreshing itself; "Next" claims the riskiest open one and opens it.

The pages of one declaration (``officer_declaration``, ``officer_actions``) and the search
(``officer_search``) are included here, so the portal has one router for the role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from clearway.domain.access import Action
from clearway.domain.errors import BadRequest, NotFound
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.routers.work_queue import (
    _decode_cursor,
    _encode_cursor,
    _queued,
)
from clearway.entrypoints.web import officer_actions, officer_declaration, officer_search
from clearway.entrypoints.web.officer_base import (
    LANE_CHOICES,
    LANE_TASKS,
    LANES,
    Page,
    age,
    keep_problem,
    take_problem,
)
from clearway.entrypoints.web.rendering import flash, render
from clearway.entrypoints.web.session import check_csrf, record_page_read
from clearway.services.risk_ports import QueueFilter
from clearway.services.work_queue import ClaimWork, claim_work, list_work

router = APIRouter(prefix="/officer", include_in_schema=False, dependencies=[Depends(check_csrf)])

STATE_CHOICES = (
    ("", "Open and claimed"),
    ("open", "Open: nobody holds it"),
    ("claimed", "Claimed"),
    ("mine", "Claimed by me"),
)
PAGE_SIZE = 25


@dataclass
class QueueQuery:
    """The queue's filters as the officer typed them, and what is wrong with them."""

    lane: str = ""
    office: str = ""
    state: str = ""
    cursor: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, lane: str, office: str, state: str, cursor: str) -> QueueQuery:
        query = cls(lane.strip(), office.strip().upper(), state.strip(), cursor.strip())
        if query.lane not in dict(LANE_CHOICES):
            query.errors["lane"] = "Choose a lane from the list"
        if query.state not in dict(STATE_CHOICES):
            query.errors["state"] = "Choose a state from the list"
        if query.office and (len(query.office) > 8 or not query.office.isalnum()):
            query.errors["office"] = "Enter an office code of up to 8 letters and digits"
        return query

    def filters(self, username: str) -> QueueFilter:
        if self.state == "mine":
            return QueueFilter(self.lane or None, "claimed", self.office or None, username)
        return QueueFilter(self.lane or None, self.state or None, self.office or None)

    def url(self, path: str = "/officer", *, cursor: str | None = None) -> str:
        values = {"lane": self.lane, "office": self.office, "state": self.state}
        values["cursor"] = self.cursor if cursor is None else cursor
        text = urlencode({key: value for key, value in values.items() if value})
        return f"{path}?{text}" if text else path


QueueParam = Annotated[str, Query(max_length=300)]


def _queue_context(
    request: Request, runtime: RuntimeDep, user: Page, query: QueueQuery
) -> dict[str, Any]:
    rows: list[Any] = []
    following = None
    if not query.errors:
        try:
            after = _decode_cursor(query.cursor) if query.cursor else None
        except BadRequest:
            after, query.cursor = None, ""
        page, following = list_work(
            runtime.reads(), user, query.filters(user.username), after, PAGE_SIZE
        )
        now = runtime.context.now()
        currency = runtime.settings.national_currency
        rows = [(_queued(entry, now, currency), age(entry.item.created_at, now)) for entry in page]
    return {
        "query": query,
        "messages": [{"text": text, "href": f"#f-{name}"} for name, text in query.errors.items()],
        "rows": rows,
        "next_url": query.url(cursor=_encode_cursor(following)) if following else None,
        "first_url": query.url(cursor="") if query.cursor else None,
        "poll_url": query.url("/officer/queue"),
        "here": query.url(),
        "lanes": LANES,
        "lane_tasks": LANE_TASKS,
        "lane_choices": LANE_CHOICES,
        "state_choices": STATE_CHOICES,
        "supervisor": user.may(Action.SUPERVISE),
        "checked_at": runtime.context.now(),
    }


@router.get("", response_class=HTMLResponse)
def home(
    request: Request,
    runtime: RuntimeDep,
    user: Page,
    lane: QueueParam = "",
    office: QueueParam = "",
    state: QueueParam = "",
    cursor: QueueParam = "",
) -> HTMLResponse:
    """The work queue, riskiest first."""
    query = QueueQuery.read(lane, office, state, cursor)
    context = _queue_context(request, runtime, user, query)
    record_page_read(request, runtime, user, *(row[0].declaration_id for row in context["rows"]))
    context["problem"] = take_problem(request)
    return render(request, "officer/queue.html", context, user=user)


@router.get("/queue", response_class=HTMLResponse)
def queue_rows(
    request: Request,
    runtime: RuntimeDep,
    user: Page,
    lane: QueueParam = "",
    office: QueueParam = "",
    state: QueueParam = "",
    cursor: QueueParam = "",
) -> HTMLResponse:
    """The queue's table alone: the page asks for it every few seconds so new work appears."""
    query = QueueQuery.read(lane, office, state, cursor)
    context = _queue_context(request, runtime, user, query)
    return render(request, "officer/queue_table.html", context, user=user)


@router.post("/next")
def claim_next(
    request: Request,
    runtime: RuntimeDep,
    user: Page,
    lane: Annotated[str, Form(max_length=10)] = "",
    office: Annotated[str, Form(max_length=8)] = "",
) -> RedirectResponse:
    """Claim the riskiest open declaration of the lane (and office) and open it, as the
    API's ``POST /work-queue/next``."""
    query = QueueQuery.read(lane, office, "", "")
    if query.errors:
        keep_problem(request, "Choose a lane and an office from the filters first.")
        return RedirectResponse(query.url(), status_code=303)
    try:
        record, _ = claim_work(
            ClaimWork(user, None, query.lane or None, query.office or None),
            runtime.uow(),
            runtime.context,
        )
    except NotFound:
        where = LANES[query.lane].lower() if query.lane else "the yellow and red lanes"
        keep_problem(request, f"No open declaration is waiting in {where}.")
        return RedirectResponse(query.url(), status_code=303)
    flash(request, f"You hold declaration {record.mrn} now.")
    return RedirectResponse(f"/officer/declarations/{record.id}", status_code=303)


router.include_router(officer_search.router)
router.include_router(officer_declaration.router)
router.include_router(officer_actions.router)
