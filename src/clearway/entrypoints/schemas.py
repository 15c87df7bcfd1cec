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
)
from pydantic_core import PydanticCustomError

from clearway.adapters.json_input import parse_json
from clearway.domain import declaration as domain
from clearway.domain.rules import Violation
from clearway.domain.text import has_control_characters


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
    name: Text140
    country: CountryCode | None = None
    address: AddressIn | None = None


class DeclarantIn(PartyIn):
    id: Annotated[str, Field(pattern=r"^[A-Z0-9]{3,17}$")] = Field(
        description="EORI number of the declarant", examples=["GB123456789000"]
    )


class TransportIn(_Wire):
    mode: Annotated[str, Field(max_length=20, examples=["sea"])]
    identity: Text35 | None = None
    nationality: CountryCode | None = None
    container: StrictBool = False


class IncotermIn(_Wire):
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["FOB"])]
    place: Place | None = None


class InvoiceIn(_Wire):
    number: Text35
    currency: CurrencyCode
    amount: Amount
    date: dt.date | None = None


class MoneyIn(_Wire):
    currency: CurrencyCode
    amount: Amount


class SupplementaryUnitsIn(_Wire):
    quantity: Quantity
    unit: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$", examples=["NAR"])]


class PackagesIn(_Wire):
    kind: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,3}$", examples=["CT"])]
    count: Annotated[StrictInt, Field(ge=0, le=99_999_999)]
    marks: Text512 | None = None


class DocumentIn(_Wire):
    type: Annotated[str, Field(pattern=r"^[A-Z0-9]{4}$", examples=["N380"])]
    reference: Text70


class QuantityIn(_Wire):
    """A quantity in a TARIC measurement unit, with its optional qualifier (``TNEI``)."""

    amount: Quantity
    unit: Annotated[str, Field(pattern=r"^[A-Z]{3}[A-Z]?$", examples=["ASV", "HLT", "RET"])]


class ControlIn(_Wire):
    list: Annotated[str, Field(max_length=20, examples=["dual-use"])]
    entry: Annotated[str, Field(max_length=20, examples=["2B350.i"])]


class ItemIn(_Wire):
    sequence: Annotated[StrictInt, Field(ge=1, le=999)]
    commodity_code: Annotated[str, Field(pattern=r"^\d{6,10}$", examples=["0702000007"])]
    description: Text512
    origin_country: CountryCode
    preference: Annotated[str, Field(pattern=r"^\d{3}$")] | None = None
    invoice_amount: Amount
    net_mass_kg: Quantity
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


class DeclarationIn(_Wire):
    """A customs declaration as lodged (see ``docs/wco-data-model.md`` for each field)."""

    type: Literal["IM", "EX"]
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
    destination_country: CountryCode
    transport: TransportIn
    incoterm: IncotermIn
    invoice: InvoiceIn
    freight: MoneyIn | None = None
    insurance: MoneyIn | None = None
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=999)]


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


def _party(party: PartyIn | None) -> domain.Party | None:
    if party is None:
        return None
    address = party.address
    return domain.Party(
        name=party.name,
        id=party.id,
        country=party.country,
        address=domain.Address(address.street, address.city, address.postcode, address.country)
        if address
        else None,
    )


def _money(money: MoneyIn | None) -> domain.Amount | None:
    return domain.Amount(money.currency, money.amount) if money else None


def to_domain(model: DeclarationIn) -> domain.Declaration:
    declarant = _party(model.declarant)
    assert declarant is not None
    return domain.Declaration(
        type=domain.DeclarationType(model.type),
        procedure=model.procedure,
        lrn=model.lrn,
        declarant=declarant,
        importer=_party(model.importer),
        exporter=_party(model.exporter),
        consignee=_party(model.consignee),
        end_user=_party(model.end_user),
        office=model.office,
        dispatch_country=model.dispatch_country,
        destination_country=model.destination_country,
        transport=domain.Transport(
            model.transport.mode,
            model.transport.identity,
            model.transport.nationality,
            model.transport.container,
        ),
        incoterm=domain.Incoterm(model.incoterm.code, model.incoterm.place),
        invoice=domain.Invoice(
            model.invoice.number, model.invoice.currency, model.invoice.amount, model.invoice.date
        ),
        freight=_money(model.freight),
        insurance=_money(model.insurance),
        items=tuple(
            domain.GoodsItem(
                sequence=item.sequence,
                commodity_code=item.commodity_code,
                description=item.description,
                origin_country=item.origin_country,
                preference=item.preference,
                invoice_amount=item.invoice_amount,
                net_mass_kg=item.net_mass_kg,
                gross_mass_kg=item.gross_mass_kg,
                supplementary_units=domain.SupplementaryUnits(
                    item.supplementary_units.quantity, item.supplementary_units.unit
                )
                if item.supplementary_units
                else None,
                packages=domain.Packages(
                    item.packages.kind, item.packages.count, item.packages.marks
                )
                if item.packages
                else None,
                documents=tuple(domain.Document(d.type, d.reference) for d in item.documents),
                additional_codes=tuple(item.additional_codes or ()),
                quantities=tuple((q.unit, q.amount) for q in item.quantities or ()),
                control=domain.ControlEntry(item.control.list, item.control.entry)
                if item.control
                else None,
            )
            for item in model.items
        ),
    )


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
