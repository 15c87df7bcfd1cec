"""Scoring labelled name pairs with the clearance matcher: precision, recall and F1 at the
configured threshold and at the best-F1 threshold (``clearway screening evaluate``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clearway.domain.screening.evaluation import ScoredPair, best_threshold, counts_at
from clearway.services.screening.matcher import NameMatcher


def evaluate_pairs(
    pairs: Iterable[tuple[str, str, bool]], threshold: float, matcher: NameMatcher | None = None
) -> dict[str, Any]:
    """Every pair scored by ``matcher`` (the one screening uses by default)."""
    matcher = matcher or NameMatcher()
    scored = [ScoredPair(matcher.score(name1, name2), is_match) for name1, name2, is_match in pairs]
    at = counts_at(scored, threshold)
    best = best_threshold(scored)
    return {
        "pairs": len(scored),
        "matches": sum(pair.is_match for pair in scored),
        "threshold": threshold,
        "precision": round(at.precision, 4),
        "recall": round(at.recall, 4),
        "f1": round(at.f1, 4),
        "at_threshold": at.document(),
        "best": best.document(),
    }
