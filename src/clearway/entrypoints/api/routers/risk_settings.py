"""What selectivity rules refer to and aim at: named lists, value-control bands and lane
targets, kept by risk analysts (the rules themselves are in ``risk_rules``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Response, status
from pydantic import BaseModel, ConfigDict, Field

from clearway.domain.access import Action
from clearway.domain.errors import NotFound
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lane_targets import LaneTarget
from clearway.domain.risk.selectivity import ValueBand
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.api.routers.risk_rules import (
    PROBLEMS,
    ListName,
    Rate,
    UnitValue,
    selectivity_store,
    today_of,
)
from clearway.services.selectivity_admin import (
    DeleteList,
    LaneRates,
    PutLaneTargets,
    PutList,
    PutValueBands,
    RiskList,
    delete_list,
    put_lane_targets,
    put_list,
    put_value_bands,
)

router = APIRouter(
    prefix="/api/v1/risk",
    tags=["risk"],
    route_class=JsonBodyRoute,
    dependencies=[require(Action.MANAGE_RISK)],
)


# --- lists --------------------------------------------------------------------------------------


class ListUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, Field(max_length=4000)] = ""
    codes: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=200_000)] = Field(
        description="Codes (countries, EORIs, commodity codes …); stored upper-case"
    )


class ListPublic(BaseModel):
    name: str
    description: str
    codes: list[str]
    updated_by: str
    updated_at: dt.datetime


def _list_public(risk_list: RiskList) -> ListPublic:
    return ListPublic(
        name=risk_list.name,
        description=risk_list.description,
        codes=sorted(risk_list.codes),
        updated_by=risk_list.updated_by,
        updated_at=risk_list.updated_at,
    )


@router.get("/lists", response_model=list[ListPublic], responses=PROBLEMS)
def get_lists(runtime: RuntimeDep) -> list[ListPublic]:
    """Every named list, by name."""
    with selectivity_store(runtime) as store:
        lists = store.lists()
    return [_list_public(risk_list) for risk_list in lists.values()]


@router.get("/lists/{name}", response_model=ListPublic, responses=PROBLEMS)
def get_list(name: ListName, runtime: RuntimeDep) -> ListPublic:
    """One named list."""
    with selectivity_store(runtime) as store:
        found = store.lists().get(name)
    if found is None:
        raise NotFound(f"no list {name}")
    return _list_public(found)


@router.put(
    "/lists/{name}",
    response_model=ListPublic,
    responses={201: {"description": "The list is new"}, **PROBLEMS},
)
def put_named_list(
    name: ListName,
    body: Annotated[ListUpdate, Body()],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
) -> ListPublic:
    """Create or replace a list; codes are stripped, upper-cased and deduplicated."""
    command = PutList(name, body.description, body.codes, principal.username)
    stored, created = put_list(command, selectivity_store(runtime), runtime.context.now())
    runtime.sync(force=True)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return _list_public(stored)


@router.delete(
    "/lists/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=PROBLEMS,
)
def delete_named_list(name: ListName, runtime: RuntimeDep) -> None:
    """Delete a list; refused (409) while a rule not yet retired names it."""
    delete_list(DeleteList(name, today_of(runtime)), selectivity_store(runtime))
    runtime.sync(force=True)


# --- value controls -----------------------------------------------------------------------------


class ValueBandModel(BaseModel):
    """Usual customs value per unit for commodities under a code prefix."""

    model_config = ConfigDict(extra="forbid")

    commodity_prefix: Annotated[str, Field(pattern=r"^\d{2,10}$", examples=["6403"])]
    unit: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$", examples=["KGM"])] = Field(
        description="KGM (per kg net mass) or a supplementary unit code, e.g. NPR"
    )
    min_unit_value: UnitValue | None = None
    max_unit_value: UnitValue | None = None


@router.get("/value-controls", response_model=list[ValueBandModel], responses=PROBLEMS)
def get_value_controls(runtime: RuntimeDep) -> list[ValueBandModel]:
    """Every value-control band, by commodity prefix and unit."""
    with selectivity_store(runtime) as store:
        bands = store.bands()
    return [_band_model(band) for band in bands]


@router.put("/value-controls", response_model=list[ValueBandModel], responses=PROBLEMS)
def put_value_controls(
    body: Annotated[list[ValueBandModel], Body(max_length=10_000)],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> list[ValueBandModel]:
    """Replace every value-control band with these (one per commodity prefix and unit)."""
    bands = [
        ValueBand(band.commodity_prefix, band.unit, band.min_unit_value, band.max_unit_value)
        for band in body
    ]
    units = runtime.context.reference.units | {"KGM"}
    command = PutValueBands(bands, principal.username, frozenset(units))
    stored = put_value_bands(command, selectivity_store(runtime), runtime.context.now())
    runtime.sync(force=True)
    return [_band_model(band) for band in stored]


def _band_model(band: ValueBand) -> ValueBandModel:
    return ValueBandModel(
        commodity_prefix=band.commodity_prefix,
        unit=band.unit,
        min_unit_value=band.min_unit_value,
        max_unit_value=band.max_unit_value,
    )


# --- lane targets -------------------------------------------------------------------------------


class LaneTargetModel(BaseModel):
    """One lane's rates as shares of all declarations (0.03 is 3%)."""

    model_config = ConfigDict(extra="forbid")

    lane: Lane
    expected_rate: Rate
    random_rate: Rate
    aeo_expected_rate: Rate | None = Field(default=None, description="Default: expected_rate")
    aeo_random_rate: Rate | None = Field(default=None, description="Default: random_rate")


@router.get("/lane-targets", response_model=list[LaneTargetModel], responses=PROBLEMS)
def get_lane_targets(runtime: RuntimeDep) -> list[LaneTargetModel]:
    """The red, yellow and blue lanes' targets (green is what they leave)."""
    with selectivity_store(runtime) as store:
        targets = store.targets()
    return [_target_model(target) for target in targets.in_severity_order]


@router.put("/lane-targets", response_model=list[LaneTargetModel], responses=PROBLEMS)
def put_targets(
    body: Annotated[list[LaneTargetModel], Body(max_length=10)],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> list[LaneTargetModel]:
    """Set the targets of the red, yellow and blue lanes, all three at once."""
    rates = [
        LaneRates(
            target.lane,
            target.expected_rate,
            target.random_rate,
            target.aeo_expected_rate,
            target.aeo_random_rate,
        )
        for target in body
    ]
    targets = put_lane_targets(
        PutLaneTargets(rates, principal.username), selectivity_store(runtime), runtime.context.now()
    )
    runtime.sync(force=True)
    return [_target_model(target) for target in targets.in_severity_order]


def _target_model(target: LaneTarget) -> LaneTargetModel:
    return LaneTargetModel(
        lane=target.lane,
        expected_rate=target.expected_rate,
        random_rate=target.random_rate,
        aeo_expected_rate=target.aeo_expected_rate,
        aeo_random_rate=target.aeo_random_rate,
    )
