"""The officers' work queue: held declarations riskiest first, claims, findings, rejection."""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from clearway.adapters.audit_trail import read_by, record_reads
from clearway.domain.errors import BadRequest
from clearway.domain.money import round_money
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.api.models import DeclarationPublic, MoneyPublic, public
from clearway.entrypoints.api.routers.declarations import (
    PROBLEMS,
    IfMatch,
    set_etag,
    version_from_if_match,
)
from clearway.services.risk_ports import QueueCursor, QueueEntry, QueueFilter, StoredWorkItem
from clearway.services.work_queue import (
    ClaimWork,
    HandBack,
    RecordFinding,
    RejectDeclaration,
    claim_work,
    hand_back,
    list_work,
    record_finding,
    reject_declaration,
)

router = APIRouter(tags=["officers"], route_class=JsonBodyRoute)

Lane = Annotated[str, Field(pattern="^(yellow|red|blue)$")]


class WorkItemPublic(BaseModel):
    declaration_id: str
    lane: str = Field(description="yellow: document check; red: inspection; blue: audit")
    state: str = Field(description="open, claimed or done")
    score: float | None
    office: str
    created_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None


class QueueItemPublic(WorkItemPublic):
    mrn: str | None
    declarant_id: str
    type: str = Field(description="IM or EX")
    status: str = Field(description="The declaration's status")
    version: int = Field(description="The version the check is of (send it as If-Match)")
    customs_value: MoneyPublic | None
    age_seconds: int = Field(description="Seconds since the declaration joined the queue")
    reasons: list[str] = Field(
        description="Why it was selected: unmet requirements, criteria met, the model's top reasons"
    )


class QueuePage(BaseModel):
    items: list[QueueItemPublic]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page")


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fraud: bool = Field(description="Whether the check found an irregularity")
    revenue_recovered: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)] = Decimal(0)
    notes: Annotated[str, Field(max_length=2000)] = ""


class FindingPublic(BaseModel):
    id: str
    declaration_id: str
    fraud: bool
    revenue_recovered: str
    currency: str
    notes: str
    recorded_by: str
    recorded_at: datetime


class RejectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=3, max_length=512)]


def _item(item: StoredWorkItem) -> WorkItemPublic:
    return WorkItemPublic(
        declaration_id=item.declaration_id,
        lane=item.lane,
        state=item.state,
        score=item.score,
        office=item.office,
        created_at=item.created_at,
        claimed_by=item.claimed_by,
        claimed_at=item.claimed_at,
    )


