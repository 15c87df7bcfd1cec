"""API keys: what a system sends instead of a password (``cw_<prefix>_<secret>``).

A key is made only by a person, acts with its owner's role or a lesser one, expires (90 days
by default), and ends when its owner's account changes (its token version rises). Only the
secret's digest is kept.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from clearway.adapters.audit_trail import record
from clearway.adapters.database import reading
from clearway.adapters.security import key_digest, new_api_key, split_api_key
from clearway.adapters.tables import api_keys, users
from clearway.domain.access import Principal, Role, may_delegate
from clearway.domain.accounts import ApiKeySummary, key_expiry
from clearway.domain.errors import AccountRejected, Forbidden, NotAuthenticated, NotFound
from clearway.domain.rules.base import Violation


def refuse(problems: dict[str, str]) -> None:
    """Raise every problem of an account or key form at once, each at its field."""
    if problems:
        violations = [
            Violation("ACCOUNT.FIELD", f"/{name}", message) for name, message in problems.items()
        ]
        raise AccountRejected(violations, next(iter(problems.values())))


def principal_of(row: Any, role: Role | None = None, *, via_key: bool = False) -> Principal:
    """The principal of a ``users`` row (acting with ``role`` when a key says so)."""
    return Principal(
        row.username,
        role or Role(row.role),
        row.company_id,
        user_id=row.id,
        token_version=row.token_version,
        via_key=via_key,
    )


class ApiKeyStore:
    """The API keys of ``UserStore``'s users."""

    _engine: Engine
    _now: Callable[[], datetime]

    def create_api_key(
        self,
        username: str,
        name: str,
        *,
        role: Role | None = None,
        days: int | None = None,
        created_by: str | None = None,
    ) -> tuple[str, ApiKeySummary]:
        """A new key acting as the user (with ``role``, its own or less), shown once:
        ``cw_<prefix>_<secret>``; only its digest is kept."""
        now = self._now()
        try:
            expires_at = key_expiry(now, days)
        except ValueError as error:
            refuse({"expires_in_days": str(error)})
            raise
        if not name.strip() or len(name) > 64:
            refuse({"name": "a key's name has 1 to 64 characters"})
        key, prefix, digest = new_api_key()
        with self._engine.begin() as connection:
            owner = connection.execute(select(users).where(users.c.username == username)).first()
            if owner is None or not owner.active:
                raise NotFound(f"no active user {username}")
            acts_as = role or Role(owner.role)
            if not may_delegate(Role(owner.role), acts_as):
                raise Forbidden(
                    f"a key of a {owner.role} may not act as {acts_as.value}: its role may do "
                    "only what its owner may"
                )
            connection.execute(
                api_keys.insert().values(
                    prefix=prefix,
                    key_hash=digest,
                    user_id=owner.id,
                    name=name,
                    created_at=now,
                    role=acts_as.value,
                    expires_at=expires_at,
                    token_version=owner.token_version,
                    created_by=created_by or username,
                )
            )
            record(
                connection,
                "api_key.created",
                "api_key",
                prefix,
                {
                    "owner": username,
                    "name": name,
                    "role": acts_as.value,
                    "expires_at": expires_at.isoformat(),
                },
                at=now,
            )
        return key, ApiKeySummary(
            prefix, name, username, acts_as, now, expires_at, None, created_by or username
        )

    def list_api_keys(self, username: str | None = None) -> list[ApiKeySummary]:
        """The keys acting as ``username`` (everyone's when None), newest first, revoked and
        expired ones included."""
        query = (
            select(
                api_keys,
                users.c.username,
                users.c.role.label("owner_role"),
                users.c.token_version.label("owner_version"),
                users.c.active.label("owner_active"),
            )
            .join(users, users.c.id == api_keys.c.user_id)
            .order_by(api_keys.c.created_at.desc(), api_keys.c.id.desc())
        )
        if username is not None:
            query = query.where(users.c.username == username)
        with reading(self._engine) as connection:
            rows = connection.execute(query).all()
        return [
            ApiKeySummary(
                row.prefix,
                row.name,
                row.username,
                Role(row.role or row.owner_role),
                row.created_at,
                row.expires_at,
                row.revoked_at,
                row.created_by,
                ended_by_account_change=(
                    row.token_version != row.owner_version or not row.owner_active
                ),
            )
            for row in rows
        ]

    def revoke_api_key(self, prefix: str, owner: str | None = None) -> bool:
        """Revoke the key with ``prefix`` (only if it acts as ``owner``, when given); whether a
        key still in use was revoked."""
        condition = [api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None)]
        if owner is not None:
            owned = select(users.c.id).where(users.c.username == owner).scalar_subquery()
            condition.append(api_keys.c.user_id == owned)
        now = self._now()
        with self._engine.begin() as connection:
            result = connection.execute(update(api_keys).where(*condition).values(revoked_at=now))
            if result.rowcount:
                record(connection, "api_key.revoked", "api_key", prefix, {}, at=now)
        return bool(result.rowcount)

    def authenticate_api_key(self, key: str) -> Principal:
        prefix, secret = split_api_key(key)
        with reading(self._engine) as connection:
            row = connection.execute(
                select(
                    api_keys.c.key_hash,
                    api_keys.c.role.label("key_role"),
                    api_keys.c.expires_at,
                    api_keys.c.token_version.label("key_version"),
                    users,
                )
                .join(users, users.c.id == api_keys.c.user_id)
                .where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None))
            ).first()
        if row is None or not hmac.compare_digest(row.key_hash, key_digest(secret)):
            raise NotAuthenticated("the API key is not valid")
        if not row.active or row.key_version != row.token_version:
            raise NotAuthenticated(
                "the API key was ended by a change to its owner's account (disabled, role or "
                "company changed, or password reset)"
            )
        if row.expires_at is not None and row.expires_at <= self._now():
            raise NotAuthenticated(f"the API key expired at {row.expires_at.isoformat()}")
        role = Role(row.key_role or row.role)
        if not may_delegate(Role(row.role), role):
            raise NotAuthenticated("the API key's role is more than its owner's")
        return principal_of(row, role, via_key=True)
