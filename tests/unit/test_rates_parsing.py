"""Exchange-rate files and rates as data: what a usable rate is, how a file is read (line ends,
byte-order mark, encodings), the rows it refuses and the factor-of-2 band; and what valuation
and the rules do with an unusable stored rate."""

from __future__ import annotations

import codecs
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clearway.adapters.history_files import HistoryFileError, read_history, read_mapping
from clearway.adapters.reference_files import RatesFileError, parse_rates, shipped_reference
from clearway.domain.reference import (
    ExchangeRate,
    MissingRate,
    RateTable,
    UnusableRate,
    large_changes,
    rate_problem,
)
from clearway.domain.rules import RULES, RuleContext, validate
from clearway.domain.tariff.expressions import ExpressionError, parse_expression
from clearway.domain.valuation import value_declaration
from clearway.entrypoints.schemas import parse_declaration
from tests.conftest import example

HEADER = "currency,valid_from,valid_to,rate"
TODAY = date(2026, 11, 23)


def rates_text(*rows: str, newline: str = "\n") -> str:
    return newline.join((HEADER, *rows)) + newline


# --- what a usable rate is ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "problem"),
    [
        ("1e400", "outside the plausible range 0.00000001 to 100000000"),
        ("1e18", "outside the plausible range"),
        ("1e-400", "outside the plausible range"),
        ("0", "not positive"),
        ("-1", "not positive"),
        ("NaN", "not a finite number"),
        ("Infinity", "not a finite number"),
        ("0.7839012345678", "of 13 significant digits, more than 12"),
    ],
)
def test_an_unusable_rate_says_why(rate: str, problem: str) -> None:
    found = rate_problem(Decimal(rate))
    assert found is not None and found.startswith(problem)


@pytest.mark.parametrize("rate", ["0.78390", "1", "0.00000001", "100000000", "163.27", "1.5E+3"])
def test_real_looking_rates_are_usable(rate: str) -> None:
    assert rate_problem(Decimal(rate)) is None


# --- reading a file ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("1e400", "rates.csv line 3: rate must be a positive number fit to value goods at; 1e400"),
        ("1e18", "rates.csv line 3: rate must be a positive number fit to value goods at; 1e18"),
        ("1e-400", "rates.csv line 3: rate must be a positive number fit to value goods at"),
        ("0", "rates.csv line 3: rate must be a positive number fit to value goods at; 0 is not"),
        ("-1", "rates.csv line 3: rate must be a positive number fit to value goods at; -1 is"),
        ("NaN", "rates.csv line 3: rate must be a positive number fit to value goods at; NaN"),
        ("abc", "rates.csv line 3: rate 'abc' is not a number"),
        ("1" * 41, "rates.csv line 3: rate '1111111111"),
    ],
)
def test_a_bad_rate_is_refused_with_its_line(rate: str, message: str) -> None:
    text = rates_text("USD,2026-11-01,2026-11-30,0.78390", f"USD,2026-12-01,2026-12-31,{rate}")
    with pytest.raises(RatesFileError) as refused:
        parse_rates(text.encode(), "rates.csv")
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"], ids=["CR", "LF", "CRLF"])
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["plain", "BOM"])
def test_cr_lf_and_crlf_line_ends_and_a_bom_are_read(newline: str, bom: bytes) -> None:
    text = rates_text(
        "USD,2026-11-01,2026-11-30,0.78390",
        "",
        "EUR,2026-11-01,,0.87000",
        newline=newline,
    )
    loaded = parse_rates(bom + text.encode(), "rates.csv")
    assert list(loaded) == [
        ExchangeRate("USD", date(2026, 11, 1), date(2026, 11, 30), Decimal("0.78390")),
        ExchangeRate("EUR", date(2026, 11, 1), None, Decimal("0.87000")),
    ]
    # The blank line is counted: the EUR rate is on line 4.
    assert loaded.places == ("rates.csv line 2", "rates.csv line 4")


