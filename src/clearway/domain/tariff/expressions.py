"""Duty expressions: the components of a measure, read from text and evaluated to money.

A component is TARIC's (duty expression id, amount, currency, measurement unit, qualifier).
Expression ids (TARIC duty expressions): 01 the first term, 04/19/20 "+", 02 "-", 36 "+ % CIF",
15 ``MIN`` (a floor: the larger of what precedes and what follows) and 17/35 ``MAX`` (a ceiling:
the smaller), 37 nothing, 99 a supplementary unit (no duty). Agricultural components (12, 14,
21, 25, 27, 29) depend on a Meursing code and are refused rather than priced at zero.

A ``MIN``/``MAX`` splits the expression at its last occurrence, so
``2.5% + €1.20/kg MIN €3/kg MAX 20%`` is ``min(max(2.5% + €1.20/kg, €3/kg), 20%)``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from clearway.domain.tariff.units import Quantities, Unit

PLUS = frozenset({"04", "19", "20", "36"})
MINUS = frozenset({"02"})
FLOOR = frozenset({"15"})
CEILING = frozenset({"17", "35"})
NOTHING = frozenset({"37", "99"})
AGRICULTURAL = frozenset({"12", "14", "21", "25", "27", "29"})

ToNational = Callable[[Decimal, str], Decimal]
"""Converts an amount in a currency to national currency at the rate of the assessment date."""

# What a tariff figure may be. The highest ad valorem duties in force are some hundreds of
# percent (the ad valorem equivalents of the highest rice and tobacco tariffs); the highest
# specific duties some thousands per unit (the UK's on cigars, about £500 a kilogram). These
# bounds leave a wide margin and refuse a figure that can only be a mistake, before it prices
# a declaration at an absurd duty.
MAX_PERCENT = Decimal(10_000)
MAX_SPECIFIC_AMOUNT = Decimal(10) ** 7
MAX_AMOUNT_DIGITS = 15


class ExpressionError(ValueError):
    """A duty expression that cannot be read or cannot be priced."""


@dataclass(frozen=True, slots=True)
class DutyComponent:
    expression: str
    amount: Decimal
    currency: str | None = None
    unit: Unit | None = None

    @property
    def ad_valorem(self) -> bool:
        return self.unit is None or self.unit.code == "RET"

    def text(self) -> str:
        if self.ad_valorem:
            body = f"{_percent(self.amount)}%"
            if self.unit is not None:
                body += " of retail price"
        else:
            unit = self.unit.label if self.unit else ""
            body = f"{self.currency or ''} {_money_amount(self.amount)}/{unit}".strip()
        prefix = {"15": "MIN ", "17": "MAX ", "35": "MAX ", "02": "- "}.get(self.expression)
        if prefix is None:
            prefix = "" if self.expression == "01" else "+ "
        return prefix + body


def amount_problem(amount: Decimal, *, percent: bool) -> str | None:
    """What is wrong with a tariff figure (a percentage, or an amount per unit), said as
    ``"<amount> is <problem>"``, or ``None`` when it is a plausible one."""
    if not amount.is_finite():
        return "not a finite number"
    if amount < 0:
        return "negative"
    limit = MAX_PERCENT if percent else MAX_SPECIFIC_AMOUNT
    if amount > limit:
        return f"more than {limit:,}{'%' if percent else ' a unit'}, beyond any real tariff"
    significant = len("".join(map(str, amount.as_tuple().digits)).strip("0"))
    if significant > MAX_AMOUNT_DIGITS:
        return f"of {significant} significant digits, more than {MAX_AMOUNT_DIGITS}"
    return None


def component_problem(component: DutyComponent) -> str | None:
    """What is wrong with a component's amount (see ``amount_problem``), or ``None``."""
    problem = amount_problem(component.amount, percent=component.ad_valorem)
    return None if problem is None else f"{component.amount} is {problem}"


def _money_amount(amount: Decimal) -> str:
    """At least two decimals, more when the tariff gives them (``0.125``)."""
    text = f"{amount:.2f}"
    return text if Decimal(text) == amount else f"{amount.normalize():f}"


def _percent(amount: Decimal) -> str:
    text = f"{amount:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@functools.lru_cache(maxsize=4096)
def expression_text(components: tuple[DutyComponent, ...]) -> str:
    """The expression as people write it, e.g. ``2.5% + EUR 1.20/kg MIN EUR 3/kg``."""
    shown = [c for c in components if c.expression not in NOTHING]
    if not shown:
        return "Free" if components else ""
    return " ".join(component.text() for component in shown)


def units_needed(components: Sequence[DutyComponent]) -> list[Unit]:
    """Units whose quantities the expression needs (retail price and qualified units included)."""
    needed: list[Unit] = []
    for component in components:
        if component.unit is not None and component.unit not in needed:
            needed.append(component.unit)
    return needed


def evaluate(
    components: Sequence[DutyComponent],
    *,
    customs_value: Decimal,
    quantities: Quantities,
    to_national: ToNational,
) -> Decimal:
    """The duty in national currency, unrounded.

    Raises ``QuantityRequired`` when a specific component's unit is not declared, ``MissingRate``
    (from ``to_national``) when its currency has no rate, and ``ExpressionError`` for
    agricultural components.
    """
    terms: list[tuple[str, Decimal]] = []
    for component in components:
        code = component.expression
        if code in NOTHING:
            continue
        if code in AGRICULTURAL:
            raise ExpressionError(
                f"duty expression {code} is an agricultural component priced by Meursing code"
            )
        value = component_value(
            component, customs_value=customs_value, quantities=quantities, to_national=to_national
        )
        if code in FLOOR:
            terms.append(("MIN", value))
        elif code in CEILING:
            terms.append(("MAX", value))
        elif code in MINUS:
            terms.append(("-", value))
        else:
            terms.append(("+", value))
    return _fold(terms)


