"""Business rules on the declaration header: type, procedure, countries, terms, money, dates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from clearway.domain.declaration import Declaration, DeclarationType
from clearway.domain.incoterms import INCOTERMS_2020
from clearway.domain.procedures import direction, well_formed
from clearway.domain.rules.base import RuleContext, rule
from clearway.domain.rules.parties import EU_MEMBER_STATES

Found = Iterator[tuple[str, str]]

SEA_MODES = frozenset({"sea", "inland_waterway"})
# Release for free circulation with a VAT-exempt supply on to another EU member state (UCC
# Annex B, DE 1/10 codes 42 and 63; in the UK, for goods into Northern Ireland).
ONWARD_SUPPLY = frozenset({"42", "63"})
CONTAINER_MODES = frozenset({"sea", "rail", "road", "inland_waterway"})
FLIGHT_NUMBER = re.compile(r"^[A-Z0-9]{2}[A-Z]?\d{1,4}[A-Z]?$")
LIMITATION_YEARS = 3


def _years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (a period in years counts calendar years, not
    365-day blocks); 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@rule("BR001", "Procedure code fits the declaration type", basis="UCC DA/IA Annex B, DE 1/10")
def procedure_fits_type(declaration: Declaration, context: RuleContext) -> Found:
    procedure = context.reference.procedures.get(declaration.procedure)
    if procedure is None and declaration.additional_type and well_formed(declaration.procedure):
        required = direction(declaration.procedure)
        if required and required != declaration.type.value:
            yield (
                "/procedure",
                f"procedure {declaration.procedure} is for {required} declarations, "
                f"not {declaration.type.value}",
            )
        return
    if (
        procedure
        and procedure.declaration_type
        and procedure.declaration_type != declaration.type.value
    ):
        yield (
            "/procedure",
            f"procedure {declaration.procedure} ({procedure.description}) is for "
            f"{procedure.declaration_type} declarations, not {declaration.type.value}",
        )


@rule(
    "BR002",
    "Item invoice amounts add up to the invoice total",
    basis="WTO Valuation Agreement Art. 1 (price actually paid or payable)",
)
def items_sum_to_invoice(declaration: Declaration, context: RuleContext) -> Found:
    invoice = declaration.invoice
    amounts = [item.invoice_amount for item in declaration.items]
    if invoice is None or None in amounts:
        return
    items_total = sum((amount for amount in amounts if amount is not None), Decimal(0))
    if items_total != invoice.amount:
        yield (
            "/invoice/amount",
            f"items add up to {items_total} {invoice.currency} but the invoice "
            f"total is {invoice.amount}",
        )


@rule("BR003", "Invoice total is positive", basis="WTO Valuation Agreement Art. 1")
def invoice_positive(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.invoice and declaration.invoice.amount <= 0:
        yield "/invoice/amount", "the invoice total must be greater than zero"


@rule("BR004", "Incoterm names its place", basis="ICC Incoterms 2020 (every rule names a place)")
def incoterm_place_present(declaration: Declaration, context: RuleContext) -> Found:
    incoterm = declaration.incoterm
    if incoterm and not (incoterm.place or "").strip():
        yield "/incoterm/place", f"{incoterm.code} must name its place"


@rule(
    "BR005",
    "Sea-only Incoterms are used with sea or inland waterway transport",
    basis="ICC Incoterms 2020, rules for sea and inland waterway transport (FAS, FOB, CFR, CIF)",
)
def sea_incoterm_with_sea_transport(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.additional_type is not None:
        return  # checked on a full declaration; CDS takes it on the WCO declaration types
    term = INCOTERMS_2020.get(declaration.incoterm.code) if declaration.incoterm else None
    transport = declaration.transport
    if term and transport and term.sea_only and transport.mode not in SEA_MODES:
        yield (
            "/incoterm/code",
            f"{term.code} is for sea and inland waterway transport only; "
            f"goods travel by {transport.mode}",
        )


@rule(
    "BR006",
    "An import is declared in the administration's country",
    basis="UCC Art. 159 (competent customs office)",
)
def import_destination_is_here(declaration: Declaration, context: RuleContext) -> Found:
    if (
        declaration.type is DeclarationType.IMPORT
        and declaration.destination_country != context.country
        and not (
            (declaration.into_northern_ireland or declaration.procedure[:2] in ONWARD_SUPPLY)
            and declaration.destination_country in EU_MEMBER_STATES
        )
    ):
        yield (
            "/destination_country",
            f"an import declared here must have destination {context.country}, "
            f"not {declaration.destination_country}",
        )


@rule("BR007", "An export leaves the country", basis="UCC Art. 269 (export procedure)")
def export_destination_abroad(declaration: Declaration, context: RuleContext) -> Found:
    if (
        declaration.type is DeclarationType.EXPORT
        and declaration.destination_country == context.country
    ):
        yield (
            "/destination_country",
            f"an export cannot have the exporting country {context.country} as destination",
        )


@rule(
    "BR008",
    "An import states a country of dispatch other than the destination",
    basis="UCC DA/IA Annex B, DE 5/14 country of dispatch",
)
def import_has_dispatch_country(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.type is not DeclarationType.IMPORT:
        return
    if declaration.dispatch_country is None:
        if declaration.additional_type is not None:
            return  # a WCO declaration type states it where its category needs it
        yield "/dispatch_country", "an import must state the country of dispatch"
    elif declaration.dispatch_country == declaration.destination_country:
        yield "/dispatch_country", "the country of dispatch must differ from the destination"


@rule(
    "BR009",
    "Freight is declared when the price excludes the main carriage",
    basis="WTO Valuation Agreement Art. 8.2(a) (CIF basis)",
)
def freight_declared_when_excluded(declaration: Declaration, context: RuleContext) -> Found:
    term = INCOTERMS_2020.get(declaration.incoterm.code) if declaration.incoterm else None
    if (
        declaration.type is DeclarationType.IMPORT
        and context.import_basis == "CIF"
        and term is not None
        and not term.includes_main_carriage
        and declaration.freight is None
    ):
        yield (
            "/freight",
            f"under {term.code} the price excludes carriage to the border; declare the freight",
        )


@rule(
    "BR010",
    "Freight and insurance are not negative; insurance does not exceed the invoice",
    basis="WTO Valuation Agreement Art. 8.2(c) (cost of insurance)",
)
def freight_and_insurance_sane(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.freight and declaration.freight.value < 0:
        yield "/freight/amount", "freight cannot be negative"
    insurance = declaration.insurance
    invoice = declaration.invoice
    if insurance and insurance.value < 0:
        yield "/insurance/amount", "insurance cannot be negative"
    elif (
        insurance
        and invoice
        and insurance.currency == invoice.currency
        and insurance.value > invoice.amount
    ):
        yield (
            "/insurance/amount",
            f"insurance {insurance.value} exceeds the value of the goods "
            f"{invoice.amount} {insurance.currency}",
        )


@rule(
    "BR011",
    "The invoice is not dated in the future",
    basis="WTO Valuation Agreement Art. 1 (a sale that has taken place)",
)
def invoice_not_future(declaration: Declaration, context: RuleContext) -> Found:
    issued = declaration.invoice.date if declaration.invoice else None
    if issued is not None and issued > context.today:
        yield "/invoice/date", f"the invoice date {issued.isoformat()} is in the future"


@rule(
    "BR012",
    "The invoice is dated within the three-year limitation period",
    basis="UCC Art. 103(1) (three-year limitation on customs debt)",
)
def invoice_within_limitation(declaration: Declaration, context: RuleContext) -> Found:
    issued = declaration.invoice.date if declaration.invoice else None
    if issued is not None and issued < _years_before(context.today, LIMITATION_YEARS):
        yield (
            "/invoice/date",
            f"the invoice date {issued.isoformat()} is more than three years ago",
        )


@rule(
    "BR013",
    "Ships and aircraft are identified",
    basis="UCC DA/IA Annex B, DE 7/14 identity of active means of transport crossing the border",
)
def transport_identified(declaration: Declaration, context: RuleContext) -> Found:
    transport = declaration.transport
    if transport is None or declaration.additional_type is not None:
        return  # a WCO declaration type states the active means where its category needs it
    if transport.mode in {"sea", "air"} and not (transport.identity or "").strip():
        kind = "vessel name or IMO number" if transport.mode == "sea" else "flight number"
        yield "/transport/identity", f"{transport.mode} transport must give its {kind}"


@rule(
    "BR014",
    "Air transport is identified by a flight number",
    basis="IATA Resolution 762 (airline designator and flight number)",
)
def air_identity_is_flight_number(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.additional_type is not None:
        return  # checked on a full declaration; CDS takes it on the WCO declaration types
    transport = declaration.transport
    if transport is None:
        return
    identity = (transport.identity or "").replace(" ", "")
    if transport.mode == "air" and identity and not FLIGHT_NUMBER.match(identity):
        yield (
            "/transport/identity",
            f"{transport.identity!r} is not a flight number (airline designator and 1-4 digits)",
        )


@rule(
    "BR015",
    "Containers travel by sea, rail, road or inland waterway",
    basis="UCC DA/IA Annex B, DE 7/2 container",
)
def container_mode(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.additional_type is not None:
        return  # checked on a full declaration; CDS takes it on the WCO declaration types
    transport = declaration.transport
    if transport and transport.container and transport.mode not in CONTAINER_MODES:
        yield (
            "/transport/container",
            f"goods carried by {transport.mode} are not declared as containerised",
        )


@rule(
    "BR016",
    "The customs office belongs to this administration",
    basis="UCC Art. 159 (competent customs office)",
)
def office_in_country(declaration: Declaration, context: RuleContext) -> Found:
    office_country = context.reference.offices.get(declaration.office)
    if office_country is not None and office_country != context.country:
        yield (
            "/office",
            f"office {declaration.office} is in {office_country}, not {context.country}",
        )
