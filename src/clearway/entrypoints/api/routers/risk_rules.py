"""Selectivity criteria as risk analysts keep them: rules and their versions, and replaying
rules over past declarations (lists, bands and lane targets are in ``risk_settings``).

Every endpoint is for risk analysts only. The rule language is described in ``docs/risk.md``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from clearway.adapters.selectivity_store import SqlAlchemySelectivityStore
from clearway.bootstrap import Runtime
from clearway.domain.access import Action
from clearway.domain.errors import NotFound
from clearway.domain.risk.lane import Lane
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.services.selectivity_admin import (
    AddRule,
    RetireRule,
    ReviseRule,
    RuleDraft,
    StoredRule,
    add_rule,
    retire_rule,
    revise_rule,
)
from clearway.services.selectivity_replay import ReplayRules, RuleReplay, replay_rules

router = APIRouter(
    prefix="/api/v1/risk",
    tags=["risk"],
    route_class=JsonBodyRoute,
    dependencies=[require(Action.MANAGE_RISK)],
)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"content": {"application/problem+json": {}}, "description": text}
    for code, text in {
        401: "Not authenticated",
        403: "Only risk analysts manage selectivity",
        404: "No such rule or list",
        409: "Conflicts with stored state",
        422: "The rule does not read (with its `position` and `column`), names an unknown "
        "list, or a setting is out of range",
    }.items()
}
DEFAULT_REPLAY_DAYS = 90

RuleId = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,39}$", examples=["R0001"])]
ListName = Annotated[str, Path(pattern=r"^[A-Za-z0-9_]{1,64}$", examples=["high_risk_footwear"])]
Rate = Annotated[float, Field(allow_inf_nan=False, examples=[0.03])]
UnitValue = Annotated[
    Decimal, Field(ge=0, max_digits=18, decimal_places=6, allow_inf_nan=False, examples=["4.50"])
]


def selectivity_store(runtime: Runtime) -> SqlAlchemySelectivityStore:
    return SqlAlchemySelectivityStore(runtime.engine)


def today_of(runtime: Runtime) -> dt.date:
    return runtime.context.now().date()


# --- rules --------------------------------------------------------------------------------------


class RuleUpdate(BaseModel):
    """A rule's content; every version holds all of it."""

    model_config = ConfigDict(extra="forbid")

    expression: Annotated[
        str,
        Field(
            min_length=1,
            max_length=4000,
            description="`condition -> lane` in the rule language",
            examples=['commodity startswith "6403" and origin in list:high_risk_footwear -> red'],
        ),
    ]
    owner: Annotated[str, Field(min_length=1, max_length=120, description="Who answers for it")]
    reason: Annotated[str, Field(min_length=1, max_length=4000, description="Why it exists")]
    valid_from: dt.date
    valid_to: dt.date | None = Field(default=None, description="Last day in force")
    applies_to_aeo: bool = Field(
        default=True, description="False exempts authorised economic operators"
    )

    def draft(self) -> RuleDraft:
        return RuleDraft(
            self.expression,
            self.owner.strip(),
            self.reason.strip(),
            self.valid_from,
            self.valid_to,
            self.applies_to_aeo,
        )


class RuleCreate(RuleUpdate):
    rule_id: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,39}$")] | None = Field(
        default=None, description="Default: the next of R0001, R0002 …"
    )


class RulePublic(BaseModel):
    rule_id: str
    version: int
    expression: str
    lane: Lane
    owner: str
    reason: str
    valid_from: dt.date
    valid_to: dt.date | None
    applies_to_aeo: bool
    current: bool = Field(description="The newest version of the rule")
    retired: bool = Field(description="Its last day in force has passed")
    created_by: str
    created_at: dt.datetime


def _rule_public(stored: StoredRule, today: dt.date) -> RulePublic:
    draft = stored.draft
    return RulePublic(
        rule_id=stored.rule_id,
        version=stored.version,
        expression=draft.expression,
        lane=stored.lane,
        owner=draft.owner,
        reason=draft.reason,
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        applies_to_aeo=draft.applies_to_aeo,
        current=stored.current,
        retired=stored.retired(today),
        created_by=stored.created_by,
        created_at=stored.created_at,
    )


@router.get("/rules", response_model=list[RulePublic], responses=PROBLEMS)
def list_rules(
    runtime: RuntimeDep,
    include_retired: Annotated[
        bool, Query(description="Also rules whose last day has passed")
    ] = False,
) -> list[RulePublic]:
    """The current version of every rule, by rule id."""
    today = today_of(runtime)
    with selectivity_store(runtime) as store:
        rules = store.rules()
    return [
        _rule_public(rule, today) for rule in rules if include_retired or not rule.retired(today)
    ]


@router.post(
    "/rules",
    status_code=status.HTTP_201_CREATED,
    response_model=RulePublic,
    responses=PROBLEMS,
)
def create_rule(
    body: Annotated[RuleCreate, Body()],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
) -> RulePublic:
    """Write a new rule (version 1). It must read, and every `list:NAME` it names must exist."""
    command = AddRule(body.draft(), principal.username, body.rule_id)
    stored = add_rule(command, selectivity_store(runtime), runtime.context.now())
    runtime.sync(force=True)
    response.headers["Location"] = f"{router.prefix}/rules/{stored.rule_id}"
    return _rule_public(stored, today_of(runtime))


