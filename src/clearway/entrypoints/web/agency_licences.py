"""The agency's licences: the register with what is left on each, one licence with every
declaration that drew on it, and issuing, amending, suspending, reinstating and revoking, as
the API's licence routes do (the same handlers, the same checks)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from clearway.domain.export_control.licence import Licence, LicenceItem, LicenceState
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web.agency_base import FormFields, Page, Problem, by_field
from clearway.entrypoints.web.agency_licence_form import (
    AUTHORISATIONS,
    BLANK_ROWS,
    TYPES,
    licence_fields,
    read_licence,
    row_count,
    service_problems,
)
from clearway.entrypoints.web.rendering import flash, money, render
from clearway.entrypoints.web.session import check_csrf
from clearway.services.licensing import (
    AmendLicence,
    ChangeLicenceState,
    IssueLicence,
    LicenceChange,
    amend_licence,
    change_licence_state,
    find_licences,
    issue_licence,
)
from clearway.services.licensing import read_licence as read_licence_usage
from clearway.services.queries import get_visible

# The CSRF check again, so that the routes hold it however they are mounted.
router = APIRouter(prefix="/licences", dependencies=[Depends(check_csrf)])

# The state changes, by the last part of their address (as in the API), with what the page
# says when one is done.
CHANGES: dict[str, tuple[LicenceChange, str]] = {
    "suspension": (LicenceChange.SUSPEND, "suspended"),
    "reinstatement": (LicenceChange.REINSTATE, "reinstated"),
    "revocation": (LicenceChange.REVOKE, "revoked"),
}
STATE_FILTERS = [("", "Any status")] + [
    (state.value, state.value.capitalize()) for state in LicenceState
]
REASON_LIMIT = 2000


def quantity(amount: Decimal | None, unit: str | None) -> str:
    if amount is None:
        return ""
    return f"{amount.normalize():,f} {unit or ''}".strip()


def standing(licence: Licence, runtime: Runtime) -> tuple[str, str]:
    """What the licence's status is today, and the badge colour: an active licence outside its
    dates is shown as expired or not yet valid, since exports cannot use it."""
    today = runtime.context.now().date()
    if licence.state is LicenceState.ACTIVE:
        if today > licence.valid_to:
            return "Expired", "cancelled"
        if today < licence.valid_from:
            return "Not yet valid", "blue"
        return "Active", "green"
    return licence.state.value.capitalize(), (
        "yellow" if licence.state is LicenceState.SUSPENDED else "red"
    )


def left(item: LicenceItem) -> list[str]:
    """``54 of 60 NAR``, ``450,000.00 of 500,000.00 GBP``: what the line still allows."""
    shown = []
    if item.quantity is not None:
        shown.append(
            f"{quantity(item.quantity_left, None)} of {quantity(item.quantity, item.unit)}"
        )
    if item.value is not None:
        shown.append(f"{money(item.value_left)} of {money(item.value, item.currency or '')}")
    return shown or ["No limit"]


@router.get("", response_class=HTMLResponse)
def licences(
    request: Request, user: Page, runtime: RuntimeDep, state: str = "", holder: str = ""
) -> HTMLResponse:
    wanted = state if state in {s.value for s in LicenceState} else None
    holder_id = holder.strip().upper()[:17] or None
    found = find_licences(runtime.reads(), user, holder_id, wanted)
    rows = [
        {"licence": licence, "standing": standing(licence, runtime), "left": left}
        for licence in found
    ]
    return render(
        request,
        "agency/licences.html",
        {
            "rows": rows,
            "left": left,
            "state": wanted or "",
            "holder": holder_id or "",
            "states": STATE_FILTERS,
        },
        user=user,
    )


def _form(
    request: Request,
    user: Principal,
    fields: Mapping[str, str],
    licence: Licence | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "agency/licence_form.html",
        {
            "licence": licence,
            "values": fields,
            "rows": range(row_count(fields) + BLANK_ROWS),
            "types": TYPES,
            "authorisations": AUTHORISATIONS,
            "problems": problems or [],
            "errors": by_field(problems or []),
        },
        user=user,
        status_code=status_code,
    )


@router.get("/new", response_class=HTMLResponse)
def new_licence(request: Request, user: Page) -> HTMLResponse:
    return _form(request, user, {"type": "individual", "items-0-line": "1"})


@router.post("", response_model=None)
def issue(
    request: Request, user: Page, runtime: RuntimeDep, fields: FormFields
) -> HTMLResponse | RedirectResponse:
    body, problems = read_licence(fields)
    if body is None:
        return _form(request, user, fields, problems=problems, status_code=422)
    try:
        licence = issue_licence(
            IssueLicence(body.to_domain(), user), runtime.uow(), runtime.context
        )
    except ValidationFailed as failed:
        problems = service_problems(failed.violations, fields)
        return _form(request, user, fields, problems=problems, status_code=422)
    except Conflict as conflict:
        problems = [Problem("number", f"Licence number: {conflict.detail}")]
        return _form(request, user, fields, problems=problems, status_code=409)
    flash(request, f"Licence {licence.number} issued to {licence.holder_name}.")
    return RedirectResponse(f"/agency/licences/{licence.number}", status_code=303)


@router.get("/{number:path}/amend", response_class=HTMLResponse)
def amend_form(request: Request, number: str, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    licence, _ = read_licence_usage(runtime.reads(), user, number)
    return _form(request, user, licence_fields(licence), licence)


@router.post("/{number:path}/amendment", response_model=None)
def amend(
    request: Request, number: str, user: Page, runtime: RuntimeDep, fields: FormFields
) -> HTMLResponse | RedirectResponse:
    licence, _ = read_licence_usage(runtime.reads(), user, number)
    fields = {**fields, "number": licence.number}  # the number names the licence; it stays
    body, problems = read_licence(fields)
    if body is None:
        return _form(request, user, fields, licence, problems, 422)
    version = fields.get("version", "")
    command = AmendLicence(body.to_domain(), user, int(version) if version.isdigit() else None)
    try:
        amend_licence(command, runtime.uow(), runtime.context)
    except ValidationFailed as failed:
        return _form(
            request, user, fields, licence, service_problems(failed.violations, fields), 422
        )
    except (Conflict, PreconditionFailed) as refused:
        problem = Problem("", f"The licence was not amended: {refused.detail}.")
        return _form(request, user, fields, licence, [problem], refused.status)
    flash(request, f"Licence {licence.number} amended.")
    return RedirectResponse(f"/agency/licences/{licence.number}", status_code=303)


@router.post("/{number:path}/{change}", response_model=None)
def change_state(
    request: Request,
    number: str,
    change: str,
    user: Page,
    runtime: RuntimeDep,
    fields: FormFields,
) -> HTMLResponse | RedirectResponse:
    if change not in CHANGES:
        raise NotFound(f"no such change to a licence: {change}")
    kind, done = CHANGES[change]
    reason = fields.get(f"{change}_reason", "").strip()
    problems = []
    if not reason:
        problems.append(Problem(f"{change}_reason", f"Enter the reason the licence is {done}"))
    elif len(reason) > REASON_LIMIT:
        problems.append(
            Problem(f"{change}_reason", f"The reason must be {REASON_LIMIT} characters or fewer")
        )
    version = fields.get("version", "")
    if not problems:
        command = ChangeLicenceState(
            number, kind, reason, user, int(version) if version.isdigit() else None
        )
        try:
            change_licence_state(command, runtime.uow(), runtime.context)
        except (Conflict, PreconditionFailed) as refused:
            problems.append(Problem("", f"The licence was not {done}: {refused.detail}."))
    if problems:
        return _licence(request, runtime, user, number, problems, fields, 422)
    flash(request, f"Licence {number} {done}.")
    return RedirectResponse(f"/agency/licences/{number}", status_code=303)


@router.get("/{number:path}", response_class=HTMLResponse)
def licence_page(request: Request, number: str, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    return _licence(request, runtime, user, number)


def _licence(
    request: Request,
    runtime: Runtime,
    user: Principal,
    number: str,
    problems: list[Problem] | None = None,
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The licence, its lines with what is left, and who drew on it."""
    licence, draws = read_licence_usage(runtime.reads(), user, number)
    references = _references(runtime, user, {draw.declaration_id for draw in draws})
    usage: list[dict[str, Any]] = [
        {
            "reference": references.get(draw.declaration_id, draw.declaration_id),
            "version": draw.declaration_version,
            "item": draw.draw.sequence,
            "line": draw.draw.line,
            "quantity": quantity(draw.draw.quantity, draw.draw.unit),
            "value": money(draw.draw.value, draw.draw.currency or ""),
            "drawn_at": draw.drawn_at,
            "credited_at": draw.credited_at,
        }
        for draw in draws
    ]
    return render(
        request,
        "agency/licence.html",
        {
            "licence": licence,
            "standing": standing(licence, runtime),
            "left": left,
            "quantity": quantity,
            "usage": usage,
            "problems": problems or [],
            "errors": by_field(problems or []),
            "values": values or {},
        },
        user=user,
        status_code=status_code,
    )


def _references(runtime: Runtime, user: Principal, ids: set[str]) -> dict[str, str]:
    """The MRN of each declaration that drew on the licence, where the agency may see it
    (the ones referred to it); the others are shown by their identifier."""
    found = {}
    with runtime.uow() as uow:
        for declaration_id in ids:
            try:
                record = get_visible(uow, user, declaration_id)
            except NotFound:
                continue
            found[declaration_id] = record.mrn or record.lrn
    return found
