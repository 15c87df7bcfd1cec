"""What an amendment may not change: which declaration it is (UCC Art. 173)."""

from __future__ import annotations

from clearway.domain.declaration import Declaration
from clearway.domain.record import DeclarationRecord
from clearway.domain.rules.base import Violation


def identity_violations(record: DeclarationRecord, amended: Declaration) -> list[Violation]:
    """An amendment changes the goods and terms, never the type, the LRN or the declarant."""
    found = []
    if amended.type.value != record.type:
        found.append(Violation("AM001", "/type", f"the declaration type stays {record.type}"))
    if amended.lrn != record.lrn:
        found.append(Violation("AM002", "/lrn", f"the LRN stays {record.lrn}"))
    if amended.declarant.id != record.declarant_id:
        found.append(
            Violation("AM003", "/declarant/id", f"the declarant stays {record.declarant_id}")
        )
    return found
