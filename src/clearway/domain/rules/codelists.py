"""Code-list rules: every coded field must hold a code from its list."""

from __future__ import annotations

from collections.abc import Iterator

from clearway.domain.declaration import Declaration
from clearway.domain.incoterms import EARLIER_INCOTERMS, INCOTERMS_2020
from clearway.domain.procedures import well_formed
from clearway.domain.reference import UnusableRate
from clearway.domain.rules.base import RuleContext, rule

Found = Iterator[tuple[str, str]]


def _country_fields(declaration: Declaration) -> Iterator[tuple[str, str | None]]:
    yield "/destination_country", declaration.destination_country
    yield "/dispatch_country", declaration.dispatch_country
    yield (
        "/transport/nationality",
        (declaration.transport.nationality if declaration.transport else None),
    )
    for role, party in declaration.parties().items():
        yield f"/{role}/country", party.country
        if party.address:
            yield f"/{role}/address/country", party.address.country
    for position, country in enumerate(declaration.routing_countries):
        yield f"/routing_countries/{position}", country
    if declaration.goods_location:
        yield "/goods_location/country", declaration.goods_location.country
    for index, item in enumerate(declaration.items):
        yield f"/items/{index}/origin_country", item.origin_country
        yield f"/items/{index}/dispatch_country", item.dispatch_country


def _currency_fields(declaration: Declaration) -> Iterator[tuple[str, str | None]]:
    yield "/invoice/currency", declaration.invoice.currency if declaration.invoice else None
    for position, charge in enumerate(declaration.charges):
        yield f"/charges/{position}/currency", charge.currency
    for index, item in enumerate(declaration.items):
        for name in ("statistical_value", "customs_value"):
            amount = getattr(item, name)
            yield f"/items/{index}/{name}/currency", amount.currency if amount else None
    yield "/freight/currency", declaration.freight.currency if declaration.freight else None
    yield "/insurance/currency", declaration.insurance.currency if declaration.insurance else None


