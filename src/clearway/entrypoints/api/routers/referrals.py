"""Referrals to the export-control agency: its queue, its questions and its decisions, and the
exporter's reply."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from clearway.domain.export_control.referral import EXPORT_CONTROL_AGENCY
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.api.routers.declarations import PROBLEMS
from clearway.services.referrals import (
    DecideReferral,
    Decision,
    ReplyToReferral,
    RequestInformation,
    agency_queue,
    decide_referral,
    expire_referrals,
    reply_to_referral,
    request_information,
    visible_referral,
)

router = APIRouter(tags=["export control"], route_class=JsonBodyRoute)

Text = Annotated[str, Field(min_length=1, max_length=4000)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision = Field(
        description="approve: clearance resumes; deny: the export is rejected"
    )
    note: Annotated[str, Field(max_length=4000)] = Field(
        default="",
        description="The reasons; required to approve a prohibited export (cite the exemption)",
    )
    dismiss_matches: bool = Field(
        default=False,
        description="With approve: the screening matches were false positives; they stop "
        "recurring for those parties",
    )


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reply: Text


@router.get("/api/v1/referrals", responses=PROBLEMS)
def queue(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """The agency's open referrals, nearest deadline first (agency). Referrals past their
    deadline expire first and go to the customs officers."""
    expire_referrals(runtime.uow(), runtime.context)
    found = agency_queue(runtime.uow(), principal, EXPORT_CONTROL_AGENCY, limit)
    return [referral.document() for referral in found]


@router.get("/api/v1/referrals/{referral_id}", responses=PROBLEMS)
def get(referral_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> dict[str, Any]:
    """One referral with every finding: screening matches with their scores and explanations,
    licence problems, control-list correlations and destination measures."""
    return visible_referral(runtime.uow(), principal, referral_id).document()


@router.post("/api/v1/referrals/{referral_id}/decision", responses=PROBLEMS)
def decide(
    referral_id: str, body: DecisionIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, Any]:
    """Approve or deny the export (agency)."""
    command = DecideReferral(
        referral_id, body.decision, body.note, principal, dismiss_matches=body.dismiss_matches
    )
    decided = decide_referral(command, runtime.uow(), runtime.context)
    if body.dismiss_matches:
        runtime.sync(force=True)
    return decided.document()


@router.post("/api/v1/referrals/{referral_id}/information-request", responses=PROBLEMS)
def ask(
    referral_id: str, body: QuestionIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, Any]:
    """Ask the exporter for information (agency); the deadline does not change."""
    command = RequestInformation(referral_id, body.question, principal)
    return request_information(command, runtime.uow(), runtime.context).document()


@router.post("/api/v1/declarations/{reference}/referral/reply", responses=PROBLEMS)
def reply(
    reference: str, body: ReplyIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, Any]:
    """Answer the agency's question about your declaration (trader)."""
    command = ReplyToReferral(reference, body.reply, principal)
    return reply_to_referral(command, runtime.uow(), runtime.context).trader_document()
