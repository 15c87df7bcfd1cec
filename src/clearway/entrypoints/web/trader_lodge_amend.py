"""Amending a declaration: the lodging form filled with the current version, sent back with
the version it was opened at, as the API's If-Match does. If someone changed the declaration
meanwhile the amendment is refused and the trader told, never applied over the other change.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import (
    Conflict,
    PreconditionFailed,
    TransitionNotAllowed,
    ValidationFailed,
)
from clearway.domain.record import DeclarationRecord
from clearway.domain.rules import Violation
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.schemas import DECLARATION, to_document, to_domain
from clearway.entrypoints.web.rendering import flash, render
from clearway.entrypoints.web.session import check_csrf
from clearway.entrypoints.web.trader_lodge_choices import form_choices
from clearway.entrypoints.web.trader_lodge_common import (
    AmendPage,
    check_form,
    edit_structure,
    posted_fields,
)
from clearway.entrypoints.web.trader_lodge_form import (
    FormState,
    show_violations,
    state_from_fields,
    state_from_payload,
)
from clearway.services.changes import AmendDeclaration, amend_declaration
from clearway.services.queries import get_visible

router = APIRouter(dependencies=[Depends(check_csrf)])


def amend_page(
    request: Request,
    user: Principal,
    runtime: Runtime,
    record: DeclarationRecord,
    state: FormState,
    version: int,
    *,
    fresh: bool,
    focus: str = "",
    stale: bool = False,
) -> HTMLResponse:
    return render(
        request,
        "trader/amend.html",
        {
            "record": record,
            "state": state,
            "choices": form_choices(runtime.context.reference, state.values),
            "drafts": [],
            "draft_id": "",
            "fresh": fresh,
            "focus": focus,
            "form_action": f"/trader/declarations/{record.id}/amend",
            # One browser draft per declaration and version: a draft of an older version is
            # never poured into the form of a newer one.
            "draft_key": f"amend-{record.id}-v{version}",
            "version": str(version),
            "stale": stale,
        },
        user=user,
    )


def _current(runtime: Runtime, user: Principal, reference: str) -> DeclarationRecord:
    with runtime.uow() as uow:
        return get_visible(uow, user, reference)


@router.get("/declarations/{reference}/amend", response_class=HTMLResponse)
def amend_form(
    reference: str, request: Request, user: AmendPage, runtime: RuntimeDep
) -> HTMLResponse:
    record = _current(runtime, user, reference)
    state = state_from_payload(record.payload)
    return amend_page(request, user, runtime, record, state, record.version, fresh=True)


def _submit(
    reference: str,
    request: Request,
    user: Principal,
    runtime: Runtime,
    fields: dict[str, str],
    control: dict[str, str],
) -> Response:
    record = _current(runtime, user, reference)
    state = state_from_fields(fields)
    opened = control.get("_version", "")
    version = int(opened) if opened.isdigit() else record.version
    focus = edit_structure(state, control.get("_action", "amend"))
    if focus is not None:
        return amend_page(request, user, runtime, record, state, version, fresh=False, focus=focus)
    payload, violations, moved = check_form(state)
    stale = False
    if payload is not None:
        model = DECLARATION.validate_python(payload)
        command = AmendDeclaration(
            record.id, to_domain(model), to_document(model), user, expected_version=version
        )
        try:
            amended = amend_declaration(command, runtime.uow(), runtime.context)
        except ValidationFailed as failed:
            violations = failed.violations
        except PreconditionFailed:
            stale = True
            violations = [
                Violation(
                    "STALE",
                    "",
                    f"This declaration was changed after you opened it: it is now at version "
                    f"{record.version}, you opened version {version}. Your changes have not "
                    "been applied. Open the current version and make them again.",
                )
            ]
        except (TransitionNotAllowed, Conflict) as refused:
            violations = [Violation("REFUSED", "", refused.detail)]
        else:
            flash(
                request,
                f"Declaration {amended.mrn or amended.id} amended: now version {amended.version}.",
            )
            return RedirectResponse(f"/trader/declarations/{amended.id}", status_code=303)
    show_violations(state, violations, moved)
    return amend_page(
        request,
        user,
        runtime,
        record,
        state,
        version,
        fresh=False,
        stale=stale,
    )


@router.post("/declarations/{reference}/amend", response_class=HTMLResponse)
async def amend_submit(
    reference: str, request: Request, user: AmendPage, runtime: RuntimeDep
) -> Response:
    fields, control = await posted_fields(request)
    return await run_in_threadpool(_submit, reference, request, user, runtime, fields, control)
