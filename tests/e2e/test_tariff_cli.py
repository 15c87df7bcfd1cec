"""``clearway tariff …`` and ``clearway duty quote`` run as a user runs them (the Typer app in
this process) on a real database holding the UK Trade Tariff records of
/work/shared/data/uk-tariff.

The records are loaded once, into a module-scoped copy of the SQLite test database. Monthly
EUR rates used below (GBP per EUR): June 2021 0.85765, July 2021 0.8571.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from clearway.adapters.database import create_database_engine
from clearway.adapters.tariff_tables import measures
from tests.conftest import invoke_cli, one_line_error

UK_TARIFF = Path(__file__).resolve().parents[3] / "shared" / "data" / "uk-tariff"
# the usual import: from the US on 15 July 2021 (EUR at 0.8571), goods worth £1000
JULY = "--origin US --date 2021-07-15 --value 1000"


@pytest.fixture(scope="module")
def uk_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with the UK records loaded by ``clearway tariff load-uk``."""
    path = tmp_path_factory.mktemp("uk-tariff") / "clearway.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    done = invoke_cli(url, "tariff", "load-uk", str(UK_TARIFF))
    assert done.exit_code == 0, done.output
    assert "GB: 106 measures on 7 commodities" in done.stderr
    assert "XI: 7 measures on 1 commodities" in done.stderr
    return url


def quote(database_url: str, args: str) -> list[dict[str, Any]]:
    """``clearway duty quote ARGS --json`` (ARGS split on spaces); its options."""
    done = invoke_cli(database_url, "duty", "quote", *args.split(), "--json")
    assert done.exit_code == 0, done.output
    options: list[dict[str, Any]] = orjson.loads(done.stdout)
    return options


def quote_by_type(database_url: str, args: str) -> dict[str, dict[str, Any]]:
    """The options keyed by type, quotas as ``quota:<order number>``."""
    options = quote(database_url, args)
    keyed = {
        f"quota:{o['order_number']}" if o["type"] == "quota" else o["type"]: o for o in options
    }
    assert len(keyed) == len(options), [o["type"] for o in options]
    return keyed


def lines(option: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(line["measure_type"], line["expression"], line["amount"]) for line in option["lines"]]


def figures(option: dict[str, Any]) -> tuple[str, str, str]:
    return option["duty"], option["vat"], option["total"]


def refuse(database_url: str, *args: str) -> str:
    """Run a command expected to fail; returns its one-line error."""
    done = invoke_cli(database_url, *args)
    message = one_line_error(done)
    assert done.stdout == ""
    return f"error: {message}"


# --- every fixture commodity ------------------------------------------------------------------


def test_load_uk_is_repeatable(uk_db: str) -> None:
    # Loading the same records again replaces them: the quotes below are unchanged by it.
    done = invoke_cli(uk_db, "tariff", "load-uk", str(UK_TARIFF))
    assert done.exit_code == 0, done.output
    assert "GB: 106 measures on 7 commodities" in done.stderr


def test_ferro_manganese_from_china_every_option(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        "--commodity 7202118000 --origin CN --date 2021-06-01 --value 1000 --freight 250.89 "
        "--insurance 10 --quantity 2:TNEI --additional-code C490",
    )
    assert set(options) == {"third_country", "quota:054003", "suspension"}
    # customs value 1000 + 250.89 + 10 = 1260.89
    # third country: 103 2.7% = 34.04403; 696 safeguard 25% = 315.2225;
    # 552 excise C490 144.10 x 2 t = 288.20; duty 637.46653
    # VAT (VTS 20%) of 1260.89 + 637.46653 = 1898.35653 -> 379.671306; total 1017.137836
    third = options["third_country"]
    assert lines(third) == [
        ("103", "2.7%", "34.04"),
        ("696", "25%", "315.22"),
        ("552", "GBP 144.10/tonne/biodiesel", "288.20"),
    ]
    assert figures(third) == ("637.47", "379.67", "1017.14")
    assert third["vat_line"]["measure_type"] == "VTS"
    # quota 054003: 122 20% = 252.178, no safeguard under the quota; + 552 288.20 = 540.378
    # VAT 20% of 1801.268 = 360.2536; total 900.6316
    quota = options["quota:054003"]
    assert quota["measure_type"] == "122"
    assert [line["measure_type"] for line in quota["lines"]] == ["122", "552"]
    assert figures(quota) == ("540.38", "360.25", "900.63")
    # suspension: 117 0% + 696 315.2225 + 552 288.20 = 603.4225
    # VAT 20% of 1864.3125 = 372.8625; total 976.285 -> 976.29 (half-up, from unrounded parts)
    suspension = options["suspension"]
    assert [line["measure_type"] for line in suspension["lines"]] == ["117", "696", "552"]
    assert figures(suspension) == ("603.42", "372.86", "976.29")
    assert {o["currency"] for o in options.values()} == {"GBP"}


