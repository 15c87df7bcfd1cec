"""Trained risk models for risk analysts: list, read, promote, roll back, and drift."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from clearway.adapters.model_store import ModelInfo, activate, list_models, model_info, rollback
from clearway.bootstrap import Runtime
from clearway.domain.access import Action
from clearway.entrypoints.api.deps import RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.services.risk_training import drift_report

router = APIRouter(
    prefix="/api/v1/risk/models",
    tags=["risk models"],
    route_class=JsonBodyRoute,
    dependencies=[require(Action.MANAGE_RISK)],
)

# The version column is a 32-bit INTEGER: a larger number names nothing (and overflowed it).
Version = Annotated[int, Path(ge=1, le=2**31 - 1, description="Model version")]


class RiskModelPublic(BaseModel):
    version: int
    created_at: dt.datetime
    created_by: str
    source: str = Field(description="What it was trained on: a file, or the officers' findings")
    features: int = Field(description="Number of features")
    settings: dict[str, Any] = Field(description="Booster settings, seed and held-out share")
    metrics: dict[str, Any] = Field(
        description="Precision and recall at 5% and 10% and AUC on the held-out latest days"
    )
    training_rows: int
    active: bool
    activated_at: dt.datetime | None = Field(
        description="Latest promotion; cleared when the version is rolled back"
    )


class RiskModelDetail(RiskModelPublic):
    feature_names: list[str]


class DriftPublic(BaseModel):
    version: int = Field(description="The active model, whose training data is the baseline")
    since: dt.date
    rows: int = Field(description="Declaration lines in the window")
    thresholds: dict[str, float]
    major: list[str] = Field(description="Features with PSI above 0.25, worst first")
    moderate: list[str] = Field(description="Features with PSI above 0.1 (and at most 0.25)")
    psi: dict[str, float]


def _public(info: ModelInfo) -> RiskModelPublic:
    return RiskModelPublic(**info.document())


def _refresh(runtime: Runtime) -> None:
    # This worker scores with the new active model at once; the others within a second.
    runtime.sync(force=True)


@router.get("", response_model=list[RiskModelPublic])
def list_(runtime: RuntimeDep) -> list[RiskModelPublic]:
    """Every stored version, newest first (without the boosters)."""
    with runtime.engine.connect() as connection:
        return [_public(info) for info in list_models(connection)]


@router.get("/drift", response_model=DriftPublic)
def drift(
    runtime: RuntimeDep,
    days: Annotated[int, Query(ge=1, le=3660, description="Window of recent days")] = 30,
) -> DriftPublic:
    """Population stability index of each feature: the declarations of the last ``days`` days
    against the active model's training data (above 0.1 moderate, above 0.25 major)."""
    today = runtime.context.now().date()
    with runtime.engine.connect() as connection:
        result = drift_report(connection, days, today=today)
    return DriftPublic(**result.document())


@router.get("/{version}", response_model=RiskModelDetail)
def get(version: Version, runtime: RuntimeDep) -> RiskModelDetail:
    """One stored version with the names of its features."""
    with runtime.engine.connect() as connection:
        info = model_info(connection, version)
    return RiskModelDetail(**info.document(), feature_names=info.features)


@router.post("/{version}/promote", response_model=RiskModelPublic)
def promote(version: Version, runtime: RuntimeDep) -> RiskModelPublic:
    """Make this version the one active model; the server scores with it from now on."""
    with runtime.engine.begin() as connection:
        info = activate(connection, version)
    _refresh(runtime)
    return _public(info)


@router.post("/rollback", response_model=RiskModelPublic)
def roll_back(runtime: RuntimeDep) -> RiskModelPublic:
    """Withdraw the active version and re-activate the one promoted before it."""
    with runtime.engine.begin() as connection:
        info = rollback(connection)
    _refresh(runtime)
    return _public(info)
