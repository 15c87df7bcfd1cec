"""The administrator's reference-data page: what is loaded (exchange rates, tariff, control
list, sanctions lists) and exchange rates loaded from a CSV, through the same parser and loader
as ``POST /api/v1/reference/exchange-rates``, factor-2 check and override included."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from clearway.adapters.control_list_store import SqlAlchemyControlListStore
from clearway.adapters.reference_files import LargeRateChanges, RatesFile, RatesFileError
from clearway.adapters.reference_files import parse_rates as parse_rates_file
from clearway.adapters.reference_state import reference_state
from clearway.adapters.reference_store import StoredRates, load_rates
from clearway.adapters.reference_versions import Kind
from clearway.bootstrap import Runtime
from clearway.domain.access import Action, Principal
from clearway.domain.reference import LARGE_CHANGE_FACTOR
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web.rendering import render
from clearway.entrypoints.web.session import page_for

router = APIRouter(prefix="/reference")
Page = Annotated[Principal, page_for(Action.MANAGE_REFERENCE)]
MAX_RATES_BYTES = 5_000_000


def _state(runtime: Runtime, user: Principal) -> dict[str, Any]:
    with SqlAlchemyControlListStore(runtime.engine) as store:
        control_list = store.current()
    return {
        "state": reference_state(runtime.engine),
        "kinds": Kind,
        "control_list": control_list,
        # The sanctions lists are read with the screening permission, as the API reads them.
        "may_screen": user.may(Action.SCREEN),
        "factor": LARGE_CHANGE_FACTOR,
        "national_currency": runtime.settings.national_currency,
    }


@router.get("", response_class=HTMLResponse)
def reference(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    context = {**_state(runtime, user), "result": None, "refused": None, "errors": {}}
    return render(request, "admin/reference.html", context, user=user)


@router.post("/exchange-rates", response_class=HTMLResponse)
async def load_exchange_rates(
    request: Request,
    user: Page,
    runtime: RuntimeDep,
    file: Annotated[UploadFile | None, File()] = None,
    allow_large_changes: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Load every rate of the file or none; refusals are listed with their line numbers."""
    content = await file.read(MAX_RATES_BYTES + 1) if file is not None else b""
    filename = (file.filename if file is not None else None) or "upload"
    result: StoredRates | None = None
    refused: dict[str, Any] | None = None
    allowed: list[tuple[int, Any]] = []
    errors: dict[str, str] = {}
    if not content:
        errors["file"] = "Choose a CSV file of exchange rates to load"
    elif len(content) > MAX_RATES_BYTES:
        errors["file"] = "The file is larger than 5 MB; split it"
    else:
        try:
            rates = parse_rates_file(content, filename)
            result = await run_in_threadpool(_load, runtime, rates, allow_large_changes)
            allowed = [(rates.lines[change.index], change) for change in result.large_changes]
        except LargeRateChanges as error:
            refused = {
                "message": str(error),
                "changes": [(rates.lines[change.index], change) for change in error.changes],
            }
        except RatesFileError as error:
            refused = {"message": str(error), "changes": []}
    context = {
        **await run_in_threadpool(_state, runtime, user),
        "result": result,
        "allowed": allowed,
        "refused": refused,
        "filename": filename,
        "errors": errors,
    }
    return render(request, "admin/reference.html", context, user=user)


def _load(runtime: Runtime, rates: RatesFile, allow_large_changes: bool) -> StoredRates:
    stored = load_rates(
        runtime.engine, rates.rates, places=rates.places, allow_large_changes=allow_large_changes
    )
    # Valuation reads the new rates at once, as after the API's load.
    runtime.sync(force=True)
    return stored
