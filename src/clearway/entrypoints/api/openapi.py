"""The error responses of the OpenAPI document, derived from what each route can answer.

FastAPI documents a route's success and whatever its ``responses=`` names; the errors come
from elsewhere, each from one place, and so does this module's rule for each:

| status | where it comes from                                     | documented on            |
|--------|---------------------------------------------------------|--------------------------|
| 400    | malformed body (``JsonBodyRoute``, form parsing) or a   | a body, or a parameter   |
|        | query, path or header parameter that does not read      | that can fail to read    |
|        | (``problems._request_validation``)                      |                          |
| 401    | ``deps.get_principal``: no or bad credentials           | a security requirement   |
| 403    | ``deps.require`` and the role checks of the services    | a security requirement   |
| 404    | a path parameter naming nothing the caller may see      | a path parameter         |
| 409    | ``Conflict`` / ``TransitionNotAllowed`` from the domain | a change to a resource   |
| 412    | ``PreconditionFailed``: ``If-Match`` is not current     | an ``If-Match`` header   |
| 413    | ``limits.BodySizeLimit``                                | a body                   |
| 415    | ``JsonBodyRoute``: the body is not JSON                 | a JSON body on that class|
| 422    | ``ValidationFailed``: the body breaks the schema/rules  | a body FastAPI validates |

Every one is ``application/problem+json`` with the one ``Problem`` schema (RFC 9457), whose
``type`` examples are the slugs of ``domain/errors.py``. A route's own ``responses=`` entry
wins: its description and headers stay, and it gets the ``Problem`` schema when it names none.
That is also how a route documents what no rule can see: the ledger's 503, the sign-in's 429,
a 404 of a route without path parameters. FastAPI's own 422 (``HTTPValidationError`` as JSON)
is not what this API sends: it is replaced where a body is validated and dropped elsewhere
(parameters that do not read answer 400).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute

from clearway.domain.errors import ClearwayError
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.api.problems import PROBLEM_JSON

PROBLEM_REF = "#/components/schemas/Problem"
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_JSON_TYPES = ("application/json",)
# Keys of a parameter's schema that say nothing about what it accepts.
_DESCRIPTIVE = frozenset({"title", "description", "examples", "example", "default", "deprecated"})
_FASTAPI_422_REF = "#/components/schemas/HTTPValidationError"


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` document every route's problems. FastAPI builds the document
    when first asked and again after routes are added; each new one is completed once."""
    generate = app.openapi
    completed: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = generate()
        if not completed or completed[0] is not schema:
            document_problems(schema, app.routes)
            completed[:] = [schema]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_problems(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Add to ``schema`` (in place) the problems each of ``routes`` can answer."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(problem_schemas())
    paths = schema.get("paths", {})
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in sorted(route.methods or ()):
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _document(operation, route, method)
    if _FASTAPI_422_REF not in _refs(paths):
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)


def derived_problems(operation: dict[str, Any], route: RouteContext, method: str) -> dict[int, str]:
    """The problems ``route`` can answer for ``method``, with why, from what it declares."""
    found: dict[int, str] = {}
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    media_types = tuple(body.get("content", {})) if body else ()
    json_body = route.body_field is not None and any(t in _JSON_TYPES for t in media_types)
    if body:
        found[400] = (
            "The body is not valid JSON (malformed, duplicate keys, not UTF-8), or the "
            "query or path parameters do not read"
            if json_body
            else "The body cannot be read, or the query or path parameters do not read"
        )
    elif any(_can_fail(parameter) for parameter in parameters):
        found[400] = "The query, path or header parameters do not read (each in `errors`)"
    if operation.get("security"):
        found[401] = "No credentials, or a token or API key that is expired, revoked or forged"
        found[403] = "The caller's role may not do this, or the resource is not theirs"
    in_path = [p for p in parameters if p.get("in") == "path"]
    if in_path:
        names = ", ".join(f"`{p['name']}`" for p in in_path)
        found[404] = f"Nothing the caller may see at this {names}"
    if_match = any(
        p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in parameters
    )
    if method in _CHANGES and (in_path or if_match):
        found[409] = "The change conflicts with the resource's stored state or lifecycle"
    if if_match:
        found[412] = "`If-Match` names a version that is no longer the current one"
    if body:
        found[413] = "The body is larger than the server accepts"
    if json_body and isinstance(route.original_route, JsonBodyRoute):
        found[415] = "The body is not sent as `application/json` (UTF-8)"
    if route.body_field is not None:
        found[422] = "The body breaks the schema or the rules: every problem in `errors`, each "
        found[422] += "with a JSON pointer"
    return found


