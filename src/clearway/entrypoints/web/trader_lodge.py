"""The trader's lodging pages: the declaration form, file uploads and amendments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from clearway.domain.access import Action, Principal
from clearway.entrypoints.web.session import check_csrf, page_for

router = APIRouter(prefix="/trader", include_in_schema=False, dependencies=[Depends(check_csrf)])
Page = Annotated[Principal, page_for(Action.LODGE)]
