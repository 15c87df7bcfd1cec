"""The readiness report: for each stage of clearance, what is configured and what is missing,
and what to run about it. ``clearway doctor`` prints it, ``/ready`` serves it and the server
logs what is missing when it starts, so that nothing runs silently without its tariff, lists,
ledger key or model.

A check is ``ok``, a ``warning`` (there, but worth a look) or ``missing``. Missing a required
part (the database, its schema, reference data, the secret key, an administrator) means the
service cannot be used; the others (tariff, lists, control list, rules, model, ledger key)
leave a stage of clearance undone.
"""

from __future__ import annotations

import enum
import functools
import logging
import socket
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from clearway.adapters import migrate
from clearway.adapters.database import reading
from clearway.adapters.readiness_counts import StoredCounts, count_stored
from clearway.bootstrap import LedgerOriginMismatch, ledger_origin
from clearway.config import Settings
from clearway.domain.events import utc_now
from clearway.domain.ledger import LedgerError
from clearway.domain.screening.entity import ListSource
from clearway.services.ledger.signing import read_signing_key

log = logging.getLogger("clearway.readiness")

SERVING = frozenset({"database", "schema", "reference_data"})
"""The checks without which the API clears nothing: ``/ready`` answers 503 when one fails."""
NATS_PROBE_SECONDS = 1.0


