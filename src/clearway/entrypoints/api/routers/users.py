"""Administrators' accounts API: list, create, disable, enable, change role, reset password.

Disabling, a role or company change and a password reset end every token, portal session and
API key the account had (its token version rises). The last active administrator cannot be
disabled or given another role. Every change is in the audit trail and the ledger.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from clearway.domain.access import Action, Principal, Role
from clearway.domain.accounts import MAX_PASSWORD, MAX_USERNAME, UserSummary
from clearway.domain.errors import NotFound
from clearway.entrypoints.api.deps import RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute

router = APIRouter(prefix="/api/v1/users", tags=["users"], route_class=JsonBodyRoute)
Admin = Annotated[Principal, require(Action.MANAGE_USERS)]
Username = Annotated[
    str, Path(min_length=1, max_length=MAX_USERNAME, pattern=r"^[A-Za-z0-9._@-]+$")
]

_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {**_PROBLEM, "description": "Not authenticated"},
    403: {**_PROBLEM, "description": "Only administrators manage users"},
    404: {**_PROBLEM, "description": "No such user"},
    409: {**_PROBLEM, "description": "The name is taken, or it is the only active administrator"},
    422: {**_PROBLEM, "description": "A field that does not hold, each with its pointer"},
}


class UserPublic(BaseModel):
    username: str
    role: Role
    company_id: str | None
    active: bool
    created_at: datetime
    locked_until: datetime | None = Field(
        description="Until when sign-in is refused after wrong passwords"
    )
    failed_logins: int


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=MAX_USERNAME, examples=["ana"])
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)
    role: Role
    company_id: str | None = Field(default=None, max_length=17, examples=["GB123456789000"])


class UserUpdate(BaseModel):
    role: Role
    company_id: str | None = Field(default=None, max_length=17)


class PasswordReset(BaseModel):
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)


def _public(user: UserSummary) -> UserPublic:
    return UserPublic(
        username=user.username,
        role=user.role,
        company_id=user.company_id,
        active=user.active,
        created_at=user.created_at,
        locked_until=user.locked_until,
        failed_logins=user.failed_logins,
    )


@router.get("", response_model=list[UserPublic], responses=PROBLEMS)
def list_users(admin: Admin, runtime: RuntimeDep) -> list[UserPublic]:
    """Every account, by username."""
    return [_public(user) for user in runtime.users.list_users()]


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED, responses=PROBLEMS)
async def create_user(
    body: UserCreate, admin: Admin, runtime: RuntimeDep, response: Response
) -> UserPublic:
    """Create an account. A trader belongs to a company (its EORI number); others do not."""
    await run_in_threadpool(
        runtime.users.create, body.username, body.password, body.role, body.company_id
    )
    response.headers["Location"] = f"{router.prefix}/{body.username}"
    return _get(runtime, body.username)


def _get(runtime: RuntimeDep, username: str) -> UserPublic:
    user = runtime.users.user(username)
    if user is None:
        raise NotFound(f"no user {username}")
    return _public(user)


@router.get("/{username}", response_model=UserPublic, responses=PROBLEMS)
def get_user(username: Username, admin: Admin, runtime: RuntimeDep) -> UserPublic:
    """One account."""
    return _get(runtime, username)


@router.patch("/{username}", response_model=UserPublic, responses=PROBLEMS)
def change_role(
    username: Username, body: UserUpdate, admin: Admin, runtime: RuntimeDep
) -> UserPublic:
    """Give the account another role (and company). Its tokens, sessions and keys end."""
    return _public(runtime.users.set_role(username, body.role, body.company_id))


@router.post("/{username}/disable", response_model=UserPublic, responses=PROBLEMS)
def disable(username: Username, admin: Admin, runtime: RuntimeDep) -> UserPublic:
    """Disable the account: it can no longer sign in, and its tokens, sessions and keys end
    at once."""
    return _public(runtime.users.set_active(username, False))


@router.post("/{username}/enable", response_model=UserPublic, responses=PROBLEMS)
def enable(username: Username, admin: Admin, runtime: RuntimeDep) -> UserPublic:
    """Enable the account again (and lift a lockout); tokens from before stay ended."""
    return _public(runtime.users.set_active(username, True))


@router.post("/{username}/password", response_model=UserPublic, responses=PROBLEMS)
async def reset_password(
    username: Username, body: PasswordReset, admin: Admin, runtime: RuntimeDep
) -> UserPublic:
    """Set a new password (for the user to change): earlier tokens and keys end, a lockout
    is lifted."""
    return _public(await run_in_threadpool(runtime.users.reset_password, username, body.password))
