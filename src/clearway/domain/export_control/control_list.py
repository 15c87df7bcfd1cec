"""The dual-use control list: entries in the structure of Annex I to Regulation (EU) 2021/821
(their codes are in ``control_code``), the correlation from commodity codes to the entries goods
under them may be, and the measures that restrict exports of listed items to destinations.

A ``ControlList`` is one version as the export-control agency loaded it, read once and asked
many times: ``correlated_entries`` for an item's commodity code, ``destination_measures`` for
its destination. It checks that it holds together (no entry twice, the correlation and the
measures name only listed entries) and raises ``ControlListInvalid`` with a JSON pointer into
its document (``control_list_document``) for each problem.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from clearway.domain.export_control.control_code import (
    CATEGORIES,
    GROUPS,
    ControlCode,
    ControlCodeError,
)

__all__ = [
    "CATEGORIES",
    "GROUPS",
    "REASONS",
    "CommodityControls",
    "ControlCode",
    "ControlCodeError",
    "ControlList",
    "ControlListEntry",
    "ControlListInvalid",
    "Correlation",
    "DestinationMeasure",
    "MeasureAction",
    "MeasureScope",
    "is_commodity_prefix",
]

REASONS: Mapping[str, str] = {
    "NS": "national security (Wassenaar Arrangement)",
    "MT": "missile technology (Missile Technology Control Regime)",
    "NP": "nuclear non-proliferation (Nuclear Suppliers Group)",
    "CB": "chemical and biological weapons (Australia Group)",
    "CW": "Chemical Weapons Convention",
}
"""Why an entry is controlled: the regime it comes from, as agencies commonly mark entries."""

_COMMODITY_PREFIX = re.compile(r"(?:[0-9]{2}){1,5}")
_COUNTRY = re.compile(r"[A-Z]{2}")


class ControlListInvalid(ValueError):
    """A control list that does not hold together; ``problems`` are (JSON pointer, message)
    pairs into its document, the first of them in the message."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        pointer, message = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{pointer or '/'}: {message}{more}")


def is_commodity_prefix(text: str) -> bool:
    """Two to ten digits in pairs: a chapter, heading, HS subheading, CN or TARIC code."""
    return _COMMODITY_PREFIX.fullmatch(text) is not None


class MeasureAction(enum.StrEnum):
    """What a destination measure does to an export it applies to."""

    PROHIBIT = "prohibit"
    """The export is not allowed: the declaration is refused at the agency."""
    REFER = "refer"
    """The export needs the agency's authorisation: the declaration is referred to it."""


class MeasureScope(enum.StrEnum):
    """Which listed items a destination measure applies to."""

    ALL_DUAL_USE = "all-dual-use"
    CATEGORIES = "categories"
    ENTRIES = "entries"


# Whether a measure of each scope names (categories, entries), and how to say so.
_SCOPE_TAKES = {
    MeasureScope.ALL_DUAL_USE: ((False, False), "takes neither categories nor entries"),
    MeasureScope.CATEGORIES: ((True, False), "takes categories (and no entries)"),
    MeasureScope.ENTRIES: ((False, True), "takes entries (and no categories)"),
}


@dataclass(frozen=True, slots=True)
class ControlListEntry:
    """One entry or sub-item of the list with what it controls (paraphrased or legal text)."""

    code: ControlCode
    description: str
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise ValueError(f"entry {self.code} has no description")
        unknown = [reason for reason in self.reasons if reason not in REASONS]
        if unknown:
            raise ValueError(
                f"entry {self.code}: reason {unknown[0]!r} is not one of {', '.join(REASONS)}"
            )

    @property
    def parent(self) -> ControlCode | None:
        return self.code.parent


