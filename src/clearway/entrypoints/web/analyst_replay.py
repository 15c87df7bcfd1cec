"""Replaying a rule, a draft or a stored one, over the declarations decided in a date range:
how many it would have hit, in which lanes those declarations ended, what officers found on
them, and a sample of them (the API's ``POST /api/v1/risk/rules/replay``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from clearway.bootstrap import Runtime
from clearway.domain.errors import NotFound, RuleRejected
from clearway.domain.record import DeclarationRecord
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.routers.risk_rules import DEFAULT_REPLAY_DAYS, selectivity_store
from clearway.entrypoints.web.analyst_forms import (
    LANE_MEANING,
    Errors,
    Page,
    date_of,
    form_of,
    raw_text_of,
    summary,
    syntax_note,
    text_of,
    today,
)
from clearway.entrypoints.web.rendering import render
from clearway.services.queries import get_visible
from clearway.services.selectivity_replay import ReplayReport, ReplayRules, replay_rules

router = APIRouter()
FormDep = Annotated[FormData, Depends(form_of)]
# The order hits are shown in: released first, then held, as the question is usually "would
# this rule have stopped goods we let go?"
LANE_ORDER = ("green", "blue", "yellow", "red")


@dataclass(frozen=True, slots=True)
class SampleRow:
    """A declaration hit, as the analyst recognises it."""

    reference: str
    declarant: str
    status: str
    lane: str
    customs_value: Any


def _rule_choices(runtime: Runtime) -> list[tuple[str, str]]:
    with selectivity_store(runtime) as store:
        rules = store.rules()
    on = today(runtime)
    choices = [("", "None: replay the draft below")]
    for rule in rules:
        retired = " (retired)" if rule.retired(on) else ""
        choices.append((rule.rule_id, f"{rule.rule_id}, version {rule.version}{retired}"))
    return choices


def _page(
    request: Request,
    user: Page,
    runtime: Runtime,
    values: dict[str, str],
    errors: Errors | None = None,
    report: ReplayReport | None = None,
    samples: dict[int, list[SampleRow]] | None = None,
) -> HTMLResponse:
    errors = errors or {}
    expression = values["expression"]
    note = (
        syntax_note(expression, condition_allowed=True)
        if "expression" in errors and expression.strip()
        else None
    )
    context = {
        "values": values,
        "errors": errors,
        "messages": summary(errors),
        "choices": _rule_choices(runtime),
        "note": note,
        "report": report,
        "samples": samples or {},
        "lane_order": LANE_ORDER,
        "lanes": LANE_MEANING,
    }
    return render(request, "analyst/replay.html", context, user=user)


def _defaults(runtime: Runtime, rule_id: str = "") -> dict[str, str]:
    date_to = today(runtime)
    return {
        "rule_id": rule_id,
        "expression": "",
        "date_from": (date_to - dt.timedelta(days=DEFAULT_REPLAY_DAYS)).isoformat(),
        "date_to": date_to.isoformat(),
    }


@router.get("/replay", response_class=HTMLResponse)
def replay_form(request: Request, user: Page, runtime: RuntimeDep, rule: str = "") -> HTMLResponse:
    return _page(request, user, runtime, _defaults(runtime, rule.upper()))


@router.post("/replay", response_class=HTMLResponse)
def replay(request: Request, user: Page, runtime: RuntimeDep, form: FormDep) -> HTMLResponse:
    """Run the chosen stored rule and/or the draft over the range; every problem at once."""
    values = _defaults(runtime)
    values.update(
        rule_id=text_of(form, "rule_id").upper(), expression=raw_text_of(form, "expression")
    )
    errors: Errors = {}
    date_from = date_of(form, "date_from", errors, label="first day", required=False)
    date_to = date_of(form, "date_to", errors, label="last day", required=False)
    values["date_from"] = text_of(form, "date_from") or values["date_from"]
    values["date_to"] = text_of(form, "date_to") or values["date_to"]
    date_to = date_to or today(runtime)
    date_from = date_from or date_to - dt.timedelta(days=DEFAULT_REPLAY_DAYS)
    if not errors and date_to < date_from:
        errors["date_to"] = "The last day must not be before the first day"
    expression = values["expression"]
    if not values["rule_id"] and not expression.strip():
        errors["expression"] = "Choose a stored rule or write a draft rule to replay"
    elif expression.strip():
        note = syntax_note(expression, condition_allowed=True)
        if note is not None:
            errors["expression"] = note.message
    if errors:
        return _page(request, user, runtime, values, errors)
    command = ReplayRules(
        date_from,
        date_to,
        [expression] if expression.strip() else [],
        [values["rule_id"]] if values["rule_id"] else [],
    )
    try:
        report = replay_rules(command, selectivity_store(runtime))
    except RuleRejected as refused:
        pointer = refused.violations[0].pointer
        name = "rule_id" if pointer.startswith("/rule_ids") else "expression"
        errors[name] = refused.detail[:1].upper() + refused.detail[1:]
        return _page(request, user, runtime, values, errors)
    samples = {
        index: _sample(runtime, user, result.sample) for index, result in enumerate(report.rules)
    }
    return _page(request, user, runtime, values, report=report, samples=samples)


def _sample(runtime: Runtime, user: Page, declaration_ids: list[str]) -> list[SampleRow]:
    """The declarations hit, by MRN, read as the API reads one declaration."""
    rows = []
    with runtime.uow() as uow:
        for declaration_id in declaration_ids:
            try:
                record = get_visible(uow, user, declaration_id)
            except NotFound:
                continue
            rows.append(_row(record))
    return rows


def _row(record: DeclarationRecord) -> SampleRow:
    lane = str((record.risk or {}).get("lane", ""))
    return SampleRow(
        record.mrn or record.lrn,
        record.declarant_id,
        record.status.value,
        lane,
        record.customs_value,
    )
