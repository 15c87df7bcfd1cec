"""Accounts: what makes a valid account, how long API keys live, and how sign-in attempts are
throttled.

Throttling follows NIST SP 800-63B §5.2.2 (limit consecutive failed attempts on one account)
and the OWASP Authentication Cheat Sheet (growing delays and a temporary lockout rather than a
permanent one, which would let anyone lock any user out for good).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from clearway.domain.access import USER_ROLES, Role

MIN_PASSWORD = 8
MAX_PASSWORD = 256
MAX_USERNAME = 64
USERNAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._@-")

KEY_LIFETIME = timedelta(days=90)
"""An API key's life when its owner does not choose one."""
MAX_KEY_LIFETIME = timedelta(days=365)

FREE_FAILURES = 4
"""Wrong passwords in a row an account takes before it is locked for a while."""
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)


def account_problems(
    username: str, password: str | None, role: Role, company_id: str | None
) -> dict[str, str]:
    """Why an account cannot be created, by field (``company_id``, ``password`` …), all at
    once; empty when it can. ``password`` None: not being set now."""
    problems = {}
    if not username or len(username) > MAX_USERNAME:
        problems["username"] = f"a username has 1 to {MAX_USERNAME} characters"
    elif not set(username) <= USERNAME_CHARACTERS:
        problems["username"] = "a username has only letters, digits and . _ @ -"
    if role not in USER_ROLES:
        problems["role"] = f"no role {role.value!r} for an account"
    if role is Role.TRADER and not company_id:
        problems["company_id"] = "a trader must belong to a company (its EORI number)"
    if role is not Role.TRADER and company_id:
        problems["company_id"] = "only traders belong to a company"
    if company_id is not None and len(company_id) > 17:
        problems["company_id"] = "an EORI number has at most 17 characters"
    if password is not None:
        problems.update(password_problems(password))
    return problems


def password_problems(password: str) -> dict[str, str]:
    if len(password) < MIN_PASSWORD:
        return {"password": f"a password needs at least {MIN_PASSWORD} characters"}
    if len(password) > MAX_PASSWORD:
        return {"password": f"a password has at most {MAX_PASSWORD} characters"}
    return {}


def lock_after(failures: int) -> timedelta | None:
    """How long an account refuses sign-in after ``failures`` wrong passwords in a row: none
    for the first few, then 30 seconds, doubling with each further failure up to 15 minutes."""
    if failures <= FREE_FAILURES:
        return None
    step = FIRST_LOCK * (1 << min(failures - FREE_FAILURES - 1, 16))
    return min(step, LONGEST_LOCK)


def key_expiry(now: datetime, days: int | None) -> datetime:
    """When a key made ``now`` for ``days`` (default 90) stops working; at most a year."""
    lifetime = KEY_LIFETIME if days is None else timedelta(days=days)
    if lifetime <= timedelta(0) or lifetime > MAX_KEY_LIFETIME:
        raise ValueError(f"an API key lives 1 to {MAX_KEY_LIFETIME.days} days")
    return now + lifetime


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user as an administrator lists them: never a password or its hash."""

    id: int
    username: str
    role: Role
    company_id: str | None
    active: bool
    created_at: datetime
    locked_until: datetime | None = None
    failed_logins: int = 0


@dataclass(frozen=True, slots=True)
class ApiKeySummary:
    """An API key as listed: its public prefix, never the secret or its hash."""

    prefix: str
    name: str
    owner: str
    role: Role
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    created_by: str | None = None
    ended_by_account_change: bool = False

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.ended_by_account_change:
            return "ended"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"