def test_ferro_manganese_priced_in_euros(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        "--commodity 7202118000 --origin CN --date 2021-06-01 --value 1000 --currency eur "
        "--quantity 2:TNEI --additional-code C490",
    )
    # EUR 1000 x 0.85765 (June 2021) = GBP 857.65; 2.7% = 23.15655; 25% = 214.4125;
    # 552 = 288.20; duty 525.76905; VAT 20% of 1383.41905 = 276.68381; total 802.45286
    third = options["third_country"]
    assert [line["amount"] for line in third["lines"]] == ["23.16", "214.41", "288.20"]
    assert figures(third) == ("525.77", "276.68", "802.45")


def test_other_ferro_manganese_from_the_us(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        "--commodity 7202999000 --origin US --date 2021-06-01 --value 1000 --quantity 2:TNEI "
        "--additional-code C490 --document C990",
    )
    assert set(options) == {"third_country", "quota:054003", "suspension"}
    # The 552 excise excludes CA and US. 103 2.7% = 27; 696 25% = 250; 695 (US) 25% = 250
    # duty 527; VAT 20% of 1527 = 305.40; total 832.40
    third = options["third_country"]
    assert lines(third) == [
        ("103", "2.7%", "27.00"),
        ("696", "25%", "250.00"),
        ("695", "25%", "250.00"),
    ]
    assert figures(third) == ("527.00", "305.40", "832.40")
    # quota: 122 20% = 200 + 695 250 = 450; VAT 20% of 1450 = 290; total 740
    assert figures(options["quota:054003"]) == ("450.00", "290.00", "740.00")
    # suspension (C990 held): 0 + 250 + 250 = 500; VAT 20% of 1500 = 300; total 800
    assert figures(options["suspension"]) == ("500.00", "300.00", "800.00")


def test_other_ferro_manganese_suspension_needs_its_document(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        "--commodity 7202999000 --origin CN --date 2021-06-01 --value 1000 --quantity 2:TNEI "
        "--additional-code C490",
    )
    # Without C990 the 117 suspension is not offered.
    assert set(options) == {"third_country", "quota:054003"}
    # 27 + 250 (696) + 288.20 (552) = 565.20; VAT 20% of 1565.20 = 313.04; total 878.24
    assert figures(options["third_country"]) == ("565.20", "313.04", "878.24")
    # 200 + 288.20 = 488.20; VAT 20% of 1488.20 = 297.64; total 785.84
    assert figures(options["quota:054003"]) == ("488.20", "297.64", "785.84")


def test_sows_from_the_us_by_weight(uk_db: str) -> None:
    options = quote_by_type(uk_db, f"--commodity 0103921100 {JULY} --quantity 120:DTN")
    assert set(options) == {"third_country"}
    third = options["third_country"]
    # EUR 35.10/100 kg x 120 x 0.8571 (July 2021) = 3610.1052; VAT VTZ 0%
    assert lines(third) == [("103", "EUR 35.10/100 kg", "3610.11")]
    assert figures(third) == ("3610.11", "0.00", "3610.11")
    assert third["vat_line"]["measure_type"] == "VTZ"
    # The excise measure 306 is only for additional code X611, which was not given.
    assert any("X611" in note for note in third["notes"])


def test_sows_weighed_in_kilograms(uk_db: str) -> None:
    (third,) = quote(uk_db, f"--commodity 0103921100 {JULY} --quantity 12000:KGM")
    # 12000 kg is 120 x 100 kg: EUR 35.10 x 120 x 0.8571 = 3610.1052, as by DTN
    assert figures(third) == ("3610.11", "0.00", "3610.11")


