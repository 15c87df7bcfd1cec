"""The lifecycle's transitions and exchange-rate lookups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from clearway.adapters.reference_files import RatesFileError, parse_rates, read_rates
from clearway.domain.lifecycle import FINAL, InvalidTransition, Status, can_amend, transition
from clearway.domain.reference import ExchangeRate, RateTable
from clearway.reference import DATA_DIR


def test_final_states_allow_nothing_further() -> None:
    assert {Status.REJECTED, Status.CANCELLED} == FINAL
    for status in (*FINAL, Status.RELEASED):
        assert not can_amend(status)
    for status in FINAL:
        with pytest.raises(InvalidTransition):
            transition(status, Status.CANCELLED)
    # A released export whose goods have not left may still be invalidated (the service
    # refuses it for imports); nothing else follows release.
    assert transition(Status.RELEASED, Status.CANCELLED) is Status.CANCELLED
    with pytest.raises(InvalidTransition):
        transition(Status.RELEASED, Status.REJECTED)


def test_open_states_can_be_amended_and_cancelled() -> None:
    for status in (Status.ACCEPTED, Status.ASSESSED, Status.HELD):
        assert can_amend(status)
        assert transition(status, Status.CANCELLED) is Status.CANCELLED
    with pytest.raises(InvalidTransition, match="a released declaration cannot become held"):
        transition(Status.RELEASED, Status.HELD)


def test_rate_valid_on_a_date() -> None:
    table = RateTable(
        [
            ExchangeRate("USD", date(2026, 10, 1), date(2026, 10, 31), Decimal("0.77")),
            ExchangeRate("USD", date(2026, 11, 1), date(2026, 11, 30), Decimal("0.78")),
        ]
    )
    assert table.rate("USD", date(2026, 10, 31)) == Decimal("0.77")
    assert table.rate("USD", date(2026, 11, 1)) == Decimal("0.78")
    assert table.rate("USD", date(2026, 12, 1)) is None  # past the last rate's end
    assert table.rate("USD", date(2026, 9, 30)) is None
    assert table.rate("EUR", date(2026, 11, 1)) is None


def test_real_eur_rates_are_shipped() -> None:
    rates = read_rates(DATA_DIR / "rates-eur-gbp-2016-2021.csv")
    table = RateTable(rates)
    # UK Trade Tariff monthly rate for April 2021
    assert table.rate("EUR", date(2021, 4, 15)) == Decimal("0.8512")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "currency,valid_from,rate\nUSD,2026-11-01,0.78\nXYZ,2026-11-01,1\n",
            "line 3: 'XYZ' is not an ISO 4217 currency",
        ),
        ("currency,valid_from,rate\nUSD,01/11/2026,0.78\n", "line 2: dates must be YYYY-MM-DD"),
        ("currency,valid_from,rate\nUSD,2026-11-01,-1\n", "line 2: rate must be a positive"),
        ("currency,valid_from,rate\nUSD,2026-11-01,abc\n", "line 2: rate 'abc' is not a number"),
        (
            "currency,valid_from,valid_to,rate\nUSD,2026-11-01,2026-10-01,1\n",
            "valid_to is before valid_from",
        ),
        ("currency,rate\nUSD,1\n", "missing columns valid_from"),
        ("currency,valid_from,rate\n", "no rates"),
    ],
)
def test_bad_rate_files_are_refused_with_the_line(text: str, message: str) -> None:
    with pytest.raises(RatesFileError, match=message):
        parse_rates(text, "rates.csv")


def test_missing_rates_file(tmp_path: Path) -> None:
    with pytest.raises(RatesFileError):
        read_rates(tmp_path / "absent.csv")
