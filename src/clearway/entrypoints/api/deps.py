"""Dependencies the routers declare: the runtime, the unit of work and the caller."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from clearway.adapters.security import read_token
from clearway.bootstrap import Runtime
from clearway.domain.access import Action, Principal
from clearway.domain.errors import Forbidden, NotAuthenticated

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_runtime(request: Request) -> Runtime:
    """The runtime, holding what other workers and commands last changed (checked at most
    once a second: ``Runtime.sync``)."""
    runtime: Runtime = request.app.state.runtime
    runtime.sync()
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_principal(
    runtime: RuntimeDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """The caller, from a bearer token or an API key; neither or a bad one is a 401."""
    if api_key:
        return await run_in_threadpool(runtime.users.authenticate_api_key, api_key)
    if token:
        username = read_token(token, runtime.settings.signing_key())
        principal = await run_in_threadpool(runtime.users.principal, username)
        if principal is None:
            raise NotAuthenticated("the account behind this token no longer exists or is disabled")
        return principal
    raise NotAuthenticated("send a bearer token (POST /api/v1/auth/token) or an X-API-Key header")


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