def _document(operation: dict[str, Any], route: RouteContext, method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    own = {str(status) for status in route.responses}
    if "422" not in own and _FASTAPI_422_REF in _refs(responses.get("422", {})):
        del responses["422"]
    for code, description in derived_problems(operation, route, method).items():
        responses.setdefault(str(code), {"description": description})
    for key, response in responses.items():
        if key.isdigit() and int(key) >= 400:
            _as_problem(int(key), response)
    operation["responses"] = dict(sorted(responses.items()))


def _refs(document: Any) -> set[str]:
    """Every ``$ref`` anywhere in ``document``."""
    if isinstance(document, dict):
        found = {document["$ref"]} if isinstance(document.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in document.values()))
    if isinstance(document, list):
        return set().union(*(_refs(value) for value in document))
    return set()


def _as_problem(status: int, response: dict[str, Any]) -> None:
    content = response.setdefault("content", {})
    problem = content.setdefault(PROBLEM_JSON, {})
    problem.setdefault("schema", {"$ref": PROBLEM_REF})
    headers = response.setdefault("headers", {})
    if status == 401:
        headers.setdefault(
            "WWW-Authenticate",
            {
                "description": "`Bearer`: the scheme to authenticate with",
                "schema": {"type": "string"},
            },
        )
    elif status == 429:
        headers.setdefault(
            "Retry-After",
            {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}},
        )
    if not headers:
        del response["headers"]


def _can_fail(parameter: dict[str, Any]) -> bool:
    """Whether a value sent for the parameter can fail to read: it is required, or its schema
    constrains it beyond "a string (or nothing)"."""
    if parameter.get("required"):
        return True
    schema = parameter.get("schema", {})
    options = schema.get("anyOf", [schema])
    return any(
        set(option) - _DESCRIPTIVE - {"type"} or option.get("type") not in ("string", "null")
        for option in options
    )


def problem_schemas() -> dict[str, Any]:
    """The ``Problem`` schema (RFC 9457 §3) and the ``ProblemError`` each of its ``errors`` is."""
    slugs = sorted({cls.slug for cls in _error_classes()} | {"payload-too-large"})
    return {
        "Problem": {
            "title": "Problem",
            "type": "object",
            "description": "An RFC 9457 problem. Extension members some problems add: "
            "`position` and `column` (where a risk rule stops reading), `retry_after`.",
            "required": ["type", "title", "status", "detail", "instance"],
            "properties": {
                "type": {
                    "type": "string",
                    "description": "`urn:clearway:problem:` and the kind of problem",
                    "examples": [f"urn:clearway:problem:{slug}" for slug in slugs],
                },
                "title": {"type": "string", "description": "The kind of problem, for people"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string", "description": "This occurrence, for people"},
                "instance": {"type": "string", "description": "The path that was asked for"},
                "errors": {
                    "type": "array",
                    "description": "Every problem found in what was sent",
                    "items": {"$ref": "#/components/schemas/ProblemError"},
                },
            },
        },
        "ProblemError": {
            "title": "ProblemError",
            "type": "object",
            "required": ["code", "pointer", "detail"],
            "properties": {
                "code": {"type": "string", "description": "The rule broken, e.g. `SCHEMA.missing`"},
                "pointer": {
                    "type": "string",
                    "description": "RFC 6901 JSON pointer into the body, or `query:NAME`, "
                    "`path:NAME`, `header:NAME`",
                },
                "detail": {"type": "string"},
            },
        },
    }


def _error_classes() -> list[type[ClearwayError]]:
    found: list[type[ClearwayError]] = []
    pending: list[type[ClearwayError]] = [ClearwayError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found
