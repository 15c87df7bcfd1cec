"""The UK Customs Declaration Service (CDS) code lists a WCO declaration is checked against.

CDS publishes its reference data as code lists: procedure codes (UCC 1/10) and the additional
procedure codes (1/11) each one may carry, authorisation types (3/39), customs offices and
offices of exit (5/12), goods location codes (5/23), package types (6/9), the document codes and
status codes that need a reason (2/3), and the validation codes CDS answers a refused
declaration with. ``CdsCodeLists`` holds them, read-only, with the look-ups the rules ask.

The lists come from an adapter (``clearway.adapters.cds_code_lists``). The rules reach them
through ``cds_code_lists_in_use``: the composition root names the source once with
``use_cds_code_lists``, and until it does the rules that need a CDS list do not run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

# The first character of a document status code (UCC 2/3, CDS Appendix 5B) says where the
# document is: ``X`` is the series for documents that are not required, exempted or waived.
NOT_REQUIRED_STATUS_SERIES = "X"


@dataclass(frozen=True, slots=True)
class GoodsLocationCode:
    """A goods location code of a CDS list (UCC 5/23): ``GBAUDYCABZDYC`` is country ``GB``,
    type ``A`` (designated location), qualifier ``U`` (UN/LOCODE-based), identifier
    ``DYCABZDYC`` (Aberdeen Airport - Dyce); ``lists`` names the CDS lists holding it
    (``airports-16a`` …)."""

    code: str
    description: str
    lists: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CdsCodeLists:
    """Every CDS code list, by code. Texts are CDS's English descriptions."""

    procedures: Mapping[str, str]
    """Export procedure codes (UCC 1/10) of the full declaration."""
    c21_procedures: Mapping[str, str]
    """The procedure codes of an export customs clearance request (C21: ``0012`` …)."""
    additional_procedures: Mapping[str, str]
    """Export additional procedure codes (UCC 1/11)."""
    c21_additional_procedures: Mapping[str, str]
    """The additional procedure codes of a C21 customs clearance request."""
    allowed_additional_procedures: Mapping[str, frozenset[str]]
    """For each procedure code, the additional procedure codes it may be declared with."""
    authorisation_types: Mapping[str, str]
    """Authorisation type codes of a holder of an authorisation (UCC 3/39): ``CGU`` …"""
    authorisation_tags: Mapping[str, frozenset[str]]
    """CDS's tags on authorisation types (``CodesRequiringDocumentation`` …)."""
    authorisation_documents: Mapping[str, str]
    """Document codes (UCC 2/3) that quote an authorisation, with its type: ``C505`` ``CGU``."""
    documents_requiring_reason: frozenset[str]
    """Document codes (UCC 2/3) that must be declared with a reason (``Y929`` …)."""
    statuses_requiring_reason: frozenset[str]
    """Document status codes that must be declared with a reason (``XW``, ``XX`` …)."""
    customs_offices: Mapping[str, str]
    offices_of_exit: Mapping[str, str]
    """Customs offices of exit (UCC 5/12)."""
    goods_locations: Mapping[str, GoodsLocationCode]
    goods_location_countries: frozenset[str]
    """The countries the goods location lists hold codes for (``GB``, ``IM``)."""
    package_types: Mapping[str, str]
    """Kinds of package (UCC 6/9, UN/ECE Recommendation 21)."""
    validation_codes: Mapping[str, str]
    """The validation codes of CDS notifications (``CDS10001`` …) with their texts."""

    def is_c21_procedure(self, procedure: str) -> bool:
        """Whether ``procedure`` is one of a C21 customs clearance request (``0012`` …)."""
        return procedure in self.c21_procedures

    def additional_procedure(self, procedure: str, code: str) -> str | None:
        """The description of additional procedure ``code`` in the list that serves
        ``procedure`` (the C21 list for a C21 procedure), ``None`` when it has none."""
        if self.is_c21_procedure(procedure):
            return self.c21_additional_procedures.get(code)
        return self.additional_procedures.get(code)

    def allows_additional_procedure(self, procedure: str, code: str) -> bool | None:
        """Whether ``code`` may be declared with ``procedure``; ``None`` when the lists say
        nothing about ``procedure``."""
        allowed = self.allowed_additional_procedures.get(procedure)
        return None if allowed is None else code in allowed


def goods_location_code(country: str, type: str, qualifier: str, identifier: str) -> str:
    """The full goods location code of its parts: ``GB`` ``A`` ``U`` ``DYCABZDYC`` make
    ``GBAUDYCABZDYC``."""
    return f"{country}{type}{qualifier}{identifier}"


def is_not_required_status(status: str | None) -> bool:
    """Whether a document status says the document is not required, exempted or waived."""
    return status is not None and status.startswith(NOT_REQUIRED_STATUS_SERIES)


class CdsCodeListSource(Protocol):
    """Where the code lists come from: called when a rule first needs them."""

    def __call__(self) -> CdsCodeLists: ...


_sources: list[CdsCodeListSource] = []


def use_cds_code_lists(source: CdsCodeListSource | None) -> None:
    """Name the source of the CDS code lists the rules check against (``None``: none)."""
    _sources[:] = [] if source is None else [source]


def cds_code_lists_in_use() -> CdsCodeLists | None:
    """The CDS code lists from the source named, ``None`` when none is."""
    return _sources[0]() if _sources else None