@router.get("/api/v1/work-queue", response_model=QueuePage, responses=PROBLEMS)
def list_work_queue(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    lane: Annotated[
        str | None,
        Query(
            pattern="^(yellow|red|blue)$",
            description="Default: goods held for a check (yellow and red); blue lists audits",
        ),
    ] = None,
    state: Annotated[
        str | None,
        Query(pattern="^(open|claimed|done)$", description="Default: open and claimed"),
    ] = None,
    office: Annotated[str | None, Query(max_length=8)] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> QueuePage:
    """Work waiting for an officer, riskiest first then oldest, a page at a time: goods held
    for a document check or an inspection, or (lane `blue`) released goods due an audit."""
    after = _decode_cursor(cursor) if cursor else None
    page, following = list_work(
        runtime.reads(), principal, QueueFilter(lane, state, office), after, limit
    )
    ids = [entry.item.declaration_id for entry in page]
    record_reads(runtime.engine, ids, read_by(principal, "summary"))
    now = runtime.context.now()
    currency = runtime.settings.national_currency
    return QueuePage(
        items=[_queued(entry, now, currency) for entry in page],
        next_cursor=_encode_cursor(following) if following else None,
    )


def _queued(entry: QueueEntry, now: datetime, currency: str) -> QueueItemPublic:
    item = entry.item
    reasons = [requirement["detail"] for requirement in entry.requirements]
    reasons += [f"{hit['rule_id']}: {hit['reason']}" for hit in entry.rule_hits]
    reasons += [reason["text"] for reason in entry.reasons]
    return QueueItemPublic(
        **_item(item).model_dump(),
        mrn=entry.mrn,
        declarant_id=entry.declarant_id,
        type=entry.declaration_type,
        status=entry.status,
        version=entry.version,
        customs_value=None
        if entry.customs_value is None
        else MoneyPublic(currency=currency, amount=round_money(entry.customs_value)),
        age_seconds=max(0, int((now - item.created_at).total_seconds())),
        reasons=reasons[:3],
    )


def _encode_cursor(cursor: QueueCursor) -> str:
    raw = orjson.dumps(
        {"s": cursor.score, "t": cursor.created_at.isoformat(), "id": cursor.declaration_id}
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(text: str) -> QueueCursor:
    try:
        fields = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        created_at = datetime.fromisoformat(fields["t"])
        score = fields["s"]
        if created_at.tzinfo is None or not (score is None or isinstance(score, float | int)):
            raise ValueError("not a queue cursor")
        return QueueCursor(None if score is None else float(score), created_at, str(fields["id"]))
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError) as error:
        raise BadRequest("the cursor is not one this API issued") from error


@router.post("/api/v1/work-queue/next", response_model=WorkItemPublic, responses=PROBLEMS)
def claim_next(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    lane: Annotated[str | None, Query(pattern="^(yellow|red|blue)$")] = None,
    office: Annotated[str | None, Query(max_length=8)] = None,
) -> WorkItemPublic:
    """Claim the riskiest open declaration in the lane (and office); 404 when none is open.
    Officers claiming at the same time each get a different one."""
    _, item = claim_work(ClaimWork(principal, None, lane, office), runtime.uow(), runtime.context)
    return _item(item)


@router.post(
    "/api/v1/work-queue/{reference}/claim", response_model=WorkItemPublic, responses=PROBLEMS
)
def claim(reference: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> WorkItemPublic:
    """Claim this declaration; 409 when another officer holds it. While claimed, only its
    officer (or a supervisor) records findings on it, releases or rejects it."""
    _, item = claim_work(ClaimWork(principal, reference), runtime.uow(), runtime.context)
    return _item(item)


@router.delete("/api/v1/work-queue/{reference}/claim", status_code=204, responses=PROBLEMS)
def hand_back_claim(reference: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Response:
    """Give the declaration back to the queue, unclaimed (its officer, or a supervisor)."""
    hand_back(HandBack(reference, principal), runtime.uow(), runtime.context)
    return Response(status_code=204)


@router.post(
    "/api/v1/declarations/{reference}/findings",
    response_model=FindingPublic,
    status_code=201,
    responses=PROBLEMS,
)
def add_finding(
    reference: str,
    body: FindingIn,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    if_match: IfMatch = None,
) -> FindingPublic:
    """Record what the check found (on an unclaimed declaration, this claims it). Findings
    train the risk model: the trader history learns this one at once, and
    `clearway risk retrain` fits a new model on all of them. A finding completes a blue-lane
    audit."""
    command = RecordFinding(
        reference,
        principal,
        body.fraud,
        body.revenue_recovered,
        body.notes,
        version_from_if_match(if_match),
    )
    finding = record_finding(command, runtime.uow(), runtime.context)
    return FindingPublic(
        id=finding.id,
        declaration_id=finding.declaration_id,
        fraud=finding.fraud,
        revenue_recovered=str(finding.revenue_recovered),
        currency=finding.currency,
        notes=finding.notes,
        recorded_by=finding.recorded_by,
        recorded_at=finding.recorded_at,
    )


@router.post(
    "/api/v1/declarations/{reference}/rejection",
    response_model=DeclarationPublic,
    responses=PROBLEMS,
)
def reject(
    reference: str,
    body: RejectionIn,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
    if_match: IfMatch = None,
) -> DeclarationPublic:
    """Refuse release of held goods, giving the reason (officers; claims an unclaimed one)."""
    command = RejectDeclaration(reference, body.reason, principal, version_from_if_match(if_match))
    record = reject_declaration(command, runtime.uow(), runtime.context)
    set_etag(response, record.version)
    return public(record, runtime.settings.national_currency, principal)
