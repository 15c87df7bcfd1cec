"""Settings, read once from the environment (prefix ``CLEARWAY_``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
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
    # ISO 4217 currency customs values are expressed in.
    national_currency: str = "GBP"
    # Valuation basis for imports: CIF (EU/UK) or FOB (US-style). Exports are always FOB.
    valuation_basis: Literal["CIF", "FOB"] = "CIF"
    # Largest request body accepted, in bytes.
    max_body_bytes: int = 2 * 1024 * 1024
    # Demo mode: generated secret, demo users, seeded data.
    demo: bool = False

    def signing_key(self) -> str:
        if self.secret_key and len(self.secret_key) >= 32:
            return self.secret_key
        raise InsecureSettings(
            "CLEARWAY_SECRET_KEY must be set to at least 32 random characters outside demo mode"
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
