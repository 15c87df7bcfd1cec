"""What an officer does to a declaration: claim it, hand it back, record the findings of the
check, release the goods or reject them. Each calls the handler the API calls; a refusal (held
by another officer, a page gone stale) is told as a message on the page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clearway.domain.errors import ClearwayError, NotFound
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web.officer_base import (
    Page,
    keep_problem,
    local_officer_path,
    problem_text,
)
from clearway.entrypoints.web.officer_declaration import CLEARED_KEY, render_declaration
from clearway.entrypoints.web.rendering import flash
from clearway.services.queries import get_visible
from clearway.services.release import ReleaseDeclaration, release_declaration
from clearway.services.work_queue import (
    ClaimWork,
    HandBack,
    RecordFinding,
    RejectDeclaration,
    claim_work,
    hand_back,
    record_finding,
    reject_declaration,
)

router = APIRouter()

Back = Annotated[str, Form(max_length=500)]
Version = Annotated[int | None, Form()]
# The API's bounds on a finding (FindingIn) and a rejection (RejectionIn).
NOTES_MAX, REASON_MIN, REASON_MAX = 2000, 3, 512
MONEY_DIGITS = 18


def _names(runtime: RuntimeDep, user: Page, reference: str) -> tuple[str, str | None]:
    """The declaration's id and MRN, to word messages (NotFound if it is not visible)."""
    with runtime.uow() as uow:
        record = get_visible(uow, user, reference)
    return record.id, record.mrn


def _page(reference: str) -> str:
    return f"/officer/declarations/{reference}"


@router.post("/declarations/{reference}/claim")
def claim(
    request: Request, reference: str, runtime: RuntimeDep, user: Page, back: Back = ""
) -> RedirectResponse:
    """Claim the declaration and open it; one another officer holds stays theirs."""
    record_id, mrn = _names(runtime, user, reference)
    try:
        claim_work(ClaimWork(user, record_id), runtime.uow(), runtime.context)
    except ClearwayError as refused:
        keep_problem(request, problem_text(refused, record_id, mrn))
        return RedirectResponse(local_officer_path(back, _page(record_id)), status_code=303)
    flash(request, f"You hold declaration {mrn} now.")
    return RedirectResponse(_page(record_id), status_code=303)


@router.post("/declarations/{reference}/hand-back")
def give_back(
    request: Request, reference: str, runtime: RuntimeDep, user: Page, back: Back = ""
) -> RedirectResponse:
    """Give the declaration back to the queue (its officer, or a supervisor)."""
    record_id, mrn = _names(runtime, user, reference)
    target = local_officer_path(back, _page(record_id))
    try:
        hand_back(HandBack(record_id, user), runtime.uow(), runtime.context)
    except ClearwayError as refused:
        keep_problem(request, problem_text(refused, record_id, mrn))
        return RedirectResponse(target, status_code=303)
    flash(request, f"Declaration {mrn} is back in the queue, unclaimed.")
    return RedirectResponse(target, status_code=303)


@router.post("/declarations/{reference}/findings", response_model=None)
def findings(
    request: Request,
    reference: str,
    runtime: RuntimeDep,
    user: Page,
    fraud: Annotated[str, Form(max_length=5)] = "",
    revenue_recovered: Annotated[str, Form(max_length=40)] = "",
    notes: Annotated[str, Form(max_length=4000)] = "",
    version: Version = None,
) -> Response:
    """Record what the check found: an irregularity or not, the revenue it recovers."""
    record_id, mrn = _names(runtime, user, reference)
    errors: dict[str, str] = {}
    if fraud not in ("yes", "no"):
        errors["fraud"] = "Say whether the check found an irregularity"
    amount = _amount(revenue_recovered or "0")
    if amount is None:
        errors["revenue_recovered"] = (
            "Enter the revenue recovered as an amount of 0 or more, like 1250.00"
        )
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"Notes must be {NOTES_MAX:,} characters or fewer"
    typed = {"fraud": fraud, "revenue_recovered": revenue_recovered, "notes": notes}
    if errors or amount is None:
        return render_declaration(request, runtime, user, record_id, errors=errors, values=typed)
    command = RecordFinding(record_id, user, fraud == "yes", amount, notes.strip(), version)
    try:
        record_finding(command, runtime.uow(), runtime.context)
    except ClearwayError as refused:
        return _refused(request, runtime, user, record_id, mrn, refused, typed)
    request.session[CLEARED_KEY] = "finding"
    flash(request, f"Finding recorded on declaration {mrn}.")
    return RedirectResponse(_page(record_id), status_code=303)


def _amount(text: str) -> Decimal | None:
    """A sum of money as typed (``1,250.00``), or None when it is not one the API takes."""
    try:
        amount = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return None
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or amount < 0 or not isinstance(exponent, int) or exponent < -2:
        return None
    if len(amount.as_tuple().digits) > MONEY_DIGITS:
        return None
    return amount


@router.post("/declarations/{reference}/release", response_model=None)
def release(
    request: Request, reference: str, runtime: RuntimeDep, user: Page, version: Version = None
) -> Response:
    """Release the goods, at the version the officer saw."""
    record_id, mrn = _names(runtime, user, reference)
    try:
        release_declaration(
            ReleaseDeclaration(record_id, user, version), runtime.uow(), runtime.context
        )
    except ClearwayError as refused:
        return _refused(request, runtime, user, record_id, mrn, refused, {})
    flash(request, f"Declaration {mrn} is released.")
    return RedirectResponse(_page(record_id), status_code=303)


@router.post("/declarations/{reference}/rejection", response_model=None)
def reject(
    request: Request,
    reference: str,
    runtime: RuntimeDep,
    user: Page,
    reason: Annotated[str, Form(max_length=2000)] = "",
    version: Version = None,
) -> Response:
    """Refuse release of the goods, giving the reason (told to the declarant)."""
    record_id, mrn = _names(runtime, user, reference)
    reason = reason.strip()
    typed = {"reason": reason}
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        errors = {"reason": f"Give the reason in {REASON_MIN} to {REASON_MAX} characters"}
        return render_declaration(request, runtime, user, record_id, errors=errors, values=typed)
    try:
        reject_declaration(
            RejectDeclaration(record_id, reason, user, version), runtime.uow(), runtime.context
        )
    except ClearwayError as refused:
        return _refused(request, runtime, user, record_id, mrn, refused, typed)
    request.session[CLEARED_KEY] = "rejection"
    flash(request, f"Declaration {mrn} is rejected.")
    return RedirectResponse(_page(record_id), status_code=303)


def _refused(
    request: Request,
    runtime: RuntimeDep,
    user: Page,
    record_id: str,
    mrn: str | None,
    refused: ClearwayError,
    typed: dict[str, str],
) -> HTMLResponse:
    """The page as it is now, with the refusal at the top and what was typed kept."""
    if isinstance(refused, NotFound):
        raise refused
    return render_declaration(
        request,
        runtime,
        user,
        record_id,
        values=typed,
        problem=problem_text(refused, record_id, mrn),
    )
