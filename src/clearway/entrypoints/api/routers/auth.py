"""Authentication: access tokens for people (OAuth2 password flow), API keys for systems, and
a person's own password."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from clearway.adapters.security import issue_token
from clearway.domain.access import Action, Role
from clearway.domain.accounts import MAX_KEY_LIFETIME, ApiKeySummary
from clearway.domain.errors import Forbidden, NotFound
from clearway.domain.events import utc_now
from clearway.entrypoints.api.deps import (
    CurrentPrincipal,
    PersonPrincipal,
    RuntimeDep,
    sign_in_with_password,
)
from clearway.entrypoints.api.models import TokenResponse

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
SIGN_IN_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {**_PROBLEM, "description": "Wrong username or password"},
    429: {
        **_PROBLEM,
        "description": "Too many failed sign-ins for the account or from the address; the "
        "`Retry-After` header says how many seconds to wait",
    },
}
KEY_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {**_PROBLEM, "description": "Not authenticated"},
    403: {
        **_PROBLEM,
        "description": "Not a person signed in with a password, or a role above the owner's",
    },
    404: {**_PROBLEM, "description": "No such key (or not one of yours)"},
    422: {**_PROBLEM, "description": "A name, role or lifetime that does not hold"},
}


@router.post("/token", response_model=TokenResponse, responses=SIGN_IN_PROBLEMS)
async def token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    runtime: RuntimeDep,
) -> TokenResponse:
    """Exchange a username and password for a short-lived bearer token. Wrong passwords lock
    the account for a growing while after a few in a row, and an address that fails too
    often is refused for a while: both answer 429 with `Retry-After`."""
    principal = await sign_in_with_password(request, runtime, form.username, form.password, "api")
    issued = issue_token(
        principal,
        runtime.settings.signing_key(),
        timedelta(minutes=runtime.settings.token_ttl_minutes),
    )
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in)


class Me(BaseModel):
    username: str
    role: Role
    company_id: str | None
    via_api_key: bool


@router.get("/me", response_model=Me, responses={401: KEY_PROBLEMS[401]})
def me(principal: CurrentPrincipal) -> Me:
    """Who the credentials sent speak for."""
    return Me(
        username=principal.username,
        role=principal.role,
        company_id=principal.company_id,
        via_api_key=principal.via_key,
    )


class ApiKeyPublic(BaseModel):
    """An API key as listed: never its secret."""

    prefix: str = Field(description="The key's public part: `cw_<prefix>_…`")
    name: str
    owner: str
    role: Role = Field(description="The role the key acts with: its owner's or less")
    created_at: datetime
    created_by: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    state: str = Field(description="active, expired, revoked, or ended (by an account change)")


class ApiKeyCreated(ApiKeyPublic):
    api_key: str = Field(description="Shown once; send it as the X-API-Key header")


def key_public(summary: ApiKeySummary) -> dict[str, Any]:
    return {
        "prefix": summary.prefix,
        "name": summary.name,
        "owner": summary.owner,
        "role": summary.role,
        "created_at": summary.created_at,
        "created_by": summary.created_by,
        "expires_at": summary.expires_at,
        "revoked_at": summary.revoked_at,
        "state": summary.state(utc_now()),
    }


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    responses=KEY_PROBLEMS,
)
async def create_api_key(
    principal: PersonPrincipal,
    runtime: RuntimeDep,
    name: Annotated[str, Form(min_length=1, max_length=64)],
    expires_in_days: Annotated[
        int | None,
        Form(ge=1, le=MAX_KEY_LIFETIME.days, description="Days the key works (default 90)"),
    ] = None,
    role: Annotated[
        Role | None,
        Form(
            description="The role the key acts with (default yours; only one that may do "
            "no more than yours)"
        ),
    ] = None,
) -> ApiKeyCreated:
    """Create an API key acting as you, for a system to use instead of your password. Only a
    person signed in with a password makes keys; a key expires (90 days by default, at most
    a year) and ends when your account is disabled, its role changes or its password is
    reset."""
    key, summary = await run_in_threadpool(
        lambda: runtime.users.create_api_key(
            principal.username, name, role=role, days=expires_in_days
        )
    )
    return ApiKeyCreated(api_key=key, **key_public(summary))


@router.get("/api-keys", response_model=list[ApiKeyPublic], responses=KEY_PROBLEMS)
def list_api_keys(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    username: Annotated[
        str | None, Query(max_length=64, description="Administrators: this user's keys")
    ] = None,
    everyone: Annotated[bool, Query(alias="all", description="Administrators: every key")] = False,
) -> list[dict[str, Any]]:
    """Your API keys, newest first, revoked and expired ones included; administrators may ask
    for anyone's."""
    if (username not in (None, principal.username) or everyone) and not principal.may(
        Action.MANAGE_USERS
    ):
        raise Forbidden("only administrators list other users' keys")
    owner = None if everyone else username or principal.username
    return [key_public(summary) for summary in runtime.users.list_api_keys(owner)]


@router.delete(
    "/api-keys/{prefix}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=KEY_PROBLEMS,
)
def revoke_api_key(
    prefix: Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", examples=["3f9a0c2b7d41"])],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> Response:
    """Revoke one of your keys (administrators: anyone's). It stops working at once."""
    owner = None if principal.may(Action.MANAGE_USERS) else principal.username
    if not runtime.users.revoke_api_key(prefix, owner=owner):
        raise NotFound(f"no key {prefix} in use" + ("" if owner is None else " of yours"))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**KEY_PROBLEMS},
)
def change_password(
    principal: PersonPrincipal,
    runtime: RuntimeDep,
    current_password: Annotated[str, Form(min_length=1, max_length=256)],
    new_password: Annotated[str, Form(min_length=8, max_length=256)],
) -> Response:
    """Change your own password (a form, like the sign-in). Every token and key issued
    before ends: sign in again."""
    assert principal.user_id is not None
    runtime.users.change_password(principal.user_id, current_password, new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
