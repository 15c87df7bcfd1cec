"""The data of a DMS notification (the UK CDS answer to a WCO DEC-DMS declaration): its kind
by function code, the declaration's references, rejection errors with their pointers, duties per
goods item, statements and corrections, as plain frozen dataclasses. Written and read as XML by
``dms_notifications``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "Amendment",
    "BankAccount",
    "DmsError",
    "DutyPayment",
    "GoodsItemTaxes",
    "NotificationData",
    "NotificationKind",
    "PointerStep",
    "Statement",
    "TaxLine",
]


class NotificationKind(StrEnum):
    """The DMS notification kinds, each valued by its ``Response/FunctionCode``, as the UK
    CDS trade test pack's samples give them (``samples/Example_DMS_notifications``,
    ``samples_index.csv``):

    ====== ==== ===============================================================================
    name   code meaning
    ====== ==== ===============================================================================
    DMSACC 01   the declaration is accepted (legally; ``AcceptanceDateTime``)
    DMSRCV 02   the declaration, amendment or request is received and registered
    DMSREJ 03   the declaration is rejected: ``Error`` with ``ValidationCode`` and ``Pointer``
    DMSCTL 05   the goods are under control (physical inspection): not released
    DMSDOC 06   documents are required: statement ``ACA`` with the limit date to present them
    DMSRES 07   customs corrected the declaration after inspection (``Amendment`` pointers)
    DMSROG 08   the goods may be released
    DMSCLE 09   cleared for the procedure, and so released (statement ``A2``/``AFB``)
    DMSINV 10   the declaration is invalidated (cancelled), with the reason as a statement
    DMSREQ 11   the amendment request is accepted
    DMSTAX 13   the duties calculated per goods item (status 67 indicative, 4 final)
    DMSCPI 14   insufficient balance on the deferment account or guarantee
    DMSCPR 15   reminder of the insufficient balance
    DMSEOG 16   the goods have exited (office of exit as a ``CEX`` statement)
    DMSGER 18   exit follow-up with a limit date (statement type ``CEX``)
    DMSQRY 51   answer to a query (function code as the pack's scenario sheet gives it)
    ====== ==== ===============================================================================
    """

    DMSACC = "01"
    DMSRCV = "02"
    DMSREJ = "03"
    DMSCTL = "05"
    DMSDOC = "06"
    DMSRES = "07"
    DMSROG = "08"
    DMSCLE = "09"
    DMSINV = "10"
    DMSREQ = "11"
    DMSTAX = "13"
    DMSCPI = "14"
    DMSCPR = "15"
    DMSEOG = "16"
    DMSGER = "18"
    DMSQRY = "51"


@dataclass(frozen=True)
class PointerStep:
    """One step of a ``Pointer`` path into the declaration: the WCO section tag (``42A``
    Declaration, ``67A`` GoodsShipment, ``68A`` goods item ...), the occurrence's sequence
    number where the section repeats, and the WCO data-element tag at the last step (``D026``
    LRN, ``006`` ...)."""

    sequence_numeric: int | None
    document_section_code: str
    tag_id: str | None = None


@dataclass(frozen=True)
class DmsError:
    """One reason for a rejection: the CDS validation code (``CDS12005``, ``DMS10020`` ...),
    an optional description, and the pointer to the data element at fault."""

    validation_code: str
    description: str = ""
    pointer: tuple[PointerStep, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Statement:
    """An ``AdditionalInformation`` statement: e.g. ``ACA`` with the limit date by which
    documents must be presented (DMSDOC), ``A2``/``AFB`` cleared (DMSCLE), the reason of an
    invalidation (DMSINV), the office of exit (DMSEOG). ``pointer`` names what it is about."""

    code: str | None = None
    description: str | None = None
    limit_at: datetime | None = None
    type_code: str | None = None
    pointer: tuple[PointerStep, ...] = ()


@dataclass(frozen=True)
class Amendment:
    """A correction customs made to the declaration (DMSRES): the change reason code and
    the pointer to the data element changed."""

    change_reason_code: str
    pointer: tuple[PointerStep, ...] = ()


@dataclass(frozen=True)
class BankAccount:
    """The account duties are paid to: ``bic`` (``Bank/ReferenceID``), ``iban`` (``Bank/ID``)."""

    bic: str
    iban: str


@dataclass(frozen=True, kw_only=True)
class TaxLine:
    """One duty or tax on a goods item (``Commodity/DutyTaxFee``): the tax type (``A00``
    customs duty, ``B00`` VAT, ``A30`` ...), its base (an amount for ad valorem, a quantity
    in ``base_unit`` for specific duties), the rate, the amount assessed and the amount payable
    (absent on informational lines), in ``currency``."""

    type_code: str
    assessed: Decimal
    payable: Decimal | None = None
    base_amount: Decimal | None = None
    base_quantity: Decimal | None = None
    base_unit: str | None = None
    rate: Decimal | None = None
    deducted: Decimal | None = None
    duty_regime: str | None = None
    currency: str = "GBP"


@dataclass(frozen=True)
class GoodsItemTaxes:
    """The duties and taxes of one goods item, by its sequence number on the declaration."""

    sequence_numeric: int
    lines: tuple[TaxLine, ...]


@dataclass(frozen=True, kw_only=True)
class DutyPayment:
    """A declaration-level total (``Declaration/DutyTaxFee/Payment``): assessed and payable
    amounts, the payment reference and due date, the guarantees drawn on (DMSCPI)."""

    assessed: Decimal | None = None
    payable: Decimal | None = None
    currency: str = "GBP"
    payment_reference: str | None = None
    due_at: datetime | None = None
    guarantee_references: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class NotificationData:
    """One DMS notification. ``lrn`` is the declaration's FunctionalReferenceID (DE 2/5),
    ``mrn`` its ID (absent when a new declaration is rejected before it gets one),
    ``version`` its version (CDS leaves it out of some DMSRCV and DMSREQ),
    ``notification_id`` the notification's own FunctionalReferenceID. ``status_code`` is
    ``Status/NameCode`` (DMSTAX: 67 indicative, 4 final; DMSREQ: 39). Date-times are
    timezone-aware and written to the second."""

    kind: NotificationKind
    issued_at: datetime
    lrn: str
    version: int | None = None
    mrn: str | None = None
    notification_id: str | None = None
    accepted_at: datetime | None = None
    rejected_at: datetime | None = None
    cancelled_at: datetime | None = None
    errors: tuple[DmsError, ...] = ()
    statements: tuple[Statement, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    status_code: str | None = None
    bank: BankAccount | None = None
    totals: tuple[DutyPayment, ...] = ()
    items: tuple[GoodsItemTaxes, ...] = ()
