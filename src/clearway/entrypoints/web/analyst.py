"""The risk analyst's pages: the selectivity rules in force and retired with the lists and
value bands they use, and the rule editor (write, check as you type, revise, retire).

Replay, lane targets and models are in ``analyst_replay``, ``analyst_lanes`` and
``analyst_models``; their routes join this router, which the portal includes. Every page calls
the handlers the API's ``risk_rules`` and ``risk_settings`` routers call.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from clearway.bootstrap import Runtime
from clearway.domain.errors import Conflict, NotFound, RuleRejected
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.routers.risk_rules import selectivity_store
from clearway.entrypoints.web import analyst_lanes, analyst_models, analyst_replay
from clearway.entrypoints.web.analyst_forms import (
    LANE_MEANING,
    RULE_ID,
    UNITS,
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
from clearway.entrypoints.web.rendering import flash, render
from clearway.entrypoints.web.session import check_csrf
from clearway.services.selectivity_admin import (
    AddRule,
    RetireRule,
    ReviseRule,
    RuleDraft,
    StoredRule,
    add_rule,
    draft_problems,
    list_codes,
    retire_rule,
    revise_rule,
)

router = APIRouter(prefix="/analyst", include_in_schema=False, dependencies=[Depends(check_csrf)])
FormDep = Annotated[FormData, Depends(form_of)]
# Where each of the service's problems belongs on the form, in the form's words.
_FIELD_OF = {"/owner": "owner", "/reason": "reason", "/valid_to": "valid_to"}
# The editor's fields from top to bottom: the error summary lists problems in this order.
_FORM_ORDER = ("rule_id", "expression", "owner", "valid_from", "valid_to", "reason")
_WORDING = {
    "owner": "Enter who answers for the rule",
    "reason": "Enter why the rule exists",
}


def rule_state(rule: StoredRule, on: dt.date) -> str:
    """In force, not yet in force or retired, on the day ``on``."""
    if rule.retired(on):
        return "retired"
    return "upcoming" if rule.draft.valid_from > on else "in_force"


def _stored(runtime: Runtime, rule_id: str) -> tuple[StoredRule, list[StoredRule]]:
    if not RULE_ID.match(rule_id):
        raise NotFound(f"there is no rule {rule_id}")
    with selectivity_store(runtime) as store:
        versions = store.rule_versions(rule_id)
    if not versions:
        raise NotFound(f"there is no rule {rule_id}")
    return versions[-1], versions


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    """Every rule (current version), the named lists and the value-control bands."""
    with selectivity_store(runtime) as store:
        rules = store.rules()
        lists = store.lists()
        bands = store.bands()
    on = today(runtime)
    states = {rule.rule_id: rule_state(rule, on) for rule in rules}
    context = {
        "active": [rule for rule in rules if states[rule.rule_id] != "retired"],
        "retired": [rule for rule in rules if states[rule.rule_id] == "retired"],
        "states": states,
        "lists": sorted(lists.values(), key=lambda risk_list: risk_list.name),
        "bands": bands,
        "units": UNITS,
        "today": on,
    }
    return render(request, "analyst/home.html", context, user=user)


# --- the editor -------------------------------------------------------------------------------


def _blank(user: Page, runtime: Runtime) -> dict[str, Any]:
    return {
        "rule_id": "",
        "expression": "",
        "owner": user.username,
        "reason": "",
        "valid_from": today(runtime).isoformat(),
        "valid_to": "",
        "applies_to_aeo": True,
    }


def _values_of(rule: StoredRule) -> dict[str, Any]:
    draft = rule.draft
    return {
        "rule_id": rule.rule_id,
        "expression": draft.expression,
        "owner": draft.owner,
        "reason": draft.reason,
        "valid_from": draft.valid_from.isoformat(),
        "valid_to": draft.valid_to.isoformat() if draft.valid_to else "",
        "applies_to_aeo": draft.applies_to_aeo,
    }


def _read_draft(
    form: FormData, runtime: Runtime
) -> tuple[dict[str, Any], RuleDraft | None, Errors]:
    """The form's values as typed, the draft when it holds together, and every problem."""
    values: dict[str, Any] = {
        "rule_id": text_of(form, "rule_id").upper(),
        "expression": raw_text_of(form, "expression"),
        "owner": text_of(form, "owner"),
        "reason": text_of(form, "reason"),
        "valid_from": text_of(form, "valid_from"),
        "valid_to": text_of(form, "valid_to"),
        "applies_to_aeo": form.get("applies_to_aeo") == "yes",
    }
    errors: Errors = {}
    if values["rule_id"] and not RULE_ID.match(values["rule_id"]):
        errors["rule_id"] = (
            "A rule id is up to 40 capital letters, digits, - and _, starting with a letter "
            "or digit (like R0042)"
        )
    if not values["expression"].strip():
        errors["expression"] = "Enter the rule, as condition -> lane"
    valid_from = date_of(form, "valid_from", errors, label="first day in force", required=True)
    valid_to = date_of(form, "valid_to", errors, label="last day in force", required=False)
    draft = RuleDraft(
        values["expression"],
        values["owner"],
        values["reason"],
        valid_from or today(runtime),
        valid_to if valid_from else None,
        values["applies_to_aeo"],
    )
    with selectivity_store(runtime) as store:
        lists = list_codes(store)
    _, problems = draft_problems(draft, lists)
    for problem in problems:
        _place(problem, values["expression"], errors)
    ordered = {name: errors[name] for name in _FORM_ORDER if name in errors}
    return values, (None if ordered else draft), ordered


