"""The API documentation (Swagger UI at ``/docs``, ReDoc at ``/redoc``) served from the
package, so that it renders without internet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from clearway.entrypoints.web.rendering import TEMPLATES

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Try the API in the browser."""
    return HTMLResponse(TEMPLATES.get_template("docs/swagger.html").render(request=request))


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """Read the API reference."""
    return HTMLResponse(TEMPLATES.get_template("docs/redoc.html").render(request=request))
