"""What the risk model sees of one declaration line when it is lodged, and its outcome.

One shape serves every source: declarations in the database (one observation per goods item)
and historical files such as the Korea Customs Service dataset (one per row). Codes are kept as
text whatever the source, so that "importer 7JD1S2X" and "importer GB123456789000" are alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

# Codes the model may use, by the name every mapping and feature refers to.
CODE_FIELDS = (
    "importer",
    "declarant",
    "seller",
    "courier",
    "hs6",
    "origin",
    "departure",
    "office",
    "transport_mode",
    "procedure",
    "import_type",
    "import_use",
    "payment_type",
    "tax_type",
    "origin_indicator",
)

# Numbers the model may use: declared value (national currency), net mass (kg), tax rate (%).
NUMBER_FIELDS = ("value", "net_mass", "tax_rate")


@dataclass(frozen=True, slots=True)
class Observation:
    """One declaration line as known at lodging: its day, its codes and its numbers.

    ``codes`` holds any of ``CODE_FIELDS``; a code that is absent is unknown, not empty.
    """

    reference: str
    day: date
    codes: dict[str, str]
    value: float
    net_mass: float
    tax_rate: float = 0.0

    def code(self, name: str) -> str | None:
        return self.codes.get(name)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an inspection found on a declaration line: fraud or not, revenue recovered."""

    reference: str
    fraud: bool
    revenue_recovered: float = 0.0


def observation_document(observation: Observation) -> dict[str, object]:
    """The observation as stored with its risk decision (``risk_decisions.observations``)."""
    return {
        "reference": observation.reference,
        "day": observation.day.isoformat(),
        "codes": dict(observation.codes),
        "value": observation.value,
        "net_mass": observation.net_mass,
        "tax_rate": observation.tax_rate,
    }


def observation_from_document(document: Mapping[str, Any]) -> Observation:
    codes = document.get("codes") or {}
    return Observation(
        reference=str(document["reference"]),
        day=date.fromisoformat(str(document["day"])),
        codes={str(name): str(code) for name, code in dict(codes).items()},
        value=float(document["value"]),
        net_mass=float(document["net_mass"]),
        tax_rate=float(document.get("tax_rate") or 0.0),
    )
