"""The customs declaration as the domain sees it: header, parties, transport and goods items.

Field names follow the wire format (``shared/examples/*.json``); ``docs/wco-data-model.md``
maps each one to the WCO Data Model 3.6.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal


class DeclarationType(enum.StrEnum):
    """Declaration type, WCO DM 3.6 ID D013 (``IM`` import, ``EX`` export)."""

    IMPORT = "IM"
    EXPORT = "EX"


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None
    city: str | None
    postcode: str | None
    country: str


@dataclass(frozen=True, slots=True)
class Party:
    """A trader named on the declaration; ``id`` is its EORI-style identifier when known."""

    name: str
    id: str | None = None
    country: str | None = None
    address: Address | None = None

    @property
    def country_code(self) -> str | None:
        """The party's country: the one stated, else its address's."""
        if self.country:
            return self.country
        return self.address.country if self.address else None


@dataclass(frozen=True, slots=True)
class Transport:
    """Means of transport crossing the border (WCO DM 3.6 IDs T022 mode, T006 identity,
    T014 nationality, 096 container)."""

    mode: str
    identity: str | None = None
    nationality: str | None = None
    container: bool = False


@dataclass(frozen=True, slots=True)
class Incoterm:
    code: str
    place: str | None


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount of money in a currency; ``value`` is never a float."""

    currency: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Invoice:
    number: str
    currency: str
    amount: Decimal
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SupplementaryUnits:
    quantity: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Packages:
    kind: str
    count: int
    marks: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    type: str
    reference: str


@dataclass(frozen=True, slots=True)
class ControlEntry:
    """A control-list classification claimed for the goods (e.g. dual-use ``2B350.i``)."""

    list: str
    entry: str


@dataclass(frozen=True, slots=True)
class GoodsItem:
    sequence: int
    commodity_code: str
    description: str
    origin_country: str
    invoice_amount: Decimal
    net_mass_kg: Decimal
    gross_mass_kg: Decimal | None = None
    preference: str | None = None
    supplementary_units: SupplementaryUnits | None = None
    packages: Packages | None = None
    documents: tuple[Document, ...] = ()
    control: ControlEntry | None = None
    additional_codes: tuple[str, ...] = ()
    quantities: tuple[tuple[str, Decimal], ...] = ()
    """Further quantities (``ASV``, ``RET``, ``TNEI`` …) that specific duties are charged on."""


@dataclass(frozen=True, slots=True)
class Declaration:
    """One version of a declaration as lodged by the declarant."""

    type: DeclarationType
    procedure: str
    lrn: str
    declarant: Party
    office: str
    destination_country: str
    transport: Transport
    incoterm: Incoterm
    invoice: Invoice
    items: tuple[GoodsItem, ...]
    importer: Party | None = None
    exporter: Party | None = None
    consignee: Party | None = None
    end_user: Party | None = None
    dispatch_country: str | None = None
    freight: Amount | None = None
    insurance: Amount | None = None

    def parties(self) -> dict[str, Party]:
        """Every party present, by role."""
        named = {
            "declarant": self.declarant,
            "importer": self.importer,
            "exporter": self.exporter,
            "consignee": self.consignee,
            "end_user": self.end_user,
        }
        return {role: party for role, party in named.items() if party is not None}

    def party_ids(self) -> frozenset[str]:
        """Identifiers of every identified party: whose companies may see this declaration."""
        return frozenset(p.id for p in self.parties().values() if p.id)

    @property
    def trader(self) -> Party | None:
        """The importer of an import, the exporter of an export."""
        return self.importer if self.type is DeclarationType.IMPORT else self.exporter


@dataclass(frozen=True, slots=True)
class ItemValue:
    """Customs value of one goods item in national currency, unrounded."""

    sequence: int
    invoice_amount: Decimal
    freight_share: Decimal
    insurance_share: Decimal
    customs_value: Decimal


@dataclass(frozen=True, slots=True)
class Valuation:
    """The customs value of a declaration: how it was built and the figure per item."""

    basis: str
    currency: str
    rate_date: dt.date
    rates: dict[str, Decimal]
    items: tuple[ItemValue, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return sum((item.customs_value for item in self.items), Decimal(0))
