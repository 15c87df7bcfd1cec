"""Each request's id and its access line.

The id is the caller's ``X-Request-ID`` when it is a sane token (at most 64 characters of
letters, digits, ``.``, ``_`` and ``-``), else a fresh one (32 hex digits). It is the current
request id (``clearway.entrypoints.logging_setup.current_request_id``, and
``request.state.request_id``) while the request is served, so every line logged meanwhile
carries it, and it comes back in the answer's ``X-Request-ID`` header, errors included. One
access line per request, on the ``clearway.access`` logger, replaces uvicorn's: method, route
template, path, status, duration, client address and request id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from time import perf_counter

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearway.entrypoints.logging_setup import bind_request_id, reset_request_id

REQUEST_ID_HEADER = "X-Request-ID"
UNMATCHED = "unmatched"

_HEADER = REQUEST_ID_HEADER.lower().encode()
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

access_log = logging.getLogger("clearway.access")


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/declarations/{reference}``), never
    the path itself; ``unmatched`` when no route matches."""
    route = scope.get("route")
    if route is None:
        # Answered before routing (a body refused for its size): find the route it was for.
        route = _matching(getattr(scope.get("app"), "routes", ()), scope)
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    if isinstance(route, Mount):
        return f"{path}/{{path}}"
    return path or "/"


def _matching(routes: Iterable[BaseRoute], scope: Scope) -> BaseRoute | None:
    """The route that would answer ``scope``: one matching fully, else one matching the path
    but not the method."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.NONE:
            continue
        # FastAPI keeps an included router whole; its routes carry the paths.
        included = getattr(route, "original_router", None)
        if included is not None:
            found = _matching(included.routes, scope)
            if found is not None:
                return found
            continue
        if match is Match.FULL:
            return route
        partial = partial or route
    return partial


def _sent_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == _HEADER:
            sent = value.decode("latin-1")
            return sent if _SANE.fullmatch(sent) else None
    return None


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


class RequestContext:
    """Give each HTTP request its id, send it back, and log the request's access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _sent_id(scope) or uuid.uuid4().hex
        token = bind_request_id(request_id)
        # Also ``request.state.request_id``, for the routes and their dependencies.
        scope.setdefault("state", {})["request_id"] = request_id
        tag = (_HEADER, request_id.encode())
        started = perf_counter()
        status = 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [pair for pair in message.get("headers", ()) if pair[0] != _HEADER]
                message = {**message, "headers": [*headers, tag]}
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            self._log(scope, status, perf_counter() - started, request_id)
        # Kept when the request failed: the 500 handler outside this middleware logs with it
        # (each request runs in a task of its own, so the id goes no further).
        reset_request_id(token)

    @staticmethod
    def _log(scope: Scope, status: int, seconds: float, request_id: str) -> None:
        method, path = scope.get("method", ""), scope.get("path", "")
        duration_ms = round(seconds * 1000, 2)
        access_log.info(
            "%s %s %s %.1f ms",
            method,
            path,
            status,
            duration_ms,
            extra={
                "method": method,
                "route": route_template(scope),
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "client": _client(scope),
                "request_id": request_id,
            },
        )