def _place(problem: RuleRejected, expression: str, errors: Errors) -> None:
    pointer = problem.violations[0].pointer
    name = _FIELD_OF.get(pointer, "expression")
    if name in errors:
        return
    if name == "valid_to":
        errors[name] = "The last day in force must not be before the first day in force"
    elif name == "expression":
        note = syntax_note(expression) if problem.position is not None else None
        errors[name] = note.message if note else problem.detail[:1].upper() + problem.detail[1:]
    else:
        errors[name] = _WORDING[name]


def _editor(
    request: Request,
    user: Page,
    template: str,
    values: dict[str, Any],
    errors: Errors,
    **extra: Any,
) -> HTMLResponse:
    note = syntax_note(values["expression"]) if values["expression"].strip() else None
    context = {
        "values": values,
        "errors": errors,
        "messages": summary(errors),
        "note": note if "expression" in errors else None,
        "lanes": LANE_MEANING,
        **extra,
    }
    return render(request, template, context, user=user)


@router.get("/rules/new", response_class=HTMLResponse)
def new_rule(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    return _editor(request, user, "analyst/rule_new.html", _blank(user, runtime), {})


@router.post("/rules/check", response_class=HTMLResponse)
def check_rule(request: Request, user: Page, runtime: RuntimeDep, form: FormDep) -> HTMLResponse:
    """As the analyst types: whether the rule reads, and if not, where it stops."""
    expression = raw_text_of(form, "expression")
    context: dict[str, Any] = {"empty": not expression.strip(), "lanes": LANE_MEANING}
    if expression.strip():
        note = syntax_note(expression)
        context["note"] = note
        if note is None:
            with selectivity_store(runtime) as store:
                lists = list_codes(store)
            draft = RuleDraft(expression, "-", "-", today(runtime))
            parsed, problems = draft_problems(draft, lists)
            context["parsed"] = parsed
            context["problems"] = [problem.detail for problem in problems]
    return render(request, "analyst/check.html", context, user=user)


@router.post("/rules/new", response_class=HTMLResponse, response_model=None)
def create(
    request: Request, user: Page, runtime: RuntimeDep, form: FormDep
) -> HTMLResponse | Response:
    values, draft, errors = _read_draft(form, runtime)
    if draft is not None:
        command = AddRule(draft, user.username, values["rule_id"] or None)
        try:
            stored = add_rule(command, selectivity_store(runtime), runtime.context.now())
        except Conflict:
            errors["rule_id"] = f"Rule {values['rule_id']} exists: open it to revise it instead"
        else:
            runtime.sync(force=True)
            flash(request, f"Rule {stored.rule_id} saved as version 1.")
            return RedirectResponse(f"/analyst/rules/{stored.rule_id}", status_code=303)
    return _editor(request, user, "analyst/rule_new.html", values, errors)


def _rule_page(
    request: Request,
    user: Page,
    runtime: Runtime,
    rule_id: str,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    retire_error: str = "",
) -> HTMLResponse:
    current, versions = _stored(runtime, rule_id)
    on = today(runtime)
    return _editor(
        request,
        user,
        "analyst/rule.html",
        values or _values_of(current),
        errors or ({"retire_from": retire_error} if retire_error else {}),
        rule=current,
        versions=list(reversed(versions)),
        state=rule_state(current, on),
        retire_from=on.isoformat(),
    )


@router.get("/rules/{rule_id}", response_class=HTMLResponse)
def rule_page(request: Request, user: Page, runtime: RuntimeDep, rule_id: str) -> HTMLResponse:
    return _rule_page(request, user, runtime, rule_id)


@router.post("/rules/{rule_id}", response_class=HTMLResponse, response_model=None)
def revise(
    request: Request, user: Page, runtime: RuntimeDep, form: FormDep, rule_id: str
) -> HTMLResponse | Response:
    """A new version of the rule from the form; earlier versions stay as they were."""
    _stored(runtime, rule_id)
    values, draft, errors = _read_draft(form, runtime)
    values["rule_id"] = rule_id
    errors.pop("rule_id", None)
    if draft is None:
        return _rule_page(request, user, runtime, rule_id, values, errors)
    stored = revise_rule(
        ReviseRule(rule_id, draft, user.username),
        selectivity_store(runtime),
        runtime.context.now(),
    )
    runtime.sync(force=True)
    flash(request, f"Rule {rule_id} revised: version {stored.version} is now current.")
    return RedirectResponse(f"/analyst/rules/{rule_id}", status_code=303)


@router.post("/rules/{rule_id}/retire", response_class=HTMLResponse, response_model=None)
def retire(
    request: Request, user: Page, runtime: RuntimeDep, form: FormDep, rule_id: str
) -> HTMLResponse | Response:
    """Take the rule out of force from a day on: a new version ending the day before."""
    _stored(runtime, rule_id)
    errors: Errors = {}
    retire_from = date_of(form, "retire_from", errors, label="day it stops applying", required=True)
    if retire_from is None:
        return _rule_page(request, user, runtime, rule_id, retire_error=errors["retire_from"])
    try:
        stored = retire_rule(
            RetireRule(rule_id, retire_from, user.username),
            selectivity_store(runtime),
            runtime.context.now(),
        )
    except Conflict as refused:
        detail = refused.detail[:1].upper() + refused.detail[1:]
        return _rule_page(request, user, runtime, rule_id, retire_error=detail)
    runtime.sync(force=True)
    last_day = stored.draft.valid_to.isoformat() if stored.draft.valid_to else ""
    flash(request, f"Rule {rule_id} retired: its last day in force is {last_day}.")
    return RedirectResponse(f"/analyst/rules/{rule_id}", status_code=303)


for _section in (analyst_replay.router, analyst_lanes.router, analyst_models.router):
    router.include_router(_section)
