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
    SYSTEM = "system"
    """The operator's own commands on the server (bulk lodging, the demo's seeding): never a
    user's role."""


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
    READ_AUDIT = "read_audit"


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
    Role.AUDITOR: frozenset({Action.READ, Action.READ_LEDGER, Action.READ_AUDIT}),
    # Separation of duties: the administrator runs the system (users, reference data,
    # subscriptions, witnesses) but neither lodges nor decides declarations.
    Role.ADMIN: frozenset(
        {
            Action.READ,
            Action.MANAGE_REFERENCE,
            Action.MANAGE_USERS,
            Action.MANAGE_SUBSCRIPTIONS,
            Action.READ_LEDGER,
            Action.MANAGE_WITNESSES,
            Action.READ_AUDIT,
        }
    ),
    Role.SYSTEM: frozenset({Action.LODGE, Action.READ, Action.AMEND, Action.CANCEL}),
}

USER_ROLES: tuple[Role, ...] = tuple(role for role in Role if role is not Role.SYSTEM)
"""The roles an account may have."""


def may_delegate(owner: Role, role: Role) -> bool:
    """Whether an API key of ``owner`` may act with ``role``: its own, or one that may do
    nothing the owner may not (least privilege for the systems that hold keys)."""
    return role is not Role.SYSTEM and PERMISSIONS[role] <= PERMISSIONS[owner]


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user (a person or a system holding an API key)."""

    username: str
    role: Role
    company_id: str | None = None
    user_id: int | None = None
    """The account's immutable id (None for the operator's commands)."""
    token_version: int = 1
    via_key: bool = False
    """Authenticated by an API key (a system), not by a person's password."""

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


def change_refusal(principal: Principal, declarant_id: str) -> str | None:
    """Why ``principal`` may not change (amend, cancel, answer for) a declaration whose
    declarant is ``declarant_id``, or None if it may.

    Only the declarant (who may be a representative acting for the importer or exporter)
    amends or withdraws a declaration (UCC Art. 173 and 174: "at the request of the
    declarant"); the other parties named on it may read it.
    """
    if principal.role is Role.TRADER and principal.company_id != declarant_id:
        return (
            f"only the declarant {declarant_id} may change this declaration; your company "
            f"{principal.company_id} is named on it as another party"
        )
    return None
