"""The administrator's pages for accounts: users with their role and company, creating a user,
and the API keys the administrator's own systems act with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clearway.domain.access import USER_ROLES, Action, Principal, Role
from clearway.domain.accounts import account_problems
from clearway.domain.errors import Conflict
from clearway.domain.events import utc_now
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web import admin_accounts, admin_reference
from clearway.entrypoints.web.account import (
    KEY_LIFETIMES,
    NO_STORE,
    key_form_problems,
    key_roles,
    summary_links,
)
from clearway.entrypoints.web.rendering import ROLE_NAMES, flash, render
from clearway.entrypoints.web.session import check_csrf, page_for

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(check_csrf)])
Page = Annotated[Principal, page_for(Action.MANAGE_USERS)]
# The reference-data page has its own module and permission, under /admin like the others.
router.include_router(admin_reference.router)
router.include_router(admin_accounts.router)
ROLE_OPTIONS = [("", "Choose a role"), *((role.value, ROLE_NAMES[role]) for role in USER_ROLES)]
FIELD_LABELS = {
    "username": "Username",
    "role": "Role",
    "company_id": "Company EORI number",
    "password": "Initial password",
}


def _summary(errors: dict[str, str]) -> list[dict[str, str]]:
    """The error summary's links, in the order the fields appear."""
    return [
        {"text": f"{FIELD_LABELS[name]}: {errors[name]}", "href": f"#f-{name}"}
        for name in FIELD_LABELS
        if name in errors
    ]


def _users_page(
    request: Request,
    user: Principal,
    runtime: RuntimeDep,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    errors = errors or {}
    context: dict[str, Any] = {
        "users": runtime.users.list_users(),
        "now": utc_now(),
        "form": form or {},
        "errors": errors,
        "summary": _summary(errors),
        "role_options": ROLE_OPTIONS,
    }
    return render(request, "admin/home.html", context, user=user)


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    return _users_page(request, user, runtime)


@router.post("/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    user: Page,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    company_id: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Create an account; every problem with the form is shown at its field at once."""
    username, company_id = username.strip(), company_id.strip().upper()
    form = {"username": username, "role": role, "company_id": company_id}
    chosen = Role(role) if role in {choice.value for choice in USER_ROLES} else None
    errors = account_problems(username, password, chosen or Role.TRADER, company_id or None)
    if chosen is None:
        errors["role"] = "Choose the role the user works in"
        errors.pop("company_id", None)
    if not errors:
        try:
            runtime.users.create(username, password, chosen or Role.OFFICER, company_id or None)
        except Conflict:
            errors["username"] = f"A user named {username} already exists; choose another name"
    if errors:
        sentences = {name: text[:1].upper() + text[1:] for name, text in errors.items()}
        return _users_page(request, user, runtime, form, sentences)
    assert chosen is not None
    flash(request, f"User {username} created ({ROLE_NAMES[chosen]}).")
    return RedirectResponse("/admin", status_code=303)


def _keys_page(
    request: Request,
    user: Principal,
    runtime: RuntimeDep,
    *,
    new_key: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    errors = errors or {}
    context = {
        "keys": runtime.users.list_api_keys(None),
        "now": utc_now(),
        "new_key": new_key,
        "form": form or {"role": Role.ADMIN.value, "days": "90"},
        "errors": errors,
        "summary": summary_links(errors),
        "role_options": key_roles(Role.ADMIN),
        "lifetimes": KEY_LIFETIMES,
    }
    return render(
        request,
        "admin/api_keys.html",
        context,
        user=user,
        headers=NO_STORE,
    )


@router.get("/api-keys", response_class=HTMLResponse)
def api_keys(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    return _keys_page(request, user, runtime)


@router.post("/api-keys", response_class=HTMLResponse)
async def create_api_key(
    request: Request,
    user: Page,
    runtime: RuntimeDep,
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    days: Annotated[str, Form(max_length=8)] = "90",
) -> HTMLResponse:
    """A key acting as the administrator (or with a lesser role), as
    ``POST /api/v1/auth/api-keys`` makes it."""
    name = name.strip()
    form = {"name": name, "role": role, "days": days}
    errors = key_form_problems(name, role, days, Role.ADMIN)
    if errors:
        return _keys_page(request, user, runtime, form=form, errors=errors)
    key, _summary = await run_in_threadpool(
        lambda: runtime.users.create_api_key(user.username, name, role=Role(role), days=int(days))
    )
    return _keys_page(request, user, runtime, new_key=key, form=form)


@router.post("/api-keys/{prefix}/revoke")
def revoke_api_key(
    request: Request,
    prefix: Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")],
    user: Page,
    runtime: RuntimeDep,
    back: Annotated[str, Form(max_length=200, pattern=r"^/admin(/[A-Za-z0-9._@/-]*)?$")] = (
        "/admin/api-keys"
    ),
) -> Response:
    """Revoke any user's key: it stops working at once."""
    if runtime.users.revoke_api_key(prefix):
        flash(request, f"API key {prefix} revoked: it no longer signs anything in.")
    else:
        flash(request, f"API key {prefix} was already revoked.")
    return RedirectResponse(back, status_code=303)
