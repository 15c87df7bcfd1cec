"""Settings, read once from the environment (prefix ``CLEARWAY_``) or a ``.env`` file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///clearway.db"


class InsecureSettings(RuntimeError):
    """The service was asked to run outside demo mode with a default or missing secret."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLEARWAY_", env_file=".env", extra="ignore")

    # SQLAlchemy URL; SQLite (WAL) by default, postgresql+psycopg://… in production.
    database_url: str = DEFAULT_DATABASE_URL
    # Key that signs access tokens; required outside demo mode.
    secret_key: str | None = None
    # Lifetime of an access token, in minutes.
    token_ttl_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # ISO 3166 country of the customs administration running this instance.
    country: str = "GB"
    # Customs office a WCO declaration is handled by when it names none (no declaration office,
    # office of exit or supervising office): the administration's central clearance office.
    national_office: str = "GBSFY001"
    # ISO 4217 currency customs values are expressed in.
    national_currency: str = "GBP"
    # Valuation basis for imports: CIF (EU/UK) or FOB (US-style). Exports are always FOB.
    valuation_basis: Literal["CIF", "FOB"] = "CIF"
    # Largest request body accepted, in bytes.
    max_body_bytes: int = 2 * 1024 * 1024
    # Folder where built screening indexes are kept for the next process to read instead of
    # building its own (owner-only; "" keeps none); unset: clearway/ in the user's cache folder.
    screening_cache_dir: str | None = None
    # Seconds between a worker's checks for reference data (rates, tariff, rules, lists,
    # control list, model) changed by another worker or command; 0 checks on every request.
    reference_check_seconds: float = Field(default=1.0, ge=0, le=60)
    # Demo mode: generated secret, demo users, seeded data.
    demo: bool = False
    # Hours the export-control agency has to answer a referral before it expires and the
    # declaration goes to the customs officers (Reg. (EU) 2021/821 Art. 23 allows up to 30
    # working days of suspension).
    referral_deadline_hours: int = Field(default=72, ge=1, le=24 * 60)
    # Seconds between the relay's passes over the event outbox to publish to subscribers; 0
    # runs no relay beside the server (`clearway serve`, `clearway demo` and `clearway worker`
    # default to 1).
    relay_interval_seconds: float = Field(default=0, ge=0, le=3600)
    # NATS server that subscriptions of kind nats publish to.
    nats_url: str = "nats://127.0.0.1:4222"
    # JetStream stream that holds what is published to NATS.
    nats_stream: str = Field(default="CLEARWAY", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    # Seconds a webhook receiver has to answer before the attempt counts as failed.
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=300)

    # File holding the ledger's Ed25519 signing key (C2SP signer-key form, written by
    # `clearway ledger keygen`); `clearway demo` makes one beside its database.
    ledger_key_file: str | None = None
    # The ledger's origin line: the log's name in every checkpoint and its key's name.
    ledger_origin: str = Field(default="clearway.local/ledger", pattern=r"^[!-~]{1,120}$")
    # Seconds between the integrations of new events into the ledger; 0 runs none beside the
    # server (`clearway serve`, `clearway demo` and `clearway worker` default to 1).
    ledger_interval_seconds: float = Field(default=0, ge=0, le=3600)
    # Where the relay and the ledger's integrator run beside the API when their intervals are
    # on: `process`, one `clearway worker` that `clearway serve` and `clearway demo` start and
    # stop with the server, however many API workers (their default: on an API thread that
    # work would hold the interpreter while requests wait); `thread`, on threads of each API
    # process (an app built from `Settings` in code); `off`, not beside the API (run
    # `clearway worker` yourself).
    background: Literal["thread", "process", "off"] = "thread"

    # Minutes a portal session may sit idle before it is signed out (a warning comes two
    # minutes before; a declaration being written is kept as a draft).
    session_idle_minutes: int = Field(default=20, ge=2, le=12 * 60)
    # Send the portal's session cookie only over HTTPS: set it when the portal is served
    # behind TLS.
    session_cookie_secure: bool = False

    # Failed sign-ins one client address may make before it is refused for a while
    # (`limits` notation: "10/minute;100/hour"); an account also locks itself after a few
    # wrong passwords in a row, whatever the address.
    signin_address_limits: str = "10/minute;100/hour"
    # Where the sign-in counters by address live: memory:// per process, redis://host:6379
    # shared by every worker of a fleet.
    rate_limit_storage: str = "memory://"

    # Bearer token the operator's Prometheus sends to read /metrics; unset, /metrics answers
    # only to this machine (set it when a proxy on this machine forwards the public).
    metrics_token: str | None = None
    # Log lines as JSON objects (one a line) or as plain text.
    log_format: Literal["json", "text"] = "json"

    def screening_cache(self) -> Path | None:
        """The folder screening indexes are kept in, or None when none are kept."""
        if self.screening_cache_dir is not None:
            return Path(self.screening_cache_dir) if self.screening_cache_dir else None
        home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(home) / "clearway" / "screening"

    def signing_key(self) -> str:
        if self.secret_key and len(self.secret_key) >= 32:
            return self.secret_key
        raise InsecureSettings(
            "CLEARWAY_SECRET_KEY must be set to at least 32 random characters outside demo mode"
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
