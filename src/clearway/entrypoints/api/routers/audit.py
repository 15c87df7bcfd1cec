"""The audit trail for auditors: who read or changed what, filtered, paged and exported."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from clearway.adapters.audit_files import COLUMNS, export_file
from clearway.adapters.audit_trail import AuditFilter, AuditRecord, export, search
from clearway.domain.access import Action, Principal
from clearway.domain.errors import BadRequest
from clearway.entrypoints.api.deps import RuntimeDep, require

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Auditor = Annotated[Principal, require(Action.READ_AUDIT)]
_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {**_PROBLEM, "description": "A cursor or period that does not read"},
    401: {**_PROBLEM, "description": "Not authenticated"},
    403: {**_PROBLEM, "description": "Only auditors and administrators read the audit trail"},
    422: {**_PROBLEM, "description": "A filter out of range"},
}


class AuditRecordPublic(BaseModel):
    id: int
    occurred_at: datetime
    actor: str
    actor_role: str | None
    action: str
    object_type: str
    object_id: str | None
    detail: dict[str, Any]
    channel: str
    client: str | None
    request_id: str | None


class AuditPage(BaseModel):
    records: list[AuditRecordPublic]
    next_cursor: str | None


def _filters(
    actor: Annotated[str | None, Query(max_length=64, description="Username")] = None,
    action: Annotated[
        str | None,
        Query(
            max_length=48,
            pattern=r"^[a-z_]+(\.[a-z_]+)?$",
            description="`declaration.read`, or a family: `login`, `user`, `rule` …",
        ),
    ] = None,
    object_type: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")] = None,
    object_id: Annotated[str | None, Query(max_length=80)] = None,
    since: Annotated[datetime | None, Query(alias="from", description="From this moment")] = None,
    until: Annotated[datetime | None, Query(alias="to", description="Before this moment")] = None,
) -> AuditFilter:
    for moment in (since, until):
        if moment is not None and moment.tzinfo is None:
            raise BadRequest("give times with their offset (…Z or …+01:00)")
    return AuditFilter(actor, action, object_type, object_id, since, until)


Filters = Annotated[AuditFilter, Depends(_filters)]


def _public(found: AuditRecord) -> AuditRecordPublic:
    return AuditRecordPublic(**{name: getattr(found, name) for name in COLUMNS})


@router.get("", response_model=AuditPage, responses=PROBLEMS)
def audit_trail(
    auditor: Auditor,
    runtime: RuntimeDep,
    filters: Filters,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """The audit trail, newest first: every read of a declaration (who, the fields or page),
    every sign-in (failed or not), every change of users, keys, rules, lists and reference
    data."""
    found = search(runtime.engine, filters, int(cursor) if cursor else None, limit + 1)
    page = found[:limit]
    more = len(found) > limit
    return AuditPage(
        records=[_public(item) for item in page],
        next_cursor=str(page[-1].id) if more and page else None,
    )


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        **PROBLEMS,
        200: {
            "description": "The records, oldest first",
            "content": {"text/csv": {}, "application/jsonl": {}},
        },
    },
)
def export_trail(
    auditor: Auditor,
    runtime: RuntimeDep,
    filters: Filters,
    format: Annotated[Literal["csv", "jsonl"], Query()] = "csv",
) -> StreamingResponse:
    """Every record the filters select, oldest first, as CSV (`detail` as JSON in its column)
    or JSON Lines, streamed."""
    records = export(runtime.engine, filters)
    chunks, media_type, name = export_file(records, format)
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