@dataclass(frozen=True, slots=True)
class Correlation:
    """Goods under ``commodity_prefix`` may be ``entry``: whether they are depends on their
    technical parameters, which ``note`` may hint at (cf. the Commission's correlation table
    between the Combined Nomenclature and Annex I to Regulation (EU) 2021/821)."""

    commodity_prefix: str
    entry: ControlCode
    note: str = ""

    def __post_init__(self) -> None:
        if not is_commodity_prefix(self.commodity_prefix):
            raise ValueError(
                f"commodity code {self.commodity_prefix!r} must be 2 to 10 digits in pairs"
            )


@dataclass(frozen=True, slots=True)
class DestinationMeasure:
    """A prohibition or restriction of exports of listed items to one country.

    ``legal_basis`` names the act it comes from (e.g. Council Regulation (EU) No 833/2014,
    Art. 2 for Russia); the scope is every listed item, the items of some categories, or some
    entries with their sub-items.
    """

    list_name: str
    country: str
    action: MeasureAction
    legal_basis: str
    scope: MeasureScope = MeasureScope.ALL_DUAL_USE
    categories: frozenset[int] = frozenset()
    entries: tuple[ControlCode, ...] = ()

    def __post_init__(self) -> None:
        if not self.list_name.strip():
            raise ValueError("a destination measure needs the name of its list")
        if not self.legal_basis.strip():
            raise ValueError(f"{self.list_name}: a destination measure needs its legal basis")
        if not _COUNTRY.fullmatch(self.country):
            raise ValueError(f"{self.country!r} is not a two-letter country code")
        if any(category not in CATEGORIES for category in self.categories):
            raise ValueError("categories are digits 0 to 9")
        takes, explained = _SCOPE_TAKES[self.scope]
        if (bool(self.categories), bool(self.entries)) != takes:
            raise ValueError(f"{self.list_name}: scope {self.scope.value} {explained}")

    def applies_to(self, code: ControlCode) -> bool:
        if self.scope is MeasureScope.ALL_DUAL_USE:
            return True
        if self.scope is MeasureScope.CATEGORIES:
            return code.category in self.categories
        return any(entry.covers(code) for entry in self.entries)


@dataclass(frozen=True, slots=True)
class CommodityControls:
    """What the list says about goods under a commodity code: the correlation rows that match,
    the entries they name, and the measures on those entries for a destination, if given."""

    commodity_code: str
    correlations: tuple[Correlation, ...]
    entries: tuple[ControlListEntry, ...]
    destination: str | None = None
    measures: tuple[DestinationMeasure, ...] = ()


