"""The administrator's page of one account: its role and company, disabling and enabling it,
a new password, and its API keys. Every change here ends the account's earlier sessions,
tokens and keys, as the users API does, and is in the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clearway.domain.access import USER_ROLES, Action, Principal, Role
from clearway.domain.accounts import MAX_USERNAME, account_problems, password_problems
from clearway.domain.errors import AccountRejected, Conflict, NotFound
from clearway.domain.events import utc_now
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web.rendering import ROLE_NAMES, flash, render
from clearway.entrypoints.web.session import page_for

router = APIRouter(prefix="/users")
Page = Annotated[Principal, page_for(Action.MANAGE_USERS)]
Username = Annotated[str, Path(max_length=MAX_USERNAME, pattern=r"^[A-Za-z0-9._@-]+$")]
ROLE_CHOICES = [(role.value, ROLE_NAMES[role]) for role in USER_ROLES]


def _sentences(errors: dict[str, str]) -> dict[str, str]:
    return {name: text[:1].upper() + text[1:] for name, text in errors.items()}


def account_page(
    request: Request,
    user: Principal,
    runtime: RuntimeDep,
    username: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The account page; after a refused change, with its errors at their fields (a page to
    read and correct, answered 200 like the portal's other forms)."""
    account = runtime.users.user(username)
    if account is None:
        raise NotFound(f"no user {username}")
    errors = errors or {}
    labels = {"role": "Role", "company_id": "Company EORI number", "password": "New password"}
    context: dict[str, Any] = {
        "account": account,
        "keys": runtime.users.list_api_keys(username),
        "now": utc_now(),
        "role_options": ROLE_CHOICES,
        "form": form or {"role": account.role.value, "company_id": account.company_id or ""},
        "errors": errors,
        "summary": [
            {"text": f"{labels[name]}: {errors[name]}", "href": f"#f-{name}"}
            for name in labels
            if name in errors
        ],
    }
    return render(request, "admin/user.html", context, user=user)


@router.get("/{username}", response_class=HTMLResponse)
def account(request: Request, username: Username, user: Page, runtime: RuntimeDep) -> Response:
    return account_page(request, user, runtime, username)


@router.post("/{username}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    username: Username,
    user: Page,
    runtime: RuntimeDep,
    role: Annotated[str, Form(max_length=32)] = "",
    company_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    company = company_id.strip().upper() or None
    form = {"role": role, "company_id": company or ""}
    chosen = Role(role) if role in {choice for choice, _ in ROLE_CHOICES} else None
    errors = {} if chosen else {"role": "Choose the role the user works in"}
    if chosen is not None:
        errors = account_problems(username, None, chosen, company)
        errors.pop("username", None)
    if not errors:
        assert chosen is not None
        try:
            runtime.users.set_role(username, chosen, company)
        except Conflict as error:
            errors = {"role": error.detail}
    if errors:
        return account_page(
            request,
            user,
            runtime,
            username,
            errors=_sentences(errors),
            form=form,
        )
    assert chosen is not None
    flash(
        request,
        f"{username} is now {ROLE_NAMES[chosen]}; their sessions, tokens and keys from before "
        "have ended.",
    )
    return RedirectResponse(f"/admin/users/{username}", status_code=303)


@router.post("/{username}/{change}", response_class=HTMLResponse)
def set_active(
    request: Request,
    username: Username,
    change: Annotated[str, Path(pattern=r"^(disable|enable)$")],
    user: Page,
    runtime: RuntimeDep,
) -> Response:
    try:
        runtime.users.set_active(username, change == "enable")
    except Conflict as error:
        flash(request, f"Not disabled: {error.detail}.")
        return RedirectResponse(f"/admin/users/{username}", status_code=303)
    flash(
        request,
        f"{username} can sign in again."
        if change == "enable"
        else f"{username} is disabled: their sessions, tokens and keys ended at once.",
    )
    return RedirectResponse(f"/admin/users/{username}", status_code=303)


@router.post("/{username}/password/reset", response_class=HTMLResponse)
async def reset_password(
    request: Request,
    username: Username,
    user: Page,
    runtime: RuntimeDep,
    password: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    errors = password_problems(password)
    if not errors:
        try:
            await run_in_threadpool(runtime.users.reset_password, username, password)
        except AccountRejected as error:
            errors = {"password": error.detail}
    if errors:
        return account_page(request, user, runtime, username, errors=_sentences(errors))
    flash(request, f"New password set for {username}; their earlier sessions and keys ended.")
    return RedirectResponse(f"/admin/users/{username}", status_code=303)
