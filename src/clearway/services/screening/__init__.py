"""Sanctions and denied-party screening: the name matcher (RapidFuzz), the blocking index and
the ``Screener`` that clearance, the API and the CLI use."""

from clearway.services.screening.matcher import (
    DEFAULT_SETTINGS,
    MatchSettings,
    NameMatcher,
    NameScore,
    transliterate,
)
from clearway.services.screening.screener import DEFAULT_THRESHOLD, Screener

__all__ = [
    "DEFAULT_SETTINGS",
    "DEFAULT_THRESHOLD",
    "MatchSettings",
    "NameMatcher",
    "NameScore",
    "Screener",
    "transliterate",
]
