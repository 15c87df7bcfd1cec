"""One declaration as its declarant sees it, with what they can do to it: watch its status
change, cancel it before release, answer the export-control agency's question and download
the ledger's receipt of its events.

Every read and change goes through the same handlers as the JSON API (``get_visible``,
``history``, ``cancel_declaration``, ``reply_to_referral``, the ledger's ``receipt``) with the
signed-in trader as the principal: another company's declaration is not found, as in the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from clearway.bootstrap import Runtime
from clearway.domain.access import Action, Principal
from clearway.domain.errors import Conflict, NotFound, PreconditionFailed
from clearway.domain.lifecycle import Status, can_amend
from clearway.domain.record import DeclarationRecord
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.models import CancelRequest, public
from clearway.entrypoints.api.routers.referrals import ReplyIn
from clearway.entrypoints.ledger_worker import LedgerUnavailable, declaration_receipt
from clearway.entrypoints.web import trader_view
from clearway.entrypoints.web.rendering import flash, render
from clearway.entrypoints.web.session import page_for, record_page_read
from clearway.entrypoints.web.trader_status import outcome
from clearway.services.changes import CancelDeclaration, cancel_declaration
from clearway.services.queries import get_visible, history
from clearway.services.referrals import ReplyToReferral, reply_to_referral

router = APIRouter()
Page = Annotated[Principal, page_for(Action.LODGE)]
FormText = Annotated[str, Form()]


EVENT_WORDS = {
    "DeclarationLodged": "lodging",
    "DeclarationAccepted": "acceptance",
    "DeclarationAssessed": "duty assessment",
    "DeclarationAmended": "amendment",
    "DeclarationCancelled": "cancellation",
    "ReferralReplied": "reply to the agency",
}


@dataclass(frozen=True, slots=True)
class LedgerState:
    """Whether the ledger holds the declaration's events yet, in a sentence for the page."""

    receipt: bool
    message: str


def _ledger(runtime: Runtime, user: Principal, record: DeclarationRecord) -> LedgerState:
    try:
        receipt = declaration_receipt(runtime, user, record.id)
    except LedgerUnavailable:
        return LedgerState(False, "The ledger is not available at the moment.")
    except NotFound:
        return LedgerState(
            False,
            "The ledger has not yet recorded this declaration's events. It records them "
            "within a few seconds: reload the page to get the receipt.",
        )
    proved = EVENT_WORDS.get(str(receipt["claims"]["type"]), "latest step")
    return LedgerState(
        True,
        f"The ledger has recorded this declaration. The receipt proves its {proved}, "
        f"entry {receipt['claims']['sequence']} of the ledger's events.",
    )


def _context(
    runtime: Runtime, user: Principal, reference: str, shown_status: str | None = None
) -> dict[str, Any]:
    with runtime.reads() as uow:
        record = get_visible(uow, user, reference)
        events = history(uow, user, record.id)
    currency = runtime.settings.national_currency
    view = public(record, currency, user)
    geography = runtime.context.tariff.geography
    reference_data = runtime.context.reference
    items = trader_view.items(view, reference_data, geography)
    shown = outcome(record)
    procedure = reference_data.procedures.get(str(record.payload.get("procedure", "")))
    cancellable = can_amend(record.status) or (
        record.status is Status.RELEASED and record.type == "EX"
    )
    return {
        "record": record,
        "view": view,
        "outcome": shown,
        "parties": trader_view.parties(view.declaration, geography),
        "items": items,
        "totals": trader_view.totals(items, view.assessment),
        # Once the goods are released or the declaration has ended, nothing more is asked for.
        "missing": [(item, need) for item in items for need in item.missing]
        if can_amend(record.status)
        else [],
        "timeline": trader_view.timeline(events, currency),
        "ledger": _ledger(runtime, user, record),
        "referral": view.referral,
        "question": (view.referral or {}).get("information_request")
        if (view.referral or {}).get("state") == "information_requested"
        else None,
        "cancellable": cancellable,
        "amendable": can_amend(record.status),
        "office": trader_view.office_names().get(view.office, ""),
        "procedure": procedure.description if procedure else "",
        # The status the open page showed: the panel says when the declaration has moved on.
        "shown_status": shown_status or record.status.value,
        "errors": {},
        "messages": [],
        "values": {},
    }


def _path(record: DeclarationRecord) -> str:
    return f"/trader/declarations/{record.mrn or record.id}"