def test_sows_with_excise_x611(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        f"--commodity 0103921100 {JULY} --quantity 120:DTN --additional-code X611 "
        "--quantity 5000:RET --quantity 2:MIL",
    )
    third = options["third_country"]
    # 306: 16.5% of retail price 5000 = 825 + GBP 244.78 x 2 thousand items = 489.56 -> 1314.56,
    # above the minimum GBP 320.90 x 2 = 641.80. Duty 3610.1052 + 1314.56 = 4924.6652.
    excise = "16.5% of retail price + GBP 244.78/1,000 items MIN GBP 320.90/1,000 items"
    assert lines(third) == [("103", "EUR 35.10/100 kg", "3610.11"), ("306", excise, "1314.56")]
    assert figures(third) == ("4924.67", "0.00", "4924.67")


def test_sows_in_northern_ireland(uk_db: str) -> None:
    from_us = quote_by_type(
        uk_db, f"--commodity 0103921100 {JULY} --quantity 120:DTN --jurisdiction XI"
    )
    assert set(from_us) == {"third_country"}
    # the same EUR 35.10/100 kg x 120 x 0.8571 = 3610.1052; no excise measure in the XI record
    assert lines(from_us["third_country"]) == [("103", "EUR 35.10/100 kg", "3610.11")]
    assert figures(from_us["third_country"]) == ("3610.11", "0.00", "3610.11")
    assert "notes" not in from_us["third_country"]
    from_gb = quote_by_type(
        uk_db,
        "--commodity 0103921100 --origin GB --date 2021-07-15 --value 1000 --quantity 120:DTN "
        "--jurisdiction xi",
    )
    assert set(from_gb) == {"third_country", "preference"}
    assert from_gb["preference"]["measure_type"] == "142"
    assert figures(from_gb["preference"]) == ("0.00", "0.00", "0.00")


def test_young_bulls_compound_duty(uk_db: str) -> None:
    options = quote_by_type(uk_db, f"--commodity 0102291010 {JULY} --quantity 120:DTN")
    assert set(options) == {"third_country"}
    # 10.2% of 1000 = 102 + EUR 93.10 x 120 x 0.8571 = 9575.5212 -> 9677.5212
    assert lines(options["third_country"]) == [("103", "10.2% + EUR 93.10/100 kg", "9677.52")]
    assert figures(options["third_country"]) == ("9677.52", "0.00", "9677.52")


def test_cherry_tomatoes_from_morocco_in_february_2021(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        "--commodity 0702000007 --origin MA --date 2021-02-15 --value 1000 --quantity 1000:KGM",
    )
    # 103 8% (to 2021-05-14), 142 MA 3.5% (to 2021-03-31), 143 MA quotas 051104 (February only)
    # and 051193 (to 2021-05-31); VAT 305 at 0%.
    assert set(options) == {"third_country", "preference", "quota:051104", "quota:051193"}
    assert figures(options["third_country"]) == ("80.00", "0.00", "80.00")  # 8% of 1000
    assert figures(options["preference"]) == ("35.00", "0.00", "35.00")  # 3.5% of 1000
    assert figures(options["quota:051104"]) == ("0.00", "0.00", "0.00")
    assert figures(options["quota:051193"]) == ("0.00", "0.00", "0.00")
    assert options["preference"]["vat_line"]["measure_type"] == "305"


def test_plums_from_singapore_above_the_entry_price(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        "--commodity 0809400500 --origin SG --date 2021-06-05 --value 1000 --quantity 1000:KGM",
    )
    assert set(options) == {"third_country", "preference"}
    # £1000 for 10 x 100 kg = £100/100 kg = EUR 116.60/100 kg at 0.85765, above the
    # EUR 52.60 entry price: 14.4% of 1000 = 144
    assert lines(options["third_country"])[0][2] == "144.00"
    assert figures(options["third_country"]) == ("144.00", "0.00", "144.00")
    # 142 SG 4.2% (to 2021-06-10) of 1000 = 42
    assert figures(options["preference"]) == ("42.00", "0.00", "42.00")


