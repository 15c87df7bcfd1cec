"""RFC 9457 problem details: every error the API returns, mapped in one place."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearway.domain.errors import (
    ClearwayError,
    MalformedJson,
    NotAuthenticated,
    ValidationFailed,
)
from clearway.domain.rules import Violation
from clearway.entrypoints.api.observability import REQUEST_ID_HEADER
from clearway.entrypoints.logging_setup import current_request_id
from clearway.entrypoints.schemas import pointer

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("clearway.api")


def _page(request: Request, status: int, title: str, detail: str) -> Response | None:
    """The error as a portal page when a page asked, else None (the API answers JSON)."""
    from clearway.entrypoints.web import error_page, is_page

    return error_page(request, status, title, detail) if is_page(request) else None


def problem(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: Sequence[Violation] = (),
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:clearway:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **(extensions or {}),
    }
    page = _page(request, status, title, detail)
    if page is not None:
        if headers:
            page.headers.update({k: v for k, v in headers.items() if k != "WWW-Authenticate"})
        return page
    if errors:
        body["errors"] = [
            {"code": error.code, "pointer": error.pointer, "detail": error.message}
            for error in errors
        ]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _clearway_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ClearwayError)
    errors = error.violations if isinstance(error, ValidationFailed) else ()
    headers = error.headers()
    if isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(
        request,
        error.status,
        error.slug,
        error.title,
        error.detail,
        errors,
        headers or None,
        error.extensions(),
    )


async def _request_validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    details = list(error.errors())
    if any(detail.get("type") == "json_invalid" for detail in details):
        return await _clearway_error(request, MalformedJson("the request body is not valid JSON"))
    violations = []
    for detail in details:
        location = tuple(detail.get("loc", ()))
        where, rest = (location[0], location[1:]) if location else ("body", ())
        if where == "body":
            violations.append(Violation(f"SCHEMA.{detail['type']}", pointer(rest), detail["msg"]))
        else:
            name = ".".join(str(part) for part in rest)
            violations.append(
                Violation(f"SCHEMA.{detail['type']}", f"{where}:{name}", detail["msg"])
            )
    if all(v.pointer.startswith(("query:", "path:", "header:")) for v in violations):
        return problem(
            request,
            400,
            "bad-request",
            "Bad request",
            "the query or path parameters are not valid",
            violations,
        )
    return await _clearway_error(request, ValidationFailed(violations))


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:
        # FastAPI's answer to a body it cannot decode (invalid UTF-8, nesting too deep).
        return await _clearway_error(request, MalformedJson("the request body is not valid JSON"))
    titles = {404: "Not found", 405: "Method not allowed", 415: "Unsupported media type"}
    title = titles.get(error.status_code, "HTTP error")
    return problem(
        request,
        error.status_code,
        title.lower().replace(" ", "-"),
        title,
        str(error.detail),
        headers=getattr(error, "headers", None),
    )


async def _unexpected(request: Request, error: Exception) -> Response:
    # Answered outside the request id middleware (Starlette sends 500s from its outermost
    # layer), so the id is logged and sent back from here.
    request_id = current_request_id()
    log.exception(
        "unexpected error on %s %s",
        request.method,
        request.url.path,
        extra={"request_id": request_id},
    )
    return problem(
        request,
        500,
        "internal-error",
        "Internal error",
        "the request could not be completed; nothing was stored",
        headers={REQUEST_ID_HEADER: request_id} if request_id else None,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(ClearwayError, _clearway_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