@dataclass(frozen=True, slots=True)
class ControlList:
    """One version of the control list: entries, correlation and destination measures.

    ``version``, ``label`` and ``description`` are the list's own; ``illustrative`` marks a
    list that is not any administration's law (the one Clearway ships).
    """

    entries: tuple[ControlListEntry, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    measures: tuple[DestinationMeasure, ...] = ()
    version: str = ""
    label: str = ""
    description: str = ""
    illustrative: bool = False
    _by_code: Mapping[ControlCode, ControlListEntry] = field(init=False, repr=False, compare=False)
    _by_prefix: Mapping[str, tuple[Correlation, ...]] = field(init=False, repr=False, compare=False)
    _by_country: Mapping[str, tuple[DestinationMeasure, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        by_code: dict[ControlCode, ControlListEntry] = {}
        for index, entry in enumerate(self.entries):
            if entry.code in by_code:
                problems.append((f"/entries/{index}/code", f"{entry.code} is listed twice"))
            by_code[entry.code] = entry
        by_prefix: dict[str, list[Correlation]] = {}
        for index, correlation in enumerate(self.correlations):
            pointer = f"/correlation/{index}"
            if correlation.entry not in by_code:
                problems.append((f"{pointer}/entry", _unlisted(correlation.entry)))
            same = by_prefix.setdefault(correlation.commodity_prefix, [])
            if any(earlier.entry == correlation.entry for earlier in same):
                problems.append(
                    (
                        pointer,
                        f"{correlation.commodity_prefix} is correlated with "
                        f"{correlation.entry} twice",
                    )
                )
            same.append(correlation)
        by_country: dict[str, list[DestinationMeasure]] = {}
        for index, measure in enumerate(self.measures):
            for position, code in enumerate(measure.entries):
                if code not in by_code:
                    problems.append((f"/destinations/{index}/entries/{position}", _unlisted(code)))
            by_country.setdefault(measure.country, []).append(measure)
        if problems:
            raise ControlListInvalid(problems)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_prefix", {k: tuple(v) for k, v in by_prefix.items()})
        object.__setattr__(self, "_by_country", {k: tuple(v) for k, v in by_country.items()})

    def entry(self, code: ControlCode) -> ControlListEntry | None:
        """The entry listed under exactly ``code``."""
        return self._by_code.get(code)

    def entry_covering(self, code: ControlCode) -> ControlListEntry | None:
        """The most specific listed entry that covers ``code``: the code itself or the
        nearest listed code above it."""
        return next((self._by_code[c] for c in code.lineage if c in self._by_code), None)

    def sub_entries(self, code: ControlCode) -> tuple[ControlListEntry, ...]:
        """The listed entries one level below ``code``."""
        return tuple(entry for entry in self.entries if entry.code.parent == code)

    def search(self, text: str = "", category: int | None = None) -> tuple[ControlListEntry, ...]:
        """Entries whose code starts with ``text`` or whose description contains it (either
        case), in list order; only those of ``category`` when given."""
        wanted = text.strip().casefold()
        return tuple(
            entry
            for entry in self.entries
            if (category is None or entry.code.category == category)
            and (
                str(entry.code).casefold().startswith(wanted)
                or wanted in entry.description.casefold()
            )
        )

    def correlations_for(self, commodity_code: str) -> tuple[Correlation, ...]:
        """The correlation rows whose commodity code is a prefix of ``commodity_code`` (the
        whole code included), broadest first: a declared 8- or 10-digit code matches a row for
        its chapter, heading, subheading or CN code alike."""
        found: list[Correlation] = []
        for length in range(2, min(len(commodity_code), 10) + 1, 2):
            found.extend(self._by_prefix.get(commodity_code[:length], ()))
        return tuple(found)

    def correlated_entries(self, commodity_code: str) -> tuple[ControlListEntry, ...]:
        """The entries goods under ``commodity_code`` may be, each once, broadest row first."""
        codes = dict.fromkeys(row.entry for row in self.correlations_for(commodity_code))
        return tuple(self._by_code[code] for code in codes)

    def correlated_prefixes(self, code: ControlCode) -> tuple[Correlation, ...]:
        """The correlation rows naming ``code`` or one of its sub-items."""
        return tuple(row for row in self.correlations if code.covers(row.entry))

    def controls_for(
        self, commodity_code: str, destination: str | None = None
    ) -> CommodityControls:
        """The correlation rows and entries for ``commodity_code``, and, with ``destination``,
        the measures on exports of those entries there."""
        correlations = self.correlations_for(commodity_code)
        entries = self.correlated_entries(commodity_code)
        measures = (
            self.destination_measures(destination, (entry.code for entry in entries))
            if destination
            else ()
        )
        return CommodityControls(commodity_code, correlations, entries, destination, measures)

    def measures_for(self, country: str) -> tuple[DestinationMeasure, ...]:
        """Every destination measure on exports to ``country``."""
        return self._by_country.get(country, ())

    def destination_measures(
        self, destination_country: str, codes: Iterable[ControlCode]
    ) -> tuple[DestinationMeasure, ...]:
        """The measures on exports to ``destination_country`` that apply to goods which are,
        or may be, the entries ``codes``; none when ``codes`` is empty (the goods are not
        listed items, which these measures are about)."""
        wanted = tuple(codes)
        return tuple(
            measure
            for measure in self.measures_for(destination_country)
            if any(measure.applies_to(code) for code in wanted)
        )


def _unlisted(code: ControlCode) -> str:
    return f"{code} is not an entry of the list"