def test_biodiesel_from_canada(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        "--commodity 1516209821 --origin CA --date 2021-06-01 --value 1000 --quantity 2:TNEI",
    )
    assert set(options) == {"third_country", "preference"}
    third = options["third_country"]
    # No additional code: the residual B999 excise applies. 103 10.9% = 109;
    # 552 144.10 x 2 = 288.20; 554 198.33 x 2 = 396.66; duty 793.86
    # VAT 305 20% of 1793.86 = 358.772; total 1152.632
    assert lines(third) == [
        ("103", "10.9%", "109.00"),
        ("552", "GBP 144.10/tonne/biodiesel", "288.20"),
        ("554", "GBP 198.33/tonne/biodiesel", "396.66"),
    ]
    assert figures(third) == ("793.86", "358.77", "1152.63")
    # preference 142 0%: duty 684.86; VAT 20% of 1684.86 = 336.972; total 1021.832
    assert figures(options["preference"]) == ("684.86", "336.97", "1021.83")


def test_biodiesel_with_the_suspension_document_and_a_relieved_excise_code(uk_db: str) -> None:
    options = quote_by_type(
        uk_db,
        "--commodity 1516209821 --origin CA --date 2021-06-01 --value 1000 --quantity 2:TNEI "
        "--additional-code B107 --document C990 --document D008",
    )
    assert set(options) == {"third_country", "preference", "suspension"}
    # B107 with D008: excise GBP 0.00/tonne. 103 10.9% = 109; VAT 20% of 1109 = 221.80
    assert figures(options["third_country"]) == ("109.00", "221.80", "330.80")
    # 142 and 117 at 0%: VAT 20% of 1000 = 200
    assert figures(options["preference"]) == ("0.00", "200.00", "200.00")
    assert figures(options["suspension"]) == ("0.00", "200.00", "200.00")


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            f"--commodity 9999999999 {JULY} --quantity 120:DTN",
            "error: commodity code 9999999999 is not in the tariff on 2021-07-15",
            id="unknown-commodity",
        ),
        pytest.param(
            f"--commodity 0103921100 {JULY}",
            "error: the tariff charges commodity 0103921100 by 100 kg: give a quantity in DTN",
            id="missing-quantity",
        ),
        pytest.param(
            "--commodity 0103921100 --origin US --date 15/07/2021 --value 1000",
            "error: --date '15/07/2021' is not a date in the form YYYY-MM-DD",
            id="bad-date",
        ),
        pytest.param(
            "--commodity 0103921100 --origin US --date 2021-02-30 --value 1000",
            "error: --date '2021-02-30' is not a date in the form YYYY-MM-DD",
            id="impossible-date",
        ),
        pytest.param(
            f"--commodity 0103921100 {JULY} --quantity lots:DTN",
            "error: 'lots:DTN': expected AMOUNT:UNIT such as 2:TNEI (not a non-negative number)",
            id="bad-quantity-amount",
        ),
        pytest.param(
            f"--commodity 0103921100 {JULY} --quantity 120",
            "error: '120': expected AMOUNT:UNIT such as 2:TNEI",
            id="quantity-without-unit",
        ),
        pytest.param(
            f"--commodity 0103921100 {JULY} --quantity -5:DTN",
            "error: '-5:DTN': expected AMOUNT:UNIT such as 2:TNEI (not a non-negative number)",
            id="negative-quantity",
        ),
        pytest.param(
            "--commodity 0103921100 --origin US --date 2021-07-15 --value 1,000",
            "error: '1,000' is not a number",
            id="bad-value",
        ),
        pytest.param(
            f"--commodity 0103-92 {JULY}",
            "error: --commodity '0103-92' must be 6, 8 or 10 digits",
            id="bad-commodity-code",
        ),
    ],
)
def test_bad_quote_input_gives_one_line_and_a_non_zero_exit(
    uk_db: str, args: str, message: str
) -> None:
    assert refuse(uk_db, "duty", "quote", *args.split(), "--json").startswith(message)


# --- national schedules in CSV -----------------------------------------------------------------

HEADER = (
    "commodity_code,measure_type,origin,excluded,duty,valid_from,valid_to,"
    "additional_code,order_number,documents,description\n"
)


def schedule_measures(database_url: str, name: str) -> int:
    """How many measures the schedule file ``name`` put in the database."""
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        found: int = connection.execute(
            select(func.count())
            .select_from(measures)
            .where(measures.c.source == f"schedule:{name}")
        ).scalar_one()
    engine.dispose()
    return found


