"""Business rules on the formalities of a WCO declaration, checked against the CDS code lists.

Additional procedures (UCC 1/11), authorisations (3/39) and the documents that quote them
(2/3), deferred payment (2/6 with 4/8), the goods location (5/23), the office of exit (5/12),
representation (3/21) and the LRN (2/5). Each rule applies only where its field is present,
and those about data only a WCO declaration carries only to a declaration with an additional
declaration type (UCC 1/2). A rule that needs a CDS code list does not run until the lists are
provided (``clearway.domain.cds_codes.use_cds_code_lists``).

No declaration of the UK CDS trade test pack that CDS accepted breaks any of these rules; the
pack's exports rejected for a missing or unknown office of exit or a 25-character LRN break
BR108, BR109 and BR112.
"""

from __future__ import annotations

from collections.abc import Iterator

from clearway.domain.cds_codes import (
    cds_code_lists_in_use,
    goods_location_code,
    is_not_required_status,
)
from clearway.domain.declaration import Declaration, DeclarationType
from clearway.domain.rules.base import RuleContext, rule

Found = Iterator[tuple[str, str]]

NO_OTHER_ADDITIONAL_PROCEDURE = "000"
DEFERMENT_METHOD = "E"
UN_LOCODE_QUALIFIER = "U"
REPRESENTATION = frozenset({"2", "3"})
LRN_MAX_LENGTH = 22


def _is_wco(declaration: Declaration) -> bool:
    return declaration.additional_type is not None


def _is_wco_export(declaration: Declaration) -> bool:
    return _is_wco(declaration) and declaration.type is DeclarationType.EXPORT


@rule(
    "BR101",
    "Additional procedure codes of an export are CDS codes",
    basis="UCC DA/IA Annex B, DE 1/11 additional procedure; CDS additional procedure codes "
    "(Appendix 2)",
)
def additional_procedures_known(declaration: Declaration, context: RuleContext) -> Found:
    """The CDS lists hold export codes only (and those of a C21 clearance request): an import's
    codes are not checked here."""
    lists = cds_code_lists_in_use()
    if lists is None or not _is_wco_export(declaration):
        return
    for index, item in enumerate(declaration.items):
        procedure = item.procedure or declaration.procedure
        kind = "clearance request (C21)" if lists.is_c21_procedure(procedure) else "declaration"
        for position, code in enumerate(item.additional_procedures):
            if lists.additional_procedure(procedure, code) is None:
                yield (
                    f"/items/{index}/additional_procedures/{position}",
                    f"{code!r} is not an additional procedure code of a CDS export {kind}",
                )


@rule(
    "BR102",
    "Additional procedure codes are allowed with the procedure",
    basis="UCC DA/IA Annex B, DE 1/10 and 1/11; CDS procedure and additional procedure code "
    "combinations (Appendix 1)",
)
def additional_procedures_fit_procedure(declaration: Declaration, context: RuleContext) -> Found:
    lists = cds_code_lists_in_use()
    if lists is None or not _is_wco_export(declaration):
        return
    for index, item in enumerate(declaration.items):
        procedure = item.procedure or declaration.procedure
        for position, code in enumerate(item.additional_procedures):
            # An unknown code is BR101's to report.
            if lists.additional_procedure(procedure, code) is None:
                continue
            if lists.allows_additional_procedure(procedure, code) is False:
                allowed = ", ".join(sorted(lists.allowed_additional_procedures[procedure]))
                yield (
                    f"/items/{index}/additional_procedures/{position}",
                    f"additional procedure {code} cannot be declared with procedure "
                    f"{procedure}; it allows {allowed}",
                )


@rule(
    "BR103",
    "Additional procedure 000 is declared alone",
    basis="UCC DA/IA Annex B, DE 1/11 (000: no other additional procedure code applies); "
    "CDS validation CDS12149",
)
def no_other_additional_procedure_alone(declaration: Declaration, context: RuleContext) -> Found:
    for index, item in enumerate(declaration.items):
        codes = item.additional_procedures
        if NO_OTHER_ADDITIONAL_PROCEDURE not in codes or len(codes) == 1:
            continue
        others = [code for code in codes if code != NO_OTHER_ADDITIONAL_PROCEDURE]
        first = codes.index(NO_OTHER_ADDITIONAL_PROCEDURE)
        for position, code in enumerate(codes):
            if code != NO_OTHER_ADDITIONAL_PROCEDURE:
                continue
            pointer = f"/items/{index}/additional_procedures/{position}"
            if others and position == first:
                yield (
                    pointer,
                    f"000 means no other additional procedure applies; it cannot be declared "
                    f"with {', '.join(others)}",
                )
            elif position != first:
                yield pointer, "000 is declared more than once"


@rule(
    "BR104",
    "Authorisation types of an export are CDS authorisation types",
    basis="UCC DA/IA Annex B, DE 3/39 holder of the authorisation; CDS authorisation type codes",
)
def authorisation_types_known(declaration: Declaration, context: RuleContext) -> Found:
    """The CDS list is that of exports: imports declare further types (``UKIM`` …)."""
    lists = cds_code_lists_in_use()
    if lists is None or not _is_wco_export(declaration):
        return
    for position, authorisation in enumerate(declaration.authorisations):
        if authorisation.type not in lists.authorisation_types:
            yield (
                f"/authorisations/{position}/type",
                f"{authorisation.type!r} is not a CDS authorisation type",
            )


