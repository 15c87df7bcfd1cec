"""Precision, recall and F1 of a name matcher over labelled pairs, at a threshold and at the
threshold that maximises F1 (the protocol of ``clearway screening evaluate``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScoredPair:
    score: float
    is_match: bool


@dataclass(frozen=True, slots=True)
class Counts:
    """Confusion counts at ``threshold``: a pair is predicted a match when score ≥ threshold."""

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def document(self) -> dict[str, float | int]:
        return {
            "threshold": round(self.threshold, 4),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "true_negatives": self.true_negatives,
        }


def counts_at(pairs: Sequence[ScoredPair], threshold: float) -> Counts:
    tp = fp = fn = tn = 0
    for pair in pairs:
        predicted = pair.score >= threshold
        if predicted and pair.is_match:
            tp += 1
        elif predicted:
            fp += 1
        elif pair.is_match:
            fn += 1
        else:
            tn += 1
    return Counts(threshold, tp, fp, fn, tn)


def best_threshold(pairs: Sequence[ScoredPair]) -> Counts:
    """The counts at the threshold (one of the scores seen) with the highest F1; of equal F1,
    the highest threshold."""
    ordered = sorted(pairs, key=lambda pair: pair.score, reverse=True)
    positives = sum(pair.is_match for pair in ordered)
    negatives = len(ordered) - positives
    best = Counts(1.0, 0, 0, positives, negatives)
    tp = fp = 0
    for index, pair in enumerate(ordered):
        tp += pair.is_match
        fp += not pair.is_match
        # Only a threshold at a score boundary separates the pairs scored at or above it.
        if index + 1 < len(ordered) and ordered[index + 1].score == pair.score:
            continue
        candidate = Counts(pair.score, tp, fp, positives - tp, negatives - fp)
        if candidate.f1 > best.f1:
            best = candidate
    return best
