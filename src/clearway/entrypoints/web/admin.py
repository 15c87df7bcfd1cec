"""The admin's pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from clearway.domain.access import Action, Principal
from clearway.entrypoints.web.rendering import render
from clearway.entrypoints.web.session import check_csrf, page_for

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(check_csrf)])
Page = Annotated[Principal, page_for(Action.MANAGE_USERS)]


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: Page) -> HTMLResponse:
    return render(request, "admin/home.html", user=user)
