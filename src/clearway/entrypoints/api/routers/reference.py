"""Reference data: exchange rates an administrator loads and anyone may look up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from clearway.adapters.reference_files import RatesFileError, parse_rates
from clearway.adapters.reference_store import load_rates
from clearway.domain.access import Action
from clearway.domain.errors import BadRequest, NotFound
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])


class RatePublic(BaseModel):
    currency: str
    on: date
    rate: Decimal
    national_currency: str


class RatesLoaded(BaseModel):
    loaded: int
    stored: int


@router.get("/exchange-rates/{currency}", response_model=RatePublic)
def exchange_rate(
    currency: str,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    on: Annotated[date | None, Query(description="Date the rate must be valid on")] = None,
) -> RatePublic:
    """The rate of ``currency`` valid on a date (default: today), in national currency per unit."""
    day = on or runtime.context.now().date()
    rate = runtime.rates().rate(currency.upper(), day)
    if rate is None:
        raise NotFound(f"no exchange rate for {currency.upper()} valid on {day.isoformat()}")
    return RatePublic(
        currency=currency.upper(),
        on=day,
        rate=rate,
        national_currency=runtime.settings.national_currency,
    )


@router.post(
    "/exchange-rates",
    response_model=RatesLoaded,
    dependencies=[require(Action.MANAGE_REFERENCE)],
)
async def load_exchange_rates(
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="CSV: currency,valid_from,valid_to,rate")],
) -> RatesLoaded:
    """Load exchange rates from a CSV; all rows or none. Existing rates with the same currency
    and start date are replaced."""
    try:
        text = (await file.read()).decode("utf-8-sig")
        rates = parse_rates(text, file.filename or "upload")
    except (UnicodeDecodeError, RatesFileError) as error:
        raise BadRequest(str(error)) from error
    stored = await run_in_threadpool(load_rates, runtime.engine, rates)
    await run_in_threadpool(runtime.refresh_rates)
    return RatesLoaded(loaded=len(rates), stored=stored)
