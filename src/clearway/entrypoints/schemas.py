"""The declaration wire format (JSON), its parsing, and its conversion to domain objects.

Field names follow ``shared/examples/*.json``; money and masses are decimal strings (numbers
are accepted too). Unknown fields are refused so that a misspelt field is reported, not lost.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from clearway.adapters.json_input import parse_json
from clearway.domain import declaration as domain
from clearway.domain.rules import Violation
from clearway.domain.text import has_control_characters
from clearway.entrypoints import wire_formalities as wf
from clearway.entrypoints.full_form import missing_in_full_form, reraised
from clearway.entrypoints.wire_to_domain import to_domain as to_domain


def _printable(text: str) -> str:
    """Plain printable text, NFC-normalised; no control, invisible or unpaired characters."""
    if has_control_characters(text):
        raise PydanticCustomError(
            "text_not_printable", "text contains control, invisible or unpaired characters"
        )
    return unicodedata.normalize("NFC", text)


Printable = AfterValidator(_printable)
Text17 = Annotated[str, Field(min_length=1, max_length=17), Printable]
Text35 = Annotated[str, Field(min_length=1, max_length=35), Printable]
Text70 = Annotated[str, Field(min_length=1, max_length=70), Printable]
Text140 = Annotated[str, Field(min_length=1, max_length=140), Printable]
Text512 = Annotated[str, Field(min_length=1, max_length=512), Printable]
Place = Annotated[str, Field(max_length=35), Printable]


CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["GB"])]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
Amount = Annotated[
    Decimal, Field(max_digits=18, decimal_places=2, allow_inf_nan=False, examples=["18400.00"])
]
Quantity = Annotated[Decimal, Field(max_digits=18, decimal_places=6, allow_inf_nan=False)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressIn(_Wire):
    street: Text70 | None = None
    city: Text35 | None = None
    postcode: Text17 | None = None
    country: CountryCode


class PartyIn(_Wire):
    id: Annotated[str, Field(pattern=r"^[A-Z0-9]{3,17}$")] | None = Field(
        default=None, description="EORI number", examples=["GB123456789000"]
    )
    name: Text140 | None = Field(
        default=None,
        description="Required in a full declaration; a WCO declaration may name a party by its "
        "EORI number alone",
    )
    country: CountryCode | None = None
    address: AddressIn | None = None

    @model_validator(mode="after")
    def _named_or_identified(self) -> PartyIn:
        if self.name is None and self.id is None:
            raise PydanticCustomError(
                "party_unnamed", "a party must be given a name or an EORI number"
            )
        return self


class DeclarantIn(PartyIn):
    id: Annotated[str, Field(pattern=r"^[A-Z0-9]{3,17}$")] = Field(
        description="EORI number of the declarant", examples=["GB123456789000"]
    )


class TransportIn(_Wire):
    mode: Annotated[str, Field(max_length=20, examples=["sea"])] | None = None
    identity: Text35 | None = None
    nationality: CountryCode | None = None
    container: StrictBool = False
    identity_type: Annotated[str, Field(pattern=r"^\d{2}$", examples=["10"])] | None = None


class IncotermIn(_Wire):
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["FOB"])]
    place: Place | None = None


class InvoiceIn(_Wire):
    number: Text35 | None = None
    currency: CurrencyCode
    amount: Amount
    date: dt.date | None = None


class MoneyIn(_Wire):
    currency: CurrencyCode
    amount: Amount


class SupplementaryUnitsIn(_Wire):
    quantity: Quantity
    unit: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}(#[A-Z])?$", examples=["NAR"])] | None = None


class PackagesIn(_Wire):
    kind: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,3}$", examples=["CT"])] | None = None
    count: Annotated[StrictInt, Field(ge=0, le=99_999_999)] | None = None
    marks: Text512 | None = None


class DocumentIn(_Wire):
    type: Annotated[str, Field(pattern=r"^[A-Z0-9]{4}$", examples=["N380"])]
    reference: Text70 | None = None
    status: Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["AC"])] | None = None
    name: Text35 | None = None
    write_off: SupplementaryUnitsIn | None = None


class QuantityIn(_Wire):
    """A quantity in a TARIC measurement unit, with its optional qualifier (``TNEI``)."""

    amount: Quantity
    unit: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}[A-Z]?$", examples=["ASV", "HLT", "RET"])]


class ControlIn(_Wire):
    list: Annotated[str, Field(max_length=20, examples=["dual-use"])]
    entry: Annotated[str, Field(max_length=20, examples=["2B350.i"])]


class ItemIn(_Wire):
    sequence: Annotated[StrictInt, Field(ge=1, le=999)]
    commodity_code: Annotated[str, Field(pattern=r"^\d{6,10}$", examples=["0702000007"])] | None = (
        None
    )
    description: Text512 | None = None
    origin_country: CountryCode | None = None
    preference: Annotated[str, Field(pattern=r"^\d{3}$")] | None = None
    invoice_amount: Amount | None = None
    net_mass_kg: Quantity | None = None
    gross_mass_kg: Quantity | None = None
    supplementary_units: SupplementaryUnitsIn | None = None
    packages: PackagesIn | None = None
    documents: Annotated[list[DocumentIn], Field(max_length=99)] = []
    additional_codes: (
        Annotated[
            list[Annotated[str, Field(pattern=r"^[A-Z0-9]{4}$", examples=["B107"])]],
            Field(max_length=20),
        ]
        | None
    ) = None
    quantities: Annotated[list[QuantityIn], Field(max_length=10)] | None = None
    control: ControlIn | None = None
    national_codes: (
        Annotated[
            list[Annotated[str, Field(pattern=r"^[A-Z0-9]{4}$", examples=["VATZ"])]],
            Field(max_length=20),
        ]
        | None
    ) = None
    cus_code: Annotated[str, Field(pattern=r"^\d{7}-\d$")] | None = None
    procedure: Annotated[str, Field(pattern=r"^\d{4}$")] | None = Field(
        default=None,
        description="The item's procedure (UCC 1/10) when it is not the declaration's",
    )
    additional_procedures: (
        Annotated[
            list[Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$", examples=["000", "1CG"])]],
            Field(max_length=99),
        ]
        | None
    ) = None
    valuation_method: Annotated[str, Field(pattern=r"^[1-6]$")] | None = None
    valuation_indicator: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None
    statistical_value: wf.AmountIn | None = None
    customs_value: wf.AmountIn | None = None
    preferential_origin: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,4}$")] | None = None
    tax_payments: Annotated[list[wf.TaxPaymentIn], Field(max_length=30)] | None = None
    quota: Annotated[str, Field(pattern=r"^\d{6}$")] | None = None
    nature_of_transaction: Annotated[str, Field(pattern=r"^\d{1,2}$")] | None = None
    dispatch_country: CountryCode | None = None
    previous_documents: Annotated[list[wf.PreviousDocumentIn], Field(max_length=99)] | None = None
    additional_information: Annotated[list[wf.StatementIn], Field(max_length=99)] | None = None


class DeclarationIn(_Wire):
    """A customs declaration as lodged (see ``docs/wco-data-model.md`` for each field).

    Without ``additional_type`` it is a full declaration in Clearway's own form, which states
    the incoterm, the invoice and every party's name and item's code, description, origin,
    price and net mass. With it, it is a declaration of that WCO type (``A`` standard, ``D``
    pre-lodged, ``Y`` supplementary …) and states what its type and procedure require.
    """

    type: Literal["IM", "EX"]
    additional_type: Annotated[str, Field(pattern=r"^[A-Z]$", examples=["A", "D"])] | None = None
    procedure: Annotated[str, Field(pattern=r"^\d{4}$", examples=["4000"])]
    lrn: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,34}$")] = Field(
        description="Local reference number: the declarant's own reference, unique per declarant"
    )
    declarant: DeclarantIn
    importer: PartyIn | None = None
    exporter: PartyIn | None = None
    consignee: PartyIn | None = None
    end_user: PartyIn | None = None
    office: Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z0-9]{6}$", examples=["GBFXT001"])]
    dispatch_country: CountryCode | None = None
    destination_country: CountryCode | None = None
    transport: TransportIn | None = None
    incoterm: IncotermIn | None = None
    invoice: InvoiceIn | None = None
    freight: MoneyIn | None = None
    insurance: MoneyIn | None = None
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=999)]
    representative: wf.RepresentativeIn | None = None
    carrier: PartyIn | None = None
    consignor: PartyIn | None = None
    authorisations: Annotated[list[wf.AuthorisationIn], Field(max_length=99)] | None = None
    deferred_payments: Annotated[list[wf.DeferredPaymentIn], Field(max_length=9)] | None = None
    guarantees: Annotated[list[wf.GuaranteeIn], Field(max_length=99)] | None = None
    goods_location: wf.GoodsLocationIn | None = None
    exit_office: Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z0-9]{6}$")] | None = None
    supervising_office: Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z0-9]{6}$")] | None = None
    warehouse: wf.WarehouseIn | None = None
    arrival_transport: wf.TransportMeansIn | None = None
    departure_transport: wf.TransportMeansIn | None = None
    equipment: Annotated[list[wf.EquipmentIn], Field(max_length=9999)] | None = None
    routing_countries: Annotated[list[CountryCode], Field(max_length=99)] | None = None
    freight_payment_method: Annotated[str, Field(pattern=r"^[A-Z]$")] | None = None
    charges: Annotated[list[wf.ChargeIn], Field(max_length=99)] | None = None
    nature_of_transaction: Annotated[str, Field(pattern=r"^\d{1,2}$")] | None = None
    ucr: Text35 | None = None
    total_packages: Annotated[StrictInt, Field(ge=0, le=99_999_999)] | None = None
    duty_tax_parties: Annotated[list[wf.DutyTaxPartyIn], Field(max_length=99)] | None = None
    previous_documents: Annotated[list[wf.PreviousDocumentIn], Field(max_length=9999)] | None = None
    additional_information: Annotated[list[wf.StatementIn], Field(max_length=99)] | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _full_form(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> DeclarationIn:
        """A declaration without an additional type must be complete (the fields above)."""
        missing: list[InitErrorDetails] = (
            missing_in_full_form(data)
            if isinstance(data, dict) and "additional_type" not in data
            else []
        )
        try:
            model: DeclarationIn = handler(data)
        except ValidationError as error:
            if not missing:
                raise
            raise ValidationError.from_exception_data(
                cls.__name__, [*reraised(error), *missing]
            ) from None
        if missing:
            raise ValidationError.from_exception_data(cls.__name__, missing)
        return model


DECLARATION = TypeAdapter(DeclarationIn)


def loads_json(data: bytes | str) -> Any:
    """Decode JSON keeping every number exact: fractions become ``Decimal``, never binary
    floats, so an amount is never silently rounded; ``NaN`` and ``Infinity`` are refused; so
    are text that is not UTF-8 and duplicate keys (``clearway.adapters.json_input``).

    Raises ``ValueError`` (``json.JSONDecodeError`` for syntax) on anything that is not JSON.
    """
    return parse_json(data, subject="the text")


def pointer(location: tuple[int | str, ...]) -> str:
    """RFC 6901 JSON pointer for a Pydantic error location."""
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in location]
    return "/" + "/".join(parts) if parts else ""


def schema_violations(error: ValidationError, *, skip: int = 0) -> list[Violation]:
    """One violation per schema error; ``skip`` drops leading location parts (e.g. 'body')."""
    return [
        Violation(f"SCHEMA.{detail['type']}", pointer(tuple(detail["loc"][skip:])), detail["msg"])
        for detail in error.errors(include_url=False)
    ]


def to_document(model: DeclarationIn) -> dict[str, Any]:
    """The canonical JSON document stored for a version: absent optional fields left out."""
    return model.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True, slots=True)
class ParsedDeclaration:
    """A declaration parsed from the wire: the domain object and the document to store."""

    declaration: domain.Declaration
    document: dict[str, Any]


def parse_declaration(payload: bytes | str | dict[str, Any]) -> ParsedDeclaration:
    """Parse JSON text or an already-decoded object; raises ``pydantic.ValidationError``."""
    if not isinstance(payload, dict):
        try:
            payload = loads_json(payload)
        except (ValueError, RecursionError) as error:
            raise ValidationError.from_exception_data(
                "DeclarationIn",
                [{"type": "json_invalid", "loc": (), "input": "", "ctx": {"error": str(error)}}],
            ) from error
    model = DECLARATION.validate_python(payload)
    return ParsedDeclaration(declaration=to_domain(model), document=to_document(model))