@rule(
    "BR105",
    "A document quoting an authorisation has the authorisation's holder declared",
    basis="UCC DA/IA Annex B, DE 2/3 documents (C501-C601 authorisation numbers) and DE 3/39 "
    "holder of the authorisation",
)
def authorisation_documents_have_holder(declaration: Declaration, context: RuleContext) -> Found:
    """A document with a status of the ``X`` series (not required, waived) quotes no
    authorisation in force and needs no holder."""
    lists = cds_code_lists_in_use()
    if lists is None or not _is_wco(declaration):
        return
    held = {authorisation.type for authorisation in declaration.authorisations}
    for index, item in enumerate(declaration.items):
        for position, document in enumerate(item.documents):
            needed = lists.authorisation_documents.get(document.type)
            if needed is None or needed in held or is_not_required_status(document.status):
                continue
            yield (
                f"/items/{index}/documents/{position}",
                f"document {document.type} quotes a {needed} authorisation "
                f"({lists.authorisation_types[needed]}); declare its holder with type {needed} "
                "under authorisations",
            )


@rule(
    "BR106",
    "Payment by deferment names a deferment account",
    basis="UCC DA/IA Annex B, DE 4/8 method of payment E (deferment) and DE 2/6 deferred "
    "payment; CDS validation CDS12078",
)
def deferment_has_account(declaration: Declaration, context: RuleContext) -> Found:
    """Any deferred payment counts: CDS's only kind is the deferment account (type ``DAN``)."""
    if not _is_wco(declaration) or declaration.deferred_payments:
        return
    for index, item in enumerate(declaration.items):
        for position, payment in enumerate(item.tax_payments):
            if payment.method == DEFERMENT_METHOD:
                yield (
                    f"/items/{index}/tax_payments/{position}/method",
                    f"{payment.type} is paid by deferment (E) but no deferment account (DAN) "
                    "is declared under deferred_payments",
                )
                break


@rule(
    "BR107",
    "A goods location identified by UN/LOCODE is a CDS goods location",
    basis="UCC DA/IA Annex B, DE 5/23 location of goods (qualifier U); CDS goods location codes "
    "(Appendix 16)",
)
def goods_location_known(declaration: Declaration, context: RuleContext) -> Found:
    """Only for a country the CDS lists cover (Great Britain, the Isle of Man): a location
    abroad is another administration's to list."""
    lists = cds_code_lists_in_use()
    location = declaration.goods_location
    if (
        lists is None
        or location is None
        or not _is_wco(declaration)
        or location.qualifier != UN_LOCODE_QUALIFIER
        or location.country not in lists.goods_location_countries
    ):
        return
    code = goods_location_code(
        location.country, location.type, location.qualifier, location.name or location.id or ""
    )
    if code not in lists.goods_locations:
        yield (
            "/goods_location/name",
            f"{code} (country {location.country}, type {location.type}, qualifier U, "
            f"location {location.name}) is not a goods location code of CDS",
        )


@rule(
    "BR108",
    "An export names its customs office of exit",
    basis="UCC DA/IA Annex B, DE 5/12 customs office of exit",
)
def export_names_exit_office(declaration: Declaration, context: RuleContext) -> Found:
    if _is_wco_export(declaration) and declaration.exit_office is None:
        yield "/exit_office", "an export must name the customs office the goods leave through"


@rule(
    "BR109",
    "The office of exit is a CDS office of exit",
    basis="UCC DA/IA Annex B, DE 5/12 customs office of exit; CDS offices of exit",
)
def exit_office_known(declaration: Declaration, context: RuleContext) -> Found:
    lists = cds_code_lists_in_use()
    office = declaration.exit_office
    if lists is None or office is None or not _is_wco_export(declaration):
        return
    if office not in lists.offices_of_exit:
        yield "/exit_office", f"{office!r} is not a customs office of exit"


@rule(
    "BR110",
    "A declarant who is not the importer or exporter states its representation",
    basis="UCC Art. 18-19 (customs representation); DA/IA Annex B, DE 3/21 status",
)
def representation_stated(declaration: Declaration, context: RuleContext) -> Found:
    if not _is_wco(declaration):
        return
    representative = declaration.representative
    if representative is not None and representative.status in REPRESENTATION:
        return
    trader = declaration.trader
    declarant = declaration.declarant.id
    if trader is None or trader.id is None or declarant is None or declarant == trader.id:
        return
    role = "importer" if declaration.type is DeclarationType.IMPORT else "exporter"
    yield (
        "/representative",
        f"the declarant {declarant} is not the {role} {trader.id}: state the representation "
        "(status 2 direct or 3 indirect)",
    )


@rule(
    "BR111",
    "A document code that needs a reason gives it",
    basis="UCC DA/IA Annex B, DE 2/3 documents (reason); CDS document codes requiring a reason "
    "(Appendix 5A)",
)
def document_reason_given(declaration: Declaration, context: RuleContext) -> Found:
    lists = cds_code_lists_in_use()
    if lists is None or not _is_wco(declaration):
        return
    for index, item in enumerate(declaration.items):
        for position, document in enumerate(item.documents):
            if (
                document.type in lists.documents_requiring_reason
                and not (document.name or "").strip()
            ):
                yield (
                    f"/items/{index}/documents/{position}/name",
                    f"document {document.type} must give its reason (for example why the "
                    "goods are exempted)",
                )


@rule(
    "BR112",
    "The LRN of a WCO declaration has at most 22 characters",
    basis="UCC DA/IA Annex B, DE 2/5 local reference number (an..22)",
)
def lrn_length(declaration: Declaration, context: RuleContext) -> Found:
    if _is_wco(declaration) and len(declaration.lrn) > LRN_MAX_LENGTH:
        yield (
            "/lrn",
            f"the LRN has {len(declaration.lrn)} characters; a WCO declaration's has at most "
            f"{LRN_MAX_LENGTH}",
        )
