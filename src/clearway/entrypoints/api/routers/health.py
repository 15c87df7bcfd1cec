"""Liveness and readiness."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.problems import PROBLEM_JSON, problem
from clearway.entrypoints.readiness import Readiness, State, readiness

router = APIRouter(tags=["health"])


class CheckPublic(BaseModel):
    """One part clearance needs: ``missing`` leaves its stage undone, ``warning`` is worth a
    look (``clearway doctor`` says what to run about it)."""

    name: str
    stage: str
    state: State
    detail: str


class ReadyPublic(BaseModel):
    status: Literal["ready"]
    checks: list[CheckPublic]


NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "content": {PROBLEM_JSON: {}},
        "description": "The database does not answer, its schema is not current or reference "
        "data is not loaded; ``checks`` lists every check",
    }
}


def _checks(report: Readiness) -> list[dict[str, str]]:
    return [
        {"name": c.name, "stage": c.stage, "state": c.state.value, "detail": c.detail}
        for c in report.checks
    ]


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready", response_model=ReadyPublic, responses=NOT_READY)
def ready(request: Request, runtime: RuntimeDep) -> Any:
    """Ready to clear declarations: the database answers, its schema is current and reference
    data is loaded. The body lists every stage's check, so that a tariff, a list, the ledger
    key or a model missing shows here too without making the service unready."""
    report = readiness(runtime.settings, runtime.engine)
    blocked = report.serving_blocked()
    if blocked:
        failed = ", ".join(check.name for check in blocked)
        return problem(
            request,
            503,
            "not-ready",
            "Not ready",
            f"failed: {failed}",
            extensions={"checks": _checks(report)},
        )
    return {"status": "ready", "checks": _checks(report)}
