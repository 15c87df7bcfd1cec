"""What screening a name finds: a match against a listed entity with its score and the reasons
for it, the key that says which declared party was screened, and an officer's dismissal of a
match as a false positive for that party."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clearway.domain.declaration import Party
from clearway.domain.screening.entity import EntityKind, ListSource, NameStrength
from clearway.domain.screening.normalise import normalise


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a name matched: one plain-language sentence, and the figures behind the score
    (``name``, ``words``, ``joined``, ``country`` … each 0 to 1, or an adjustment)."""

    text: str
    components: Mapping[str, float] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {"text": self.text, "components": dict(self.components)}


@dataclass(frozen=True, slots=True)
class ScreeningMatch:
    """A listed entity that a screened name resembles closely enough to report."""

    entity_id: str
    source: ListSource
    kind: EntityKind
    listed_name: str
    """The entity's primary name."""
    matched_name: str
    """The entity's name (primary, alias or weak alias) that the screened name resembled."""
    matched_strength: NameStrength
    score: float
    """0 to 1; the screener reports matches at or above its threshold."""
    explanation: Explanation
    programmes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    mixed_script: bool = False
    """The screened name mixes Latin letters with look-alike letters of another script
    (``BANCO`` typed with the Cyrillic letters for B, A, C and O): a disguise, and a warning
    sign by itself (Unicode Technical Standard #39, §5 mixed-script detection)."""

    def document(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "source": self.source.value,
            "kind": self.kind.value,
            "listed_name": self.listed_name,
            "matched_name": self.matched_name,
            "matched_strength": self.matched_strength.value,
            "score": round(self.score, 4),
            "explanation": self.explanation.document(),
            "programmes": list(self.programmes),
            "countries": list(self.countries),
            "mixed_script": self.mixed_script,
        }


def party_key(party: Party) -> str:
    """A stable key for "this party": its identifier when it has one, its normalised name
    (words in sorted order, legal forms dropped) and its country, e.g.
    ``GB123456789000|acme trading|GB``. Dismissals of false positives are held by this key,
    so a dismissal made for one trader never hides a match on another."""
    words = " ".join(sorted(normalise(party.name).words)) if party.name else ""
    return f"{(party.id or '').strip().upper()}|{words}|{(party.country_code or '').upper()}"


@dataclass(frozen=True, slots=True)
class Dismissal:
    """An agency officer's decision that ``entity_id`` is not the party behind ``party_key``."""

    id: int
    party_key: str
    entity_id: str
    reason: str
    decided_by: str
    decided_at: datetime
    party_name: str = ""

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "party_key": self.party_key,
            "party_name": self.party_name,
            "entity_id": self.entity_id,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat(),
        }
