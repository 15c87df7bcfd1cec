"""Prometheus metrics at ``GET /metrics``, for the operator's Prometheus.

- ``clearway_http_requests_total{method, route, status}`` and
  ``clearway_http_request_duration_seconds{method, route}``: every answer, by route template
  (``/api/v1/declarations/{reference}``, ``unmatched`` for paths no route knows).
- ``clearway_stage_duration_seconds{stage}`` and ``clearway_stage_declarations_total{stage}``:
  the clearance pipeline's stages (validate, value, duty, controls, risk, store; checks for
  what a request works out in its own thread before it joins a batch, and lodge for a whole
  batch, its transaction), one observation per stage per batch (``services.timing``); a
  stage's mean time per declaration is the sum of its seconds over its declarations. Requests
  lodged together share a batch (``services.lodging_desk``): ``lodge``'s observations over its
  declarations tell how many shared each transaction.
- Read from the database at each scrape (``adapters.backlog``), with ``clearway_database_up``
  saying whether those queries answered: ``clearway_work_queue_depth{lane}``,
  ``clearway_referrals_open``, ``clearway_outbox_unpublished_events`` and
  ``clearway_relay_lag_seconds``, ``clearway_ledger_lag_events`` and
  ``clearway_ledger_lag_seconds``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``clearway serve --workers N`` sets it), every worker
writes its counters there and a scrape, whichever worker answers it, adds them all up
(prometheus_client's multiprocess mode); the database figures are read once per scrape.

The metrics answer with ``CLEARWAY_METRICS_TOKEN`` as a bearer token when it is set, else only
to clients on this machine (loopback).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from time import perf_counter

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearway.adapters import backlog
from clearway.config import Settings
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.observability import route_template
from clearway.entrypoints.api.problems import problem
from clearway.services.risk_stage import QUEUED_LANES

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Batches run from a fraction of a millisecond (one declaration from the API) to a minute (a
# bulk batch of thousands).
STAGE_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)
# Any other method is counted as "other", so that made-up methods cannot grow the labels.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

log = logging.getLogger(__name__)
router = APIRouter()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class AppMetrics:
    """One app's request and stage metrics, in a registry of their own (tests build many
    apps in one process; each counts only its own requests)."""

    def __init__(self, metrics_token: str | None) -> None:
        self.token = metrics_token or None
        self.registry = CollectorRegistry()
        if multiprocess_dir() is None:
            ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "clearway_http_requests",
            "HTTP requests answered, by method, route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "clearway_http_request_duration_seconds",
            "Seconds from a request's arrival to the end of its answer, by route template",
            ("method", "route"),
            registry=self.registry,
        )
        self.stage_seconds = Histogram(
            "clearway_stage_duration_seconds",
            "Seconds a batch of declarations spent in a stage of clearance",
            ("stage",),
            buckets=STAGE_BUCKETS,
            registry=self.registry,
        )
        self.stage_declarations = Counter(
            "clearway_stage_declarations",
            "Declarations through a stage of clearance",
            ("stage",),
            registry=self.registry,
        )

    def observe_stage(self, stage: str, seconds: float, count: int) -> None:
        """The observer ``services.timing`` tells of each stage of each batch."""
        self.stage_seconds.labels(stage).observe(seconds)
        self.stage_declarations.labels(stage).inc(count)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route).observe(seconds)


class RequestMetrics:
    """Count and time every HTTP answer (pure ASGI: streamed answers pass untouched)."""

    def __init__(self, app: ASGIApp, metrics: AppMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            self.metrics.observe_request(
                scope["method"], route_template(scope), status, perf_counter() - started
            )


class BacklogCollector:
    """What waits in the database, read at each scrape."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "clearway_database_up", "1 when the database answered this scrape's backlog queries"
        )
        try:
            with self._engine.connect() as connection:
                work = backlog.undecided_work(connection)
                referrals = backlog.open_referrals(connection)
                undelivered = backlog.undelivered(connection)
                unlogged = backlog.not_integrated(connection)
        except SQLAlchemyError:
            log.warning("the backlog queries for /metrics failed", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        now = self._clock()
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily(
            "clearway_work_queue_depth",
            "Declarations whose check no officer has decided yet (open or claimed), by lane",
            labels=("lane",),
        )
        for lane in sorted({lane.value for lane in QUEUED_LANES} | set(work)):
            depth.add_metric([lane], work.get(lane, 0))
        yield depth
        yield _gauge(
            "clearway_referrals_open", "Referrals the agency has still to answer", referrals
        )
        yield _gauge(
            "clearway_outbox_unpublished_events",
            "Events not yet delivered to every active subscription",
            undelivered.events,
        )
        yield _gauge(
            "clearway_relay_lag_seconds",
            "Age of the oldest event not yet delivered to every active subscription",
            undelivered.age_seconds(now),
        )
        yield _gauge(
            "clearway_ledger_lag_events", "Events not yet integrated in the ledger", unlogged.events
        )
        yield _gauge(
            "clearway_ledger_lag_seconds",
            "Age of the oldest event not yet integrated in the ledger",
            unlogged.age_seconds(now),
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def _refusal(request: Request, token: str | None) -> Response | None:
    """Why the caller may not read the metrics, as a problem; None when it may."""
    if token is not None:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            sent.strip().encode(), token.encode()
        ):
            return None
        return problem(
            request,
            401,
            "not-authenticated",
            "Not authenticated",
            "the metrics need the operator's bearer token (CLEARWAY_METRICS_TOKEN)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.client is not None and _loopback(request.client.host):
        return None
    return problem(
        request,
        403,
        "forbidden",
        "Forbidden",
        "the metrics answer only to this machine unless CLEARWAY_METRICS_TOKEN is set",
    )


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, runtime: RuntimeDep) -> Response:
    """The metrics in Prometheus' text format (0.0.4)."""
    app_metrics: AppMetrics = request.app.state.metrics
    refused = _refusal(request, app_metrics.token)
    if refused is not None:
        return refused
    registry = CollectorRegistry()
    if multiprocess_dir() is not None:
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(app_metrics.registry)
    registry.register(BacklogCollector(runtime.engine, runtime.context.now))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)


def install(app: FastAPI, settings: Settings) -> AppMetrics:
    """Serve ``/metrics`` and count every answer; the metrics are ``app.state.metrics``. Added
    after the other middlewares, so that it counts their answers (a body too large) too."""
    app_metrics = AppMetrics(settings.metrics_token)
    app.state.metrics = app_metrics
    app.include_router(router)
    app.add_middleware(RequestMetrics, metrics=app_metrics)
    return app_metrics
