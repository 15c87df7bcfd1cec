"""Sanctions and denied-party screening: the loaded list versions, screening a name, and the
export-control agency's dismissals of false positives (a dismissed entity no longer matches
that party)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from clearway.adapters.screening_store import (
    add_dismissal,
    list_dismissals,
    list_versions,
    remove_dismissal,
)
from clearway.domain.access import Action
from clearway.domain.declaration import Party
from clearway.domain.errors import NotFound
from clearway.domain.screening.entity import ListVersion
from clearway.domain.screening.match import Dismissal, ScreeningMatch, party_key
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute

router = APIRouter(prefix="/api/v1/screening", tags=["screening"], route_class=JsonBodyRoute)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"content": {"application/problem+json": {}}, "description": text}
    for code, text in {
        401: "Not authenticated",
        403: "The role may not screen, or may not manage dismissals (export-control agency)",
        404: "No such dismissal, or no loaded list holds the entity",
        409: "The entity is already dismissed for this party",
        422: "The body does not read",
    }.items()
}
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["GB"])]


class ListVersionPublic(BaseModel):
    id: int
    source: str
    loaded_at: dt.datetime
    loaded_by: str
    origin: str
    sha256: str
    entity_count: int
    added: int
    removed: int
    current: bool


def _version(version: ListVersion) -> ListVersionPublic:
    return ListVersionPublic(**{**version.document(), "loaded_at": version.loaded_at})


@router.get(
    "/lists",
    response_model=list[ListVersionPublic],
    responses=PROBLEMS,
    dependencies=[require(Action.SCREEN)],
)
def get_lists(runtime: RuntimeDep) -> list[ListVersionPublic]:
    """Every version of every list loaded, newest first; the current one of each source is
    the one screening uses."""
    with runtime.engine.connect() as connection:
        versions = list_versions(connection)
    return [_version(version) for version in versions]


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=300, examples=["Vladimir Putin"])]
    country: CountryCode | None = None
    address: Annotated[str | None, Field(max_length=500)] = None
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class MatchExplanation(BaseModel):
    text: str
    components: dict[str, float]


class MatchPublic(BaseModel):
    entity_id: str
    source: str
    kind: str
    listed_name: str
    matched_name: str
    matched_strength: str
    score: float
    explanation: MatchExplanation
    programmes: list[str]
    countries: list[str]


class ScreenResult(BaseModel):
    threshold: float
    matches: list[MatchPublic]


def _match(match: ScreeningMatch) -> MatchPublic:
    return MatchPublic.model_validate(match.document())


@router.post(
    "/screen",
    response_model=ScreenResult,
    responses=PROBLEMS,
    dependencies=[require(Action.SCREEN)],
)
def screen(body: Annotated[ScreenRequest, Body()], runtime: RuntimeDep) -> ScreenResult:
    """Listed entities resembling a name at or above the threshold, best first, each with its
    score and why it matched (dismissals apply to declared parties, not to this search)."""
    screener = runtime.context.screening
    matches = screener.screen(body.name, body.country, body.address, body.limit)
    return ScreenResult(threshold=screener.threshold, matches=[_match(m) for m in matches])


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=300)]
    id: Annotated[str | None, Field(max_length=64)] = None
    country: CountryCode | None = None


class DismissalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    party: PartyIn = Field(description="The declared party the match is a false positive for")
    entity_id: Annotated[str, Field(min_length=3, max_length=80, examples=["ofac-sdn:36"])]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class DismissalPublic(BaseModel):
    id: int
    party_key: str
    party_name: str
    entity_id: str
    reason: str
    decided_by: str
    decided_at: dt.datetime


def _dismissal(dismissal: Dismissal) -> DismissalPublic:
    return DismissalPublic(**{**dismissal.document(), "decided_at": dismissal.decided_at})


@router.get(
    "/dismissals",
    response_model=list[DismissalPublic],
    responses=PROBLEMS,
    dependencies=[require(Action.MANAGE_EXPORT_CONTROL)],
)
def get_dismissals(runtime: RuntimeDep) -> list[DismissalPublic]:
    """Every match dismissed as a false positive, oldest first."""
    with runtime.engine.connect() as connection:
        dismissals = list_dismissals(connection)
    return [_dismissal(dismissal) for dismissal in dismissals]


@router.post(
    "/dismissals",
    response_model=DismissalPublic,
    status_code=status.HTTP_201_CREATED,
    responses=PROBLEMS,
    dependencies=[require(Action.MANAGE_EXPORT_CONTROL)],
)
def post_dismissal(
    body: Annotated[DismissalCreate, Body()],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
) -> DismissalPublic:
    """Mark a listed entity as a false positive for one party: screening that party no
    longer reports it; other parties are screened as before."""
    if runtime.context.screening.entity(body.entity_id) is None:
        raise NotFound(f"no loaded list holds {body.entity_id}")
    party = Party(name=body.party.name, id=body.party.id, country=body.party.country)
    with runtime.engine.begin() as connection:
        dismissal = add_dismissal(
            connection,
            party_key=party_key(party),
            party_name=party.name or party.id or "",
            entity_id=body.entity_id,
            reason=body.reason,
            actor=principal.username,
            at=runtime.context.now(),
        )
    runtime.sync(force=True)
    response.headers["Location"] = f"/api/v1/screening/dismissals/{dismissal.id}"
    return _dismissal(dismissal)


@router.delete(
    "/dismissals/{dismissal_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=PROBLEMS,
    dependencies=[require(Action.MANAGE_EXPORT_CONTROL)],
)
def delete_dismissal(
    # The id column is a 32-bit INTEGER: a larger number names nothing (and overflowed it).
    dismissal_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    runtime: RuntimeDep,
) -> None:
    """Withdraw a dismissal: the entity matches that party again."""
    with runtime.engine.begin() as connection:
        remove_dismissal(connection, dismissal_id)
    runtime.sync(force=True)
