"""Portal sessions: who is signed in, for how long, and the CSRF token of their forms.

The session lives in a signed cookie (Starlette's ``SessionMiddleware``: ``HttpOnly``,
``SameSite=Strict``, ``Secure`` when ``CLEARWAY_SESSION_COOKIE_SECURE`` is set behind TLS). It
holds the account's immutable id and token version, its name and role as they were at
sign-in, the time of the last request and a random CSRF token. Every page checks the account
again: a user disabled, given another role or company, or whose password was reset (all of
which raise the token version), or deleted and re-created under the same name, is signed out
(OWASP Session Management Cheat Sheet: bind the session to the account, expire it on
idleness).
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from clearway.adapters.audit_trail import read_by, record_reads
from clearway.bootstrap import Runtime
from clearway.domain.access import Action, Principal
from clearway.domain.errors import ClearwayError, Forbidden, NotAuthenticated
from clearway.entrypoints.api.deps import RuntimeDep, act_as

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Requests a page makes on its own (live status, the queue refreshing) carry this header and do
# not count as activity: a screen left open still times out.
BACKGROUND_HEADER = "X-Clearway-Background"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInRequired(Exception):
    """No session, or one that timed out or whose account changed: off to the sign-in page."""

    def __init__(self, next_path: str, reason: str | None = None) -> None:
        super().__init__(reason or "sign in")
        self.next_path = next_path
        self.reason = reason

    @property
    def location(self) -> str:
        query = f"next={quote(self.next_path, safe='/')}"
        if self.reason:
            query += f"&reason={self.reason}"
        return f"/login?{query}"


class CsrfRefused(ClearwayError):
    status, slug, title = 403, "csrf-refused", "Form refused"


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use (the sign-in form has one too)."""
    token: str | None = request.session.get("csrf")
    if token is None:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request whose token (form field or header) is not the
    session's: a page on another site cannot make a signed-in user's browser post a form."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    expected = request.session.get("csrf")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused(
            "the form had no valid security token (it may have been open from an earlier "
            "session); reload the page and send it again"
        )


def sign_in(request: Request, principal: Principal) -> None:
    """A fresh session for ``principal``: a new CSRF token, so none from before survives."""
    request.session.clear()
    request.session.update(
        user=principal.username,
        uid=principal.user_id,
        ver=principal.token_version,
        role=principal.role.value,
        company=principal.company_id,
        seen=time.time(),
        csrf=secrets.token_urlsafe(32),
    )


def sign_out(request: Request) -> None:
    request.session.clear()


def session_user(request: Request) -> str | None:
    user: str | None = request.session.get("user")
    return user


def _next_path(request: Request) -> str:
    if request.method == "GET" and not request.headers.get("HX-Request"):
        path = request.url.path
        return f"{path}?{request.url.query}" if request.url.query else path
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    return referer.removeprefix(origin) if referer.startswith(origin) else "/"


async def portal_principal(request: Request, runtime: RuntimeDep) -> Principal:
    """The signed-in user, checked against the account as it is now."""
    username = session_user(request)
    if username is None:
        raise SignInRequired(_next_path(request))
    now = time.time()
    idle_limit = runtime.settings.session_idle_minutes * 60
    if now - float(request.session.get("seen", 0)) > idle_limit:
        sign_out(request)
        raise SignInRequired(_next_path(request), "idle")
    try:
        principal = await run_in_threadpool(
            runtime.users.principal_for_token,
            int(request.session.get("uid") or 0),
            int(request.session.get("ver") or 0),
        )
    except NotAuthenticated:
        sign_out(request)
        raise SignInRequired(_next_path(request), "account") from None
    act_as(request, principal, "portal")
    if not request.headers.get(BACKGROUND_HEADER):
        request.session["seen"] = now
    return principal


PagePrincipal = Annotated[Principal, Depends(portal_principal)]


def record_page_read(request: Request, runtime: Runtime, user: Principal, *record_ids: str) -> None:
    """Put the page showing declarations (one, or a list's rows) in the audit trail (a page
    refreshing itself in the background is the same reading, not another)."""
    if not request.headers.get(BACKGROUND_HEADER):
        record_reads(runtime.engine, record_ids, read_by(user, "page", request.url.path))


def page_for(*actions: Action) -> Any:
    """A dependency giving the signed-in user when their role may do one of ``actions``; any
    other role gets the refusal page (403)."""

    async def check(principal: PagePrincipal) -> Principal:
        if not any(principal.may(action) for action in actions):
            wanted = " or ".join(action.value.replace("_", " ") for action in actions)
            raise Forbidden(f"the {principal.role.value} role may not {wanted}")
        return principal

    return Depends(check)