def test_a_cr_only_file_with_a_bad_rate_names_the_right_line() -> None:
    text = rates_text("USD,2026-11-01,,0.78", "EUR,2026-11-01,,0", newline="\r")
    with pytest.raises(RatesFileError, match=r"^rates\.csv line 3: "):
        parse_rates(text.encode(), "rates.csv")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            rates_text("USD,2026-11-01,,0.78").encode("utf-16"),
            "rates.csv: UTF-16 text; save the file as UTF-8",
        ),
        (
            rates_text("USD,2026-11-01,,0.78").encode("utf-16-le"),
            "rates.csv line 1: a NUL byte, so not UTF-8 text",
        ),
        (
            rates_text("USD,2026-11-01,,0.78", "GBP,2026-11-01,,1 £").encode("latin-1"),
            "rates.csv line 3: byte 0xA3 is not UTF-8",
        ),
    ],
    ids=["utf-16", "utf-16-without-bom", "latin-1"],
)
def test_other_encodings_are_refused_clearly(content: bytes, message: str) -> None:
    with pytest.raises(RatesFileError) as refused:
        parse_rates(content, "rates.csv")
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            ("USD,2026-11-01,2026-11-30,0.78", "USD,2026-11-15,2026-12-14,0.79"),
            "rates.csv line 3: USD from 2026-11-15 overlaps line 2, in force until 2026-11-30",
        ),
        (
            ("USD,2026-11-01,,0.78", "EUR,2026-11-01,,0.87", "USD,2026-11-01,,0.79"),
            "rates.csv line 4: USD from 2026-11-01 is also on line 2",
        ),
        (("USD,2026-11-01,,0.78,extra",), "rates.csv line 2: 5 fields where the header has 4"),
        (("USD,2026-11-31,,0.78",), "rates.csv line 2: dates must be YYYY-MM-DD"),
        (("USD,2026-11-01,2026-10-01,0.78",), "rates.csv line 2: valid_to is before valid_from"),
        (("XYZ,2026-11-01,,0.78",), "rates.csv line 2: 'XYZ' is not an ISO 4217 currency"),
    ],
    ids=["overlap", "same-start", "extra-field", "bad-date", "backwards", "unknown-currency"],
)
def test_inconsistent_rows_are_refused_with_their_line(rows: tuple[str, ...], message: str) -> None:
    with pytest.raises(RatesFileError) as refused:
        parse_rates(rates_text(*rows), "rates.csv")
    assert str(refused.value) == message or str(refused.value).startswith(message)


def test_an_open_ended_rate_followed_by_the_next_one_is_consistent() -> None:
    loaded = parse_rates(rates_text("USD,2026-11-01,,0.78", "USD,2026-12-01,,0.79"), "rates.csv")
    assert RateTable(loaded).rate("USD", date(2026, 11, 30)) == Decimal("0.78")
    assert RateTable(loaded).rate("USD", date(2026, 12, 1)) == Decimal("0.79")


# --- the band ----------------------------------------------------------------------------------

NOVEMBER = ExchangeRate("USD", date(2026, 11, 1), date(2026, 11, 30), Decimal("0.78"))


def december(rate: str) -> ExchangeRate:
    return ExchangeRate("USD", date(2026, 12, 1), date(2026, 12, 31), Decimal(rate))


@pytest.mark.parametrize("rate", ["1.56", "0.39", "0.80", "1.17"])
def test_moves_up_to_a_factor_of_2_pass(rate: str) -> None:
    assert large_changes([NOVEMBER], [december(rate)]) == []


@pytest.mark.parametrize(
    ("rate", "factor", "moves"),
    [("2.34", "3.00", "rises"), ("1.57", "2.01", "rises"), ("0.26", "3.00", "falls")],
)
def test_moves_beyond_a_factor_of_2_are_found(rate: str, factor: str, moves: str) -> None:
    (change,) = large_changes([NOVEMBER], [december(rate)])
    assert change.previous == NOVEMBER
    assert change.describe() == (
        f"USD {rate} from 2026-12-01 {moves} by a factor of {factor} from the rate before it "
        "(USD 0.78 from 2026-11-01)"
    )


def test_the_band_compares_with_earlier_rows_of_the_same_load_and_replaced_rates() -> None:
    # November is replaced by the load (0.78 -> 2.30, itself 2.9x the stored October), and
    # December follows the new November, not the stored one.
    october = ExchangeRate("USD", date(2026, 10, 1), date(2026, 10, 31), Decimal("0.79"))
    loading = [
        ExchangeRate("USD", date(2026, 11, 1), date(2026, 11, 30), Decimal("2.30")),
        december("2.31"),
    ]
    changes = large_changes([october, NOVEMBER], loading)
    assert [(change.index, change.previous.rate) for change in changes] == [(0, Decimal("0.79"))]