@router.get("/rules/{rule_id}", response_model=RulePublic, responses=PROBLEMS)
def get_rule(rule_id: RuleId, runtime: RuntimeDep) -> RulePublic:
    """The current version of a rule."""
    with selectivity_store(runtime) as store:
        stored = store.rule(rule_id)
    if stored is None:
        raise NotFound(f"no rule {rule_id}")
    return _rule_public(stored, today_of(runtime))


@router.get("/rules/{rule_id}/versions", response_model=list[RulePublic], responses=PROBLEMS)
def get_rule_versions(rule_id: RuleId, runtime: RuntimeDep) -> list[RulePublic]:
    """Every version of a rule, oldest first, each as it was written."""
    with selectivity_store(runtime) as store:
        versions = store.rule_versions(rule_id)
    if not versions:
        raise NotFound(f"no rule {rule_id}")
    today = today_of(runtime)
    return [_rule_public(version, today) for version in versions]


@router.put("/rules/{rule_id}", response_model=RulePublic, responses=PROBLEMS)
def revise(
    rule_id: RuleId,
    body: Annotated[RuleUpdate, Body()],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> RulePublic:
    """Revise a rule: a new version becomes current; earlier ones are kept unchanged."""
    command = ReviseRule(rule_id, body.draft(), principal.username)
    stored = revise_rule(command, selectivity_store(runtime), runtime.context.now())
    runtime.sync(force=True)
    return _rule_public(stored, today_of(runtime))


@router.delete("/rules/{rule_id}", response_model=RulePublic, responses=PROBLEMS)
def retire(
    rule_id: RuleId,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    retire_from: Annotated[
        dt.date | None,
        Query(alias="from", description="First day the rule no longer applies (default today)"),
    ] = None,
) -> RulePublic:
    """Retire a rule from a date: a new version ending the day before; history is kept."""
    command = RetireRule(rule_id, retire_from or today_of(runtime), principal.username)
    stored = retire_rule(command, selectivity_store(runtime), runtime.context.now())
    runtime.sync(force=True)
    return _rule_public(stored, today_of(runtime))


# --- replay -------------------------------------------------------------------------------------


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expressions: Annotated[list[Annotated[str, Field(max_length=4000)]], Field(max_length=50)] = (
        Field(default=[], description="Rules (`condition -> lane`) or bare conditions")
    )
    rule_ids: Annotated[list[str], Field(max_length=50)] = Field(
        default=[], description="Stored rules, replayed as their current version"
    )
    date_from: dt.date | None = Field(default=None, description="Default: 90 days before date_to")
    date_to: dt.date | None = Field(default=None, description="Default: today")
    limit: Annotated[int, Field(ge=1, le=500_000)] = Field(
        default=50_000, description="Most recent declarations to examine at most"
    )


class RuleReplayPublic(BaseModel):
    rule_id: str | None
    version: int | None
    expression: str
    lane: Lane | None = Field(description="The lane the rule asks for; none for a condition")
    examined: int
    hits: int
    hit_rate: float
    hits_by_lane: dict[str, int] = Field(description="Hits by the lane each declaration took")
    hits_with_finding: int
    fraud_hits: int
    precision: float | None = Field(description="fraud_hits / hits_with_finding")
    unreadable: int = Field(description="Declarations whose stored facts did not fit the rule")
    sample: list[str] = Field(description="Up to 20 declarations hit, newest first")


class ReplayPublic(BaseModel):
    date_from: dt.date
    date_to: dt.date
    examined: int
    truncated: bool = Field(description="More declarations were decided than `limit`")
    rules: list[RuleReplayPublic]


def _replay_public(result: RuleReplay) -> RuleReplayPublic:
    return RuleReplayPublic(
        rule_id=result.rule_id,
        version=result.version,
        expression=result.expression,
        lane=result.lane,
        examined=result.examined,
        hits=result.hits,
        hit_rate=result.hit_rate,
        hits_by_lane=result.hits_by_lane,
        hits_with_finding=result.with_finding,
        fraud_hits=result.fraud_hits,
        precision=result.precision,
        unreadable=result.unreadable,
        sample=result.sample,
    )


@router.post("/rules/replay", response_model=ReplayPublic, responses=PROBLEMS)
def replay(body: Annotated[ReplayRequest, Body()], runtime: RuntimeDep) -> ReplayPublic:
    """Apply rules to the declarations decided in a date range (default: the last 90 days), as
    their facts were stored, with the current lists: hits, by the lane each declaration took,
    and the precision among declarations an officer recorded a finding on."""
    date_to = body.date_to or today_of(runtime)
    date_from = body.date_from or date_to - dt.timedelta(days=DEFAULT_REPLAY_DAYS)
    command = ReplayRules(date_from, date_to, body.expressions, body.rule_ids, body.limit)
    report = replay_rules(command, selectivity_store(runtime))
    return ReplayPublic(
        date_from=report.date_from,
        date_to=report.date_to,
        examined=report.examined,
        truncated=report.truncated,
        rules=[_replay_public(result) for result in report.rules],
    )
