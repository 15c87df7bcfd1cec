"""Routes that take JSON bodies: exact numbers, and plain refusals of what is not JSON.

Every body is decoded here, before FastAPI's own reading (which would turn any refusal into
one vague 400), by ``parse_json``: UTF-8 only, no byte order mark, no name twice in an object,
fractions as ``Decimal``. A declared charset other than UTF-8 is refused as a media type.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from clearway.adapters.json_input import JsonInputError, as_problem, parse_json
from clearway.domain.errors import MalformedJson, UnsupportedMediaType

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def _media_type(content_type: str | None) -> tuple[bool, str | None]:
    """Whether ``content_type`` is JSON (``application/json`` or ``…+json``), and its
    ``charset`` parameter, lower-cased, if it has one."""
    if not content_type:
        return False, None
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    is_json = message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )
    charset = message.get_param("charset")
    return is_json, charset.strip().lower() if isinstance(charset, str) else None


def decode_body(body: bytes) -> Any:
    """The JSON document of a request body; raises the problem (400) when it is not one."""
    try:
        return parse_json(body, subject="the body")
    except JsonInputError as error:
        raise as_problem(error) from error
    except json.JSONDecodeError as error:
        raise MalformedJson(
            f"the request body is not valid JSON ({error.msg} at line {error.lineno} "
            f"column {error.colno})"
        ) from error
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise MalformedJson(f"the request body is not valid JSON ({reason})") from error


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = decode_body(await self.body())
        return self._json


class JsonBodyRoute(APIRoute):
    """Decodes bodies with ``parse_json`` and refuses empty, non-JSON, non-UTF-8 bodies and
    duplicate keys up front, with a problem that says which."""

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
                is_json, charset = _media_type(exact.headers.get("content-type"))
                if not is_json:
                    raise UnsupportedMediaType("send the body as application/json")
                if charset is not None and charset != "utf-8":
                    raise UnsupportedMediaType(
                        f"only UTF-8 is accepted: the body is declared charset={charset}; "
                        "send it as UTF-8, as application/json or with charset=utf-8"
                    )
                # Decoded here so that a refusal is this route's problem, not FastAPI's.
                await exact.json()
            return await handler(exact)

        return exact_json_handler