@rule("CL001", "Commodity code extends an HS 2022 subheading", basis="WCO HS Convention 2022")
def commodity_code_in_hs(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.commodity_code is None:
            continue
        if not context.reference.extends_hs_subheading(item.commodity_code):
            yield (
                f"/items/{index}/commodity_code",
                f"{item.commodity_code} does not extend any HS 2022 subheading "
                f"({item.commodity_code[:6]} is not one)",
            )


@rule("CL002", "Country codes are ISO 3166-1 alpha-2", basis="ISO 3166-1; WCO DM 3.6 code list")
def countries_known(declaration: Declaration, context: RuleContext) -> Found:
    for pointer, code in _country_fields(declaration):
        if code is not None and code not in context.reference.countries:
            yield pointer, f"{code!r} is not an ISO 3166-1 alpha-2 country code"


@rule("CL003", "Currency codes are ISO 4217", basis="ISO 4217")
def currencies_known(declaration: Declaration, context: RuleContext) -> Found:
    for pointer, code in _currency_fields(declaration):
        if code is not None and code not in context.reference.currencies:
            yield pointer, f"{code!r} is not an ISO 4217 currency code"


@rule("CL004", "Incoterm is an Incoterms 2020 rule", basis="ICC Incoterms 2020")
def incoterm_known(declaration: Declaration, context: RuleContext) -> Found:
    incoterm = declaration.incoterm
    if incoterm is None or incoterm.code in INCOTERMS_2020:
        return
    if declaration.additional_type is not None and incoterm.code in EARLIER_INCOTERMS:
        return  # a contract under an earlier edition, which a WCO declaration may name
    yield "/incoterm/code", f"{incoterm.code!r} is not an Incoterms 2020 rule"


@rule("CL005", "Procedure code is known", basis="UCC DA/IA Annex B, DE 1/10 procedure")
def procedure_known(declaration: Declaration, context: RuleContext) -> Found:
    stated = [("/procedure", declaration.procedure)] + [
        (f"/items/{index}/procedure", item.procedure)
        for index, item in enumerate(declaration.items)
        if item.procedure is not None
    ]
    for pointer, procedure in stated:
        if procedure in context.reference.procedures:
            continue
        if declaration.additional_type is not None and well_formed(procedure):
            continue  # a WCO declaration's pairing of two UCC procedure codes
        yield pointer, f"{procedure!r} is not a known procedure code"


@rule("CL006", "Package kind is a UN/ECE Rec. 21 code", basis="UN/ECE Recommendation 21")
def package_kind_known(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        kind = item.packages.kind if item.packages else None
        if kind is not None and kind not in context.reference.package_kinds:
            yield (
                f"/items/{index}/packages/kind",
                f"{kind!r} is not a UN/ECE Recommendation 21 package code",
            )


@rule("CL007", "Supplementary unit is known", basis="UN/ECE Recommendation 20; TARIC units")
def unit_known(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        units = item.supplementary_units
        if units and units.unit is not None and units.unit not in context.reference.units:
            yield (
                f"/items/{index}/supplementary_units/unit",
                f"{units.unit!r} is not a known supplementary unit code",
            )


@rule("CL008", "Preference code is known", basis="UCC DA/IA Annex B, DE 4/17 preference")
def preference_known(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.preference is not None and item.preference not in context.reference.preferences:
            yield f"/items/{index}/preference", f"{item.preference!r} is not a preference code"


@rule(
    "CL009",
    "Customs office is an office of this administration",
    basis="UCC Art. 159 (competent customs office)",
)
def office_known(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.office not in context.reference.offices:
        yield "/office", f"{declaration.office!r} is not a customs office of this administration"


@rule("CL010", "Transport mode is known", basis="UN/ECE Recommendation 19 modes of transport")
def transport_mode_known(declaration: Declaration, context: RuleContext) -> Found:
    transport = declaration.transport
    if transport and transport.mode and transport.mode not in context.reference.transport_modes:
        modes = ", ".join(sorted(context.reference.transport_modes))
        yield "/transport/mode", f"{transport.mode!r} is not one of: {modes}"


@rule("CL011", "Control list is known", basis="Reg. (EU) 2021/821 Annex I; UK Military List")
def control_list_known(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.control and item.control.list not in context.reference.control_lists:
            lists = ", ".join(sorted(context.reference.control_lists))
            yield (
                f"/items/{index}/control/list",
                f"{item.control.list!r} is not a control list (known: {lists})",
            )


@rule(
    "CL012",
    "An exchange rate is valid for every currency on the acceptance date",
    basis="UCC Art. 53 (currency conversion at the rate of the acceptance date)",
)
def exchange_rate_available(declaration: Declaration, context: RuleContext) -> Found:
    for pointer, code in _foreign_currencies(declaration, context):
        if context.reference.rates.in_force(code, context.today) is None:
            yield pointer, f"no exchange rate for {code} is valid on {context.today.isoformat()}"


@rule(
    "CL013",
    "The exchange rate stored for every currency is usable",
    basis="UCC Art. 53 (conversion at the rate published for the acceptance date)",
)
def exchange_rate_usable(declaration: Declaration, context: RuleContext) -> Found:
    # A rate stored before rates were checked (or written straight into the database) may be
    # zero, infinite or absurd: the declaration is refused, naming the rate, rather than valued
    # at it or failing.
    for pointer, code in _foreign_currencies(declaration, context):
        try:
            context.reference.rates.rate(code, context.today)
        except UnusableRate as unusable:
            yield pointer, str(unusable)


def _foreign_currencies(declaration: Declaration, context: RuleContext) -> Found:
    """Each known currency other than the national one, with the field it is declared in."""
    for pointer, code in _currency_fields(declaration):
        if (
            code is not None
            and code != context.national_currency
            and code in context.reference.currencies
        ):
            yield pointer, code
