"""One declaration, for the officer: status, lane and why, the risk decision, the controls'
findings, parties, items, valuation and duties, history and who holds the check; with the
actions (``officer_actions``) and a live status that polls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from clearway.bootstrap import Runtime
from clearway.domain.access import Action, Principal
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web.officer_base import (
    BASES,
    EVENTS,
    LANES,
    SOURCES,
    WORK_STATES,
    Page,
    take_problem,
)
from clearway.entrypoints.web.officer_view import DeclarationView, declaration_view
from clearway.entrypoints.web.rendering import render
from clearway.entrypoints.web.session import record_page_read
from clearway.services.queries import get_visible, history
from clearway.services.work_queue import work_item_of

router = APIRouter()
CLEARED_KEY = "officer_cleared"


def load_view(runtime: Runtime, user: Principal, reference: str) -> DeclarationView:
    """The declaration, its history and its check, read as the API reads them."""
    with runtime.reads() as uow:
        record = get_visible(uow, user, reference)
        events = history(uow, user, record.id)
    work = work_item_of(runtime.reads(), user, record.id)
    return declaration_view(record, events, work)


def render_declaration(
    request: Request,
    runtime: Runtime,
    user: Principal,
    reference: str,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    """The declaration page; after a refused action, with its errors and what was typed.

    A form sent back with its errors, or an action refused, is a page for the officer to
    read and act on, so it is answered 200 like any page (the messages say what is wrong)."""
    view = load_view(runtime, user, reference)
    record_page_read(request, runtime, user, view.record.id)
    messages: list[dict[str, str | None]] = [
        {"text": text, "href": f"#f-{name}" if name != "fraud" else "#f-fraud-no"}
        for name, text in (errors or {}).items()
    ]
    if problem:
        messages.insert(0, {"text": problem, "href": None})
    context: dict[str, Any] = {
        "view": view,
        "record": view.record,
        "errors": dict(errors or {}),
        "values": dict(values or {}),
        "messages": messages,
        "cleared": request.session.pop(CLEARED_KEY, None),
        "holds": _holds(view, user),
        "supervisor": user.may(Action.SUPERVISE),
        "lanes": LANES,
        "bases": BASES,
        "events": EVENTS,
        "sources": SOURCES,
        "work_states": WORK_STATES,
    }
    return render(request, "officer/declaration.html", context, user=user)


def _holds(view: DeclarationView, user: Principal) -> bool:
    return (
        view.work is not None
        and view.work.state == "claimed"
        and view.work.claimed_by == user.username
    )


@router.get("/declarations/{reference}", response_class=HTMLResponse)
def declaration(request: Request, reference: str, runtime: RuntimeDep, user: Page) -> HTMLResponse:
    """Everything about one declaration, by its id or MRN."""
    problem = take_problem(request)
    return render_declaration(request, runtime, user, reference, problem=problem)


@router.get("/declarations/{reference}/status", response_class=HTMLResponse)
def live_status(
    request: Request, reference: str, runtime: RuntimeDep, user: Page, version: int = 0
) -> HTMLResponse:
    """The status, the claim and whether the page is out of date: asked for every few
    seconds by the open page."""
    view = load_view(runtime, user, reference)
    context = {
        "view": view,
        "record": view.record,
        "shown_version": version,
        "shown_status": request.query_params.get("status", ""),
        "lanes": LANES,
        "work_states": WORK_STATES,
    }
    return render(request, "officer/declaration_status.html", context, user=user)
