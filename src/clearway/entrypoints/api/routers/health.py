"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import text

from clearway.adapters import migrate
from clearway.adapters.reference_store import reference_loaded
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.problems import problem

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready", response_model=None)
def ready(request: Request, runtime: RuntimeDep) -> dict[str, Any] | Response:
    """The database answers, its schema is current and reference data is loaded."""
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        schema = migrate.current_revision(runtime.engine) == migrate.head_revision()
        reference = reference_loaded(runtime.engine)
    except Exception:
        return problem(request, 503, "not-ready", "Not ready", "the database does not answer")
    checks = {"database": True, "schema_current": schema, "reference_loaded": reference}
    if not all(checks.values()):
        failed = ", ".join(name for name, passed in checks.items() if not passed)
        return problem(request, 503, "not-ready", "Not ready", f"failed: {failed}")
    return {"status": "ready", "checks": checks}
