"""Who may do what: roles, the acting principal, and which declarations a principal may see."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    TRADER = "trader"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    RISK_ANALYST = "risk_analyst"
    AGENCY = "agency"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Action(enum.StrEnum):
    LODGE = "lodge"
    READ = "read"
    AMEND = "amend"
    CANCEL = "cancel"
    RELEASE = "release"
    MANAGE_REFERENCE = "manage_reference"
    MANAGE_RISK = "manage_risk"
    INSPECT = "inspect"
    SUPERVISE = "supervise"
    SCREEN = "screen"
    MANAGE_EXPORT_CONTROL = "manage_export_control"
    MANAGE_SUBSCRIPTIONS = "manage_subscriptions"
    MANAGE_USERS = "manage_users"
    READ_LEDGER = "read_ledger"
    MANAGE_WITNESSES = "manage_witnesses"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.TRADER: frozenset({Action.LODGE, Action.READ, Action.AMEND, Action.CANCEL}),
    Role.OFFICER: frozenset(
        {Action.READ, Action.CANCEL, Action.RELEASE, Action.INSPECT, Action.SCREEN}
    ),
    # A customs supervisor: an officer who may also act on, or hand back, another officer's
    # claimed work (absence, escalation).
    Role.SUPERVISOR: frozenset(
        {
            Action.READ,
            Action.CANCEL,
            Action.RELEASE,
            Action.INSPECT,
            Action.SCREEN,
            Action.SUPERVISE,
        }
    ),
    Role.RISK_ANALYST: frozenset({Action.READ, Action.MANAGE_RISK, Action.SCREEN}),
    Role.AGENCY: frozenset({Action.READ, Action.SCREEN, Action.MANAGE_EXPORT_CONTROL}),
    Role.AUDITOR: frozenset({Action.READ, Action.READ_LEDGER}),
    Role.ADMIN: frozenset(
        {
            Action.LODGE,
            Action.READ,
            Action.CANCEL,
            Action.MANAGE_REFERENCE,
            Action.MANAGE_USERS,
            Action.MANAGE_SUBSCRIPTIONS,
            Action.READ_LEDGER,
            Action.MANAGE_WITNESSES,
        }
    ),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user (a person or a system holding an API key)."""

    username: str
    role: Role
    company_id: str | None = None

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]


class Scope(enum.Enum):
    """Which declarations a principal may see."""

    ALL = "all"
    OWN_COMPANY = "own_company"
    REFERRED = "referred"


def visibility(principal: Principal) -> Scope:
    """Traders see their company's declarations; agencies only what was referred to them."""
    if principal.role is Role.TRADER:
        return Scope.OWN_COMPANY
    if principal.role is Role.AGENCY:
        return Scope.REFERRED
    return Scope.ALL


def may_see(principal: Principal, party_ids: frozenset[str], *, referred: bool = False) -> bool:
    scope = visibility(principal)
    if scope is Scope.ALL:
        return True
    if scope is Scope.OWN_COMPANY:
        return principal.company_id is not None and principal.company_id in party_ids
    return referred


def lodging_refusal(principal: Principal, declarant_id: str | None) -> str | None:
    """Why ``principal`` may not lodge a declaration for ``declarant_id``, or None if it may.

    A trader lodges only as its own company; a broker is the declarant for its clients.
    """
    if not principal.may(Action.LODGE):
        return f"the {principal.role.value} role may not lodge declarations"
    if principal.role is Role.TRADER and declarant_id != principal.company_id:
        return (
            f"you may lodge only as your own company {principal.company_id}, not as {declarant_id}"
        )
    return None
