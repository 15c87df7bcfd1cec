"""The learned risk model's versions for the analyst: how each did on its held-out days, which
one scores declarations now, promoting and rolling back (each after a confirmation), and the
drift of each feature since training (the API's ``risk_models`` router)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clearway.adapters.model_store import ModelInfo, activate, list_models, model_info, rollback
from clearway.domain.errors import Conflict
from clearway.domain.risk.drift import MAJOR, MODERATE
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web.analyst_forms import Page, today
from clearway.entrypoints.web.rendering import flash, render
from clearway.services.risk_training import DriftResult, drift_report

router = APIRouter()
DriftDays = Annotated[int, Query(ge=1, le=3660)]
# The held-out figures training stores, in the order the table shows them.
FIGURES = {
    "precision_at_5": "Precision at 5%",
    "recall_at_5": "Recall at 5%",
    "precision_at_10": "Precision at 10%",
    "recall_at_10": "Recall at 10%",
    "auc": "AUC",
}


@dataclass(frozen=True, slots=True)
class FeatureDrift:
    name: str
    psi: float

    @property
    def title(self) -> str:
        """``importer_declarant.fraud_rate`` → ``Importer declarant: fraud rate``."""
        key, _, measure = self.name.replace("_", " ").rpartition(".")
        text = f"{key}: {measure}" if key else measure
        return text[:1].upper() + text[1:]

    @property
    def reading(self) -> str:
        """The rule of thumb of ``domain.risk.drift`` (Siddiqi 2006)."""
        if self.psi > MAJOR:
            return "major"
        return "moderate" if self.psi > MODERATE else "stable"


def previous_promotion(models: list[ModelInfo]) -> ModelInfo | None:
    """The version a rollback re-activates: the latest promoted one that is not active (as
    ``model_store.rollback`` picks it), for the confirmation to name."""
    earlier = [info for info in models if info.activated_at is not None and not info.active]
    return max(earlier, key=lambda info: (info.activated_at, info.version), default=None)


@router.get("/models", response_class=HTMLResponse)
def models(request: Request, user: Page, runtime: RuntimeDep, days: DriftDays = 30) -> HTMLResponse:
    with runtime.engine.connect() as connection:
        stored = list_models(connection)
        active = next((info for info in stored if info.active), None)
        report: DriftResult | None = (
            drift_report(connection, days, today=today(runtime)) if active else None
        )
    features = (
        sorted(
            (FeatureDrift(name, psi) for name, psi in report.report.stability.items()),
            key=lambda feature: (-feature.psi, feature.name),
        )
        if report
        else []
    )
    context = {
        "models": stored,
        "active": active,
        "previous": previous_promotion(stored),
        "figures": FIGURES,
        "drift": report,
        "features": features,
        "days": days,
        "moderate": MODERATE,
        "major": MAJOR,
    }
    return render(request, "analyst/models.html", context, user=user)


@router.get("/models/{version}/promote", response_class=HTMLResponse)
def confirm_promotion(
    request: Request, user: Page, runtime: RuntimeDep, version: int
) -> HTMLResponse:
    with runtime.engine.connect() as connection:
        chosen = model_info(connection, version)
        active = next((info for info in list_models(connection) if info.active), None)
    context = {"action": "promote", "chosen": chosen, "active": active}
    return render(request, "analyst/model_confirm.html", context, user=user)


@router.post("/models/{version}/promote", response_class=HTMLResponse, response_model=None)
def promote(request: Request, user: Page, runtime: RuntimeDep, version: int) -> Response:
    """Make this version the one active model; this server scores with it at once."""
    with runtime.engine.begin() as connection:
        info = activate(connection, version)
    runtime.sync(force=True)
    flash(request, f"Version {info.version} is now the active model.")
    return RedirectResponse("/analyst/models", status_code=303)


@router.get("/models/rollback", response_class=HTMLResponse)
def confirm_rollback(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    with runtime.engine.connect() as connection:
        stored = list_models(connection)
    active = next((info for info in stored if info.active), None)
    previous = previous_promotion(stored)
    if active is None:
        raise Conflict("no risk model is active, so there is nothing to roll back")
    if previous is None:
        raise Conflict(
            f"version {active.version} is the earliest promotion left: there is no model to "
            "roll back to"
        )
    context = {"action": "rollback", "chosen": previous, "active": active}
    return render(request, "analyst/model_confirm.html", context, user=user)


@router.post("/models/rollback", response_class=HTMLResponse, response_model=None)
def roll_back(request: Request, user: Page, runtime: RuntimeDep) -> Response:
    """Withdraw the active version and re-activate the one promoted before it."""
    with runtime.engine.begin() as connection:
        info = rollback(connection)
    runtime.sync(force=True)
    flash(request, f"Rolled back: version {info.version} is the active model again.")
    return RedirectResponse("/analyst/models", status_code=303)
