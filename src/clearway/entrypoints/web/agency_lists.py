"""The lists the agency works from: the dual-use control list in force with its versions (and
loading a new one from a file, as ``PUT /api/v1/control-list`` takes it), and the sanctions
lists screening uses, with a box to screen a name as ``POST /api/v1/screening/screen`` does."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from clearway.adapters.control_list_store import SqlAlchemyControlListStore
from clearway.adapters.json_input import JsonInputError, parse_json
from clearway.adapters.screening_store import list_versions
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import ValidationFailed
from clearway.domain.export_control.control_code import CATEGORIES
from clearway.entrypoints.api.deps import RuntimeDep
from clearway.entrypoints.api.routers.control_list import ControlListIn
from clearway.entrypoints.web.agency_base import Page, Problem, by_field
from clearway.entrypoints.web.agency_findings import SOURCES, STRENGTHS
from clearway.entrypoints.web.rendering import flash, render
from clearway.entrypoints.web.session import check_csrf
from clearway.services.control_list_admin import (
    PutControlList,
    StoredControlList,
    put_control_list,
)

# The CSRF check again, so that the routes hold it however they are mounted.
router = APIRouter(dependencies=[Depends(check_csrf)])

FILE_LIMIT = 20 * 1024 * 1024
# What each part of a control-list document is called in the refusals the page lists.
PARTS = {"entries": "Entry", "correlation": "Correlation row", "destinations": "Measure"}
COUNTRY = re.compile(r"^[A-Z]{2}$")
NAME_LIMIT = 300


def control_list_in_force(runtime: Runtime) -> StoredControlList | None:
    """The version stored as current, as the API's control-list routes read it."""
    with SqlAlchemyControlListStore(runtime.engine) as store:
        return store.current()


async def _upload(request: Request) -> tuple[str, bytes] | None:
    form = await request.form()
    sent = form.get("list_file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        return None
    try:
        return sent.filename, await sent.read(FILE_LIMIT + 1)
    finally:
        await sent.close()  # its spooled temporary file, at once rather than when collected


Upload = Annotated[tuple[str, bytes] | None, Depends(_upload)]


@router.get("/control-list", response_class=HTMLResponse)
def control_list(
    request: Request,
    user: Page,
    runtime: RuntimeDep,
    q: str = "",
    category: str = "",
) -> HTMLResponse:
    return _control_list_page(request, runtime, user, q, category)


def _control_list_page(
    request: Request,
    runtime: Runtime,
    user: Principal,
    q: str = "",
    category: str = "",
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    stored = control_list_in_force(runtime)
    with SqlAlchemyControlListStore(runtime.engine) as store:
        versions = store.versions()
    wanted = int(category) if category.isdigit() and int(category) in CATEGORIES else None
    entries: list[dict[str, Any]] = []
    if stored is not None:
        listed = stored.control_list
        for entry in listed.search(q[:200], wanted):
            rows = [row for row in listed.correlations if row.entry == entry.code]
            entries.append({"entry": entry, "correlation": rows})
    return render(
        request,
        "agency/control_list.html",
        {
            "stored": stored,
            "versions": versions,
            "entries": entries,
            "q": q,
            "category": "" if wanted is None else str(wanted),
            "categories": [("", "Every category")]
            + [(str(number), f"{number} {name}") for number, name in CATEGORIES.items()],
            "problems": problems or [],
            "errors": by_field(problems or []),
        },
        user=user,
        status_code=status_code,
    )


@router.post("/control-list", response_model=None)
def load_control_list(
    request: Request, user: Page, runtime: RuntimeDep, upload: Upload
) -> HTMLResponse | RedirectResponse:
    """Load a whole new version from a JSON file in the API's shape; a file that does not hold
    together is refused with every problem, and nothing is stored."""
    problems = _read_version(upload, user, runtime)
    if problems:
        return _control_list_page(request, runtime, user, problems=problems, status_code=422)
    stored = control_list_in_force(runtime)
    label = stored.version.label or stored.control_list.version if stored else ""
    flash(request, f"Control list {label} loaded; it is in force now.".replace("  ", " "))
    return RedirectResponse("/agency/control-list", status_code=303)


def _read_version(
    upload: tuple[str, bytes] | None, user: Principal, runtime: Runtime
) -> list[Problem]:
    if upload is None:
        return [Problem("list_file", "Choose the control-list file to load")]
    name, content = upload
    if len(content) > FILE_LIMIT:
        return [Problem("list_file", f"{name} is larger than {FILE_LIMIT // 2**20} MB")]
    try:
        document = parse_json(content, subject=name)
    except JsonInputError as error:
        return [Problem("list_file", error.detail)]
    except json.JSONDecodeError as error:
        return [Problem("list_file", f"{name} is not JSON: {error.msg} at line {error.lineno}")]
    try:
        body = ControlListIn.model_validate(document)
    except ValidationError as error:
        return [
            Problem("list_file", f"{_where(detail['loc'])}: {detail['msg']}")
            for detail in error.errors()
        ]
    command = PutControlList(body.model_dump(mode="json", by_alias=True), user)
    try:
        put_control_list(
            command,
            SqlAlchemyControlListStore(runtime.engine),
            runtime.context.now(),
            runtime.context.reference.countries,
        )
    except ValidationFailed as failed:
        return [
            Problem("list_file", f"{_where(v.pointer.strip('/').split('/'))}: {v.message}")
            for v in failed.violations
        ]
    runtime.sync(force=True)
    return []


def _where(location: Any) -> str:
    """``/correlation/0/entry`` → ``Correlation row 1, entry``: where in the file it is."""
    parts = [str(part) for part in location if str(part) != ""]
    if not parts:
        return "The file"
    head = PARTS.get(parts[0], parts[0].replace("_", " ").capitalize())
    if len(parts) > 1 and parts[1].isdigit():
        head = f"{head} {int(parts[1]) + 1}"
        parts = parts[1:]
    rest = ", ".join(part.replace("_", " ") for part in parts[1:])
    return f"{head}, {rest}" if rest else head


def file_names(origin: str) -> str:
    """The files a list was read from, without the server's folders (which say nothing to
    the agency and make the table too wide to read)."""
    return ", ".join(part.strip().rsplit("/", 1)[-1] for part in origin.split(","))


@router.get("/lists", response_class=HTMLResponse)
def screening_lists(
    request: Request,
    user: Page,
    runtime: RuntimeDep,
    name: str = "",
    country: str = "",
) -> HTMLResponse:
    """The lists loaded, and the matches for a name screened as the API screens it."""
    with runtime.engine.connect() as connection:
        versions = list_versions(connection)
    versions.sort(key=lambda version: (not version.current, version.source.value))
    screener = runtime.context.screening
    problems = []
    country = country.strip().upper()
    if len(name) > NAME_LIMIT:
        problems.append(Problem("name", f"The name must be {NAME_LIMIT} characters or fewer"))
    if country and not COUNTRY.match(country):
        problems.append(Problem("country", "Country must be a two-letter code, such as IR"))
    searched = bool(name.strip()) and not problems
    matches = screener.screen(name, country or None, None, 10) if searched else []
    return render(
        request,
        "agency/lists.html",
        {
            "versions": versions,
            "file_names": file_names,
            "sources": SOURCES,
            "strengths": STRENGTHS,
            "name": name,
            "country": country,
            "searched": searched,
            "matches": matches,
            "threshold": screener.threshold,
            "problems": problems,
            "errors": by_field(problems),
        },
        user=user,
        status_code=422 if problems else 200,
    )