class State(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Check:
    stage: str
    name: str
    state: State
    detail: str
    fix: str = ""
    required: bool = False

    def document(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "name": self.name,
            "state": self.state.value,
            "required": self.required,
            "detail": self.detail,
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class Readiness:
    checks: tuple[Check, ...]

    def problems(self) -> list[Check]:
        return [check for check in self.checks if check.state is not State.OK]

    def required_missing(self) -> list[Check]:
        return [c for c in self.checks if c.required and c.state is State.MISSING]

    def serving_blocked(self) -> list[Check]:
        """The failed checks that keep the API from clearing anything."""
        return [c for c in self.checks if c.name in SERVING and c.state is State.MISSING]

    @property
    def exit_code(self) -> int:
        """0 when all is there, 1 when a required part is missing, 2 for the rest."""
        if self.required_missing():
            return 1
        return 2 if self.problems() else 0

    def document(self) -> dict[str, Any]:
        return {
            "ok": not self.required_missing(),
            "exit_code": self.exit_code,
            "checks": [check.document() for check in self.checks],
        }


def readiness(
    settings: Settings, engine: Engine, *, probe_network: bool = False, on: date | None = None
) -> Readiness:
    """Every check, on the database as it is (nothing is migrated or loaded). The NATS server
    is probed only when asked (``clearway doctor``): a server starting does not wait on it."""
    on = on or utc_now().date()
    storage, counts, unread = _storage(engine, settings, on)
    if counts is None:
        data = [
            Check(stage, name, State.MISSING, f"not checked: {unread}", required=required)
            for stage, name, required in _DATA_CHECKS
        ]
    else:
        data = [
            _reference(counts, on),
            _tariff(counts, settings),
            _screening(counts),
            _control_list(counts),
            _selectivity(counts),
            _risk_model(counts),
            _publishing(counts, settings, probe_network),
            _administrator(counts),
        ]
    found = {check.name: check for check in (*data, _ledger_key(settings), _secret_key(settings))}
    return Readiness((*storage, *(found[name] for name in _ORDER)))


def log_problems(report: Readiness) -> None:
    """One warning line per check that is not ok (the server's start)."""
    for check in report.problems():
        fix = f" (fix: {check.fix})" if check.fix else ""
        log.warning("%s %s: %s%s", check.name, check.state.value, check.detail, fix)


# The checks that read the tables, as they are reported when the tables cannot be read.
_DATA_CHECKS = (
    ("validation", "reference_data", True),
    ("assessment", "tariff", False),
    ("screening", "screening_lists", False),
    ("export control", "control_list", False),
    ("risk", "selectivity", False),
    ("risk", "risk_model", False),
    ("publishing", "publishing", False),
    ("access", "administrator", True),
)
# After the database and its schema, in the order a declaration meets them.
_ORDER = (
    "reference_data",
    "tariff",
    "screening_lists",
    "control_list",
    "selectivity",
    "risk_model",
    "ledger_key",
    "publishing",
    "secret_key",
    "administrator",
)


@functools.cache
def _head_revision() -> str | None:
    """Read once: the migrations shipped cannot change while the process runs."""
    return migrate.head_revision()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _storage(
    engine: Engine, settings: Settings, on: date
) -> tuple[list[Check], StoredCounts | None, str]:
    """The database and schema checks, and the counts when the tables can be read (else why)."""
    fix_url = "check CLEARWAY_DATABASE_URL and that the database server runs"
    try:
        with reading(engine) as connection:
            connection.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except SQLAlchemyError as error:
        detail = f"does not answer: {_first_line(error)}"
        failed = Check("storage", "database", State.MISSING, detail, fix_url, required=True)
        schema = Check("storage", "schema", State.MISSING, "not checked", required=True)
        return [failed, schema], None, "the database does not answer"
    answers = f"{engine.dialect.name}: answers"
    checks = [Check("storage", "database", State.OK, answers, required=True)]
    head = _head_revision()
    upgrade = "clearway db upgrade (or clearway setup)"
    if current is None:
        checks.append(Check("storage", "schema", State.MISSING, "no schema", upgrade, True))
        return checks, None, "no schema"
    if current != head:
        detail = f"at revision {current}; this Clearway needs {head}"
        checks.append(Check("storage", "schema", State.MISSING, detail, upgrade, True))
    else:
        checks.append(Check("storage", "schema", State.OK, f"at revision {head}", required=True))
    try:
        with reading(engine) as connection:
            counts = count_stored(connection, settings.country, on)
    except (SQLAlchemyError, RuntimeError) as error:
        # RuntimeError: a stored control list that no longer reads (control_list_store).
        return checks, None, f"the tables do not read ({_first_line(error)})"
    return checks, counts, ""


def _reference(counts: StoredCounts, on: date) -> Check:
    stage, name = "validation", "reference_data"
    absent = [
        what
        for what, count in (
            ("code lists", counts.code_list_entries),
            ("HS nomenclature", counts.hs_codes),
            ("exchange rates", counts.exchange_rates),
        )
        if not count
    ]
    if absent:
        detail = f"no {', no '.join(absent)}: declarations cannot be validated or valued"
        fix = "clearway reference load (or clearway setup)"
        return Check(stage, name, State.MISSING, detail, fix, required=True)
    until = f" to {counts.rates_until.isoformat()}" if counts.rates_until else ""
    detail = (
        f"{counts.code_list_entries:,} code list entries, {counts.hs_codes:,} HS codes, "
        f"{counts.exchange_rates:,} exchange rates for {counts.currencies} currencies{until}"
    )
    if not counts.rates_in_force:
        detail += f"; none valid on {on.isoformat()}: foreign-currency invoices cannot be valued"
        fix = "clearway reference rates FILE.csv"
        return Check(stage, name, State.WARNING, detail, fix, required=True)
    return Check(stage, name, State.OK, detail, required=True)


def _tariff(counts: StoredCounts, settings: Settings) -> Check:
    country = settings.country
    if not counts.tariff_measures:
        detail = (
            f"no tariff measures for {country}: duty, risk and lane are skipped and "
            "declarations stay accepted"
        )
        fix = "clearway setup --tariff-uk DIR or --tariff-csv FILE"
        return Check("assessment", "tariff", State.MISSING, detail, fix)
    detail = f"{counts.tariff_measures:,} measures for {country}"
    return Check("assessment", "tariff", State.OK, detail)


def _screening(counts: StoredCounts) -> Check:
    stage, name = "screening", "screening_lists"
    loaded = counts.screening_entities
    if not loaded:
        detail = "no sanctions lists: parties are not screened"
        fix = "clearway setup (the shipped lists) or clearway screening load DIR"
        return Check(stage, name, State.MISSING, detail, fix)
    detail = ", ".join(f"{source.value} {loaded[source]:,}" for source in sorted(loaded))
    detail += " entities"
    absent = [source.value for source in ListSource if source not in loaded]
    if absent:
        detail += f"; no {', no '.join(absent)} list"
        return Check(stage, name, State.WARNING, detail, "clearway screening load DIR")
    return Check(stage, name, State.OK, detail)


def _control_list(counts: StoredCounts) -> Check:
    stage, name = "export control", "control_list"
    summary = counts.control_list
    if summary is None:
        detail = "no control list: export items are not checked against it"
        fix = "clearway setup or clearway control-list load"
        return Check(stage, name, State.MISSING, detail, fix)
    detail = f"version {summary.version}, {summary.label}: {summary.entries:,} entries"
    if summary.illustrative:
        detail += ", illustrative (not the legal text)"
        fix = "clearway control-list load --entries FILE (the agency's list)"
        return Check(stage, name, State.WARNING, detail, fix)
    return Check(stage, name, State.OK, detail)


def _selectivity(counts: StoredCounts) -> Check:
    targets = (
        f"lane targets set for {counts.stored_lane_targets} lanes"
        if counts.stored_lane_targets
        else "default lane targets"
    )
    if not counts.rules_in_force:
        detail = f"no selectivity rules in force: lanes come from sampling and the model; {targets}"
        fix = "add rules: POST /api/v1/risk/rules or the analyst's portal"
        return Check("risk", "selectivity", State.MISSING, detail, fix)
    detail = f"{counts.rules_in_force} rules in force; {targets}"
    return Check("risk", "selectivity", State.OK, detail)


def _risk_model(counts: StoredCounts) -> Check:
    if counts.active_model is None:
        detail = "no active risk model: declarations are laned without a score"
        fix = "clearway risk train --history FILE, then clearway risk promote N"
        return Check("risk", "risk_model", State.MISSING, detail, fix)
    return Check("risk", "risk_model", State.OK, f"version {counts.active_model} active")


def _administrator(counts: StoredCounts) -> Check:
    stage, name = "access", "administrator"
    if not counts.active_administrators:
        detail = "no active administrator: nobody can manage users, keys or reference data"
        fix = "clearway setup --admin-username NAME"
        return Check(stage, name, State.MISSING, detail, fix, required=True)
    admins = counts.active_administrators
    detail = f"{admins} active administrator{'s' if admins > 1 else ''}"
    return Check(stage, name, State.OK, detail, required=True)


def _secret_key(settings: Settings) -> Check:
    stage, name = "access", "secret_key"
    if settings.demo:
        return Check(stage, name, State.OK, "demo mode: a key made for this run", required=True)
    key = settings.secret_key or ""
    if len(key) >= 32:
        return Check(stage, name, State.OK, f"set ({len(key)} characters)", required=True)
    detail = "CLEARWAY_SECRET_KEY " + ("is shorter than 32 characters" if key else "is not set")
    fix = "set CLEARWAY_SECRET_KEY to 32 or more random characters"
    return Check(stage, name, State.MISSING, detail, fix, required=True)


def _ledger_key(settings: Settings) -> Check:
    stage, name = "ledger", "ledger_key"
    fix = "clearway setup --ledger-key PATH --ledger-origin NAME; CLEARWAY_LEDGER_KEY_FILE=PATH"
    if not settings.ledger_key_file:
        detail = "CLEARWAY_LEDGER_KEY_FILE is not set: no ledger, its endpoints answer 503"
        return Check(stage, name, State.MISSING, detail, fix)
    path = Path(settings.ledger_key_file)
    try:
        key = read_signing_key(path)
    except FileNotFoundError:
        return Check(stage, name, State.MISSING, f"no key file at {path}", fix)
    except OSError as error:
        return Check(stage, name, State.MISSING, f"cannot read {path}: {error.strerror}", fix)
    except (LedgerError, ValueError) as error:
        detail = f"{path} is not a signer key file: {error}"
        return Check(stage, name, State.MISSING, detail, fix, required=True)
    try:
        origin = ledger_origin(settings, key.name, str(path))
    except LedgerOriginMismatch as error:
        fix = f"unset CLEARWAY_LEDGER_ORIGIN (or set it to {key.name})"
        return Check(stage, name, State.MISSING, str(error), fix, required=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        detail = f"{path} (origin {origin}) may be read by others (mode {mode:04o})"
        return Check(stage, name, State.WARNING, detail, f"chmod 600 {path}")
    return Check(stage, name, State.OK, f"{path}, origin {origin}")


def _publishing(counts: StoredCounts, settings: Settings, probe: bool) -> Check:
    stage, name = "publishing", "publishing"
    active = counts.subscriptions
    if not active:
        return Check(stage, name, State.OK, "no subscriptions: events wait in the outbox")
    detail = ", ".join(f"{count} {kind}" for kind, count in sorted(active.items()))
    detail += " subscriptions"
    if probe and active.get("nats") and not _answers(settings.nats_url):
        detail += f"; the NATS server at {settings.nats_url} does not answer"
        return Check(stage, name, State.WARNING, detail, "start NATS or set CLEARWAY_NATS_URL")
    return Check(stage, name, State.OK, detail)


def _answers(nats_url: str) -> bool:
    """Whether the first server of a NATS URL accepts a TCP connection within a second."""
    parts = urlsplit(nats_url.split(",")[0].strip())
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 4222), timeout=NATS_PROBE_SECONDS
        ):
            return True
    except OSError:
        return False
