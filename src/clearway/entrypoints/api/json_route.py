"""Routes that take JSON bodies: exact numbers, and plain refusals of what is not JSON."""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from clearway.domain.errors import MalformedJson, UnsupportedMediaType
from clearway.entrypoints.schemas import loads_json

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_json(await self.body())
        return self._json


class JsonBodyRoute(APIRoute):
    """Decodes bodies with ``loads_json`` and refuses empty or non-JSON bodies up front."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_body = self.body_field is not None

        async def exact_json_handler(request: Request) -> Response:
            # One request object throughout: it caches the body once read.
            exact = ExactJsonRequest(request.scope, request.receive)
            if takes_body and exact.method in _WITH_BODY:
                body = await exact.body()
                if not body.strip():
                    raise MalformedJson("the request body is empty; send a JSON document")
                if not _is_json(exact.headers.get("content-type")):
                    raise UnsupportedMediaType("send the body as application/json")
            return await handler(exact)

        return exact_json_handler
