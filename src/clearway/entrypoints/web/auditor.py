"""The auditor's pages: the ledger's signed checkpoint and an audit on demand, receipts
verified in the page, and every event of a declaration with its place in the ledger.

Everything here goes through the ledger reader the API serves (``ledger_reader``), the audit
``clearway ledger audit`` runs and the verifier of ``clearway ledger verify-receipt``, so the
page and the command line can never disagree about the same log."""

from __future__ import annotations

import base64
import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from clearway.adapters.ledger_reading import audit_database
from clearway.bootstrap import Runtime
from clearway.domain.access import Action, Principal
from clearway.domain.errors import NotFound
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.ledger_worker import ledger_reader
from clearway.entrypoints.web import auditor_trail
from clearway.entrypoints.web.rendering import render
from clearway.entrypoints.web.session import check_csrf, page_for, record_page_read
from clearway.services.ledger.receipts import ReceiptError, VerifiedReceipt, verify_receipt
from clearway.services.queries import get_visible, history

router = APIRouter(prefix="/auditor", include_in_schema=False, dependencies=[Depends(check_csrf)])
# The audit trail has its own module and permission, under /auditor like the others.
router.include_router(auditor_trail.router)
Page = Annotated[Principal, page_for(Action.READ_LEDGER)]
# A receipt is a few kilobytes; anything much larger is not one.
MAX_RECEIPT_BYTES = 1_000_000
VERIFY_STEPS = (
    "The receipt has the clearway-receipt/v1 form",
    "The checkpoint is signed with the ledger's key",
    "The checkpoint is of this ledger, at the tree size the receipt names",
    "The entry is canonical JSON (RFC 8785)",
    "The entry is included under the checkpoint's root hash (RFC 9162 §2.1.3.2)",
    "The entry says what the receipt claims",
)


def event_name(event_type: str) -> str:
    """``DeclarationAccepted`` → ``Declaration accepted``."""
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", event_type)
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:]


def _state(runtime: Runtime) -> dict[str, Any]:
    reader = ledger_reader(runtime)
    state = reader.state()
    root = base64.b64encode(state.checkpoint.root_hash).decode() if state.checkpoint else None
    return {
        "ledger": state,
        "origin": reader.origin,
        "verifier_key": str(reader.verifier_key),
        "root_hash": root,
    }


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    return render(request, "auditor/home.html", {**_state(runtime), "report": None}, user=user)


@router.get("/state", response_class=HTMLResponse)
def state(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    """The checkpoint card alone, for the page to refresh itself while the log grows."""
    return render(request, "auditor/_state.html", _state(runtime), user=user)


@router.post("/audit", response_class=HTMLResponse)
def audit(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    """The same audit as ``clearway ledger audit``: every entry, leaf hash, checkpoint and
    outbox event of the log checked against each other."""
    reader = ledger_reader(runtime)
    report = audit_database(runtime.engine, reader.verifier_key, runtime.settings.ledger_origin)
    context = {"report": report}
    if request.headers.get("HX-Request"):
        return render(request, "auditor/_audit.html", context, user=user)
    return render(request, "auditor/home.html", {**_state(runtime), **context}, user=user)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, user: Page) -> HTMLResponse:
    return render(request, "auditor/verify.html", _verify_context(), user=user)


@router.post("/verify", response_class=HTMLResponse)
async def verify(
    request: Request,
    user: Page,
    runtime: RuntimeDep,
    receipt: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Verify an uploaded receipt with the ledger's public key, as the command line does."""
    content = await receipt.read(MAX_RECEIPT_BYTES + 1) if receipt is not None else b""
    filename = (receipt.filename if receipt is not None else None) or ""
    if not filename and not content:
        errors = {"receipt": "Choose the receipt file to verify"}
        return render(
            request,
            "auditor/verify.html",
            _verify_context(errors=errors),
            user=user,
            status_code=400,
        )
    reader = await run_in_threadpool(ledger_reader, runtime)
    try:
        verified = _verified(content, reader.verifier_key)
    except ReceiptError as error:
        context = _verify_context(filename=filename, reason=str(error))
        return render(request, "auditor/verify.html", context, user=user)
    context = _verify_context(filename=filename, verified=verified)
    return render(request, "auditor/verify.html", context, user=user)


def _verified(content: bytes, key: Any) -> VerifiedReceipt:
    if len(content) > MAX_RECEIPT_BYTES:
        raise ReceiptError("the file is far larger than a receipt")
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise ReceiptError("the file is not JSON, so it is not a receipt") from None
    if not isinstance(document, dict):
        raise ReceiptError("a receipt is a JSON object")
    return verify_receipt(document, key)


def _verify_context(
    *,
    errors: dict[str, str] | None = None,
    filename: str = "",
    reason: str | None = None,
    verified: VerifiedReceipt | None = None,
) -> dict[str, Any]:
    root = base64.b64encode(verified.checkpoint.root_hash).decode() if verified else None
    return {
        "errors": errors or {},
        "filename": filename,
        "reason": reason,
        "verified": verified,
        "root_hash": root,
        "steps": VERIFY_STEPS,
        "event_name": event_name,
    }


@router.get("/events", response_class=HTMLResponse)
def events(
    request: Request,
    user: Page,
    runtime: RuntimeDep,
    reference: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """Every event of one declaration, oldest first, with its leaf index once logged."""
    reference = reference.strip()
    context: dict[str, Any] = {"reference": reference, "record": None, "events": [], "errors": {}}
    if reference:
        try:
            with runtime.reads() as uow:
                context["record"] = get_visible(uow, user, reference)
        except NotFound:
            context["errors"] = {"reference": f"No declaration has the MRN or id {reference}"}
            return render(
                request,
                "auditor/events.html",
                {**context, "event_name": event_name},
                user=user,
                status_code=404,
            )
        with runtime.reads() as uow:
            stored = history(uow, user, reference)
        record_page_read(request, runtime, user, context["record"].id)
        indexes = ledger_reader(runtime).leaf_indexes(event.sequence for event in stored)
        context["events"] = [(event, indexes.get(event.sequence)) for event in stored]
    return render(request, "auditor/events.html", {**context, "event_name": event_name}, user=user)


@router.get("/events/{reference}/receipts/{sequence}")
def event_receipt(reference: str, sequence: int, user: Page, runtime: RuntimeDep) -> Response:
    """The receipt of one event, as a file to keep: the format the API serves."""
    with runtime.reads() as uow:
        record = get_visible(uow, user, reference)
    receipt = ledger_reader(runtime).event_receipt(record.id, sequence)
    name = f"receipt-{record.mrn or record.id}-{sequence}.json"
    return Response(
        orjson.dumps(receipt, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