def test_an_unusable_rate_before_is_no_yardstick() -> None:
    broken = ExchangeRate("USD", date(2026, 11, 1), None, Decimal("Infinity"))
    assert large_changes([broken], [december("0.79")]) == []


# --- unusable stored rates are never used ------------------------------------------------------

BROKEN = RateTable([ExchangeRate("USD", date(2026, 11, 1), None, Decimal("Infinity"))])


def test_the_rate_table_holds_an_unusable_rate_but_never_hands_it_out() -> None:
    in_force = BROKEN.in_force("USD", TODAY)
    assert in_force is not None and in_force.problem == "not a finite number"
    with pytest.raises(UnusableRate) as unusable:
        BROKEN.rate("USD", TODAY)
    assert str(unusable.value) == (
        "the exchange rate stored for USD on 2026-11-23 is unusable (Infinity is not a finite "
        "number); the administration must correct it"
    )
    assert isinstance(unusable.value, MissingRate)
    assert BROKEN.rate("USD", date(2026, 10, 31)) is None


def usd_import() -> dict[str, Any]:
    payload = example("import")
    for part in ("invoice", "freight", "insurance"):
        payload[part]["currency"] = "USD"
    return payload


@pytest.mark.parametrize("stored", ["Infinity", "1E+400", "0", "1E-400", "NaN"])
def test_valuation_refuses_an_unusable_rate_whatever_the_lookup_answers(stored: str) -> None:
    declaration = parse_declaration(usd_import()).declaration
    with pytest.raises(UnusableRate, match="the exchange rate stored for USD on 2026-11-23"):
        value_declaration(
            declaration, on=TODAY, rate=lambda _c, _d: Decimal(stored), national_currency="GBP"
        )


def test_cl013_refuses_a_declaration_in_a_currency_whose_stored_rate_is_unusable() -> None:
    # CL013's golden cases: the shipped reference data holds no unusable rate to trip it.
    context = RuleContext(replace(shipped_reference(), rates=BROKEN), "GB", "GBP", TODAY)
    failing = parse_declaration(usd_import()).declaration
    violations = validate(failing, context)
    assert [(v.code, v.pointer) for v in violations] == [
        ("CL013", "/invoice/currency"),
        ("CL013", "/freight/currency"),
        ("CL013", "/insurance/currency"),
    ]
    assert violations[0].message.startswith("the exchange rate stored for USD on 2026-11-23")
    # At the boundary: the same declaration in national currency breaks nothing.
    passing = example("import")
    for part in ("invoice", "freight", "insurance"):
        passing[part]["currency"] = "GBP"
    assert validate(parse_declaration(passing).declaration, context) == []
    assert RULES["CL013"].basis.startswith("UCC Art. 53")


# --- other loaders' number checks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1000000000000000000000000000000%", "is more than 10,000%, beyond any real tariff"),
        ("€20000000/kg", "is more than 10,000,000 a unit"),
        ("2.1234567890123456%", "of 17 significant digits, more than 15"),
    ],
)
def test_absurd_duty_figures_are_refused(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse_expression(expression)


def test_real_duty_figures_are_read() -> None:
    (component,) = parse_expression("€35.10/100 kg")
    assert component.amount == Decimal("35.10")
    assert parse_expression("800%")[0].amount == Decimal(800)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("inf", "Item Price must be a number from 0 to 1e+15, not 'inf'"),
        ("1e400", "Item Price must be a number from 0 to 1e+15, not '1e400'"),
        ("-5", "Item Price must be a number from 0 to 1e+15, not '-5'"),
        ("abc", "Item Price is not a number: 'abc'"),
    ],
)
def test_history_files_refuse_absurd_numbers_with_the_line(
    tmp_path: Path, value: str, message: str
) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        '{"reference": "id", "date": "day", "label": "fraud", "value": "Item Price", '
        '"net_mass": "mass"}'
    )
    history = tmp_path / "history.csv"
    history.write_bytes(
        b"\xef\xbb\xbfid,day,fraud,Item Price,mass\r1,2024-01-02,0,100,5\r\r"
        + f"2,2024-01-03,1,{value},5\r".encode()
    )
    with pytest.raises(HistoryFileError) as refused:
        read_history(history, read_mapping(mapping))
    assert str(refused.value) == f"{history}:4: {message}"