@router.get("/declarations/{reference}", response_class=HTMLResponse)
def declaration(request: Request, reference: str, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    """The declaration, its duties, what it still needs and its history."""
    context = _context(runtime, user, reference)
    record_page_read(request, runtime, user, context["record"].id)
    return render(request, "trader/declaration.html", context, user=user)


@router.get("/declarations/{reference}/status", response_class=HTMLResponse)
def status(request: Request, reference: str, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    """The status panel and the timeline, asked for every few seconds by the open page."""
    shown = request.query_params.get("shown")
    context = _context(runtime, user, reference, shown)
    return render(request, "trader/status_update.html", context, user=user)


def _refused(
    request: Request,
    runtime: RuntimeDep,
    user: Principal,
    reference: str,
    errors: dict[str, str],
    values: dict[str, str],
) -> HTMLResponse:
    """The page again, with each problem beside its field and all of them at the top. It is
    answered with 200: the page is what the trader asked for, and a 4xx page load would be
    reported by the browser as a failed resource."""
    context = _context(runtime, user, reference)
    context["errors"] = errors
    context["values"] = values
    context["messages"] = [
        {"text": text, "href": "#cancel-title" if name == "cancel" else f"#f-{name}"}
        for name, text in errors.items()
    ]
    return render(request, "trader/declaration.html", context, user=user)


@router.post("/declarations/{reference}/cancel", response_model=None)
def cancel(
    request: Request,
    reference: str,
    user: Page,
    runtime: RuntimeDep,
    reason: FormText = "",
    version: FormText = "",
) -> Response:
    """Cancel (invalidate) the declaration before release, with the reason, as the API's
    cancellation does; the version the page showed must still be current."""
    values = {"reason": reason}
    try:
        checked = CancelRequest(reason=reason.strip())
    except ValidationError:
        errors = {"reason": "Enter the reason for cancelling, between 3 and 512 characters"}
        return _refused(request, runtime, user, reference, errors, values)
    expected = int(version) if version.isdigit() else None
    try:
        record = cancel_declaration(
            CancelDeclaration(reference, checked.reason, user, expected),
            runtime.uow(),
            runtime.context,
        )
    except PreconditionFailed:
        errors = {
            "cancel": "The declaration was amended since you opened this page. Check the "
            "declaration as it is now, then cancel it again if you still want to."
        }
        return _refused(request, runtime, user, reference, errors, values)
    except Conflict as refused:
        errors = {"cancel": f"The declaration cannot be cancelled: {refused.detail}."}
        return _refused(request, runtime, user, reference, errors, values)
    flash(request, f"Declaration {record.mrn or record.lrn} is cancelled.")
    return RedirectResponse(_path(record), status_code=303)


@router.post("/declarations/{reference}/reply", response_model=None)
def reply(
    request: Request, reference: str, user: Page, runtime: RuntimeDep, reply: FormText = ""
) -> Response:
    """Answer the export-control agency's question, as the API's referral reply does."""
    values = {"reply": reply}
    try:
        checked = ReplyIn(reply=reply.strip())
    except ValidationError:
        errors = {"reply": "Enter your answer to the agency, at most 4,000 characters"}
        return _refused(request, runtime, user, reference, errors, values)
    try:
        reply_to_referral(
            ReplyToReferral(reference, checked.reply, user), runtime.uow(), runtime.context
        )
    except Conflict:
        errors = {"reply": "The agency has no open question about this declaration any more."}
        return _refused(request, runtime, user, reference, errors, values)
    with runtime.reads() as uow:
        record = get_visible(uow, user, reference)
    flash(request, "Your answer was sent to the export-control agency.")
    return RedirectResponse(_path(record), status_code=303)


@router.get("/declarations/{reference}/receipt", response_model=None)
def receipt(request: Request, reference: str, user: Page, runtime: RuntimeDep) -> Response:
    """The ledger's receipt for the declaration's newest recorded event, as a JSON file to
    keep and verify offline (``clearway ledger verify-receipt``)."""
    with runtime.reads() as uow:
        record = get_visible(uow, user, reference)
    try:
        document = declaration_receipt(runtime, user, record.id)
    except (NotFound, LedgerUnavailable):
        flash(
            request,
            "The ledger has not yet recorded this declaration's events, so there is no "
            "receipt yet. Try again in a few seconds.",
        )
        return RedirectResponse(_path(record), status_code=303)
    name = f"clearway-receipt-{record.mrn or record.id}.json"
    return Response(
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
