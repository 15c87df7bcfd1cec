"""The trader's pages: the dashboard of their company's declarations and each declaration
(``trader_declaration``); lodging, uploads and amendments are in ``trader_lodge``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from clearway.domain.access import Action, Principal
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.web import trader_declaration
from clearway.entrypoints.web.rendering import render
from clearway.entrypoints.web.session import check_csrf, page_for, record_page_read
from clearway.entrypoints.web.trader_dashboard import dashboard, read_search, tab_from
from clearway.entrypoints.web.trader_status import SEARCHABLE, TABS, Tab

router = APIRouter(prefix="/trader", include_in_schema=False, dependencies=[Depends(check_csrf)])
Page = Annotated[Principal, page_for(Action.LODGE)]

FIELD_ORDER = ("mrn", "lrn", "status", "lodged_from", "lodged_to")


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: Page, runtime: RuntimeDep) -> HTMLResponse:
    """The company's declarations in the dashboard's tabs, searched and a page at a time."""
    params = dict(request.query_params)
    search = read_search(params)
    tab = tab_from(params.get("tab"))
    cursor = params.get("cursor") or None
    board = dashboard(runtime.uow(), user, search, tab, cursor)
    record_page_read(request, runtime, user, *(row.record.id for row in board.rows))
    query = search.query()
    links = {each: "/trader?" + urlencode({**query, "tab": each.value}) for each in Tab}
    following = (
        "/trader?" + urlencode({**query, "tab": tab.value, "cursor": board.next_cursor})
        if board.next_cursor
        else None
    )
    messages = [
        {"text": search.errors[name], "href": f"#f-{name}"}
        for name in FIELD_ORDER
        if name in search.errors
    ]
    return render(
        request,
        "trader/home.html",
        {
            "board": board,
            "tabs": TABS,
            "tab": tab,
            "tab_links": links,
            "next_link": following,
            "first_link": links[tab] if cursor else None,
            "search": search,
            "values": {**search.query(), **search.typed},
            "statuses": [("", "Any status"), *((s.value, text) for s, text in SEARCHABLE)],
            "errors": search.errors,
            "messages": messages,
        },
        user=user,
    )


# The declaration pages share this router's prefix, session and CSRF checks.
router.include_router(trader_declaration.router)
