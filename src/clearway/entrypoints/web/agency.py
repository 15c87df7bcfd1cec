"""The export-control agency's pages: the referrals it must decide, each with every finding
beside what it is about, and its decisions and questions; its licences, the control list and
the screening lists live in ``agency_licences`` and ``agency_lists``.

Every page calls the handlers the API's referral routes call, as the signed-in agency user.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import Conflict, ValidationFailed
from clearway.domain.export_control.referral import (
    EXPORT_CONTROL_AGENCY,
    OPEN_STATES,
    Referral,
    ReferralState,
)
from clearway.domain.record import DeclarationRecord
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web import agency_licences, agency_lists
from clearway.entrypoints.web.agency_base import FormFields, Page, Problem, by_field
from clearway.entrypoints.web.agency_findings import (
    STATE_BADGES,
    STATES,
    exporter_of,
    findings_of,
    goods_of,
    goods_summary,
    parties_of,
    reasons_of,
    time_left,
)
from clearway.entrypoints.web.agency_lists import control_list_in_force
from clearway.entrypoints.web.rendering import flash, render
from clearway.entrypoints.web.session import check_csrf, record_page_read
from clearway.services.queries import get_visible
from clearway.services.referrals import (
    DecideReferral,
    Decision,
    RequestInformation,
    agency_queue,
    decide_referral,
    expire_referrals,
    request_information,
    visible_referral,
)

router = APIRouter(prefix="/agency", include_in_schema=False, dependencies=[Depends(check_csrf)])

# The queue's filters: what the agency still has to decide, what it has answered, what ran
# out of time (now with the customs officers), and what an amendment replaced.
FILTERS: dict[str, tuple[str, frozenset[ReferralState]]] = {
    "open": ("Open", OPEN_STATES),
    "answered": ("Answered", frozenset({ReferralState.APPROVED, ReferralState.DENIED})),
    "expired": ("Expired", frozenset({ReferralState.EXPIRED})),
    "superseded": ("Superseded", frozenset({ReferralState.WITHDRAWN})),
}
QUEUE_LIMIT = 200
TEXT_LIMIT = 4000
# Where the decision handlers' problems belong on the page.
DECISION_FIELDS = {"/note": "approve_note", "/dismiss_matches": "approve_note"}


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: Page, runtime: RuntimeDep, show: str = "open") -> HTMLResponse:
    """The referrals of one filter, nearest deadline first; overdue ones expire first, as the
    API's queue does, so that the agency never decides one the officers have taken over."""
    if show not in FILTERS:
        show = "open"
    expire_referrals(runtime.uow(), runtime.context)
    found = agency_queue(
        runtime.reads(), user, EXPORT_CONTROL_AGENCY, QUEUE_LIMIT, FILTERS[show][1]
    )
    now = runtime.context.now()
    with runtime.uow() as uow:
        records = {r.id: get_visible(uow, user, r.declaration_id) for r in found}
    rows = [_row(referral, records[referral.id], now) for referral in found]
    return render(
        request,
        "agency/referrals.html",
        {"rows": rows, "show": show, "filters": FILTERS},
        user=user,
    )


def _row(referral: Referral, record: DeclarationRecord, now: datetime) -> dict[str, Any]:
    payload = record.payload
    return {
        "referral": referral,
        "reference": record.mrn or record.lrn,
        "exporter": exporter_of(payload),
        "goods": goods_summary(payload),
        "destination": payload.get("destination_country", ""),
        "reasons": reasons_of(referral),
        "overdue": referral.overdue(now),
        "time_left": time_left(referral, now) if referral.is_open else "",
        "state": STATES[referral.state],
        "badge": STATE_BADGES[referral.state],
    }


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral_page(
    request: Request, referral_id: str, user: Page, runtime: RuntimeDep
) -> HTMLResponse:
    return _referral(request, runtime, user, referral_id)


