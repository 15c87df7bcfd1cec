"""Lane targets against the rates reached: each lane's expected and random rates (and the lower
ones for authorised economic operators) beside the shares of the recent lane decisions, with
the form that sets them (the API's ``PUT /api/v1/risk/lane-targets``).

Rates are typed as percentages, as analysts speak of them; the service takes shares."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from clearway.adapters.risk_state import SqlAlchemyLaneWindowStore
from clearway.bootstrap import Runtime
from clearway.domain.risk.lane import Lane
from clearway.domain.risk.lane_targets import LaneTargets
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.routers.risk_rules import selectivity_store
from clearway.entrypoints.web.analyst_forms import (
    LANE_MEANING,
    Errors,
    Page,
    form_of,
    summary,
    text_of,
)
from clearway.entrypoints.web.rendering import flash, render
from clearway.services.lane_rates import rates_reached
from clearway.services.selectivity_admin import (
    LaneRates,
    PutLaneTargets,
    lane_target_problems,
    put_lane_targets,
)

router = APIRouter()
FormDep = Annotated[FormData, Depends(form_of)]
TARGET_LANES = (Lane.RED, Lane.YELLOW, Lane.BLUE)
RATES = {
    "expected_rate": "Expected rate",
    "random_rate": "Random rate",
    "aeo_expected_rate": "Operators' expected rate",
    "aeo_random_rate": "Operators' random rate",
}
# The domain names the rate at fault: "red lane: random_rate 0.05 exceeds expected_rate 0.02".
_EXCEEDS = re.compile(r"(\w+_rate) ([0-9.e-]+) exceeds (\w+_rate) ([0-9.e-]+)")


def percent(share: float | None) -> str:
    """``0.025`` → ``2.5``: how the form shows a share."""
    if share is None:
        return ""
    return f"{Decimal(str(round(share * 100, 6))).normalize():f}"


def _values_of(targets: LaneTargets) -> dict[str, str]:
    return {
        f"{target.lane.value}_{name}": percent(getattr(target, name))
        for target in targets.in_severity_order
        for name in RATES
    }


def _page(
    request: Request,
    user: Page,
    runtime: Runtime,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
) -> HTMLResponse:
    with selectivity_store(runtime) as store:
        targets = store.targets()
    with runtime.engine.connect() as connection:
        reached = rates_reached(SqlAlchemyLaneWindowStore(connection))
    errors = errors or {}
    context: dict[str, Any] = {
        "targets": targets.in_severity_order,
        "reached": reached,
        "values": values or _values_of(targets),
        "errors": errors,
        "messages": summary(errors),
        "rates": RATES,
        "lanes": LANE_MEANING,
        "percent": percent,
    }
    return render(request, "analyst/lanes.html", context, user=user)


@router.get("/lanes", response_class=HTMLResponse)
def lanes(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    return _page(request, user, runtime)


def _read_rates(form: FormData) -> tuple[dict[str, str], list[LaneRates], Errors]:
    values, errors, given = {}, {}, []
    for lane in TARGET_LANES:
        shares: dict[str, float] = {}
        for name, title in RATES.items():
            field = f"{lane.value}_{name}"
            values[field] = text_of(form, field).removesuffix("%").strip()
            try:
                number = Decimal(values[field])
            except InvalidOperation:
                errors[field] = f"{lane.value.title()} lane: the {title.lower()} must be a number"
                continue
            if not number.is_finite() or not 0 <= number <= 100:
                errors[field] = (
                    f"{lane.value.title()} lane: the {title.lower()} must be between 0 and 100%"
                )
                continue
            shares[name] = float(number / 100)
        if len(shares) == len(RATES):
            given.append(LaneRates(lane, **shares))
    return values, given, errors


def _place(message: str, index: int | None, errors: Errors) -> None:
    """Put the service's problem at the field it is about, in percentages."""
    if index is None:
        errors.setdefault(
            "red_expected_rate",
            "The expected rates of the red, yellow and blue lanes add up to more than 100%",
        )
        return
    lane = TARGET_LANES[index]
    found = _EXCEEDS.search(message)
    if found is None:
        errors.setdefault(f"{lane.value}_expected_rate", message)
        return
    smaller, small, larger, large = found.groups()
    errors.setdefault(
        f"{lane.value}_{smaller}",
        f"{lane.value.title()} lane: the {RATES[smaller].lower()} ({percent(float(small))}%) "
        f"must not exceed the {RATES[larger].lower()} ({percent(float(large))}%)",
    )


@router.post("/lanes", response_class=HTMLResponse, response_model=None)
def set_targets(
    request: Request, user: Page, runtime: RuntimeDep, form: FormDep
) -> HTMLResponse | Response:
    """Set all three lanes' targets at once; every problem is shown at its field."""
    values, given, errors = _read_rates(form)
    if not errors:
        _, problems = lane_target_problems(given)
        for problem in problems:
            pointer = problem.violations[0].pointer
            _place(problem.detail, int(pointer[1:]) if pointer else None, errors)
    if errors:
        return _page(request, user, runtime, values, errors)
    put_lane_targets(
        PutLaneTargets(given, user.username), selectivity_store(runtime), runtime.context.now()
    )
    runtime.sync(force=True)
    flash(request, "Lane targets saved: the risk stage aims at them from the next declaration.")
    return RedirectResponse("/analyst/lanes", status_code=303)
