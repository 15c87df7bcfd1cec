"""Sign-in throttling by client address, with the ``limits`` library.

Wrong passwords from one address are counted in moving windows (by default 10 a minute and
100 an hour); past either, that address is refused sign-in (429 with ``Retry-After``) until the
window moves on, whatever account it tries: this slows password spraying across many accounts,
which the per-account lockout (``adapters.accounts``) alone does not. The counters live in the
storage ``CLEARWAY_RATE_LIMIT_STORAGE`` names: ``memory://`` keeps them per process; a fleet of
workers shares them with ``redis://host:6379``.
"""

from __future__ import annotations

import time

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from clearway.domain.errors import TooManyRequests

_NAMESPACE = "clearway-sign-in"


class SignInThrottle:
    def __init__(
        self,
        storage_uri: str = "memory://",
        limits: str = "10/minute;100/hour",
        **storage_options: str,
    ) -> None:
        self._limits: list[RateLimitItem] = parse_many(limits)
        storage = storage_from_string(storage_uri, **storage_options)
        self._limiter = MovingWindowRateLimiter(storage)

    def check(self, client: str) -> None:
        """Refuse an address past any of its limits of failures."""
        for limit in self._limits:
            if not self._limiter.test(limit, _NAMESPACE, client):
                stats = self._limiter.get_window_stats(limit, _NAMESPACE, client)
                wait = int(stats.reset_time - time.time()) + 1
                raise TooManyRequests(
                    f"too many failed sign-ins from {client}: try again in {wait} seconds", wait
                )

    def failed(self, client: str) -> None:
        """Count one failed sign-in from ``client``."""
        for limit in self._limits:
            self._limiter.hit(limit, _NAMESPACE, client)

    def clear(self, client: str) -> None:
        for limit in self._limits:
            self._limiter.clear(limit, _NAMESPACE, client)
