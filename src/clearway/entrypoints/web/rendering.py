"""Templates: one Jinja2 environment (autoescaped everywhere), the navigation of each role and
the filters pages use for money, dates and codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from clearway.domain.access import Principal, Role
from clearway.entrypoints.web.session import BACKGROUND_HEADER, CSRF_FIELD, CSRF_HEADER, csrf_token


@dataclass(frozen=True, slots=True)
class NavLink:
    label: str
    href: str


_OFFICER = (
    NavLink("Work queue", "/officer"),
    NavLink("Declarations", "/officer/declarations"),
)
NAVIGATION: dict[Role, tuple[NavLink, ...]] = {
    Role.TRADER: (
        NavLink("Dashboard", "/trader"),
        NavLink("Lodge a declaration", "/trader/lodge"),
        NavLink("Upload a file", "/trader/upload"),
    ),
    Role.OFFICER: _OFFICER,
    Role.SUPERVISOR: _OFFICER,
    Role.AGENCY: (
        NavLink("Referrals", "/agency"),
        NavLink("Licences", "/agency/licences"),
        NavLink("Control list", "/agency/control-list"),
        NavLink("Screening lists", "/agency/lists"),
    ),
    Role.RISK_ANALYST: (
        NavLink("Rules", "/analyst"),
        NavLink("Lane targets", "/analyst/lanes"),
        NavLink("Models", "/analyst/models"),
    ),
    Role.AUDITOR: (
        NavLink("Ledger", "/auditor"),
        NavLink("Verify a receipt", "/auditor/verify"),
        NavLink("Declaration events", "/auditor/events"),
        NavLink("Audit trail", "/auditor/trail"),
    ),
    Role.ADMIN: (
        NavLink("Users", "/admin"),
        NavLink("API keys", "/admin/api-keys"),
        NavLink("Reference data", "/admin/reference"),
    ),
}
ROLE_NAMES = {
    Role.TRADER: "Trader",
    Role.OFFICER: "Customs officer",
    Role.SUPERVISOR: "Customs supervisor",
    Role.AGENCY: "Export-control agency",
    Role.RISK_ANALYST: "Risk analyst",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Administrator",
}


def home_of(role: Role) -> str:
    """The page a user lands on after signing in: the first of their role's navigation."""
    return NAVIGATION[role][0].href


def money(amount: Decimal | str | float | int | None, currency: str = "") -> str:
    """``12,345.60 GBP``; an empty string for nothing."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    text = f"{value:,.2f}"
    return f"{text} {currency}".strip()


def when(moment: datetime | str | None) -> str:
    """``3 Dec 2026, 07:45 UTC``: unambiguous in every country, no locale needed."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def label(code: str | None) -> str:
    """``risk_scored`` → ``Risk scored``."""
    if not code:
        return ""
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("clearway.entrypoints.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(money=money, when=when, iso=iso, label=label)
    environment.globals.update(
        CSRF_FIELD=CSRF_FIELD,
        CSRF_HEADER=CSRF_HEADER,
        BACKGROUND_HEADER=BACKGROUND_HEADER,
        ROLE_NAMES=ROLE_NAMES,
    )
    return environment


TEMPLATES = _environment()


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    user: Principal | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page (or, for htmx, a fragment) with what every template may use: the signed-in
    user and their navigation, the CSRF token and the idle limit."""
    runtime = getattr(request.app.state, "runtime", None)
    idle_minutes = runtime.settings.session_idle_minutes if runtime else 20
    values: dict[str, Any] = {
        "request": request,
        "user": user,
        "navigation": NAVIGATION[user.role] if user else (),
        "csrf_token": csrf_token(request),
        "idle_seconds": idle_minutes * 60,
        "current_path": request.url.path,
        "national_currency": runtime.settings.national_currency if runtime else "",
        "flash": request.session.pop("flash", None),
    }
    values.update(context or {})
    body = TEMPLATES.get_template(template).render(values)
    return HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))


def flash(request: Request, message: str) -> None:
    """A one-line notice shown on the next page (after a redirect): "Declaration lodged"."""
    request.session["flash"] = message
