"""Business rules on goods items: numbering, classification, masses, units, packages, documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from clearway.domain.declaration import Declaration, DeclarationType
from clearway.domain.rules.base import RuleContext, rule
from clearway.domain.text import has_control_characters

Found = Iterator[tuple[str, str]]

MAX_ITEMS = 999
INVOICE_DOCUMENTS = frozenset({"N380", "N935"})
# DE 4/17 first digit: 1 third-country duty, 2 GSP, 3 trade-agreement preference.
PREFERENTIAL = frozenset({"2", "3"})
CONTROL_ENTRY = {
    "dual-use": re.compile(r"^[0-9][A-E][0-9]{3}(\.[a-z0-9]+)*$"),
    "military": re.compile(r"^ML(?:[1-9]|1[0-9]|2[0-2])(\.[a-z0-9]+)*$"),
}
GENERIC_DESCRIPTIONS = frozenset(
    {
        "goods",
        "parts",
        "spare parts",
        "accessories",
        "general cargo",
        "cargo",
        "fak",
        "freight of all kinds",
        "said to contain",
        "stc",
        "consolidated",
        "consolidation",
        "samples",
        "sample",
        "various",
        "miscellaneous",
        "misc",
        "merchandise",
        "products",
        "items",
        "n/a",
        "na",
        "tbd",
        "tba",
        "gift",
        "gifts",
        "personal effects",
    }
)


@rule("BR030", "Goods items are numbered 1, 2, 3 … in order", basis="UCC DE 1/6 goods item number")
def items_numbered(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.sequence != index + 1:
            yield f"/items/{index}/sequence", f"item {index + 1} is numbered {item.sequence}"


@rule("BR031", "At most 999 goods items", basis="UCC DA/IA Annex B, DE 1/6 (n..3)")
def at_most_999_items(declaration: Declaration, context: RuleContext) -> Found:
    if len(declaration.items) > MAX_ITEMS:
        yield "/items", f"{len(declaration.items)} goods items; a declaration holds at most 999"


@rule(
    "BR032",
    "Commodity codes have 6, 8 or 10 digits",
    basis="HS (6), Combined Nomenclature (8), TARIC (10)",
)
def commodity_code_length(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.commodity_code is not None and len(item.commodity_code) not in {6, 8, 10}:
            yield (
                f"/items/{index}/commodity_code",
                f"{item.commodity_code} has {len(item.commodity_code)} digits; "
                "use 6 (HS), 8 (CN) or 10 (TARIC)",
            )


@rule("BR033", "Net mass is greater than zero", basis="UCC DE 6/1 net mass (kg)")
def net_mass_positive(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.net_mass_kg is not None and item.net_mass_kg <= 0:
            yield f"/items/{index}/net_mass_kg", "net mass must be greater than zero"


@rule(
    "BR034",
    "Gross mass is not less than net mass",
    basis="UCC DE 6/5 gross mass (includes packing)",
)
def gross_not_below_net(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if (
            item.gross_mass_kg is not None
            and item.net_mass_kg is not None
            and item.gross_mass_kg < item.net_mass_kg
        ):
            yield (
                f"/items/{index}/gross_mass_kg",
                f"gross mass {item.gross_mass_kg} kg is less than net mass {item.net_mass_kg} kg",
            )


@rule("BR035", "Item invoice amounts are positive", basis="WTO Valuation Agreement Art. 1")
def item_amount_positive(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.invoice_amount is not None and item.invoice_amount <= 0:
            yield f"/items/{index}/invoice_amount", "the item amount must be greater than zero"


@rule(
    "BR036",
    "Goods descriptions are precise enough to identify the goods",
    basis="UCC DE 6/8 description of goods (plain language, precise enough for classification)",
)
def description_precise(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.description is None:
            continue
        text = item.description.strip()
        pointer = f"/items/{index}/description"
        if has_control_characters(text):
            yield pointer, "the description contains control or invisible characters"
        elif len(text) < 5 or text.lower().rstrip(".") in GENERIC_DESCRIPTIONS:
            yield pointer, f"{text!r} is too vague to identify the goods"


@rule(
    "BR037",
    "Supplementary quantities are greater than zero",
    basis="UCC DE 6/2 supplementary units",
)
def supplementary_quantity_positive(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.supplementary_units and item.supplementary_units.quantity <= 0:
            yield (
                f"/items/{index}/supplementary_units/quantity",
                "the supplementary quantity must be greater than zero",
            )


@rule(
    "BR038",
    "Packaged goods give a package count and shipping marks",
    basis="UCC DE 6/10 number of packages, 6/11 shipping marks (not for bulk)",
)
def packages_counted_and_marked(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        packages = item.packages
        if packages is None:
            continue
        kind = context.reference.package_kinds.get(packages.kind) if packages.kind else None
        if kind is None or kind.bulk:
            continue
        if packages.count is not None and packages.count < 1:
            yield f"/items/{index}/packages/count", f"{kind.description} goods need a package count"
        if not (packages.marks or "").strip():
            yield f"/items/{index}/packages/marks", "packaged goods need their shipping marks"


@rule(
    "BR039",
    "A preference is claimed only on imports of foreign goods",
    basis="UCC Art. 56(2)(d)-(e) (tariff preferences on import)",
)
def preference_on_foreign_imports(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        if item.preference is None:
            continue
        if declaration.type is DeclarationType.EXPORT:
            yield f"/items/{index}/preference", "a tariff preference is claimed only on imports"
        elif (
            item.preference[:1] in PREFERENTIAL
            and item.origin_country == context.country
            and not declaration.into_northern_ireland
        ):
            yield (
                f"/items/{index}/preference",
                f"a preferential rate cannot be claimed on goods of {context.country} origin",
            )


@rule(
    "BR040",
    "A document is not quoted twice on one item",
    basis="UCC DE 2/3 documents produced",
)
def documents_not_repeated(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        seen: set[tuple[str, str]] = set()
        for position, document in enumerate(item.documents):
            if document.reference is None:
                continue
            key = (document.type, document.reference.strip())
            if key in seen:
                yield (
                    f"/items/{index}/documents/{position}",
                    f"document {document.type} {document.reference} is already quoted",
                )
            seen.add(key)


@rule(
    "BR041",
    "A quoted commercial invoice matches the invoice number",
    basis="UCC DE 2/3 document code N380/N935 (invoice on which the value is based)",
)
def invoice_document_matches(declaration: Declaration, context: RuleContext) -> Found:
    invoice = declaration.invoice
    if invoice is None or invoice.number is None:
        return
    for index, item in enumerate(declaration.items):
        for position, document in enumerate(item.documents):
            if (
                document.type in INVOICE_DOCUMENTS
                and document.reference is not None
                and document.reference.strip() != invoice.number.strip()
            ):
                yield (
                    f"/items/{index}/documents/{position}/reference",
                    f"invoice {document.reference} does not match the declared invoice "
                    f"{invoice.number}",
                )


@rule(
    "BR042",
    "Control-list entries follow their list's numbering",
    basis="Reg. (EU) 2021/821 Annex I (category, group, number); UK Military List ML1-ML22",
)
def control_entry_format(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        control = item.control
        if control is None or control.list not in CONTROL_ENTRY:
            continue
        if not CONTROL_ENTRY[control.list].match(control.entry):
            yield (
                f"/items/{index}/control/entry",
                f"{control.entry!r} is not a {control.list} control-list entry",
            )


@rule(
    "BR043",
    "Net mass per supplementary unit is plausible",
    basis="UCC DE 6/1 and 6/2 (masses and quantities of the same goods)",
)
def mass_per_unit_plausible(declaration: Declaration, context: RuleContext) -> Found:
    """A mass unit (kg) declared as supplementary quantity cannot exceed the net mass."""
    for index, item in enumerate(declaration.items):
        units = item.supplementary_units
        net = item.net_mass_kg
        if (
            units
            and net is not None
            and units.unit == "KGM"
            and units.quantity > net * Decimal("1.0001")
        ):
            yield (
                f"/items/{index}/supplementary_units/quantity",
                f"{units.quantity} kg as supplementary quantity exceeds the net mass "
                f"{item.net_mass_kg} kg",
            )
