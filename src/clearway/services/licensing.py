"""The agency's licences: issue, amend, suspend, reinstate, revoke, and who drew on them.

Each change is stored with an event on the licence (``LicenceIssued`` …), so partner systems
and the ledger see the licence's whole life. An amendment never takes a line below what has
been drawn on it, nor removes a line that has been used.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from clearway.domain.access import Action, Principal, Role
from clearway.domain.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from clearway.domain.events import (
    LICENCE_AMENDED,
    LICENCE_ISSUED,
    LICENCE_REINSTATED,
    LICENCE_REVOKED,
    LICENCE_SUSPENDED,
    Event,
)
from clearway.domain.export_control.licence import Licence, LicenceState, validate_licence
from clearway.domain.rules import Violation
from clearway.services.context import ClearanceContext
from clearway.services.ports import AbstractUnitOfWork, StoredDraw


class LicenceChange(enum.StrEnum):
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"


# From which states each change may be made, the state it leads to, and its event.
_CHANGES: dict[LicenceChange, tuple[frozenset[LicenceState], LicenceState, str]] = {
    LicenceChange.SUSPEND: (
        frozenset({LicenceState.ACTIVE}),
        LicenceState.SUSPENDED,
        LICENCE_SUSPENDED,
    ),
    LicenceChange.REINSTATE: (
        frozenset({LicenceState.SUSPENDED}),
        LicenceState.ACTIVE,
        LICENCE_REINSTATED,
    ),
    LicenceChange.REVOKE: (
        frozenset({LicenceState.ACTIVE, LicenceState.SUSPENDED}),
        LicenceState.REVOKED,
        LICENCE_REVOKED,
    ),
}


@dataclass(frozen=True, slots=True)
class IssueLicence:
    licence: Licence
    actor: Principal


@dataclass(frozen=True, slots=True)
class AmendLicence:
    licence: Licence
    """The licence's new terms; its number names the licence to amend."""
    actor: Principal
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeLicenceState:
    number: str
    change: LicenceChange
    reason: str
    actor: Principal
    expected_version: int | None = None


def _agency(actor: Principal) -> None:
    if not actor.may(Action.MANAGE_EXPORT_CONTROL):
        raise Forbidden(f"the {actor.role.value} role may not manage export licences")


def _refuse_invalid(licence: Licence) -> None:
    problems = validate_licence(licence)
    if problems:
        raise ValidationFailed(
            [Violation("LI001", pointer, message) for pointer, message in problems]
        )


def licence_summary(licence: Licence) -> dict[str, Any]:
    """The licence's terms as events carry them."""
    return {
        "type": licence.type.value,
        "authorisation": licence.authorisation,
        "holder_id": licence.holder_id,
        "destinations": sorted(licence.destinations),
        "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat(),
        "items": [
            {
                "line": item.line,
                "commodity_code": item.commodity_code,
                "control_entry": item.control_entry,
                "quantity": None if item.quantity is None else str(item.quantity),
                "unit": item.unit,
                "value": None if item.value is None else str(item.value),
                "currency": item.currency,
            }
            for item in licence.items
        ],
    }


def _event(
    kind: str, licence: Licence, actor: str, data: dict[str, Any], context: ClearanceContext
) -> Event:
    return Event(
        kind,
        None,
        licence.version,
        licence.state.value,
        actor,
        data,
        context.now(),
        licence_id=licence.number,
    )


