"""Code lists the validation checks declarations against, held in memory once loaded, and the
exchange rates that value declarations, with what makes a rate fit to use.

The lists themselves are data (``clearway/reference/data``) loaded into the database by
``clearway reference load``; this module only holds and answers questions about them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# What a usable rate (national units per foreign unit) looks like. The widest pair of real
# currencies today is the Kuwaiti dinar in Iranian rials at the market rate, about 3 million to
# one: 10^-8 to 10^8 leaves a factor of 30 beyond it either way. Customs and central banks
# publish rates to 4 to 6 significant digits (HMRC's monthly rates, the ECB's reference rates);
# 12 leaves room for any source while refusing digits that are noise.
MIN_RATE = Decimal("1e-8")
MAX_RATE = Decimal("1e8")
MAX_RATE_DIGITS = 12
# A new rate more than this factor above or below the rate before it is refused unless the
# administrator confirms it. Outside hyperinflation the largest moves of real currencies in a
# month stay inside it (sterling fell about 10% the day after the 2016 referendum, the Swiss
# franc rose about 20% when its floor was lifted in January 2015, the rouble lost about 40% of
# its value between February and March 2022), while the usual mistakes fall far outside it (a
# misplaced decimal point is 10x, a rate per 100 units 100x, an inverted rate its square). The
# rare devaluations at the edge of the band (the Egyptian pound in November 2016 and the
# Argentine peso in December 2023 each lost about half its value) are exactly what an
# administrator should confirm with the override.
LARGE_CHANGE_FACTOR = Decimal(2)


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """A four-digit procedure code: requested procedure (2) and previous procedure (2)."""

    code: str
    declaration_type: str
    description: str


@dataclass(frozen=True, slots=True)
class PackageKind:
    """UN/ECE Recommendation 21 package type; bulk and unpacked goods carry no package count."""

    code: str
    description: str
    bulk: bool


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """Units of national currency for one unit of ``currency`` from ``valid_from``."""

    currency: str
    valid_from: date
    valid_to: date | None
    rate: Decimal

    @property
    def problem(self) -> str | None:
        """Why the rate cannot value goods, or ``None`` when it can."""
        return rate_problem(self.rate)

    def describe(self) -> str:
        """``USD 0.7839 from 2026-11-01``, as messages name a rate."""
        return f"{self.currency} {self.rate} from {self.valid_from.isoformat()}"


def rate_problem(rate: Decimal) -> str | None:
    """What is wrong with ``rate`` for converting money, said as ``"<rate> is <problem>"``, or
    ``None``: a rate must be a positive finite decimal of at most ``MAX_RATE_DIGITS``
    significant digits from ``MIN_RATE`` to ``MAX_RATE``."""
    if not rate.is_finite():
        return "not a finite number"
    if rate <= 0:
        return "not positive"
    if not MIN_RATE <= rate <= MAX_RATE:
        return f"outside the plausible range {MIN_RATE:f} to {MAX_RATE:f}"
    digits = rate.as_tuple().digits
    if len(digits) > MAX_RATE_DIGITS:
        # Trailing zeros (0.78000) are not significant.
        significant = len("".join(map(str, digits)).rstrip("0"))
        if significant > MAX_RATE_DIGITS:
            return f"of {significant} significant digits, more than {MAX_RATE_DIGITS}"
    return None


class MissingRate(LookupError):
    """No exchange rate is valid for a currency on the valuation date."""

    def __init__(self, currency: str, on: date, message: str | None = None) -> None:
        super().__init__(message or f"no exchange rate for {currency} valid on {on.isoformat()}")
        self.currency = currency
        self.on = on


class UnusableRate(MissingRate):
    """The rate stored for a currency on a date is not one money can be converted at (written
    before rates were checked, or straight into the database): the administration must correct
    it. A ``MissingRate``, so that whoever handles a missing rate handles this one too."""

    def __init__(self, currency: str, on: date, rate: Decimal, problem: str) -> None:
        shown = str(rate) if len(str(rate)) <= 40 else f"{str(rate)[:37]}..."
        super().__init__(
            currency,
            on,
            f"the exchange rate stored for {currency} on {on.isoformat()} is unusable "
            f"({shown} is {problem}); the administration must correct it",
        )
        self.rate = rate
        self.problem = problem


def usable_rate(currency: str, on: date, rate: Decimal | None) -> Decimal:
    """``rate`` once it is fit to convert ``currency`` on ``on``; raises ``MissingRate`` when there
    is none and ``UnusableRate`` when it is not fit."""
    if rate is None:
        raise MissingRate(currency, on)
    problem = rate_problem(rate)
    if problem is not None:
        raise UnusableRate(currency, on, rate, problem)
    return rate


class RateTable:
    """Exchange rates by currency, answering 'which rate was valid on this date'.

    The table holds what was stored, usable or not (one bad row must not stop the others being
    read); ``rate`` never hands out an unusable one.
    """

    def __init__(self, rates: Iterable[ExchangeRate] = ()) -> None:
        by_currency: dict[str, list[ExchangeRate]] = {}
        for rate in rates:
            by_currency.setdefault(rate.currency, []).append(rate)
        self._rates = {c: sorted(rs, key=lambda r: r.valid_from) for c, rs in by_currency.items()}
        self._starts = {c: [r.valid_from for r in rs] for c, rs in self._rates.items()}
        # Checked once here rather than at every look-up on the lodging path.
        self._unusable = {
            (rate.currency, rate.valid_from): problem
            for rates in self._rates.values()
            for rate in rates
            if (problem := rate.problem) is not None
        }

    def in_force(self, currency: str, on: date) -> ExchangeRate | None:
        """The stored rate valid on ``on``, usable or not."""
        rates = self._rates.get(currency)
        if not rates:
            return None
        index = bisect_right(self._starts[currency], on) - 1
        if index < 0:
            return None
        found = rates[index]
        if found.valid_to is not None and on > found.valid_to:
            return None
        return found

    def rate(self, currency: str, on: date) -> Decimal | None:
        """The rate valid on ``on``, ``None`` when there is none; raises ``UnusableRate`` when
        the stored one is not fit to use."""
        found = self.in_force(currency, on)
        if found is None:
            return None
        problem = self._unusable.get((currency, found.valid_from))
        if problem is not None:
            raise UnusableRate(currency, on, found.rate, problem)
        return found.rate

    def before(self, currency: str, start: date) -> ExchangeRate | None:
        """The latest rate of ``currency`` starting before ``start``: the one a new rate from
        ``start`` follows."""
        index = bisect_left(self._starts.get(currency, []), start) - 1
        return self._rates[currency][index] if index >= 0 else None

    def __len__(self) -> int:
        return sum(len(rates) for rates in self._rates.values())


@dataclass(frozen=True, slots=True)
class LargeChange:
    """A new rate more than ``LARGE_CHANGE_FACTOR`` away from the rate in force before it."""

    index: int
    """Where the new rate is among those being loaded."""
    rate: ExchangeRate
    previous: ExchangeRate

    @property
    def factor(self) -> Decimal:
        high, low = sorted((self.rate.rate, self.previous.rate), reverse=True)
        return high / low

    def describe(self) -> str:
        """``USD 2.3517 from 2026-12-01 rises by a factor of 3.00 from the rate before it (USD
        0.7839 from 2026-11-01)``."""
        moves = "rises" if self.rate.rate > self.previous.rate else "falls"
        return (
            f"{self.rate.describe()} {moves} by a factor of {self.factor:.2f} from the rate "
            f"before it ({self.previous.describe()})"
        )


def large_changes(
    stored: Iterable[ExchangeRate],
    loading: Sequence[ExchangeRate],
    factor: Decimal = LARGE_CHANGE_FACTOR,
) -> list[LargeChange]:
    """The rates of ``loading`` more than ``factor`` up or down from the rate before them.

    The rate before a new one is the latest of its currency that starts earlier, among the
    stored rates the load keeps (a loaded rate replaces a stored one of the same currency and
    start) and the other rates loaded. An unusable rate is no yardstick and is not compared.
    """
    replaced = {(rate.currency, rate.valid_from) for rate in loading}
    table = RateTable(
        [
            *(rate for rate in stored if (rate.currency, rate.valid_from) not in replaced),
            *loading,
        ]
    )
    found = []
    for index, rate in enumerate(loading):
        previous = table.before(rate.currency, rate.valid_from)
        if previous is None or previous.problem is not None or rate.problem is not None:
            continue
        if rate.rate > previous.rate * factor or rate.rate * factor < previous.rate:
            found.append(LargeChange(index, rate, previous))
    return found


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """Every code list a declaration is validated against."""

    hs_subheadings: frozenset[str]
    countries: frozenset[str]
    currencies: frozenset[str]
    procedures: dict[str, ProcedureCode]
    package_kinds: dict[str, PackageKind]
    units: frozenset[str]
    preferences: frozenset[str]
    offices: dict[str, str]
    transport_modes: frozenset[str]
    control_lists: frozenset[str]
    document_types: dict[str, str] = field(default_factory=dict)
    rates: RateTable = field(default_factory=RateTable)

    def extends_hs_subheading(self, commodity_code: str) -> bool:
        return commodity_code[:6] in self.hs_subheadings
