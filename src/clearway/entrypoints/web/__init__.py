"""The portal: server-rendered pages for every role, in the same app as the API.

Pages call the same service handlers as the API with the signed-in user as the principal, so
the same permissions apply; they never run SQL of their own. ``install`` adds the sessions,
the security headers, the static files, the API documentation and each role's pages.
"""

from __future__ import annotations

import secrets
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from clearway.config import Settings
from clearway.entrypoints.web import docs, signin
from clearway.entrypoints.web.headers import SecurityHeaders
from clearway.entrypoints.web.rendering import render
from clearway.entrypoints.web.session import SignInRequired, session_user

SESSION_COOKIE = "clearway_session"
NOT_PAGES = ("/api/", "/health", "/ready", "/metrics", "/openapi.json", "/static/")


def is_page(request: Request) -> bool:
    """Whether the request is for the portal (HTML), not the API."""
    return not request.url.path.startswith(NOT_PAGES)


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    """An error, as a page in the portal's layout (or a fragment for htmx)."""
    user = None
    runtime = getattr(request.app.state, "runtime", None)
    username = session_user(request)
    if runtime is not None and username is not None:
        user = runtime.users.principal(username)
    template = "fragments/error.html" if request.headers.get("HX-Request") else "error.html"
    return render(
        request,
        template,
        {"status": status, "title": title, "detail": detail},
        user=user,
        status_code=status,
    )


async def _sign_in_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": error.location})
    return RedirectResponse(error.location, status_code=303)


def install(app: FastAPI, settings: Settings) -> None:
    from clearway.entrypoints.web.pages import ROUTERS

    static = resources.files("clearway.entrypoints.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(docs.router)
    app.include_router(signin.router)
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key or secrets.token_urlsafe(32),
        session_cookie=SESSION_COOKIE,
        max_age=12 * 60 * 60,
        same_site="strict",
        https_only=settings.session_cookie_secure,
    )


__all__ = ["error_page", "install", "is_page"]
