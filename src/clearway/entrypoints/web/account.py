"""Every user's own account page: their password, and the API keys their systems act with
(made only here, by the person signed in; a name, an expiry, their role or a lesser one)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clearway.domain.access import USER_ROLES, Principal, Role, may_delegate
from clearway.domain.accounts import password_problems
from clearway.domain.errors import Forbidden
from clearway.domain.events import utc_now
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web.rendering import ROLE_NAMES, flash, render
from clearway.entrypoints.web.session import PagePrincipal, check_csrf, sign_in

router = APIRouter(prefix="/account", include_in_schema=False, dependencies=[Depends(check_csrf)])
# The key is shown once: no cache may keep the page that shows it.
NO_STORE = {"Cache-Control": "no-store"}
KEY_LIFETIMES = [("90", "90 days"), ("30", "30 days"), ("7", "7 days"), ("365", "A year")]
LABELS = {
    "current_password": "Current password",
    "new_password": "New password",
    "name": "Name",
    "role": "Acts as",
    "days": "Works for",
}


def key_roles(owner: Role) -> list[tuple[str, str]]:
    """The roles a key of ``owner`` may act with: its own first, then the lesser ones."""
    lesser = [role for role in USER_ROLES if role is not owner and may_delegate(owner, role)]
    return [(role.value, ROLE_NAMES[role]) for role in (owner, *lesser)]


def key_form_problems(name: str, role: str, days: str, owner: Role) -> dict[str, str]:
    """What is wrong with a key form (its name stripped), by field; empty when it can be
    made."""
    problems = {}
    if not 1 <= len(name) <= 64:
        problems["name"] = "Give the key a name of 1 to 64 characters, e.g. the system using it"
    if role not in {value for value, _ in key_roles(owner)}:
        problems["role"] = "Choose the role the key acts with"
    if days not in {value for value, _ in KEY_LIFETIMES}:
        problems["days"] = "Choose how long the key works"
    return problems


def summary_links(errors: dict[str, str]) -> list[dict[str, str]]:
    """The error summary's links, in the order the fields appear."""
    return [
        {"text": f"{LABELS[name]}: {errors[name]}", "href": f"#f-{name}"}
        for name in LABELS
        if name in errors
    ]


def account_page(
    request: Request,
    user: Principal,
    runtime: RuntimeDep,
    *,
    new_key: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page; after a refused form, with its errors at their fields (answered 200 like
    the portal's other forms)."""
    errors = errors or {}
    context: dict[str, Any] = {
        "keys": runtime.users.list_api_keys(user.username),
        "now": utc_now(),
        "new_key": new_key,
        "form": form or {"role": user.role.value, "days": "90"},
        "errors": errors,
        "summary": summary_links(errors),
        "role_options": key_roles(user.role),
        "lifetimes": KEY_LIFETIMES,
    }
    return render(request, "account.html", context, user=user, headers=NO_STORE)


@router.get("", response_class=HTMLResponse)
def account(request: Request, user: PagePrincipal, runtime: RuntimeDep) -> HTMLResponse:
    return account_page(request, user, runtime)


@router.post("/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    user: PagePrincipal,
    runtime: RuntimeDep,
    current_password: Annotated[str, Form(max_length=512)] = "",
    new_password: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    """A new password: every other session, token and key of the account ends; this session
    goes on under the new one."""
    errors = {
        ("new_password" if name == "password" else name): text
        for name, text in password_problems(new_password).items()
    }
    if not current_password:
        errors["current_password"] = "Give your current password"
    if not errors:
        assert user.user_id is not None
        try:
            await run_in_threadpool(
                runtime.users.change_password, user.user_id, current_password, new_password
            )
        except Forbidden:
            errors["current_password"] = "That is not your current password"
    if errors:
        sentences = {name: text[:1].upper() + text[1:] for name, text in errors.items()}
        return account_page(request, user, runtime, errors=sentences)
    fresh = runtime.users.principal(user.username)
    assert fresh is not None
    sign_in(request, fresh)
    flash(request, "Your password is changed; your other sessions and your API keys have ended.")
    return RedirectResponse("/account", status_code=303)


@router.post("/api-keys", response_class=HTMLResponse)
async def create_api_key(
    request: Request,
    user: PagePrincipal,
    runtime: RuntimeDep,
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    days: Annotated[str, Form(max_length=8)] = "90",
) -> HTMLResponse:
    """A key acting as you (or with a lesser role), as ``POST /api/v1/auth/api-keys`` makes
    it."""
    name = name.strip()
    form = {"name": name, "role": role, "days": days}
    errors = key_form_problems(name, role, days, user.role)
    if errors:
        return account_page(request, user, runtime, form=form, errors=errors)
    key, _summary = await run_in_threadpool(
        lambda: runtime.users.create_api_key(user.username, name, role=Role(role), days=int(days))
    )
    return account_page(request, user, runtime, new_key=key, form=form)


@router.post("/api-keys/{prefix}/revoke")
def revoke_api_key(
    request: Request,
    prefix: Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")],
    user: PagePrincipal,
    runtime: RuntimeDep,
) -> Response:
    if runtime.users.revoke_api_key(prefix, owner=user.username):
        flash(request, f"API key {prefix} revoked: it no longer signs anything in.")
    else:
        flash(request, f"API key {prefix} was already revoked.")
    return RedirectResponse("/account", status_code=303)
