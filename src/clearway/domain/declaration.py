"""The customs declaration as the domain sees it: header, parties, transport and goods items.

Field names follow the wire format (``shared/examples/*.json``); ``docs/wco-data-model.md``
maps each one to the WCO Data Model 3.6.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal

from clearway.domain.formalities import (
    Authorisation,
    Charge,
    DeferredPayment,
    DutyTaxParty,
    Equipment,
    GoodsLocation,
    Guarantee,
    PreviousDocument,
    Representative,
    Statement,
    TaxPayment,
    TransportMeans,
    Warehouse,
)


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
    """A trader named on the declaration; ``id`` is its EORI-style identifier when known.

    A WCO declaration names a party by its EORI number alone when it has one (UCC 3/2, 3/16,
    3/18): then ``name`` is ``None``.
    """

    name: str | None
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

    mode: str | None
    identity: str | None = None
    nationality: str | None = None
    container: bool = False
    identity_type: str | None = None
    """Kind of identity (WCO T005: ``10`` IMO number, ``11`` ship name, ``40`` flight …)."""


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
    number: str | None
    currency: str
    amount: Decimal
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SupplementaryUnits:
    quantity: Decimal
    unit: str | None
    """``None`` where a WCO declaration leaves it to follow from the commodity code."""


@dataclass(frozen=True, slots=True)
class Packages:
    kind: str | None
    count: int | None
    marks: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A document, certificate or authorisation quoted for the goods (UCC 2/3)."""

    type: str
    reference: str | None
    status: str | None = None
    """Its status (``AC`` available, ``AE`` applied for, ``XW`` waived …; CDS 2/3 status)."""
    name: str | None = None
    write_off: SupplementaryUnits | None = None
    """The quantity written off a licence or certificate by this item."""


@dataclass(frozen=True, slots=True)
class ControlEntry:
    """A control-list classification claimed for the goods (e.g. dual-use ``2B350.i``)."""

    list: str
    entry: str


@dataclass(frozen=True, slots=True)
class GoodsItem:
    """One goods item. A full declaration in Clearway's own form states every one of the first
    fields; a WCO declaration of a simplified, supplementary or export type may leave the code,
    origin, price or net mass out where its data-set category does not require them (``None``)."""

    sequence: int
    commodity_code: str | None
    description: str | None
    origin_country: str | None
    invoice_amount: Decimal | None
    net_mass_kg: Decimal | None
    gross_mass_kg: Decimal | None = None
    preference: str | None = None
    supplementary_units: SupplementaryUnits | None = None
    packages: Packages | None = None
    documents: tuple[Document, ...] = ()
    control: ControlEntry | None = None
    additional_codes: tuple[str, ...] = ()
    quantities: tuple[tuple[str, Decimal], ...] = ()
    """Further quantities (``ASV``, ``RET``, ``TNEI`` …) that specific duties are charged on."""
    national_codes: tuple[str, ...] = ()
    """National additional codes (UCC 6/17, e.g. ``VATZ``)."""
    cus_code: str | None = None
    procedure: str | None = None
    """The item's procedure (UCC 1/10) where it is not the declaration's."""
    additional_procedures: tuple[str, ...] = ()
    """Additional procedure codes (UCC 1/11), three characters each (``000``, ``1CG`` …)."""
    valuation_method: str | None = None
    valuation_indicator: str | None = None
    statistical_value: Amount | None = None
    customs_value: Amount | None = None
    """The customs value where the declarant states it (UCC 4/14 on some declaration types)."""
    preferential_origin: str | None = None
    tax_payments: tuple[TaxPayment, ...] = ()
    quota: str | None = None
    nature_of_transaction: str | None = None
    dispatch_country: str | None = None
    previous_documents: tuple[PreviousDocument, ...] = ()
    additional_information: tuple[Statement, ...] = ()


@dataclass(frozen=True, slots=True)
class Declaration:
    """One version of a declaration as lodged by the declarant."""

    type: DeclarationType
    procedure: str
    lrn: str
    declarant: Party
    office: str
    destination_country: str | None
    transport: Transport | None
    incoterm: Incoterm | None
    invoice: Invoice | None
    items: tuple[GoodsItem, ...]
    importer: Party | None = None
    exporter: Party | None = None
    consignee: Party | None = None
    end_user: Party | None = None
    dispatch_country: str | None = None
    freight: Amount | None = None
    insurance: Amount | None = None
    additional_type: str | None = None
    """Additional declaration type (UCC 1/2): ``A`` standard, ``D`` pre-lodged, ``Y``/``Z``
    supplementary …; ``None`` for a full declaration in Clearway's own form."""
    representative: Representative | None = None
    carrier: Party | None = None
    consignor: Party | None = None
    authorisations: tuple[Authorisation, ...] = ()
    deferred_payments: tuple[DeferredPayment, ...] = ()
    guarantees: tuple[Guarantee, ...] = ()
    goods_location: GoodsLocation | None = None
    exit_office: str | None = None
    supervising_office: str | None = None
    warehouse: Warehouse | None = None
    arrival_transport: TransportMeans | None = None
    departure_transport: TransportMeans | None = None
    equipment: tuple[Equipment, ...] = ()
    routing_countries: tuple[str, ...] = ()
    freight_payment_method: str | None = None
    charges: tuple[Charge, ...] = ()
    nature_of_transaction: str | None = None
    ucr: str | None = None
    total_packages: int | None = None
    duty_tax_parties: tuple[DutyTaxParty, ...] = ()
    previous_documents: tuple[PreviousDocument, ...] = ()
    additional_information: tuple[Statement, ...] = ()

    @property
    def into_northern_ireland(self) -> bool:
        """Goods declared into Northern Ireland (a CDS ``NI…`` statement, UCC 2/2: ``NIIMP``,
        ``NIDOM`` …), where the Windsor Framework applies the EU's customs rules: EU EORI
        numbers are valid, goods of GB origin are foreign to the EU tariff, and the goods may
        be destined for an EU member state."""
        statements = [*self.additional_information]
        for item in self.items:
            statements.extend(item.additional_information)
        return any(statement.code.startswith("NI") for statement in statements)

    @property
    def type_code(self) -> str:
        """The WCO type code (UCC 1/1 and 1/2): ``IMA``, ``EXD`` …, or ``IM``/``EX`` alone."""
        return self.type.value + (self.additional_type or "")

    def parties(self) -> dict[str, Party]:
        """Every party present, by role."""
        named = {
            "declarant": self.declarant,
            "importer": self.importer,
            "exporter": self.exporter,
            "consignee": self.consignee,
            "end_user": self.end_user,
            "carrier": self.carrier,
            "consignor": self.consignor,
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
