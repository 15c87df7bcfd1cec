"""The exception tree every layer raises and the API maps to RFC 9457 problems in one place.

ClearwayError
├── NotFound             404  no such declaration, or not one the caller may see
├── NotAuthenticated     401  missing, expired or forged credentials
├── Forbidden            403  the caller's role may not do this
├── Conflict             409  the request contradicts the stored state
│   └── TransitionNotAllowed  the lifecycle forbids the change
├── PreconditionFailed   412  If-Match names a version that is no longer current
├── PayloadTooLarge      413
├── UnsupportedMediaType 415
├── TooManyRequests      429  sign-in attempts throttled (``Retry-After``)
├── BadRequest           400  malformed JSON or query
│   └── MalformedJson         the body is not JSON
│       ├── NotUtf8           not UTF-8, or behind a byte order mark
│       └── DuplicateKey      a name twice in one object (``pointer``)
└── ValidationFailed     422  the declaration breaks schema, code-list or business rules
    ├── AccountRejected       an account or key whose fields do not hold
    ├── RuleRejected          a selectivity rule, list, band or lane target that cannot be stored
    └── ControlListRejected   a control list whose entries, correlation or measures do not hold
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from clearway.domain.rules.base import Violation


class ClearwayError(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def extensions(self) -> dict[str, Any]:
        """RFC 9457 extension members this problem adds to the standard ones."""
        return {}

    def headers(self) -> dict[str, str]:
        """HTTP headers the response carries besides the problem."""
        return {}


class BadRequest(ClearwayError):
    status, slug, title = 400, "bad-request", "Bad request"


class MalformedJson(BadRequest):
    slug, title = "malformed-json", "Malformed JSON"


class NotUtf8(MalformedJson):
    """JSON text in another encoding than UTF-8, or with a byte order mark (RFC 8259 §8.1)."""

    slug, title = "not-utf8", "Only UTF-8 is accepted"


class DuplicateKey(MalformedJson):
    """A name twice in one object (RFC 8259 §4 leaves its meaning open); ``pointer`` is the
    RFC 6901 pointer to the member."""

    slug, title = "duplicate-key", "Duplicate key"

    def __init__(self, detail: str, pointer: str) -> None:
        super().__init__(detail)
        self.pointer = pointer

    def extensions(self) -> dict[str, Any]:
        return {"pointer": self.pointer}


class NotAuthenticated(ClearwayError):
    status, slug, title = 401, "not-authenticated", "Not authenticated"


class Forbidden(ClearwayError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(ClearwayError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ClearwayError):
    status, slug, title = 409, "conflict", "Conflict"


class TransitionNotAllowed(Conflict):
    slug, title = "transition-not-allowed", "Transition not allowed"


class TooManyRequests(ClearwayError):
    """Too many attempts: try again in ``retry_after`` seconds (RFC 6585 §4)."""

    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)

    def extensions(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class PreconditionFailed(ClearwayError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PayloadTooLarge(ClearwayError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(ClearwayError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class ValidationFailed(ClearwayError):
    status, slug, title = 422, "validation-failed", "Declaration is not valid"

    def __init__(self, violations: Sequence[Violation], detail: str | None = None) -> None:
        count = len(violations)
        super().__init__(detail or f"{count} problem{'s' if count != 1 else ''} found")
        self.violations = list(violations)


class AccountRejected(ValidationFailed):
    """An account or API key whose fields do not hold (username, role, company, password)."""

    slug, title = "account-rejected", "Account not valid"


class RuleRejected(ValidationFailed):
    """A risk analyst's rule, list, value band or lane target that cannot be stored or replayed.

    ``position`` is the 0-based offset of the culprit in a rule's text, when there is one; the
    problem shows it with the 1-based ``column`` an editor shows.
    """

    slug, title = "risk-setting-rejected", "Risk setting is not valid"

    def __init__(
        self, detail: str, pointer: str = "", *, code: str = "RISK", position: int | None = None
    ) -> None:
        super().__init__([Violation(code, pointer, detail)], detail)
        self.position = position

    def extensions(self) -> dict[str, Any]:
        if self.position is None:
            return {}
        return {"position": self.position, "column": self.position + 1}


class ControlListRejected(ValidationFailed):
    """A control list that cannot be loaded; each violation points into its document."""

    slug, title = "control-list-rejected", "Control list is not valid"