def _fold(terms: list[tuple[str, Decimal]]) -> Decimal:
    for index in range(len(terms) - 1, -1, -1):
        operator, value = terms[index]
        if operator in ("MIN", "MAX"):
            left = _fold(terms[:index])
            right = _fold([("+", value), *terms[index + 1 :]])
            return max(left, right) if operator == "MIN" else min(left, right)
    total = Decimal(0)
    for operator, value in terms:
        total = total - value if operator == "-" else total + value
    return total


def component_value(
    component: DutyComponent,
    *,
    customs_value: Decimal,
    quantities: Quantities,
    to_national: ToNational,
) -> Decimal:
    """One component in national currency: a percentage of the base, or amount x quantity."""
    if component.unit is None:
        return customs_value * component.amount / 100
    quantity = quantities.require(component.unit)
    if component.unit.code == "RET":
        return quantity * component.amount / 100
    amount = component.amount * quantity
    if component.currency is None:
        raise ExpressionError(f"a duty per {component.unit.label} needs a currency")
    return to_national(amount, component.currency)


# --- reading expressions written as text -----------------------------------------------------

_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
_UNIT_WORDS: dict[str, Unit] = {
    "kg": Unit("KGM"),
    "100 kg": Unit("DTN"),
    "100kg": Unit("DTN"),
    "t": Unit("TNE"),
    "tonne": Unit("TNE"),
    "1000 kg": Unit("TNE"),
    "l": Unit("LTR"),
    "litre": Unit("LTR"),
    "hl": Unit("HLT"),
    "% vol/hl": Unit("ASV", "X"),
    "% vol": Unit("ASV"),
    "l alc. 100%": Unit("LPA"),
    "item": Unit("NAR"),
    "items": Unit("NAR"),
    "p/st": Unit("NAR"),
    "1000 items": Unit("MIL"),
    "1000 p/st": Unit("MIL"),
    "pair": Unit("NPR"),
    "pairs": Unit("NPR"),
    "m2": Unit("MTK"),
    "m²": Unit("MTK"),
    "m3": Unit("MTQ"),
    "m³": Unit("MTQ"),
    "kwh": Unit("KWH"),
    "retail price": Unit("RET"),
}
_SPLIT = re.compile(r"\s+(MIN|MAX)\s+|\s*(\+|-)\s+|\s+(\+|-)\s*", re.IGNORECASE)
_TERM = re.compile(
    r"""^(?P<pre>[€$£]|[A-Z]{3}\s+)?
        (?P<number>\d+(?:\.\d+)?)\s*
        (?:(?P<percent>%)|(?P<post>[A-Z]{3}))?\s*
        (?:/\s*(?P<unit>.+?))?\s*$""",
    re.VERBOSE,
)


def parse_expression(text: str) -> tuple[DutyComponent, ...]:
    """Read ``12%``, ``€35.10/100 kg``, ``2.5% + €1.20/kg MIN €3/kg MAX 20%``,
    ``$1.05/kg + 2.3%``, ``EUR 14.40/DTN`` or ``Free`` into components.

    Raises ``ExpressionError`` naming the part that cannot be read.
    """
    source = text.strip()
    if not source:
        raise ExpressionError("the duty expression is empty")
    if source.lower() in ("free", "0", "0%", "nil"):
        return (DutyComponent("01", Decimal(0)),)
    parts = _SPLIT.split(source)
    # re.split with three groups yields text, g1, g2, g3, text, ...
    terms = [parts[0]]
    operators: list[str] = []
    for index in range(1, len(parts), 4):
        operator = next(p for p in parts[index : index + 3] if p)
        operators.append(operator.upper())
        terms.append(parts[index + 3])
    components = [_term("01", terms[0], source)]
    for operator, term in zip(operators, terms[1:], strict=True):
        code = {"+": "04", "-": "02", "MIN": "15", "MAX": "17"}[operator]
        components.append(_term(code, term, source))
    return tuple(components)


def _term(code: str, term: str, source: str) -> DutyComponent:
    match = _TERM.match(term.strip())
    if match is None:
        raise ExpressionError(f"cannot read {term.strip()!r} in duty expression {source!r}")
    try:
        amount = Decimal(match["number"])
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits
        raise ExpressionError(f"bad number in {source!r}") from error
    problem = amount_problem(amount, percent=bool(match["percent"]))
    if problem is not None:
        raise ExpressionError(f"{match['number']} in {source!r} is {problem}")
    prefix = (match["pre"] or "").strip()
    currency = _SYMBOLS.get(prefix, prefix) or match["post"]
    unit_text = match["unit"]
    if match["percent"]:
        if currency:
            raise ExpressionError(f"{term.strip()!r} is both a percentage and an amount")
        unit = _unit(unit_text, source) if unit_text else None
        if unit is not None and unit.code != "RET":
            raise ExpressionError(f"a percentage can only be of the retail price in {source!r}")
        return DutyComponent(code, amount, None, unit)
    if not currency or not unit_text:
        raise ExpressionError(
            f"{term.strip()!r} in {source!r} needs a currency and a unit, e.g. €3.50/100 kg"
        )
    return DutyComponent(code, amount, currency.upper(), _unit(unit_text, source))


def _unit(text: str, source: str) -> Unit:
    cleaned = " ".join(text.split())
    known = _UNIT_WORDS.get(cleaned.lower())
    if known is not None:
        return known
    try:
        return Unit.parse(cleaned)
    except ValueError as error:
        raise ExpressionError(f"unknown unit {cleaned!r} in {source!r}") from error
