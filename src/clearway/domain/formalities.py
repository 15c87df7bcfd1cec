"""The customs formalities a declaration carries besides goods, parties and money.

What the WCO Data Model 3.6 (and the UCC data elements it serves) declares about how the goods
are presented and under which authorisations: the additional declaration type, the
representative, authorisation holders, deferred payment, guarantees, the goods location and the
transport at arrival or departure, previous documents, additional information and the valuation
details of each item. ``docs/wco-data-model.md`` gives the element of each field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Representative:
    """The declarant's representation (UCC 3/20-3/21): status ``2`` direct, ``3`` indirect."""

    status: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Authorisation:
    """An authorisation the declaration relies on (UCC 3/39): its type and holder's EORI."""

    type: str
    holder: str


@dataclass(frozen=True, slots=True)
class DeferredPayment:
    """A deferment account used to pay (UCC 2/6), e.g. category ``1``, type ``DAN``."""

    category: str | None
    type: str | None
    reference: str


@dataclass(frozen=True, slots=True)
class Guarantee:
    """A guarantee (UCC 8/2-8/3): its type and reference; type ``0`` means none is required."""

    type: str
    reference: str | None = None
    access_code: str | None = None


@dataclass(frozen=True, slots=True)
class GoodsLocation:
    """Where the goods can be examined (UCC 5/23): the location code, its type (``A``
    designated, ``B`` authorised …), the kind of identifier (``U`` UN/LOCODE …) and country."""

    name: str | None
    type: str
    qualifier: str
    country: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class TransportMeans:
    """Means of transport at arrival or departure (UCC 7/9, 7/7) and its inland mode (7/5)."""

    identity: str | None = None
    identity_type: str | None = None
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class Equipment:
    """A container or other transport equipment (UCC 7/10) with its seals (7/18)."""

    sequence: int
    id: str
    seals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PreviousDocument:
    """A previous document (UCC 2/1): category ``X``/``Y``/``Z``, type, reference, goods line."""

    category: str | None
    type: str | None
    reference: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    """Additional information (UCC 2/2): a statement code and its text."""

    code: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Warehouse:
    """The storage facility (UCC 2/7): type and identifier."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class DutyTaxParty:
    """An additional fiscal reference (UCC 3/40): a VAT number and its role code (``FR1`` …)."""

    id: str
    role: str


@dataclass(frozen=True, slots=True)
class Charge:
    """An addition to or deduction from the price (UCC 4/9) with its code (``AR`` …)."""

    code: str
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class TaxPayment:
    """How one tax of an item is paid (UCC 4/3, 4/8): tax type (``A00``, ``B00``) and method
    (``E`` deferment, ``A`` cash …)."""

    type: str | None
    method: str | None = None
