"""Routes that also take the customs standards: WCO DEC-DMS XML and UN/EDIFACT.

A route whose endpoint is marked with ``takes_messages`` answers a body sent as
``application/xml`` (or ``text/xml``) or ``application/edifact`` with the handler given for
that format; any other body goes to the JSON endpoint as before. The handler authenticates the
caller as every route does and answers in the message's own format.
"""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import ClearwayError
from clearway.entrypoints.api.deps import _api_key, _bearer, get_principal, get_runtime
from clearway.entrypoints.api.json_route import JsonBodyRoute

XML = "xml"
EDIFACT = "edifact"
MEDIA_TYPES = {
    "application/xml": XML,
    "text/xml": XML,
    "application/edifact": EDIFACT,
    "application/edi-edifact": EDIFACT,
}
MessageHandler = Callable[[bytes, Principal, Runtime, Request], Response]
ErrorRenderer = Callable[[ClearwayError], Response]
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


def message_format(content_type: str | None) -> str | None:
    """``xml`` or ``edifact`` for a body of one of the standards' media types, else None."""
    if not content_type:
        return None
    message = email.message.Message()
    message["content-type"] = content_type
    return MEDIA_TYPES.get(message.get_content_type())


def takes_messages(
    handlers: dict[str, tuple[MessageHandler, ErrorRenderer]],
) -> Callable[[_Endpoint], _Endpoint]:
    """Mark a JSON endpoint as also taking messages: format → (handler, error renderer)."""

    def mark(endpoint: _Endpoint) -> _Endpoint:
        endpoint.__dict__["message_handlers"] = handlers
        return endpoint

    return mark


class MessageRoute(JsonBodyRoute):
    """A JSON route that hands XML and EDIFACT bodies to the endpoint's message handlers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        json_handler = super().get_route_handler()
        handlers: dict[str, tuple[MessageHandler, ErrorRenderer]] = getattr(
            self.endpoint, "message_handlers", {}
        )

        async def handler(request: Request) -> Response:
            chosen = handlers.get(message_format(request.headers.get("content-type")) or "")
            if chosen is None or request.method != "POST":
                return await json_handler(request)
            answer, render_error = chosen
            try:
                runtime = get_runtime(request)
                principal = await get_principal(
                    request, runtime, await _bearer(request), await _api_key(request)
                )
                body = await request.body()
            except ClearwayError as error:
                return render_error(error)
            return await run_in_threadpool(answer, body, principal, runtime, request)

        return handler
