"""Business rules on the parties: who must be named, and how traders are identified."""

from __future__ import annotations

import re
from collections.abc import Iterator

from clearway.domain.declaration import Declaration, DeclarationType
from clearway.domain.rules.base import RuleContext, rule
from clearway.domain.text import has_control_characters

Found = Iterator[tuple[str, str]]

EORI = re.compile(r"^([A-Z]{2})[0-9A-Z]{1,15}$")
# Prefixes an administration issues besides its country code (XI: Northern Ireland, for GB).
NATIONAL_PREFIXES = {"GB": {"XI"}}
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


@rule("BR020", "An import names the importer", basis="UCC DA/IA Annex B, DE 3/15-3/16 importer")
def import_names_importer(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.additional_type is not None:
        return  # a WCO declaration type names them where its category needs it (BR110)
    if declaration.type is not DeclarationType.IMPORT:
        return
    if declaration.importer is None:
        yield "/importer", "an import must name the importer"
    elif not declaration.importer.id:
        yield "/importer/id", "the importer must be identified by its EORI number"


@rule("BR021", "An export names the exporter", basis="UCC DA/IA Annex B, DE 3/1-3/2 exporter")
def export_names_exporter(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.additional_type is not None:
        return  # a WCO declaration type names them where its category needs it (BR110)
    if declaration.type is not DeclarationType.EXPORT:
        return
    if declaration.exporter is None:
        yield "/exporter", "an export must name the exporter"
    elif not declaration.exporter.id:
        yield "/exporter/id", "the exporter must be identified by its EORI number"


@rule("BR022", "An export names the consignee", basis="UCC DA/IA Annex B, DE 3/9 consignee")
def export_names_consignee(declaration: Declaration, context: RuleContext) -> Found:
    if declaration.additional_type is not None:
        return  # a WCO declaration type names them where its category needs it (BR110)
    if declaration.type is DeclarationType.EXPORT and declaration.consignee is None:
        yield "/consignee", "an export must name the consignee"


@rule(
    "BR023",
    "Trader identifiers are EORI numbers",
    basis="Commission Implementing Reg. (EU) 2015/2447 Art. 7 (EORI: country code + up to 15)",
)
def identifiers_are_eori(declaration: Declaration, context: RuleContext) -> Found:
    for role, party in declaration.parties().items():
        if party.id is None:
            continue
        match = EORI.match(party.id)
        if match is None:
            yield (
                f"/{role}/id",
                f"{party.id!r} is not an EORI number (two-letter country code and up to "
                "15 letters or digits)",
            )
        elif match.group(1) not in context.reference.countries and match.group(1) != "XI":
            yield f"/{role}/id", f"{party.id!r} does not start with a country code"


@rule(
    "BR025",
    "The importer or exporter is registered with this administration",
    basis="UCC Art. 9 (EORI registration of economic operators established in the territory)",
)
def trader_registered_here(declaration: Declaration, context: RuleContext) -> Found:
    role = "importer" if declaration.type is DeclarationType.IMPORT else "exporter"
    trader = declaration.trader
    if trader is None or trader.id is None or EORI.match(trader.id) is None:
        return  # BR020, BR021 and BR023 say what is missing or malformed
    prefixes = {context.country} | NATIONAL_PREFIXES.get(context.country, set())
    if declaration.into_northern_ireland:
        prefixes |= EU_MEMBER_STATES
    if trader.id[:2] not in prefixes:
        yield (
            f"/{role}/id",
            f"the {role} must have an EORI number issued here ({', '.join(sorted(prefixes))}…), "
            f"not {trader.id[:2]}",
        )


@rule(
    "BR024",
    "Names and addresses are printable text",
    basis="WCO DM 3.6 character set (an..70 printable text)",
)
def party_text_printable(declaration: Declaration, context: RuleContext) -> Found:
    for role, party in declaration.parties().items():
        if party.name is None:
            pass
        elif not party.name.strip():
            yield f"/{role}/name", "the name is blank"
        elif has_control_characters(party.name):
            yield f"/{role}/name", "the name contains control or invisible characters"
        if party.address:
            for field_name in ("street", "city", "postcode"):
                value = getattr(party.address, field_name)
                if value is not None and has_control_characters(value):
                    yield (
                        f"/{role}/address/{field_name}",
                        "the address contains control or invisible characters",
                    )
