"""The tariff in memory: measures indexed by commodity code, queried as at a date.

A measure recorded against a code covers that code and every code below it in the
nomenclature, as TARIC measures on a heading cover its subheadings. Codes are held without
trailing pairs of zeros (``0702000000`` → ``0702``), so "below" is "starts with".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from clearway.domain.tariff.measures import Geography, Measure


def significant(code: str) -> str:
    """``0702000000`` → ``0702``; ``8413705100`` → ``84137051``; never shorter than 2 digits."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


class UnknownCommodity(LookupError):
    """No measure of the tariff covers the commodity code on the date."""

    def __init__(self, code: str, on: date) -> None:
        super().__init__(f"commodity code {code} is not in the tariff on {on.isoformat()}")
        self.code = code
        self.on = on


class Tariff:
    """Every measure of one jurisdiction's tariff, with the geography they refer to."""

    def __init__(
        self,
        measures: Iterable[Measure] = (),
        geography: Geography | None = None,
        descriptions: dict[str, str] | None = None,
    ) -> None:
        self.geography = geography or Geography()
        self.descriptions = dict(descriptions or {})
        self._by_code: dict[str, list[Measure]] = {}
        self._count = 0
        for measure in measures:
            self._by_code.setdefault(significant(measure.commodity_code), []).append(measure)
            self._count += 1

    def __len__(self) -> int:
        return self._count

    def measures(self, commodity_code: str, on: date) -> list[Measure]:
        """Measures in force on ``on`` for the code and every level above it.

        Raises ``UnknownCommodity`` when none is.
        """
        found: list[Measure] = []
        for length in range(2, len(commodity_code) + 1, 2):
            for measure in self._by_code.get(commodity_code[:length], ()):
                if measure.in_force(on):
                    found.append(measure)
        if not found:
            raise UnknownCommodity(commodity_code, on)
        return found

    def sources(self) -> dict[str, set[str]]:
        """Commodity codes (without trailing zero pairs) by the source of their measures."""
        found: dict[str, set[str]] = {}
        for code, measures in self._by_code.items():
            for measure in measures:
                found.setdefault(measure.source, set()).add(code)
        return found

    def describe(self, commodity_code: str) -> str | None:
        """The most specific description known for the code."""
        for length in range(len(commodity_code), 1, -2):
            description = self.descriptions.get(significant(commodity_code[:length]))
            if description:
                return description
        return None
