"""Measurement units and the quantities a specific duty is charged on.

Unit codes are TARIC measurement units (``KGM`` kilogram, ``DTN`` 100 kg, ``TNE`` tonne,
``LTR`` litre, ``HLT`` hectolitre, ``NAR`` items, ``MIL`` 1,000 items, ``ASV`` % vol …), with an
optional one-letter qualifier (``TNE`` + ``I`` = tonnes of biodiesel). A measure asking for a
qualified unit uses the quantity declared in that unit, with or without the qualifier; within a
dimension (mass, volume, count) quantities convert by fixed factors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

# Factor to the dimension's base unit (kg, litre, item, pair, m², m³, kWh …).
_DIMENSIONS: dict[str, tuple[str, Decimal]] = {
    "GRM": ("mass", Decimal("0.001")),
    "KGM": ("mass", Decimal(1)),
    "DTN": ("mass", Decimal(100)),
    "TNE": ("mass", Decimal(1000)),
    "LTR": ("volume", Decimal(1)),
    "HLT": ("volume", Decimal(100)),
    "MTQ": ("volume", Decimal(1000)),
    "NAR": ("count", Decimal(1)),
    "MIL": ("count", Decimal(1000)),
    "NPR": ("pairs", Decimal(1)),
    "PAR": ("pairs", Decimal(1)),
    "MTK": ("area", Decimal(1)),
    "MTR": ("length", Decimal(1)),
    "KWH": ("energy", Decimal(1)),
    "MWH": ("energy", Decimal(1000)),
}

UNIT_NAMES: dict[str, str] = {
    "GRM": "g",
    "KGM": "kg",
    "DTN": "100 kg",
    "TNE": "tonne",
    "LTR": "litre",
    "HLT": "hl",
    "MTQ": "m³",
    "NAR": "item",
    "MIL": "1,000 items",
    "NPR": "pair",
    "PAR": "pair",
    "MTK": "m²",
    "MTR": "m",
    "KWH": "kWh",
    "MWH": "MWh",
    "ASV": "% vol",
    "LPA": "l alc. 100%",
    "RET": "retail price",
    "KPO": "kg K2O",
    "KNI": "kg N",
    "KSD": "kg 90% dry",
}

# Qualifiers that change what a quantity means, named as TARIC names them.
QUALIFIER_NAMES: dict[str, str] = {
    "I": "biodiesel",
    "E": "net drained weight",
    "X": "per hl",
    "R": "standard quality",
    "T": "dry lactic matter",
    "Z": "of sucrose",
}


@dataclass(frozen=True, slots=True, order=True)
class Unit:
    """A measurement unit with its optional qualifier, e.g. ``Unit("TNE", "I")``."""

    code: str
    qualifier: str = ""

    @classmethod
    def parse(cls, text: str) -> Unit:
        """``"TNEI"`` → TNE qualified by I; ``"DTN"`` → DTN. Codes are three letters."""
        text = text.strip().upper()
        if len(text) not in (3, 4) or not text.isalnum():
            raise ValueError(f"{text!r} is not a measurement unit code such as KGM, DTN or TNEI")
        return cls(text[:3], text[3:])

    def __str__(self) -> str:
        return self.code + self.qualifier

    @property
    def label(self) -> str:
        name = UNIT_NAMES.get(self.code, self.code)
        if self.code == "ASV" and self.qualifier == "X":
            return "% vol/hl"
        if self.qualifier:
            return f"{name}/{QUALIFIER_NAMES.get(self.qualifier, self.qualifier)}"
        return name


def optional_unit(code: str | None, qualifier: str | None = None) -> Unit | None:
    """The unit for a code and qualifier as records hold them (either may be empty)."""
    return Unit(code, qualifier or "") if code else None


class QuantityRequired(LookupError):
    """A specific duty needs a quantity in a unit the item does not declare."""

    def __init__(self, unit: Unit) -> None:
        super().__init__(f"a quantity in {unit.label} ({unit}) is needed")
        self.unit = unit


class Quantities:
    """The quantities declared for one item, answering 'how much, in this unit'."""

    def __init__(self, declared: Mapping[Unit, Decimal] | Iterable[tuple[Unit, Decimal]] = ()):
        pairs = declared.items() if isinstance(declared, Mapping) else declared
        self._declared: dict[Unit, Decimal] = {}
        for unit, amount in pairs:
            self._declared[unit] = self._declared.get(unit, Decimal(0)) + amount

    def __bool__(self) -> bool:
        return bool(self._declared)

    def declared(self) -> dict[Unit, Decimal]:
        return dict(self._declared)

    def get(self, unit: Unit) -> Decimal | None:
        """The quantity in ``unit``, converting within its dimension; None when not declared."""
        if unit in self._declared:
            return self._declared[unit]
        if unit.qualifier and Unit(unit.code) in self._declared:
            return self._declared[Unit(unit.code)]
        if unit.code == "ASV" and unit.qualifier == "X":
            # % vol/hl: the alcohol strength times the volume in hectolitres.
            strength = self.get(Unit("ASV"))
            volume = self.get(Unit("HLT"))
            return None if strength is None or volume is None else strength * volume
        if unit.code == "LPA":
            strength = self.get(Unit("ASV"))
            litres = self.get(Unit("LTR"))
            return None if strength is None or litres is None else litres * strength / 100
        wanted = _DIMENSIONS.get(unit.code)
        if wanted is None:
            return None
        dimension, factor = wanted
        for known, amount in self._declared.items():
            found = _DIMENSIONS.get(known.code)
            if found and found[0] == dimension and known.qualifier in ("", unit.qualifier):
                return amount * found[1] / factor
        return None

    def require(self, unit: Unit) -> Decimal:
        amount = self.get(unit)
        if amount is None:
            raise QuantityRequired(unit)
        return amount
