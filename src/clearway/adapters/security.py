"""Credentials: Argon2 password hashes, signed access tokens (JWT) and API key secrets.

An access token names the account by its immutable id (``sub``) and carries the account's
token version (``ver``): raising the version (disabling the account, changing its role or
company, resetting its password) ends every token and key issued before, at once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from clearway.domain.access import Principal
from clearway.domain.errors import NotAuthenticated

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


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid token says: whose it is and which version of the account it was for."""

    user_id: int
    token_version: int


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one hashed; with no hash (no such user) the same work is
    done and the answer is no."""
    try:
        _HASHER.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def issue_token(principal: Principal, key: str, ttl: timedelta) -> AccessToken:
    if principal.user_id is None:
        raise ValueError("tokens are issued to accounts")
    now = datetime.now(UTC)
    claims = {
        "sub": str(principal.user_id),
        "ver": principal.token_version,
        "name": principal.username,
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


def read_token(token: str, key: str) -> TokenClaims:
    """Whose a valid token is; expired, forged or malformed tokens raise."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            issuer=_ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss", "ver"]},
        )
        return TokenClaims(int(claims["sub"]), int(claims["ver"]))
    except jwt.ExpiredSignatureError as error:
        raise NotAuthenticated("the access token has expired") from error
    except (jwt.InvalidTokenError, ValueError, TypeError) as error:
        raise NotAuthenticated("the access token is not valid") from error


def new_api_key() -> tuple[str, str, str]:
    """A new key ``cw_<prefix>_<secret>``, its prefix and the digest that is kept of it."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_PREFIX}_{prefix}_{secret}", prefix, key_digest(secret)


def split_api_key(key: str) -> tuple[str, str]:
    """The prefix and the secret of a key as sent; a malformed key raises."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        raise NotAuthenticated("the API key is not valid")
    return parts[1], parts[2]


def key_digest(secret: str) -> str:
    # The secret has 256 random bits: a plain hash cannot be brute-forced, and is fast.
    return hashlib.sha256(secret.encode()).hexdigest()
