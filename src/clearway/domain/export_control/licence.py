"""Export licences issued by the export-control agency, and the check of an export item
against the licence it cites.

Regulation (EU) 2021/821 Art. 12: an individual licence is granted to one exporter for one end
user in one third country; a global licence to one exporter for a type or category of items,
possibly several end users and countries; a general authorisation to every exporter who meets
its conditions and registers its use. The check at clearance follows Art. 12 and the licence's
own terms: the licence exists and is in force on the day, belongs to the exporter, covers the
destination, the consignee and end user, and the item, and has the balance left.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from clearway.domain.export_control.control_list import ControlCode, ControlCodeError


class LicenceType(enum.StrEnum):
    INDIVIDUAL = "individual"
    GLOBAL = "global"
    GENERAL = "general"


class LicenceState(enum.StrEnum):
    """What the agency last did with the licence; expiry follows from the validity dates."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


# Net mass is always declared, so a licence may count in kilograms for any item.
NET_MASS_UNIT = "KGM"


@dataclass(frozen=True, slots=True)
class LicenceItem:
    """One line of a licence: the goods it allows, how much, and how much has been used."""

    line: int
    description: str
    commodity_code: str | None = None
    control_entry: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    quantity_used: Decimal = Decimal(0)
    value_used: Decimal = Decimal(0)

    @property
    def quantity_left(self) -> Decimal | None:
        return None if self.quantity is None else self.quantity - self.quantity_used

    @property
    def value_left(self) -> Decimal | None:
        return None if self.value is None else self.value - self.value_used

    def covers(self, commodity_code: str, control_entry: str | None) -> bool:
        """Whether the line allows goods of this commodity code and control-list entry.

        A line's commodity code covers every code it is a prefix of; its control entry
        covers the entry itself and its sub-items (``2B350`` covers ``2B350.i``).
        """
        if self.commodity_code and not commodity_code.startswith(self.commodity_code):
            return False
        if self.control_entry and control_entry:
            try:
                return ControlCode.parse(self.control_entry).covers(
                    ControlCode.parse(control_entry)
                )
            except ControlCodeError:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Licence:
    number: str
    type: LicenceType
    holder_id: str
    holder_name: str
    destinations: frozenset[str]
    valid_from: date
    valid_to: date
    items: tuple[LicenceItem, ...]
    consignees: tuple[str, ...] = ()
    """Consignees the licence names; none named means any."""
    end_users: tuple[str, ...] = ()
    """End users the licence names; none named means any."""
    authorisation: str | None = None
    """For a general licence: the authorisation it registers use of (``EU001``…, ``NATIONAL``)."""
    conditions: str = ""
    state: LicenceState = LicenceState.ACTIVE
    version: int = 1
    issued_by: str = ""
    issued_at: datetime | None = None

    def in_force(self, on: date) -> bool:
        return self.state is LicenceState.ACTIVE and self.valid_from <= on <= self.valid_to

    def with_use(self, line: int, quantity: Decimal, value: Decimal) -> Licence:
        """The licence after ``quantity`` and ``value`` were drawn from ``line``."""
        items = tuple(
            replace(
                item,
                quantity_used=item.quantity_used + quantity,
                value_used=item.value_used + value,
            )
            if item.line == line
            else item
            for item in self.items
        )
        return replace(self, items=items)


@dataclass(frozen=True, slots=True)
class ExportClaim:
    """What one export item asks of a licence."""

    sequence: int
    commodity_code: str
    control_entry: str | None
    quantities: dict[str, Decimal]
    """Declared quantities by unit: net mass in ``KGM`` and any supplementary units."""
    value: Decimal
    currency: str
    exporter_id: str | None
    destination: str
    consignee: str | None
    end_user: str | None


@dataclass(frozen=True, slots=True)
class LicenceDraw:
    """The part of a licence line one export item uses."""

    licence_number: str
    line: int
    sequence: int
    quantity: Decimal
    unit: str | None
    value: Decimal
    currency: str | None


@dataclass(frozen=True, slots=True)
class LicenceProblem:
    """Why a licence does not cover an item: a code and a sentence an exporter understands."""

    sequence: int
    code: str
    message: str
    licence_number: str | None = None


Converter = Callable[[Decimal, str, str], Decimal | None]
"""Converts an amount from one currency to another on the day; None when no rate is known."""


def same_party(named: str, declared: str) -> bool:
    """Whether a licence's party name and a declared one are the same name, ignoring case,
    punctuation and spacing."""
    return _squeezed(named) == _squeezed(declared)


def _squeezed(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.casefold()))


