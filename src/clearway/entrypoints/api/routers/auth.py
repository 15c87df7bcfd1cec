"""Authentication: access tokens for people (OAuth2 password flow), API keys for systems."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from clearway.adapters.security import issue_token
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep
from clearway.entrypoints.api.models import ApiKeyResponse, TokenResponse

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], runtime: RuntimeDep
) -> TokenResponse:
    """Exchange a username and password for a short-lived bearer token."""
    principal = await run_in_threadpool(runtime.users.authenticate, form.username, form.password)
    issued = issue_token(
        principal,
        runtime.settings.signing_key(),
        timedelta(minutes=runtime.settings.token_ttl_minutes),
    )
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in)


@router.post("/api-keys", response_model=ApiKeyResponse, status_code=201)
async def create_api_key(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    name: Annotated[str, Form(min_length=1, max_length=64)],
) -> ApiKeyResponse:
    """Create an API key acting as the caller, for a system to use instead of a password."""
    key = await run_in_threadpool(runtime.users.create_api_key, principal.username, name)
    return ApiKeyResponse(api_key=key, name=name)
