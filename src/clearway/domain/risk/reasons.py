"""Why the model scored a declaration as it did, in words an officer reads at the counter.

The model gives each feature's contribution to the score (TreeSHAP, in log-odds). Features of
one history key (an importer's counts, fraud rate and usual price) are one reason: their
contributions are added up and the reason is told from the key's own figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from clearway.domain.risk.history_keys import KEYS, HistoryKey

TOP_REASONS = 3
_KEYS = {key.name: key for key in KEYS}

_NUMBER_PHRASES = {
    "value_log": "declared value of {value:,.2f}",
    "net_mass_log": "net mass of {value:,.1f} kg",
    "unit_price_log": "unit price of {value:,.2f} per kg",
    "mass_per_value": "{value:.4f} kg per unit of value",
    "tax_rate": "duty rate of {value:g}%",
    "tax_log": "duty of about {value:,.0f}",
}


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    contribution: float
    text: str

    def document(self) -> dict[str, object]:
        return {
            "feature": self.feature,
            "contribution": round(self.contribution, 4),
            "text": self.text,
        }


def reasons(
    names: Sequence[str],
    row: Sequence[float],
    contributions: Sequence[float],
    top: int = TOP_REASONS,
) -> list[Reason]:
    """The ``top`` features that raised the score most, strongest first, each in words."""
    grouped: dict[str, float] = {}
    values: dict[str, dict[str, float]] = {}
    for name, value, contribution in zip(names, row, contributions, strict=False):
        key, _, statistic = name.partition(".")
        grouped[key] = grouped.get(key, 0.0) + contribution
        values.setdefault(key, {})[statistic or key] = value
    raising = sorted((item for item in grouped.items() if item[1] > 0), key=lambda item: -item[1])[
        :top
    ]
    return [Reason(key, contribution, _text(key, values[key])) for key, contribution in raising]


def _text(key: str, figures: dict[str, float]) -> str:
    history_key = _KEYS.get(key)
    if history_key is not None:
        return _history_text(history_key, figures)
    value = figures.get(key, math.nan)
    if key == "departure_differs":
        return "shipped from a country other than the country of origin"
    if math.isnan(value):
        return key.replace("_", " ")
    if key in ("value_log", "net_mass_log", "unit_price_log", "tax_log"):
        value = math.expm1(value)
    return _NUMBER_PHRASES.get(key, key.replace("_", " ") + " of {value:g}").format(value=value)


def _history_text(key: HistoryKey, figures: dict[str, float]) -> str:
    seen, inspected, fraud = (
        figures.get(name, math.nan) for name in ("seen", "inspected", "fraud")
    )
    price_z = figures.get("price_z", math.nan)
    label = key.label
    if math.isnan(seen):
        return f"{label} not declared"
    parts: list[str] = []
    if seen == 0 and inspected == 0:
        parts.append(f"first declaration for this {label}")
    elif inspected > 0:
        parts.append(
            f"{label}: {fraud:.0f} of {inspected:.0f} earlier inspected declarations "
            f"found irregular (seen {seen:.0f} times)"
        )
    else:
        parts.append(f"{label}: seen {seen:.0f} times, never inspected")
    if not math.isnan(price_z) and abs(price_z) >= 1:
        side = "below" if price_z < 0 else "above"
        parts.append(f"unit price {abs(price_z):.1f} standard deviations {side} the usual")
    return "; ".join(parts)
