"""Reference data: exchange rates an administrator loads and anyone may look up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from clearway.adapters.reference_files import LargeRateChanges, RatesFileError, parse_rates
from clearway.adapters.reference_store import load_rates
from clearway.domain.access import Action
from clearway.domain.errors import BadRequest, Conflict, NotFound
from clearway.domain.reference import LARGE_CHANGE_FACTOR, UnusableRate
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])


class RatePublic(BaseModel):
    currency: str
    on: date
    rate: Decimal
    national_currency: str


class LargeChangePublic(BaseModel):
    currency: str
    valid_from: date
    rate: Decimal
    previous_valid_from: date
    previous_rate: Decimal
    factor: Decimal


class RatesLoaded(BaseModel):
    loaded: int
    stored: int
    large_changes_allowed: list[LargeChangePublic] = Field(
        default=[],
        description=f"Rates loaded although they move more than a factor of "
        f"{LARGE_CHANGE_FACTOR} from the rate before them, because the override was given",
    )


@router.get("/exchange-rates/{currency}", response_model=RatePublic)
def exchange_rate(
    currency: str,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    on: Annotated[date | None, Query(description="Date the rate must be valid on")] = None,
) -> RatePublic:
    """The rate of ``currency`` valid on a date (default: today), in national currency per unit.

    409 when the rate stored for that date is unusable (zero, infinite or absurd, stored before
    rates were checked): an administrator must load a correct one."""
    day = on or runtime.context.now().date()
    try:
        rate = runtime.rates().rate(currency.upper(), day)
    except UnusableRate as unusable:
        raise Conflict(str(unusable)) from unusable
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
    allow_large_changes: Annotated[
        bool,
        Query(
            description=f"Load rates that move more than a factor of {LARGE_CHANGE_FACTOR} from "
            "the rate before them (a real devaluation); they are listed in the answer"
        ),
    ] = False,
) -> RatesLoaded:
    """Load exchange rates from a CSV (UTF-8; CR, LF or CRLF line ends); all rows or none.
    Existing rates with the same currency and start date are replaced.

    Every rate must be fit to value goods at (positive, finite, within the plausible range and
    digits of docs/exchange-rates.md), the rates of a currency must not overlap, and a rate
    more than the plausible band from the rate before it is refused unless
    ``allow_large_changes`` is given. A refusal (400) names the line."""
    try:
        rates = parse_rates(await file.read(), file.filename or "upload")
        stored = await run_in_threadpool(
            partial(
                load_rates,
                runtime.engine,
                rates.rates,
                places=rates.places,
                allow_large_changes=allow_large_changes,
            )
        )
    except LargeRateChanges as error:
        raise BadRequest(
            f"{error}; if it is right, load again with allow_large_changes=true"
        ) from error
    except RatesFileError as error:
        raise BadRequest(str(error)) from error
    await run_in_threadpool(runtime.sync, force=True)
    return RatesLoaded(
        loaded=stored.loaded,
        stored=stored.stored,
        large_changes_allowed=[
            LargeChangePublic(
                currency=change.rate.currency,
                valid_from=change.rate.valid_from,
                rate=change.rate.rate,
                previous_valid_from=change.previous.valid_from,
                previous_rate=change.previous.rate,
                factor=round(change.factor, 4),
            )
            for change in stored.large_changes
        ],
    )
