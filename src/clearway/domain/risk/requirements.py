"""What the tariff's prohibitions and restrictions demand of clearance when they are not met.

The duty engine evaluates every series A and B measure on an item against the documents the
item declares (``domain.tariff.options.Requirement``). Here an unmet one decides the check:

- **a prohibition** (series A: e.g. import bans, CITES Annex A, weapons) not lifted by the
  documents its conditions name holds the goods in the **red** lane: the goods are examined and
  an officer refuses release unless an exemption or the missing licence is produced;
- **a restriction** (series B: sanitary and phytosanitary certificates, licences, surveillance
  documents) whose documents are not declared holds the goods in the **yellow** lane for a
  document check (UCC Art. 188(a): customs examine the declaration and its supporting
  documents): the goods may go once the certificate is produced.

UCC Art. 194(1): goods are released only when they are subject to no prohibition and every
restriction has been applied.

No selectivity criterion, random draw or AEO status lightens these checks; a criterion can
only make them stricter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from clearway.domain.risk.lane import Lane, most_severe
from clearway.domain.tariff.options import ItemAssessment


@dataclass(frozen=True, slots=True)
class UnmetRequirement:
    """One prohibition or restriction an item does not meet, as an officer reads it."""

    item: int
    measure_type: str
    description: str
    documents: tuple[str, ...]
    prohibition: bool
    detail: str

    @property
    def lane(self) -> Lane:
        return Lane.RED if self.prohibition else Lane.YELLOW

    def sentence(self) -> str:
        named = " or ".join(self.documents) if self.documents else "no document lifts it"
        kind = "prohibition" if self.prohibition else "restriction"
        return (
            f"item {self.item}: {kind} {self.measure_type} ({self.description}) not met, "
            f"documents required: {named}"
        )

    def document(self) -> dict[str, object]:
        return {
            "item": self.item,
            "measure_type": self.measure_type,
            "description": self.description,
            "documents": list(self.documents),
            "prohibition": self.prohibition,
            "detail": self.detail,
            "lane": self.lane.value,
        }


def unmet_requirements(assessments: Mapping[int, ItemAssessment]) -> list[UnmetRequirement]:
    """Every requirement not met, item by item, in item order."""
    return [
        UnmetRequirement(
            item=sequence,
            measure_type=requirement.measure_type,
            description=requirement.description,
            documents=requirement.documents,
            prohibition=requirement.prohibition,
            detail=requirement.detail,
        )
        for sequence, assessment in sorted(assessments.items())
        for requirement in assessment.requirements
        if not requirement.satisfied
    ]


def required_lane(unmet: Iterable[UnmetRequirement]) -> Lane | None:
    """The check the unmet requirements call for; None when every one is met."""
    lanes = [requirement.lane for requirement in unmet]
    return most_severe(lanes) if lanes else None