def test_load_csv_then_quote_a_compound_duty(uk_db: str, tmp_path: Path) -> None:
    schedule = tmp_path / "carvings.csv"
    schedule.write_text(
        HEADER
        + '9601100000,103,1011,,2.5% + €1.20/kg MIN €3/kg MAX 20%,2021-01-01,,,,,"Worked ivory"\n'
        + "9601100000,305,1011,,20%,2021-01-01,,,,,\n"
        + "9601100000,142,CA,,Free,2021-01-01,2021-12-31,,,,\n",
        encoding="utf-8",
    )
    done = invoke_cli(uk_db, "tariff", "load-csv", str(schedule))
    assert done.exit_code == 0, done.output
    assert "GB: 3 measures from carvings.csv" in done.stderr
    assert schedule_measures(uk_db, "carvings.csv") == 3

    # min(max(2.5% + €1.20/kg, €3/kg), 20%) on £1000, EUR at 0.8571 (July 2021)
    # 10 kg: 25 + 1.20 x 10 x 0.8571 = 35.2852 is above the floor 3 x 10 x 0.8571 = 25.713
    # and below the ceiling 200: duty 35.2852; VAT 20% of 1035.2852 = 207.05704;
    # total 242.34224
    (light,) = quote(uk_db, f"--commodity 9601100000 {JULY} --quantity 10:KGM")
    assert light["type"] == "third_country"
    assert lines(light) == [("103", "2.5% + EUR 1.20/kg MIN EUR 3.00/kg MAX 20%", "35.29")]
    assert figures(light) == ("35.29", "207.06", "242.34")
    # 50 kg: 25 + 51.426 = 76.426 is below the floor 3 x 50 x 0.8571 = 128.565: duty 128.565
    # -> 128.57 (half-up); VAT 20% of 1128.565 = 225.713; total 354.278
    (middle,) = quote(uk_db, f"--commodity 9601100000 {JULY} --quantity 50:KGM")
    assert figures(middle) == ("128.57", "225.71", "354.28")
    # 100 kg: the floor 257.13 is above the ceiling 20% of 1000 = 200: duty 200;
    # VAT 20% of 1200 = 240; total 440
    (heavy,) = quote(uk_db, f"--commodity 9601100000 {JULY} --quantity 100:KGM")
    assert figures(heavy) == ("200.00", "240.00", "440.00")
    # From Canada the 142 preference (Free) is offered too: VAT 20% of 1000 = 200
    from_canada = quote_by_type(
        uk_db,
        "--commodity 9601100000 --origin CA --date 2021-07-15 --value 1000 --quantity 100:KGM",
    )
    assert figures(from_canada["preference"]) == ("0.00", "200.00", "200.00")
    assert figures(from_canada["third_country"]) == ("200.00", "240.00", "440.00")

    # Loading the same file again replaces its measures rather than adding to them.
    again = invoke_cli(uk_db, "tariff", "load-csv", str(schedule))
    assert again.exit_code == 0, again.output
    assert schedule_measures(uk_db, "carvings.csv") == 3


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        pytest.param(
            "9602000000,999,1011,,5%,2021-01-01,,,,,",
            "error: broken.csv line 3: unknown measure type '999'",
            id="unknown-measure-type",
        ),
        pytest.param(
            "9602000000,103,1011,,2.5% + €/kg,2021-01-01,,,,,",
            "error: broken.csv line 3: cannot read '€/kg' in duty expression '2.5% + €/kg'",
            id="bad-duty-expression",
        ),
        pytest.param(
            "9602000000,103,1011,,5%,2021-13-01,,,,,",
            "error: broken.csv line 3:",
            id="bad-date",
        ),
    ],
)
def test_load_csv_refuses_a_bad_file_and_loads_nothing(
    uk_db: str, tmp_path: Path, bad_line: str, message: str
) -> None:
    schedule = tmp_path / "broken.csv"
    good_line = '9602000000,103,1011,,5%,2021-01-01,,,,,"Worked vegetable carving material"'
    schedule.write_text(f"{HEADER}{good_line}\n{bad_line}\n", encoding="utf-8")
    assert refuse(uk_db, "tariff", "load-csv", str(schedule)).startswith(message)
    assert schedule_measures(uk_db, "broken.csv") == 0
    # The good first line was not loaded either: the code is still unknown.
    unknown = refuse(uk_db, "duty", "quote", "--commodity", "9602000000", *JULY.split(), "--json")
    assert unknown == "error: commodity code 9602000000 is not in the tariff on 2021-07-15"
