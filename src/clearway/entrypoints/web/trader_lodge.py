"""The trader's lodging pages: the declaration form, file uploads and amendments.

The form is turned into the same JSON the API takes and lodged or amended with the same
handlers; every problem the schema or the rules find is shown at once, next to its field.
Adding or removing an item is a plain submit that shows the form again, so it works with the
keyboard and without scripts. Drafts are kept in the browser as the user types and, with
"Save draft", on the server for the user, to resume on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clearway.adapters.drafts import SqlAlchemyDraftStore
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import Conflict, Forbidden, ValidationFailed
from clearway.domain.rules import Violation
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.schemas import DECLARATION, to_document, to_domain
from clearway.entrypoints.web import trader_lodge_amend, trader_lodge_upload
from clearway.entrypoints.web.rendering import flash, render
from clearway.entrypoints.web.session import check_csrf
from clearway.entrypoints.web.trader_lodge_choices import form_choices
from clearway.entrypoints.web.trader_lodge_common import (
    LodgePage,
    check_form,
    edit_structure,
    posted_fields,
)
from clearway.entrypoints.web.trader_lodge_form import (
    FormState,
    show_violations,
    state_from_fields,
)
from clearway.services.drafts import SaveDraft, delete_draft, list_drafts, load_draft, save_draft
from clearway.services.lodging import LodgeDeclaration
from clearway.services.ports import ListFilter
from clearway.services.queries import list_declarations

# Each form checks its CSRF token; the upload checks the size of the body before reading it.
router = APIRouter(prefix="/trader", include_in_schema=False)
CSRF = [Depends(check_csrf)]


@dataclass(frozen=True, slots=True)
class LodgedHere:
    declaration_id: str
    mrn: str
    created: bool


def form_page(
    request: Request,
    user: Principal,
    runtime: Runtime,
    state: FormState,
    *,
    fresh: bool,
    draft_id: str = "",
    focus: str = "",
) -> HTMLResponse:
    """The lodge page. A refused form is shown again with 200 (a browser reports any other
    status as a page that failed to load). ``fresh`` lets the browser's draft fill a new,
    empty form; otherwise what the server shows wins and becomes the browser's draft."""
    drafts = list_drafts(SqlAlchemyDraftStore(runtime.engine), user)
    return render(
        request,
        "trader/lodge.html",
        {
            "state": state,
            "choices": form_choices(runtime.context.reference, state.values),
            "drafts": drafts,
            "draft_id": draft_id,
            "fresh": fresh,
            "focus": focus,
            "form_action": "/trader/lodge",
            "draft_key": "lodge",
            "version": "",
        },
        user=user,
    )


def prefilled(runtime: Runtime, user: Principal) -> FormState:
    """A new declaration with the trader's company as declarant, named as it was last time."""
    company = user.company_id or ""
    values = {"type": "IM", "declarant.id": company, "declarant.country": company[:2]}
    if company:
        with runtime.uow() as uow:
            latest, _ = list_declarations(uow, user, ListFilter(declarant_id=company), None, 1)
        if latest:
            values["declarant.name"] = str(latest[0].payload["declarant"].get("name", ""))
    return FormState(values)


@router.get("/lodge", response_class=HTMLResponse)
def lodge_form(
    request: Request, user: LodgePage, runtime: RuntimeDep, draft: str | None = None
) -> HTMLResponse:
    if draft:
        saved = load_draft(SqlAlchemyDraftStore(runtime.engine), user, draft)
        state = state_from_fields(saved.document.get("fields", {}))
        return form_page(request, user, runtime, state, fresh=False, draft_id=saved.id)
    return form_page(request, user, runtime, prefilled(runtime, user), fresh=True)


def lodge_state(user: Principal, runtime: Runtime, state: FormState) -> LodgedHere | None:
    """Lodge what the form holds; None, with every problem put on the form, if refused."""
    payload, violations, moved = check_form(state)
    if payload is not None:
        model = DECLARATION.validate_python(payload)
        command = LodgeDeclaration(to_domain(model), to_document(model), user)
        try:
            lodged = runtime.lodge(command)
        except ValidationFailed as failed:
            violations = failed.violations
        except Conflict as conflict:
            violations = [Violation("LRN", "/lrn", conflict.detail)]
        except Forbidden as refused:
            violations = [Violation("DECLARANT", "/declarant/id", refused.detail)]
        else:
            record = lodged.record
            return LodgedHere(record.id, record.mrn or "", lodged.created)
    show_violations(state, violations, moved)
    return None


def _submit(
    request: Request,
    user: Principal,
    runtime: Runtime,
    fields: dict[str, str],
    control: dict[str, str],
) -> Response:
    state = state_from_fields(fields)
    action = control.get("_action", "lodge")
    draft_id = control.get("_draft", "")
    focus = edit_structure(state, action)
    if focus is not None:
        return form_page(request, user, runtime, state, fresh=False, draft_id=draft_id, focus=focus)
    store = SqlAlchemyDraftStore(runtime.engine)
    if action == "save_draft":
        title = " ".join(filter(None, (state.value("type"), state.value("lrn").strip())))
        command = SaveDraft(user, title, {"fields": state.values}, draft_id or None)
        saved = save_draft(store, command, runtime.context.now())
        flash(request, f"Draft saved: {saved.title}. You can resume it from this page.")
        return RedirectResponse(f"/trader/lodge?draft={saved.id}", status_code=303)
    lodged = lodge_state(user, runtime, state)
    if lodged is None:
        return form_page(request, user, runtime, state, fresh=False, draft_id=draft_id)
    if draft_id:
        delete_draft(store, user, draft_id)
    flash(
        request,
        f"Declaration lodged: MRN {lodged.mrn}."
        if lodged.created
        else f"This declaration was lodged before with the same content: MRN {lodged.mrn}.",
    )
    return RedirectResponse(f"/trader/declarations/{lodged.declaration_id}", status_code=303)


@router.post("/lodge", response_class=HTMLResponse, dependencies=CSRF)
async def lodge_submit(request: Request, user: LodgePage, runtime: RuntimeDep) -> Response:
    fields, control = await posted_fields(request)
    return await run_in_threadpool(_submit, request, user, runtime, fields, control)


@router.post("/drafts/{draft_id}/delete", dependencies=CSRF)
def draft_delete(draft_id: str, request: Request, user: LodgePage, runtime: RuntimeDep) -> Response:
    store = SqlAlchemyDraftStore(runtime.engine)
    title = load_draft(store, user, draft_id).title
    delete_draft(store, user, draft_id)
    flash(request, f"Draft deleted: {title}.")
    return RedirectResponse("/trader/lodge", status_code=303)


router.include_router(trader_lodge_upload.router)
router.include_router(trader_lodge_amend.router)
