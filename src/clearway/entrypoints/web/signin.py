"""Signing in and out: ``/`` opens the sign-in page, or the user's home page once signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from clearway.domain.access import Role
from clearway.domain.errors import NotAuthenticated, TooManyRequests
from clearway.entrypoints.api.deps import RuntimeDep, sign_in_with_password
from clearway.entrypoints.web.rendering import home_of, render
from clearway.entrypoints.web.session import (
    PagePrincipal,
    check_csrf,
    session_user,
    sign_in,
    sign_out,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

REASONS = {
    "idle": "You were signed out after a while without activity. Anything you were writing is "
    "kept as a draft.",
    "account": "Your account changed; sign in again.",
    "signed-out": "You are signed out.",
}


def _safe_next(next_path: str | None) -> str | None:
    """Only a path on this site: never an address elsewhere (open redirect)."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//"):
        return None
    if "\\" in next_path or next_path.startswith(("/login", "/logout")):
        return None
    return next_path


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, runtime: RuntimeDep) -> Response:
    username = session_user(request)
    if username is not None:
        role = str(request.session.get("role"))
        if role in Role._value2member_map_:
            return RedirectResponse(home_of(Role(role)), status_code=303)
    return RedirectResponse("/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request, next: str | None = None, reason: str | None = None
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        {"next": _safe_next(next) or "", "notice": REASONS.get(reason or ""), "error": None},
    )


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        principal = await sign_in_with_password(request, runtime, username, password, "portal")
    except (NotAuthenticated, TooManyRequests) as error:
        message = (
            "Wrong username or password."
            if isinstance(error, NotAuthenticated)
            else f"Too many failed sign-ins. Try again in {error.retry_after} seconds."
        )
        response = render(
            request,
            "login.html",
            {
                "next": _safe_next(next) or "",
                "notice": None,
                "error": message,
                "username": username,
            },
            status_code=error.status,
        )
        response.headers.update(error.headers())
        return response
    sign_in(request, principal)
    return RedirectResponse(_safe_next(next) or home_of(principal.role), status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/login?reason=signed-out", status_code=303)


@router.post("/session/keepalive", status_code=204)
async def keepalive(user: PagePrincipal) -> Response:
    """ "Stay signed in" on the idle warning: counts as activity."""
    return Response(status_code=204)
