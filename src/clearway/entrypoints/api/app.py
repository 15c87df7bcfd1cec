"""The application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from functools import partial

from fastapi import Depends, FastAPI

import clearway
from clearway.bootstrap import Runtime, build_runtime, built_for_life
from clearway.config import Settings, get_settings
from clearway.entrypoints import web
from clearway.entrypoints.api import metrics, openapi, problems
from clearway.entrypoints.api.limits import BodySizeLimit
from clearway.entrypoints.api.observability import RequestContext
from clearway.entrypoints.api.routers import (
    audit,
    auth,
    control_list,
    declaration_messages,
    declarations,
    health,
    ledger,
    licences,
    reference,
    referrals,
    risk_models,
    risk_rules,
    risk_settings,
    screening,
    subscriptions,
    tariff,
    users,
    work_queue,
)
from clearway.entrypoints.api.text_inputs import refuse_nul
from clearway.entrypoints.ledger_worker import start_background_integrator
from clearway.entrypoints.readiness import log_problems, readiness
from clearway.entrypoints.reference_watcher import start_reference_watcher
from clearway.entrypoints.relay_worker import start_background_relay
from clearway.services import timing

DESCRIPTION = """Lodge import and export declarations and follow them through clearance.

Authenticate with `POST /api/v1/auth/token` (username and password) and send the token as
`Authorization: Bearer …`, or send an API key as `X-API-Key`. Every error is an RFC 9457
`application/problem+json` document; validation errors list each problem with a JSON pointer.
"""


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[None]:
    """What runs beside the requests while the app serves, stopped when it ends."""
    runtime: Runtime = app.state.runtime
    # What clearance runs without (a tariff, lists, the ledger key, a model), said once.
    log_problems(readiness(runtime.settings, runtime.engine))
    # The event relay and the ledger's integrator on threads of their own when settings ask
    # for them here; `clearway serve` runs them in a worker process instead (their CPU work
    # would hold the interpreter while requests wait).
    in_process = runtime.settings.background == "thread"
    relay = start_background_relay(runtime) if in_process else None
    app.state.relay = relay
    integrator = start_background_integrator(runtime) if in_process else None
    # Reference data others change, reloaded beside the requests.
    watcher = start_reference_watcher(runtime)
    # The pipeline's stage timings, into this app's metrics while it serves.
    timing.add_observer(app.state.metrics.observe_stage)
    try:
        yield
    finally:
        timing.remove_observer(app.state.metrics.observe_stage)
        for loop in (relay, integrator, watcher):
            if loop is not None:
                await asyncio.to_thread(loop.stop)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else get_settings())
    if not settings.demo:
        settings.signing_key()  # refuse to start with a default or missing secret

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A runtime built here lives as long as the server (``clearway serve``).
        given = getattr(app.state, "runtime", None)
        held = (
            built_for_life(partial(build_runtime, settings))
            if given is None
            else nullcontext(given)
        )
        with held as runtime:
            app.state.runtime = runtime
            async with _serving(app):
                yield
        app.state.runtime.engine.dispose()

    app = FastAPI(
        title="Clearway",
        version=clearway.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # NUL in any text is refused before the route runs (PostgreSQL cannot store it).
        dependencies=[Depends(refuse_nul)],
        docs_url=None,  # served by the portal from the package, so that they work offline
        redoc_url=None,
    )
    if runtime is not None:
        app.state.runtime = runtime
    problems.install(app)
    openapi.install(app)
    for router in (
        auth.router,
        users.router,
        audit.router,
        declaration_messages.router,
        declarations.router,
        work_queue.router,
        tariff.router,
        risk_rules.router,
        risk_settings.router,
        reference.router,
        health.router,
        risk_models.router,
        subscriptions.router,
        licences.router,
        referrals.router,
        control_list.router,
        screening.router,
        ledger.router,
    ):
        app.include_router(router)
    web.install(app, settings)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Outermost: every answer is counted and carries its request id, a 413 included.
    metrics.install(app, settings)
    app.add_middleware(RequestContext)
    return app
