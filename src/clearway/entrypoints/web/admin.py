"""The administrator's pages for accounts: users with their role and company, creating a user,
and the API keys the administrator's own systems act with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clearway.adapters.security import account_problems
from clearway.domain.access import Action, Principal, Role
from clearway.domain.errors import Conflict
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web import admin_reference
from clearway.entrypoints.web.rendering import ROLE_NAMES, flash, render
from clearway.entrypoints.web.session import check_csrf, page_for

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(check_csrf)])
Page = Annotated[Principal, page_for(Action.MANAGE_USERS)]
# The reference-data page has its own module and permission, under /admin like the others.
router.include_router(admin_reference.router)
ROLE_OPTIONS = [("", "Choose a role"), *((role.value, ROLE_NAMES[role]) for role in Role)]
FIELD_LABELS = {
    "username": "Username",
    "role": "Role",
    "company_id": "Company EORI number",
    "password": "Initial password",
}
# The key is shown once: no cache may keep the page that shows it.
NO_STORE = {"Cache-Control": "no-store"}


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
    chosen = Role(role) if role in Role._value2member_map_ else None
    errors = account_problems(username, password, chosen or Role.OFFICER, company_id or None)
    if chosen is None:
        errors["role"] = "Choose the role the user works in"
    if len(company_id) > 17:
        errors["company_id"] = "An EORI number has at most 17 characters"
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
    name: str = "",
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    errors = errors or {}
    context = {
        "keys": runtime.users.list_api_keys(user.username),
        "new_key": new_key,
        "name": name,
        "errors": errors,
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
) -> HTMLResponse:
    """A key acting as the administrator, as ``POST /api/v1/auth/api-keys`` makes it."""
    name = name.strip()
    if not 1 <= len(name) <= 64:
        errors = {"name": "Give the key a name of 1 to 64 characters, e.g. the system using it"}
        return _keys_page(request, user, runtime, name=name, errors=errors)
    key = await run_in_threadpool(runtime.users.create_api_key, user.username, name)
    return _keys_page(request, user, runtime, new_key=key, name=name)


@router.post("/api-keys/{prefix}/revoke")
def revoke_api_key(request: Request, prefix: str, user: Page, runtime: RuntimeDep) -> Response:
    if runtime.users.revoke_api_key(prefix, owner=user.username):
        flash(request, f"API key {prefix} revoked: it no longer signs anything in.")
    else:
        flash(request, f"API key {prefix} was already revoked.")
    return RedirectResponse("/admin/api-keys", status_code=303)