def _referral(
    request: Request,
    runtime: Runtime,
    user: Principal,
    referral_id: str,
    problems: list[Problem] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    referral = visible_referral(runtime.reads(), user, referral_id)
    with runtime.uow() as uow:
        record = get_visible(uow, user, referral.declaration_id)
    record_page_read(request, runtime, user, record.id)
    stored = control_list_in_force(runtime)
    findings = findings_of(
        referral, record, runtime.context.screening, stored.control_list if stored else None
    )
    latest = record.referral
    stale = referral.state is ReferralState.WITHDRAWN or (
        referral.is_open and referral.declaration_version != record.version
    )
    now = runtime.context.now()
    context = {
        "referral": referral,
        "record": record,
        "reference": record.mrn or record.lrn,
        "state": STATES[referral.state],
        "badge": STATE_BADGES[referral.state],
        "reasons": reasons_of(referral),
        "overdue": referral.overdue(now),
        "time_left": time_left(referral, now) if referral.is_open else "",
        "findings": findings,
        "parties": parties_of(record.payload),
        "destination": record.payload.get("destination_country", ""),
        "items": goods_of(record.payload, runtime.context.reference.document_types),
        "stale": stale,
        "newer": latest if stale and latest is not None and latest.id != referral.id else None,
        "problems": problems or [],
        "errors": by_field(problems or []),
        "values": values or {},
    }
    return render(request, "agency/referral.html", context, user=user, status_code=status_code)


def _decided(
    request: Request,
    runtime: Runtime,
    user: Principal,
    referral_id: str,
    fields: dict[str, str],
    act: Any,
    done: str,
) -> HTMLResponse | RedirectResponse:
    """Run one of the agency's actions; on success back to the referral with a notice, else
    the referral again with the problem beside the field it is about."""
    try:
        act()
    except ValidationFailed as failed:
        problems = [
            Problem(DECISION_FIELDS.get(v.pointer, "approve_note"), v.message)
            for v in failed.violations
        ]
        return _referral(request, runtime, user, referral_id, problems, fields, 422)
    except Conflict as conflict:
        problem = Problem("", f"This referral can no longer be changed: {conflict.detail}.")
        return _referral(request, runtime, user, referral_id, [problem], fields, 409)
    flash(request, done)
    return RedirectResponse(f"/agency/referrals/{referral_id}", status_code=303)


def _required(fields: dict[str, str], name: str, what: str) -> list[Problem]:
    text = fields.get(name, "").strip()
    if not text:
        return [Problem(name, f"Enter {what}")]
    if len(text) > TEXT_LIMIT:
        return [
            Problem(name, f"{what[:1].upper()}{what[1:]} must be {TEXT_LIMIT} characters or fewer")
        ]
    return []


@router.post("/referrals/{referral_id}/approval", response_model=None)
def approve(
    request: Request, referral_id: str, user: Page, runtime: RuntimeDep, fields: FormFields
) -> HTMLResponse | RedirectResponse:
    """Approve the export, dismissing the matches ticked as false positives for their party."""
    note = fields.get("approve_note", "")
    if len(note) > TEXT_LIMIT:
        problem = Problem("approve_note", f"The note must be {TEXT_LIMIT} characters or fewer")
        return _referral(request, runtime, user, referral_id, [problem], fields, 422)
    ticked = frozenset(
        (role, entity_id)
        for name, value in fields.items()
        if name.startswith("dismiss-")
        for role, _, entity_id in [value.partition("|")]
    )
    command = DecideReferral(
        referral_id, Decision.APPROVE, note, user, dismiss_matches=bool(ticked), only=ticked
    )

    def act() -> None:
        decide_referral(command, runtime.uow(), runtime.context)
        if ticked:  # the screener must stop reporting them at once, as after the API's call
            runtime.sync(force=True)

    dismissed = (
        f"; {len(ticked)} match{'es' if len(ticked) != 1 else ''} dismissed" if ticked else ""
    )
    done = f"Export approved{dismissed}. Clearance has resumed."
    return _decided(request, runtime, user, referral_id, fields, act, done)


@router.post("/referrals/{referral_id}/denial", response_model=None)
def deny(
    request: Request, referral_id: str, user: Page, runtime: RuntimeDep, fields: FormFields
) -> HTMLResponse | RedirectResponse:
    problems = _required(fields, "deny_reason", "the reason for the denial")
    if problems:
        return _referral(request, runtime, user, referral_id, problems, fields, 422)
    command = DecideReferral(referral_id, Decision.DENY, fields["deny_reason"], user)
    return _decided(
        request,
        runtime,
        user,
        referral_id,
        fields,
        lambda: decide_referral(command, runtime.uow(), runtime.context),
        "Export denied. The declaration is rejected.",
    )


@router.post("/referrals/{referral_id}/question", response_model=None)
def ask(
    request: Request, referral_id: str, user: Page, runtime: RuntimeDep, fields: FormFields
) -> HTMLResponse | RedirectResponse:
    problems = _required(fields, "question", "your question to the exporter")
    if problems:
        return _referral(request, runtime, user, referral_id, problems, fields, 422)
    command = RequestInformation(referral_id, fields["question"], user)
    return _decided(
        request,
        runtime,
        user,
        referral_id,
        fields,
        lambda: request_information(command, runtime.uow(), runtime.context),
        "Question sent to the exporter. The deadline does not change.",
    )


router.include_router(agency_licences.router)
router.include_router(agency_lists.router)
