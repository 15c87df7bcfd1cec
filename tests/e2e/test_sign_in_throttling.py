"""Guessing passwords: an account locks itself for a growing while after a few wrong ones in a
row, and an address that fails too often is refused whatever account it tries; both answer
429 with Retry-After, and every attempt is in the audit trail."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from clearway.adapters.audit_tables import audit_records
from clearway.adapters.tables import users
from clearway.domain.accounts import lock_after
from clearway.domain.events import utc_now
from tests.conftest import PASSWORD

TOKEN = "/api/v1/auth/token"


def sign_in(api: Any, username: str, password: str) -> Any:
    """A sign-in from the test client's one address (``testclient``)."""
    return api.post(TOKEN, data={"username": username, "password": password})


def test_lock_grows_from_30_seconds_to_15_minutes() -> None:
    assert [lock_after(n) for n in (1, 4)] == [None, None]
    assert [lock_after(n).total_seconds() for n in (5, 6, 7, 8, 20)] == [  # type: ignore[union-attr]
        30,
        60,
        120,
        240,
        900,
    ]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    api: Any, runtime: Any
) -> None:
    api.as_("broker")
    answers = [sign_in(api, "broker", "guess").status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    locked = sign_in(api, "broker", PASSWORD)
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 30
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["retry_after"] == int(locked.headers["Retry-After"])
    # Once the lock has passed, the right password signs in and the count starts again.
    with runtime.engine.begin() as connection:
        connection.execute(
            update(users)
            .where(users.c.username == "broker")
            .values(locked_until=utc_now() - timedelta(seconds=1))
        )
    assert sign_in(api, "broker", PASSWORD).status_code == 200
    with runtime.engine.connect() as connection:
        failures = connection.execute(
            select(users.c.failed_logins).where(users.c.username == "broker")
        ).scalar_one()
    assert failures == 0


def test_an_address_failing_on_many_accounts_is_refused(api: Any) -> None:
    api.as_("broker")
    # Ten unknown names from one address (password spraying): the eleventh try is refused
    # before any password is checked, even a right one for a real account.
    began = time.monotonic()
    answers = [sign_in(api, f"nobody{n}", "guess").status_code for n in range(10)]
    assert answers == [401] * 10
    refused = sign_in(api, "broker", PASSWORD)
    assert refused.status_code == 429
    # The address's window is a minute from its first failure: what is left of it, whatever
    # the ten tries took on a busy machine.
    left = 60 - (time.monotonic() - began)
    assert left - 2 <= int(refused.headers["Retry-After"]) <= 61


def test_failed_and_successful_sign_ins_are_in_the_audit_trail(api: Any, runtime: Any) -> None:
    api.as_("broker")
    sign_in(api, "broker", "guess")
    sign_in(api, "ghost", "guess")
    sign_in(api, "broker", PASSWORD)
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(audit_records).where(audit_records.c.action.like("login.%"))
        ).all()
    seen = [(row.action, row.actor, row.detail.get("reason")) for row in rows]
    assert seen == [
        ("login.failed", "broker", "wrong password"),
        ("login.failed", "anonymous", "unknown user"),
        ("login.succeeded", "broker", None),
    ]
    assert rows[1].detail["username"] == "ghost"
    assert all(row.client == "testclient" and row.channel == "api" for row in rows)


REDIS = os.environ.get("CLEARWAY_TEST_REDIS_URL")


@pytest.mark.skipif(
    not REDIS,
    reason="needs CLEARWAY_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to share counters",
)
def test_workers_sharing_redis_refuse_an_address_together(api: Any, runtime: Any) -> None:
    from fastapi.testclient import TestClient

    from clearway.adapters.throttle import SignInThrottle
    from clearway.bootstrap import build_runtime
    from clearway.entrypoints.api.app import create_app

    assert REDIS is not None
    prefix = f"clearway-test-{uuid.uuid4().hex}"
    runtime.throttle = SignInThrottle(REDIS, key_prefix=prefix)
    other = build_runtime(runtime.settings, prepare=False)
    other.throttle = SignInThrottle(REDIS, key_prefix=prefix)
    api.as_("broker")
    # Ten failures on one worker; the other worker refuses the eleventh try.
    assert [sign_in(api, f"nobody{n}", "guess").status_code for n in range(10)] == [401] * 10
    with TestClient(create_app(runtime=other)) as second:
        refused = sign_in(second, "broker", PASSWORD)
    other.engine.dispose()
    assert refused.status_code == 429
