"""The officers' work queue: held declarations riskiest first, claims, findings, rejection."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from clearway.adapters.risk_store import work_queue
from clearway.domain.access import Action
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.api.models import DeclarationPublic, public
from clearway.entrypoints.api.routers.declarations import (
    PROBLEMS,
    IfMatch,
    set_etag,
    version_from_if_match,
)
from clearway.services.ports import StoredWorkItem
from clearway.services.work_queue import (
    ClaimWork,
    RecordFinding,
    RejectDeclaration,
    claim_work,
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


@router.get(
    "/api/v1/work-queue",
    response_model=list[WorkItemPublic],
    responses=PROBLEMS,
    dependencies=[require(Action.INSPECT)],
)
def list_work(
    runtime: RuntimeDep,
    lane: Annotated[str | None, Query(pattern="^(yellow|red|blue)$")] = None,
    state: Annotated[str | None, Query(pattern="^(open|claimed|done)$")] = None,
    office: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[WorkItemPublic]:
    """Declarations waiting for an officer, riskiest first (open and claimed by default)."""
    with runtime.engine.connect() as connection:
        items = work_queue(connection, lane=lane, state=state, office=office, limit=limit)
    return [_item(item) for item in items]


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
    """Claim this declaration; 409 when another officer holds it."""
    _, item = claim_work(ClaimWork(principal, reference), runtime.uow(), runtime.context)
    return _item(item)


@router.post(
    "/api/v1/declarations/{reference}/findings",
    response_model=FindingPublic,
    status_code=201,
    responses=PROBLEMS,
)
def add_finding(
    reference: str, body: FindingIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> FindingPublic:
    """Record what the check found. Findings train the risk model: the trader history learns
    this one at once, and `clearway risk retrain` fits a new model on all of them."""
    command = RecordFinding(reference, principal, body.fraud, body.revenue_recovered, body.notes)
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
    """Refuse release of held goods, giving the reason (officers)."""
    command = RejectDeclaration(reference, body.reason, principal, version_from_if_match(if_match))
    record = reject_declaration(command, runtime.uow(), runtime.context)
    set_etag(response, record.version)
    return public(record, runtime.settings.national_currency, principal)
