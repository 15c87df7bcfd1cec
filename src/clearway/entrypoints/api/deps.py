"""Dependencies the routers declare: the runtime, the unit of work and the caller."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from clearway.adapters.audit_trail import Acting, acting_as
from clearway.adapters.security import read_token
from clearway.bootstrap import Runtime
from clearway.domain.access import Action, Principal
from clearway.domain.errors import ClearwayError, Forbidden, NotAuthenticated

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_runtime(request: Request) -> Runtime:
    """The runtime, holding what other workers and commands last changed (checked at most
    once a second: ``Runtime.sync``)."""
    runtime: Runtime = request.app.state.runtime
    runtime.sync()
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def client_address(request: Request) -> str:
    """The caller's address (the proxy's forwarded one when uvicorn is told to trust it)."""
    return request.client.host if request.client else "unknown"


def request_id(request: Request) -> str | None:
    found: str | None = getattr(request.state, "request_id", None)
    return found


def act_as(request: Request, principal: Principal | None, channel: str) -> None:
    """Make the caller the acting person of this request, for the audit trail."""
    acting_as(
        Acting(
            principal.username if principal else "anonymous",
            principal.role.value if principal else None,
            channel,
            request_id(request),
            client_address(request),
        )
    )


async def sign_in_with_password(
    request: Request, runtime: Runtime, username: str, password: str, channel: str
) -> Principal:
    """The account, for a right password from an address and to an account neither of which
    is throttled; a failure counts against the address."""
    client = client_address(request)
    act_as(request, None, channel)
    runtime.throttle.check(client)
    try:
        return await run_in_threadpool(runtime.users.authenticate, username, password)
    except ClearwayError:
        runtime.throttle.failed(client)
        raise


async def get_principal(
    request: Request,
    runtime: RuntimeDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """The caller, from a bearer token or an API key; neither or a bad one is a 401."""
    if api_key:
        principal = await run_in_threadpool(runtime.users.authenticate_api_key, api_key)
    elif token:
        claims = read_token(token, runtime.settings.signing_key())
        principal = await run_in_threadpool(
            runtime.users.principal_for_token, claims.user_id, claims.token_version
        )
    else:
        raise NotAuthenticated(
            "send a bearer token (POST /api/v1/auth/token) or an X-API-Key header"
        )
    act_as(request, principal, "api")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(action: Action) -> Any:
    """A dependency that refuses callers whose role may not perform ``action``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.may(action):
            raise Forbidden(
                f"the {principal.role.value} role may not {action.value.replace('_', ' ')}"
            )
        return principal

    return Depends(check)


async def person(principal: CurrentPrincipal) -> Principal:
    """The caller, when a person signed in with a password: a system's API key may not do
    this (make keys, change passwords)."""
    if principal.via_key:
        raise Forbidden("only a person signed in with a password may do this, not an API key")
    return principal


PersonPrincipal = Annotated[Principal, Depends(person)]
