"""The auditor's audit-trail page: who read or changed what, filtered by person, kind of
action, object and period, a page at a time, and the same selection as a CSV or JSON Lines
file (the files ``GET /api/v1/audit/export`` serves)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from clearway.adapters.audit_files import export_file
from clearway.adapters.audit_trail import AuditFilter, export, search
from clearway.domain.access import Action, Principal
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web.rendering import render
from clearway.entrypoints.web.session import page_for

router = APIRouter(prefix="/trail")
Page = Annotated[Principal, page_for(Action.READ_AUDIT)]
PAGE_SIZE = 50
FAMILIES = [
    ("", "Every action"),
    ("declaration", "Declarations read"),
    ("login", "Sign-ins"),
    ("user", "Users changed"),
    ("api_key", "API keys"),
    ("rule", "Selectivity rules"),
    ("risk_list", "Risk lists"),
    ("lane_targets", "Lane targets"),
    ("exchange_rates", "Exchange rates"),
    ("tariff", "Tariff"),
    ("screening_list", "Screening lists"),
    ("control_list", "Control list"),
    ("model", "Risk models"),
]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _filters(actor: str, action: str, object_id: str, since: str, until: str) -> AuditFilter:
    first, last = _day(since), _day(until)
    return AuditFilter(
        actor=actor.strip() or None,
        action=action if action in {value for value, _ in FAMILIES if value} else None,
        object_id=object_id.strip() or None,
        since=datetime.combine(first, time(), UTC) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), UTC) if last else None,
    )


Text = Annotated[str, Query(max_length=80)]


@router.get("", response_class=HTMLResponse)
def trail(
    request: Request,
    user: Page,
    runtime: RuntimeDep,
    actor: Text = "",
    action: Text = "",
    object_id: Text = "",
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    filters = _filters(actor, action, object_id, since, until)
    found = search(runtime.engine, filters, before, PAGE_SIZE + 1)
    query = {"actor": actor, "action": action, "object_id": object_id, "from": since, "to": until}
    context: dict[str, Any] = {
        "records": found[:PAGE_SIZE],
        "older": found[PAGE_SIZE - 1].id if len(found) > PAGE_SIZE else None,
        "query": query,
        "selection": urlencode({name: value for name, value in query.items() if value}),
        "families": FAMILIES,
        "errors": {
            name: "Give a date as YYYY-MM-DD"
            for name, text in (("from", since), ("to", until))
            if text and _day(text) is None
        },
    }
    return render(request, "auditor/trail.html", context, user=user)


@router.get("/export")
def export_trail(
    user: Page,
    runtime: RuntimeDep,
    format: Annotated[str, Query(pattern=r"^(csv|jsonl)$")] = "csv",
    actor: Text = "",
    action: Text = "",
    object_id: Text = "",
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Response:
    records = export(runtime.engine, _filters(actor, action, object_id, since, until))
    chunks, media_type, name = export_file(records, format)
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