def check_licence(
    licence: Licence,
    claim: ExportClaim,
    *,
    on: date,
    licence_type: LicenceType,
    authorisation: str | None,
    convert: Converter,
) -> LicenceDraw | list[LicenceProblem]:
    """The draw the item makes on the licence, or every reason the licence does not cover it."""
    problems: list[LicenceProblem] = []

    def refuse(code: str, message: str) -> None:
        problems.append(LicenceProblem(claim.sequence, code, message, licence.number))

    if licence.type is not licence_type or (
        authorisation is not None and licence.authorisation != authorisation
    ):
        cited = licence_type.value + (f" ({authorisation})" if authorisation else "")
        refuse(
            "licence-type",
            f"the document code cites a {cited} licence but {licence.number} is a "
            f"{licence.type.value} licence",
        )
    if licence.state is not LicenceState.ACTIVE:
        refuse("licence-not-active", f"licence {licence.number} is {licence.state.value}")
    elif not licence.valid_from <= on <= licence.valid_to:
        refuse(
            "licence-not-in-force",
            f"licence {licence.number} is valid from {licence.valid_from.isoformat()} to "
            f"{licence.valid_to.isoformat()}, not on {on.isoformat()}",
        )
    if claim.exporter_id != licence.holder_id:
        refuse(
            "licence-holder",
            f"licence {licence.number} is held by {licence.holder_id}, not by the exporter "
            f"{claim.exporter_id or '(not identified)'}",
        )
    if claim.destination not in licence.destinations:
        refuse(
            "licence-destination",
            f"licence {licence.number} does not cover exports to {claim.destination} "
            f"(it covers {', '.join(sorted(licence.destinations))})",
        )
    for role, named, declared in (
        ("consignee", licence.consignees, claim.consignee),
        ("end user", licence.end_users, claim.end_user),
    ):
        if named and not (declared and any(same_party(name, declared) for name in named)):
            refuse(
                f"licence-{role.replace(' ', '-')}",
                f"licence {licence.number} names {'; '.join(named)} as {role}, not "
                f"{declared or '(none declared)'}",
            )
    draw = _draw(licence, claim, convert, problems)
    return problems if problems or draw is None else draw


def _draw(
    licence: Licence, claim: ExportClaim, convert: Converter, problems: list[LicenceProblem]
) -> LicenceDraw | None:
    """The first line that covers the item and has the balance; a problem if none has."""
    covering = [
        item for item in licence.items if item.covers(claim.commodity_code, claim.control_entry)
    ]
    if not covering:
        what = claim.commodity_code + (f" ({claim.control_entry})" if claim.control_entry else "")
        problems.append(
            LicenceProblem(
                claim.sequence,
                "licence-item",
                f"no line of licence {licence.number} covers item {claim.sequence}: {what}",
                licence.number,
            )
        )
        return None
    short: list[str] = []
    for item in covering:
        quantity = Decimal(0) if item.unit is None else claim.quantities.get(item.unit)
        if quantity is None:
            short.append(f"line {item.line} counts in {item.unit}, which the item does not declare")
            continue
        value = claim.value
        if item.currency is not None and item.currency != claim.currency:
            converted = convert(claim.value, claim.currency, item.currency)
            if converted is None:
                short.append(f"line {item.line}: no exchange rate {claim.currency}/{item.currency}")
                continue
            value = converted
        quantity_left, value_left = item.quantity_left, item.value_left
        if quantity_left is not None and quantity > quantity_left:
            short.append(f"line {item.line} has {quantity_left} {item.unit} left, not {quantity}")
        elif value_left is not None and value > value_left:
            short.append(f"line {item.line} has {value_left} {item.currency} left, not {value:.2f}")
        else:
            return LicenceDraw(
                licence.number,
                item.line,
                claim.sequence,
                quantity,
                item.unit,
                value if item.value is not None else Decimal(0),
                item.currency,
            )
    problems.append(
        LicenceProblem(
            claim.sequence,
            "licence-balance",
            f"licence {licence.number} cannot cover item {claim.sequence}: " + "; ".join(short),
            licence.number,
        )
    )
    return None


def validate_licence(licence: Licence) -> list[tuple[str, str]]:
    """Every (pointer, message) that makes a licence unfit to issue."""
    problems: list[tuple[str, str]] = []
    if licence.valid_to < licence.valid_from:
        problems.append(("/valid_to", "valid_to is before valid_from"))
    if not licence.destinations:
        problems.append(("/destinations", "a licence covers at least one destination country"))
    if not licence.items:
        problems.append(("/items", "a licence has at least one item"))
    if licence.type is LicenceType.GENERAL and not licence.authorisation:
        problems.append(
            ("/authorisation", "a general licence names its authorisation (EU001…EU008, NATIONAL)")
        )
    if licence.type is not LicenceType.GENERAL and licence.authorisation:
        problems.append(("/authorisation", "only a general licence names an authorisation"))
    if licence.type is LicenceType.INDIVIDUAL and len(licence.end_users) > 1:
        problems.append(("/end_users", "an individual licence is for one end user"))
    lines = [item.line for item in licence.items]
    if len(set(lines)) != len(lines):
        problems.append(("/items", "item lines must be unique"))
    for index, item in enumerate(licence.items):
        pointer = f"/items/{index}"
        if not item.commodity_code and not item.control_entry:
            problems.append((pointer, "an item names a commodity code, a control entry or both"))
        if item.control_entry:
            try:
                ControlCode.parse(item.control_entry)
            except ControlCodeError as error:
                problems.append((f"{pointer}/control_entry", str(error)))
        if (item.quantity is None) != (item.unit is None):
            problems.append((pointer, "a quantity needs its unit, and a unit its quantity"))
        if (item.value is None) != (item.currency is None):
            problems.append((pointer, "a value needs its currency, and a currency its value"))
        if item.quantity is not None and item.quantity <= 0:
            problems.append((f"{pointer}/quantity", "the quantity must be positive"))
        if item.value is not None and item.value <= 0:
            problems.append((f"{pointer}/value", "the value must be positive"))
    return problems


def draws_by_line(draws: Sequence[LicenceDraw]) -> dict[tuple[str, int], tuple[Decimal, Decimal]]:
    """Total quantity and value drawn per licence line."""
    totals: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
    for draw in draws:
        key = (draw.licence_number, draw.line)
        quantity, value = totals.get(key, (Decimal(0), Decimal(0)))
        totals[key] = (quantity + draw.quantity, value + draw.value)
    return totals
