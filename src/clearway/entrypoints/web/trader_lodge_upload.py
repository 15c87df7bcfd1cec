"""Uploading declarations: one JSON file, lodged like the form, or a JSON Lines file of many,
lodged in the background with a progress view, its totals and a file of the refusals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from clearway.adapters.json_input import JsonInputError, parse_json, utf8_problem
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import Conflict, Forbidden, ValidationFailed
from clearway.domain.rules import Violation
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.cli.bulk import parse_document
from clearway.entrypoints.web.rendering import flash, render
from clearway.entrypoints.web.session import BACKGROUND_HEADER, check_csrf
from clearway.entrypoints.web.trader_lodge_bulk import BulkJob, job_of, start_bulk
from clearway.entrypoints.web.trader_lodge_common import LodgePage
from clearway.entrypoints.web.trader_lodge_form import context_of, label_of
from clearway.entrypoints.web.trader_lodge_messages import schema_messages
from clearway.services.lodging import LodgeDeclaration

router = APIRouter()
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The form's own fields and the multipart framing around the file.
ENVELOPE_BYTES = 64 * 1024
BULK_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")


def explain(violation: Violation) -> str:
    """A violation as one line a trader reads: where in the declaration, and what is wrong."""
    name = ".".join(violation.pointer.split("/")[1:])
    text = violation.message[:1].upper() + violation.message[1:]
    if not name:
        return text
    prefix = context_of(name) if violation.code.startswith("SCHEMA.") else label_of(name)
    return f"{prefix}: {text}" if prefix else text


def upload_limit(runtime: Runtime) -> int:
    """The largest file taken: 20 MB, or less when the app's limit on every request body
    (``CLEARWAY_MAX_BODY_BYTES``) is lower, less room for the form around the file."""
    return min(MAX_UPLOAD_BYTES, runtime.settings.max_body_bytes - ENVELOPE_BYTES)


def megabytes(size: int) -> str:
    """``20 MB``, ``1.9 MB``: rounded down, so a file of the size said is taken."""
    tenths = size * 10 // 2**20
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"


def too_large(runtime: Runtime) -> str:
    limit = megabytes(upload_limit(runtime))
    return f"The file is larger than {limit}. Split it into smaller files and upload each."


def upload_page(
    request: Request,
    runtime: Runtime,
    user: Principal,
    error: str = "",
    problems: list[str] | None = None,
) -> HTMLResponse:
    """The upload form; a refusal is shown on it as a 200 page, as the lodge form does (the
    browser would report any other status as a page that failed to load)."""
    return render(
        request,
        "trader/upload.html",
        {
            "error": error,
            "problems": problems or [],
            "limit": upload_limit(runtime),
            "limit_text": megabytes(upload_limit(runtime)),
            "too_large": too_large(runtime),
        },
        user=user,
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, user: LodgePage, runtime: RuntimeDep) -> HTMLResponse:
    return upload_page(request, runtime, user)


def is_bulk(file_name: str, data: bytes) -> bool:
    """JSON Lines by its name, or by content: text that is not one JSON document."""
    if file_name.lower().endswith(BULK_SUFFIXES):
        return True
    if file_name.lower().endswith(".json"):
        return False
    try:
        parse_json(data, subject=file_name)
    except JsonInputError:
        return False  # one document, refused for its duplicate key
    except (ValueError, RecursionError):
        return len([line for line in data.splitlines() if line.strip()]) > 1
    return False


def _lodge_one(
    request: Request, user: Principal, runtime: Runtime, file_name: str, data: bytes
) -> Response:
    try:
        parsed = parse_document(data, file_name)
    except JsonInputError as error:
        return _refused(
            request, runtime, user, file_name, [Violation(error.code, "", error.detail)]
        )
    except ValidationError as error:
        violations = schema_messages(error)
    else:
        command = LodgeDeclaration(parsed.declaration, parsed.document, user)
        try:
            lodged = runtime.lodge(command)
        except ValidationFailed as failed:
            violations = failed.violations
        except (Conflict, Forbidden) as refused:
            violations = [Violation("REFUSED", "", refused.detail)]
        else:
            record = lodged.record
            flash(
                request,
                f"Declaration lodged from {file_name}: MRN {record.mrn}."
                if lodged.created
                else f"{file_name} was lodged before with the same content: MRN {record.mrn}.",
            )
            return RedirectResponse(f"/trader/declarations/{record.id}", status_code=303)
    return _refused(request, runtime, user, file_name, violations)


def _refused(
    request: Request,
    runtime: Runtime,
    user: Principal,
    file_name: str,
    violations: Sequence[Violation],
) -> HTMLResponse:
    count = len(violations)
    return upload_page(
        request,
        runtime,
        user,
        f"{file_name} was not lodged: {count} problem{'s' if count != 1 else ''} found.",
        [explain(violation) for violation in violations],
    )


@router.post("/upload", response_class=HTMLResponse)
async def upload_submit(request: Request, user: LodgePage, runtime: RuntimeDep) -> Response:
    # Refused without keeping the body: a huge file costs neither memory nor disk. It is
    # still read to its end, since a browser shows a reset connection, not the answer, when
    # the server replies before it has finished sending.
    declared = request.headers.get("content-length", "")
    limit = upload_limit(runtime)
    if declared.isdigit() and int(declared) > limit + ENVELOPE_BYTES:
        async for _chunk in request.stream():
            pass
        return upload_page(request, runtime, user, too_large(runtime))
    await check_csrf(request)
    form = await request.form()
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return upload_page(request, runtime, user, "Choose a file to upload.")
        data = await upload.read(limit + 1)
        file_name = upload.filename
    finally:
        await form.close()
    if len(data) > limit:
        return upload_page(request, runtime, user, too_large(runtime))
    if not data.strip():
        return upload_page(request, runtime, user, f"{file_name} is empty.")
    not_utf8 = utf8_problem(data, file_name)
    if not_utf8 is not None:
        return upload_page(
            request, runtime, user, f"{not_utf8}. Save it as UTF-8 and upload it again."
        )
    if is_bulk(file_name, data):
        job = await run_in_threadpool(start_bulk, runtime, user, file_name, data)
        return RedirectResponse(f"/trader/upload/{job.id}", status_code=303)
    return await run_in_threadpool(_lodge_one, request, user, runtime, file_name, data)


def _job_context(live: BulkJob) -> dict[str, Any]:
    job = live.snapshot()
    return {
        "job": job,
        "outcomes": sorted(job.outcomes.items(), key=lambda pair: (-pair[1], pair[0])),
        "refusals": [
            (refusal, [explain(v) for v in refusal.shown or refusal.errors] or [refusal.detail])
            for refusal in job.shown_refusals
        ],
        "BACKGROUND": BACKGROUND_HEADER,
    }


@router.get("/upload/{job_id}", response_class=HTMLResponse)
def upload_job(job_id: str, request: Request, user: LodgePage) -> HTMLResponse:
    return render(request, "trader/upload_job.html", _job_context(job_of(user, job_id)), user=user)


@router.get("/upload/{job_id}/progress", response_class=HTMLResponse)
def upload_progress(job_id: str, request: Request, user: LodgePage) -> HTMLResponse:
    return render(
        request, "trader/upload_progress.html", _job_context(job_of(user, job_id)), user=user
    )


@router.get("/upload/{job_id}/refusals.jsonl")
def upload_refusals(job_id: str, user: LodgePage) -> Response:
    job = job_of(user, job_id)
    stem = job.file_name.rsplit(".", 1)[0] or "upload"
    return FileResponse(
        job.refusals_path, media_type="application/x-ndjson", filename=f"{stem}-refusals.jsonl"
    )
