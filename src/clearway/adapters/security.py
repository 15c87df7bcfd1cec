"""Credentials: Argon2 password hashes, signed access tokens (JWT), hashed API keys, users."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from clearway.adapters.tables import api_keys, users
from clearway.domain.access import Principal, Role
from clearway.domain.errors import Conflict, NotAuthenticated
from clearway.domain.events import utc_now

_HASHER = PasswordHasher()
_ALGORITHM = "HS256"
_ISSUER = "clearway"
_AUDIENCE = "clearway-api"
API_KEY_PREFIX = "cw"


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so that timing does not tell."""
    return _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def issue_token(principal: Principal, key: str, ttl: timedelta) -> AccessToken:
    now = datetime.now(UTC)
    claims = {
        "sub": principal.username,
        "role": principal.role.value,
        "company": principal.company_id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "iss": _ISSUER,
        "aud": _AUDIENCE,
        "jti": secrets.token_hex(8),
    }
    return AccessToken(jwt.encode(claims, key, algorithm=_ALGORITHM), int(ttl.total_seconds()))


def read_token(token: str, key: str) -> str:
    """The username a valid token was issued to; expired, forged or malformed tokens raise."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            issuer=_ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise NotAuthenticated("the access token has expired") from error
    except jwt.InvalidTokenError as error:
        raise NotAuthenticated("the access token is not valid") from error
    return str(claims["sub"])


MIN_PASSWORD = 8
MAX_USERNAME = 64


def account_problems(
    username: str, password: str, role: Role, company_id: str | None
) -> dict[str, str]:
    """Why an account cannot be created, by field (``company_id``, ``password`` …), all at
    once; empty when it can."""
    problems = {}
    if not username or len(username) > MAX_USERNAME:
        problems["username"] = f"a username has 1 to {MAX_USERNAME} characters"
    if role is Role.TRADER and not company_id:
        problems["company_id"] = "a trader must belong to a company (its EORI number)"
    if len(password) < MIN_PASSWORD:
        problems["password"] = f"a password needs at least {MIN_PASSWORD} characters"
    return problems


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user as an administrator lists them: never a password or its hash."""

    username: str
    role: Role
    company_id: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeySummary:
    """An API key as listed: its public prefix, never the secret or its hash."""

    prefix: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


def _key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class UserStore:
    """Users and their API keys in the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self, username: str, password: str, role: Role, company_id: str | None = None
    ) -> Principal:
        problems = account_problems(username, password, role, company_id)
        if problems:
            raise ValueError(next(iter(problems.values())))
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    users.insert().values(
                        username=username,
                        password_hash=hash_password(password),
                        role=role.value,
                        company_id=company_id,
                        active=True,
                        created_at=utc_now(),
                    )
                )
        except IntegrityError as error:
            raise Conflict(f"user {username!r} already exists") from error
        return Principal(username, role, company_id)

    def list_users(self) -> list[UserSummary]:
        """Every user, by username."""
        query = select(
            users.c.username, users.c.role, users.c.company_id, users.c.active, users.c.created_at
        ).order_by(users.c.username)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            UserSummary(row.username, Role(row.role), row.company_id, row.active, row.created_at)
            for row in rows
        ]

    def principal(self, username: str) -> Principal | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username, users.c.active.is_(True))
            ).first()
        return Principal(row.username, Role(row.role), row.company_id) if row else None

    def authenticate(self, username: str, password: str) -> Principal:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username, users.c.active.is_(True))
            ).first()
        try:
            _HASHER.verify(row.password_hash if row else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            row = None
        if row is None:
            raise NotAuthenticated("wrong username or password")
        return Principal(row.username, Role(row.role), row.company_id)

    def create_api_key(self, username: str, name: str) -> str:
        """A new key for the user, shown once: ``cw_<prefix>_<secret>``; only its hash is kept."""
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        with self._engine.begin() as connection:
            user_id = connection.execute(
                select(users.c.id).where(users.c.username == username)
            ).scalar_one_or_none()
            if user_id is None:
                raise ValueError(f"no user {username!r}")
            connection.execute(
                api_keys.insert().values(
                    prefix=prefix,
                    key_hash=_key_digest(secret),
                    user_id=user_id,
                    name=name,
                    created_at=utc_now(),
                )
            )
        return f"{API_KEY_PREFIX}_{prefix}_{secret}"

    def list_api_keys(self, username: str) -> list[ApiKeySummary]:
        """The keys acting as ``username``, newest first, revoked ones included."""
        query = (
            select(api_keys.c.prefix, api_keys.c.name, api_keys.c.created_at, api_keys.c.revoked_at)
            .join(users, users.c.id == api_keys.c.user_id)
            .where(users.c.username == username)
            .order_by(api_keys.c.created_at.desc(), api_keys.c.id.desc())
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [ApiKeySummary(row.prefix, row.name, row.created_at, row.revoked_at) for row in rows]

    def revoke_api_key(self, prefix: str, owner: str | None = None) -> bool:
        """Revoke the key with ``prefix`` (only if it acts as ``owner``, when given); whether a
        key still in use was revoked."""
        condition = [api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None)]
        if owner is not None:
            owned = select(users.c.id).where(users.c.username == owner).scalar_subquery()
            condition.append(api_keys.c.user_id == owned)
        with self._engine.begin() as connection:
            result = connection.execute(
                update(api_keys).where(*condition).values(revoked_at=utc_now())
            )
        return bool(result.rowcount)

    def authenticate_api_key(self, key: str) -> Principal:
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
            raise NotAuthenticated("the API key is not valid")
        _, prefix, secret = parts
        with self._engine.connect() as connection:
            row = connection.execute(
                select(api_keys.c.key_hash, users.c.username, users.c.role, users.c.company_id)
                .join(users, users.c.id == api_keys.c.user_id)
                .where(
                    api_keys.c.prefix == prefix,
                    api_keys.c.revoked_at.is_(None),
                    users.c.active.is_(True),
                )
            ).first()
        if row is None or not hmac.compare_digest(row.key_hash, _key_digest(secret)):
            raise NotAuthenticated("the API key is not valid")
        return Principal(row.username, Role(row.role), row.company_id)
