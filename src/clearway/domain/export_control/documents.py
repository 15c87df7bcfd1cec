"""Document codes by which an export item cites its licence, or declares that none is needed.

The codes are those of the EU declaration (UCC Delegated Regulation (EU) 2015/2446, Annex B,
data element 12 03 000 000 "Supporting document", TARIC document codes for dual-use exports
under Regulation (EU) 2021/821): X060 an individual licence, X061-X068 the Union general export
authorisations EU001-EU008 (Art. 12 and Annex II), X070 a global licence, X071 a national
general authorisation (Art. 12(6)); Y901 declares the goods are not on the control list.
"""

from __future__ import annotations

from dataclasses import dataclass

from clearway.domain.declaration import GoodsItem
from clearway.domain.export_control.licence import LicenceType

NOT_LISTED = "Y901"


@dataclass(frozen=True, slots=True)
class LicenceCode:
    """What a licence document code says about the licence it cites."""

    code: str
    type: LicenceType
    authorisation: str | None = None
    """The Union general export authorisation (``EU001``…) a general licence must be under."""


LICENCE_CODES: dict[str, LicenceCode] = {
    "X060": LicenceCode("X060", LicenceType.INDIVIDUAL),
    **{
        f"X06{number}": LicenceCode(f"X06{number}", LicenceType.GENERAL, f"EU00{number}")
        for number in range(1, 9)
    },
    "X070": LicenceCode("X070", LicenceType.GLOBAL),
    "X071": LicenceCode("X071", LicenceType.GENERAL, "NATIONAL"),
}


@dataclass(frozen=True, slots=True)
class CitedLicence:
    """A licence an item cites: the document's code and the licence number it gives."""

    code: LicenceCode
    number: str


def cited_licences(item: GoodsItem) -> tuple[CitedLicence, ...]:
    return tuple(
        CitedLicence(LICENCE_CODES[document.type], (document.reference or "").strip())
        for document in item.documents
        if document.type in LICENCE_CODES and document.reference is not None
    )


def declares_not_listed(item: GoodsItem) -> bool:
    return any(document.type == NOT_LISTED for document in item.documents)