def issue_licence(
    command: IssueLicence, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Licence:
    _agency(command.actor)
    _refuse_invalid(command.licence)
    now = context.now()
    licence = replace(
        command.licence,
        state=LicenceState.ACTIVE,
        version=1,
        issued_by=command.actor.username,
        issued_at=now,
    )
    with uow:
        if uow.licences.get_many([licence.number], lock=False):
            raise Conflict(f"licence {licence.number} has already been issued")
        uow.licences.add(licence, command.actor.username, now)
        uow.events.add_many(
            [
                _event(
                    LICENCE_ISSUED,
                    licence,
                    command.actor.username,
                    licence_summary(licence),
                    context,
                )
            ]
        )
        uow.commit()
    return licence


def _locked(uow: AbstractUnitOfWork, number: str, expected_version: int | None) -> Licence:
    found = uow.licences.get_many([number], lock=True).get(number)
    if found is None:
        raise NotFound(f"no licence {number}")
    if expected_version is not None and expected_version != found.version:
        raise PreconditionFailed(
            f"licence {number} is at version {found.version}, not {expected_version}"
        )
    return found


def amend_licence(
    command: AmendLicence, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Licence:
    """New terms for a licence; the amounts used carry over line by line."""
    _agency(command.actor)
    _refuse_invalid(command.licence)
    with uow:
        current = _locked(uow, command.licence.number, command.expected_version)
        if current.state is LicenceState.REVOKED:
            raise Conflict(f"licence {current.number} is revoked and cannot be amended")
        used = {item.line: item for item in current.items}
        violations = []
        items = []
        for index, item in enumerate(command.licence.items):
            before = used.pop(item.line, None)
            if before is not None:
                item = replace(
                    item, quantity_used=before.quantity_used, value_used=before.value_used
                )
                if item.quantity is not None and item.quantity < item.quantity_used:
                    violations.append(
                        Violation(
                            "LI002",
                            f"/items/{index}/quantity",
                            f"line {item.line} has {item.quantity_used} drawn already",
                        )
                    )
                if item.value is not None and item.value < item.value_used:
                    violations.append(
                        Violation(
                            "LI002",
                            f"/items/{index}/value",
                            f"line {item.line} has {item.value_used} drawn already",
                        )
                    )
            items.append(item)
        for line, item in used.items():
            if item.quantity_used or item.value_used:
                violations.append(
                    Violation(
                        "LI003", "/items", f"line {line} has been drawn on and cannot be removed"
                    )
                )
        if violations:
            raise ValidationFailed(violations)
        amended = replace(
            command.licence,
            items=tuple(items),
            state=current.state,
            version=current.version + 1,
            issued_by=current.issued_by,
            issued_at=current.issued_at,
        )
        now = context.now()
        uow.licences.replace(amended, command.actor.username, now)
        uow.events.add_many(
            [
                _event(
                    LICENCE_AMENDED,
                    amended,
                    command.actor.username,
                    {"before": licence_summary(current), "after": licence_summary(amended)},
                    context,
                )
            ]
        )
        uow.commit()
    return amended


def change_licence_state(
    command: ChangeLicenceState, uow: AbstractUnitOfWork, context: ClearanceContext
) -> Licence:
    """Suspend, reinstate or revoke; exports citing the licence are refused while it is not
    active (declarations already released keep their draws)."""
    _agency(command.actor)
    allowed_from, state, kind = _CHANGES[command.change]
    with uow:
        current = _locked(uow, command.number, command.expected_version)
        if current.state not in allowed_from:
            raise Conflict(
                f"licence {current.number} is {current.state.value}; "
                f"it cannot {command.change.value}"
            )
        changed = replace(current, state=state, version=current.version + 1)
        uow.licences.replace(changed, command.actor.username, context.now())
        uow.events.add_many(
            [_event(kind, changed, command.actor.username, {"reason": command.reason}, context)]
        )
        uow.commit()
    return changed


def _reads_all_licences(actor: Principal) -> bool:
    """The agency, customs officers, auditors and administrators read every licence."""
    return (
        actor.may(Action.MANAGE_EXPORT_CONTROL)
        or actor.may(Action.RELEASE)
        or actor.role in {Role.AUDITOR, Role.ADMIN}
    )


def read_licence(
    uow: AbstractUnitOfWork, actor: Principal, number: str
) -> tuple[Licence, list[StoredDraw]]:
    """A licence with every draw made on it; a trader reads only its own company's."""
    with uow:
        licence = uow.licences.get_many([number], lock=False).get(number)
        if licence is None or not (
            _reads_all_licences(actor) or actor.company_id == licence.holder_id
        ):
            raise NotFound(f"no licence {number}")
        return licence, uow.licences.draws(licence_number=number)


def find_licences(
    uow: AbstractUnitOfWork, actor: Principal, holder_id: str | None, state: str | None
) -> list[Licence]:
    if actor.role is Role.TRADER:
        holder_id = actor.company_id
    elif not _reads_all_licences(actor):
        raise Forbidden(f"the {actor.role.value} role may not read licences")
    with uow:
        return uow.licences.find(holder_id, state)
