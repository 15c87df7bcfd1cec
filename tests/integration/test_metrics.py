"""``GET /metrics`` as the operator's Prometheus reads it, on SQLite and PostgreSQL: requests
counted by route template, the pipeline's stage timings, and the backlogs (work queue,
referrals, outbox relay, ledger) matching what is in the database; only with the operator's
token, or from this machine when no token is set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from clearway.adapters.tables import events
from clearway.bootstrap import Runtime
from clearway.config import Settings
from clearway.domain.subscriptions import SubscriptionKind
from clearway.entrypoints.api.app import create_app
from clearway.entrypoints.ledger_worker import ledger_store
from tests.conftest import NOW, example
from tests.integration.publishing_support import (
    Clock,
    WebhookReceiver,
    running_receiver,
    subscribe,
    webhook_relay,
)

TOKEN = "prometheus-scrape-token-0123456789"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}
DECLARATIONS = "/api/v1/declarations"
STAGES = ("validate", "value", "duty", "controls", "risk", "store", "checks", "lodge")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"metrics_token": TOKEN})


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(api: Any) -> Samples:
    """Every sample of ``/metrics``, by name and labels."""
    answer = api.get("/metrics", headers=SCRAPE)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def stored_events(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def lodge_three(lodge: Any) -> list[dict[str, Any]]:
    """Two imports (held for a document check) and an export without its licence (referred
    to the agency, so not in the officers' queue)."""
    bodies = []
    for lrn in ("MET-0001", "MET-0002"):
        payload = example("import")
        payload["lrn"] = lrn
        answer = lodge(payload)
        assert answer.status_code == 201, answer.text
        bodies.append(answer.json())
    referred = lodge(example("export"), "acme")
    assert referred.status_code == 201, referred.text
    assert referred.json()["referral"]["state"] == "open"
    return [*bodies, referred.json()]


def test_requests_are_counted_by_route_template_and_stages_timed_per_declaration(
    api: Any, lodge: Any
) -> None:
    lodged = lodge_three(lodge)
    claimed = api.post(f"/api/v1/work-queue/{lodged[0]['id']}/claim", headers=api.as_("officer"))
    assert claimed.status_code == 200, claimed.text
    assert api.get("/no/such/page.php", headers={"Accept": "application/json"}).status_code == 404
    too_large = api.post(
        DECLARATIONS, content=b"x" * (2 * 1024 * 1024 + 1), headers=api.as_("broker")
    )
    assert too_large.status_code == 413

    samples = scrape(api)
    post = {"method": "POST", "route": DECLARATIONS}
    assert value(samples, "clearway_http_requests_total", **post, status="201") == 3
    assert value(samples, "clearway_http_requests_total", **post, status="413") == 1
    assert value(samples, "clearway_http_request_duration_seconds_count", **post) == 4
    assert value(samples, "clearway_http_request_duration_seconds_sum", **post) > 0
    one = {"method": "POST", "route": "/api/v1/work-queue/{reference}/claim"}
    assert value(samples, "clearway_http_requests_total", **one, status="200") == 1
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(samples, "clearway_http_requests_total", **unmatched) == 1
    routes = {dict(labels).get("route") for _, labels in samples}
    assert not any(lodged[0]["id"] in str(route) for route in routes)

    for stage in STAGES:
        # Three declarations, lodged one per request: each request's checks, then a batch of
        # one. The controls are timed in both: screening with the checks, the control list
        # and licences in the batch.
        assert value(samples, "clearway_stage_declarations_total", stage=stage) == 3, stage
        observed = value(samples, "clearway_stage_duration_seconds_count", stage=stage)
        assert observed == (6 if stage == "controls" else 3), stage
        assert value(samples, "clearway_stage_duration_seconds_sum", stage=stage) > 0, stage
    whole = sum(
        value(samples, "clearway_stage_duration_seconds_sum", stage=stage)
        for stage in ("checks", "lodge")
    )
    parts = sum(
        value(samples, "clearway_stage_duration_seconds_sum", stage=stage)
        for stage in STAGES
        if stage not in ("checks", "lodge")
    )
    assert parts <= whole


def test_the_backlogs_match_the_database_and_fall_as_the_work_is_done(
    api: Any, lodge: Any, runtime: Runtime, receiver: WebhookReceiver
) -> None:
    lodged = lodge_three(lodge)
    samples = scrape(api)
    assert value(samples, "clearway_database_up") == 1
    assert value(samples, "clearway_work_queue_depth", lane="yellow") == 2
    assert value(samples, "clearway_work_queue_depth", lane="red") == 0
    assert value(samples, "clearway_referrals_open") == 1
    # No subscription: nobody waits for the outbox.
    assert value(samples, "clearway_outbox_unpublished_events") == 0
    assert value(samples, "clearway_relay_lag_seconds") == 0
    stored = stored_events(runtime)
    assert stored >= 9
    assert value(samples, "clearway_ledger_lag_events") == stored

    # A subscriber from the first event, and a minute and a half later nothing delivered.
    receiver.start()
    subscription = subscribe(
        runtime, kind=SubscriptionKind.WEBHOOK, url=receiver.url("/hooks/ops"), from_start=True
    )
    receiver.secrets["/hooks/ops"] = subscription.secret
    runtime.context.clock = lambda: NOW + timedelta(seconds=90)
    samples = scrape(api)
    assert value(samples, "clearway_outbox_unpublished_events") == stored
    assert value(samples, "clearway_relay_lag_seconds") == 90
    assert value(samples, "clearway_ledger_lag_seconds") == 90

    relay = webhook_relay(runtime, Clock())
    try:
        assert relay.run_once().delivered == stored
    finally:
        relay.close()
    ledger_store(runtime).integrate_all()
    samples = scrape(api)
    assert value(samples, "clearway_outbox_unpublished_events") == 0
    assert value(samples, "clearway_relay_lag_seconds") == 0
    assert value(samples, "clearway_ledger_lag_events") == 0
    assert value(samples, "clearway_ledger_lag_seconds") == 0

    # An officer's release takes a declaration off the queue.
    released = api.post(f"{DECLARATIONS}/{lodged[0]['id']}/release", headers=api.as_("officer"))
    assert released.status_code == 200, released.text
    assert value(scrape(api), "clearway_work_queue_depth", lane="yellow") == 1


def test_the_metrics_need_the_operators_token_when_one_is_set(api: Any) -> None:
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": TOKEN}):
        refused = api.get("/metrics", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["type"] == "urn:clearway:problem:not-authenticated"
    assert api.get("/metrics", headers=SCRAPE).status_code == 200
    assert "/metrics" not in api.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_a_token_the_metrics_answer_only_to_this_machine(runtime: Runtime) -> None:
    app = create_app(settings=runtime.settings.model_copy(update={"metrics_token": None}))
    app.state.runtime = runtime
    for address, status in (("127.0.0.1", 200), ("::1", 200), ("203.0.113.7", 403)):
        with TestClient(app, client=(address, 50000)) as client:
            answer = client.get("/metrics")
        assert answer.status_code == status, address
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "urn:clearway:problem:forbidden"
