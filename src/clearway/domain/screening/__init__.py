"""Sanctions and denied-party screening: the listed-entity model, name normalisation, matches,
dismissals and the evaluation measures. Pure Python; the fuzzy matcher and the index that use
RapidFuzz live in ``clearway.services.screening``."""

from clearway.domain.screening.entity import (
    EntityKind,
    Identifier,
    ListedAddress,
    ListedEntity,
    ListedName,
    ListSource,
    NameStrength,
)
from clearway.domain.screening.match import Dismissal, Explanation, ScreeningMatch, party_key
from clearway.domain.screening.normalise import NormalisedName, normalise

__all__ = [
    "Dismissal",
    "EntityKind",
    "Explanation",
    "Identifier",
    "ListSource",
    "ListedAddress",
    "ListedEntity",
    "ListedName",
    "NameStrength",
    "NormalisedName",
    "ScreeningMatch",
    "normalise",
    "party_key",
]
