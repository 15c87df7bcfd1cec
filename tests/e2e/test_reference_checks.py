"""Reference data is checked as it is loaded, and bad stored data never breaks lodging: on real
databases (SQLite, and PostgreSQL when configured), through the API and the command line.

Every loader refuses a bad row naming its line and stores nothing from the file; a rate stored
before rates were checked (or written straight into the table) refuses the declarations that
need it with ``CL013`` instead of failing them; absurd tariff figures refuse the item with
``TA005``. The reference tables outlive a test on PostgreSQL, so what a test writes to them is
put back.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, Table, delete, func, insert, select, text, update

from clearway.adapters import sanctions_files
from clearway.adapters.control_list_files import ControlListFiles
from clearway.adapters.control_list_tables import control_list_versions
from clearway.adapters.risk_tables import value_controls
from clearway.adapters.screening_tables import screening_list_versions
from clearway.adapters.tables import declarations, exchange_rates
from clearway.adapters.tariff_tables import measure_components, measures, quota_definitions
from clearway.bootstrap import Runtime
from clearway.domain import money
from clearway.entrypoints.api.problems import PROBLEM_JSON
from tests.conftest import NOW, example, one_line_error
from tests.conftest import invoke_cli as invoke

RATES = "/api/v1/reference/exchange-rates"
HEADER = "currency,valid_from,valid_to,rate"
UK_TARIFF = Path(__file__).resolve().parents[3] / "shared" / "data" / "uk-tariff"


def count(engine: Engine, table: Table, *where: Any) -> int:
    with engine.connect() as connection:
        rows: int = connection.execute(
            select(func.count()).select_from(table).where(*where)
        ).scalar_one()
    return rows


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.fixture
def rates_kept(runtime: Runtime) -> Iterator[None]:
    """The stored exchange rates are put back as they were after the test."""
    with runtime.engine.connect() as connection:
        kept = [dict(row._mapping) for row in connection.execute(select(exchange_rates))]
    yield
    with runtime.engine.begin() as connection:
        connection.execute(delete(exchange_rates))
        connection.execute(insert(exchange_rates), kept)


def upload(api: Any, content: bytes, query: str = "", name: str = "rates.csv") -> Any:
    return api.post(
        f"{RATES}{query}", files={"file": (name, content, "text/csv")}, headers=api.as_("admin")
    )


# --- loading rates -------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["1e400", "1e18", "1e-400", "0", "-1", "NaN", "abc", "Infinity"])
def test_a_bad_rate_is_refused_with_its_line_and_nothing_is_stored(
    api: Any, runtime: Runtime, rates_kept: None, rate: str
) -> None:
    before = count(runtime.engine, exchange_rates)
    content = f"{HEADER}\nISK,2031-01-01,2031-01-31,0.0057\nISK,2031-02-01,,{rate}\n".encode()
    detail = problem_of(upload(api, content), 400)["detail"]
    assert detail.startswith("rates.csv line 3: rate "), detail
    assert rate in detail
    assert count(runtime.engine, exchange_rates) == before
    assert api.get(f"{RATES}/ISK?on=2031-01-15", headers=api.as_("admin")).status_code == 404


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (f"{HEADER}\rISK,2031-01-01,2031-01-31,0.0057\rISK,2031-02-01,,0.0058\r", "cr"),
        (f"{HEADER}\r\nISK,2031-01-01,2031-01-31,0.0057\r\nISK,2031-02-01,,0.0058\r\n", "crlf"),
        (f"\ufeff{HEADER}\nISK,2031-01-01,2031-01-31,0.0057\nISK,2031-02-01,,0.0058\n", "bom"),
    ],
    ids=["CR", "CRLF", "BOM"],
)
def test_cr_crlf_and_bom_files_are_loaded(
    api: Any, runtime: Runtime, rates_kept: None, content: str, name: str
) -> None:
    before = count(runtime.engine, exchange_rates)
    loaded = upload(api, content.encode(), name=f"{name}.csv")
    assert loaded.status_code == 200, loaded.text
    assert loaded.json() == {"loaded": 2, "stored": before + 2, "large_changes_allowed": []}
    looked_up = api.get(f"{RATES}/ISK?on=2031-03-01", headers=api.as_("admin")).json()
    assert (looked_up["rate"], looked_up["national_currency"]) == ("0.0058", "GBP")


def test_a_latin_1_file_is_refused_naming_the_encoding(
    api: Any, runtime: Runtime, rates_kept: None
) -> None:
    before = count(runtime.engine, exchange_rates)
    content = f"{HEADER}\nISK,2031-01-01,,0.0057 # kr\u00f3na\n".encode("latin-1")
    detail = problem_of(upload(api, content), 400)["detail"]
    assert detail.startswith("rates.csv line 2: byte 0xF3 is not UTF-8"), detail
    assert count(runtime.engine, exchange_rates) == before


def test_a_threefold_jump_is_refused_unless_allowed(
    api: Any, runtime: Runtime, rates_kept: None
) -> None:
    # USD stood at 0.78390 from 2026-11-01 (the shipped rates); 2.35170 is three times that,
    # the mistake of a rate typed for the wrong currency.
    before = count(runtime.engine, exchange_rates)
    content = f"{HEADER}\nUSD,2026-11-15,2026-11-30,2.35170\n".encode()
    detail = problem_of(upload(api, content), 400)["detail"]
    assert detail == (
        "rates.csv line 2: USD 2.35170 from 2026-11-15 rises by a factor of 3.00 from the rate "
        "before it (USD 0.78390 from 2026-11-01); a move of more than a factor of 2 is refused "
        "unless large changes are allowed; if it is right, load again with "
        "allow_large_changes=true"
    )
    assert count(runtime.engine, exchange_rates) == before

    allowed = upload(api, content, "?allow_large_changes=true")
    assert allowed.status_code == 200, allowed.text
    assert allowed.json() == {
        "loaded": 1,
        "stored": before + 1,
        "large_changes_allowed": [
            {
                "currency": "USD",
                "valid_from": "2026-11-15",
                "rate": "2.35170",
                "previous_valid_from": "2026-11-01",
                "previous_rate": "0.78390",
                "factor": "3.0000",
            }
        ],
    }
    looked_up = api.get(f"{RATES}/USD?on=2026-11-20", headers=api.as_("admin")).json()
    assert looked_up["rate"] == "2.35170"


def test_the_command_line_refuses_bad_rates_and_a_jump_unless_allowed(
    database_url: str, runtime: Runtime, rates_kept: None, tmp_path: Path
) -> None:
    rates = tmp_path / "rates.csv"
    before = count(runtime.engine, exchange_rates)
    rates.write_bytes(
        f"{HEADER}\rISK,2031-01-01,2031-01-31,0.0057\rISK,2031-02-01,,1e400\r".encode()
    )
    assert one_line_error(invoke(database_url, "reference", "rates", str(rates))) == (
        "rates.csv line 3: rate must be a positive number fit to value goods at; 1e400 is "
        "outside the plausible range 0.00000001 to 100000000"
    )
    assert count(runtime.engine, exchange_rates) == before

    rates.write_text(f"{HEADER}\nISK,2031-01-01,2031-01-31,0.0057\nISK,2031-02-01,,0.0171\n")
    refused = one_line_error(invoke(database_url, "reference", "rates", str(rates)))
    assert refused.startswith(
        "rates.csv line 3: ISK 0.0171 from 2031-02-01 rises by a factor of 3.00 from the rate "
        "before it (ISK 0.0057 from 2031-01-01)"
    )
    assert refused.endswith("if it is right, run again with --allow-large-changes")
    assert count(runtime.engine, exchange_rates) == before

    done = invoke(database_url, "reference", "rates", str(rates), "--allow-large-changes")
    assert done.exit_code == 0, done.output
    assert "large change allowed: ISK 0.0171 from 2031-02-01 rises by a factor of 3.00" in (
        done.stderr
    )
    assert f"loaded 2 rates; {before + 2} stored" in done.stderr
    assert count(runtime.engine, exchange_rates) == before + 2


# --- rates stored before these checks ------------------------------------------------------------


def store_rate_directly(engine: Engine, currency: str, valid_from: date, value: str) -> None:
    """Write a rate with SQL, as a rate stored before the checks (or by hand) would be."""
    cast = "CAST(:rate AS NUMERIC)" if engine.dialect.name == "postgresql" else ":rate"
    with engine.begin() as connection:
        changed = connection.execute(
            text(
                f"UPDATE exchange_rates SET rate = {cast} "
                "WHERE currency = :currency AND valid_from = :valid_from"
            ),
            {"rate": value, "currency": currency, "valid_from": valid_from.isoformat()},
        ).rowcount
    assert changed == 1


def usd_import(lrn: str | None = None) -> dict[str, Any]:
    payload = example("import")
    for part in ("invoice", "freight", "insurance"):
        payload[part]["currency"] = "USD"
    if lrn:
        payload["lrn"] = lrn
    return payload


UNUSABLE = ["Infinity", "1e400", "0", "1e-400", "NaN"]


@pytest.mark.parametrize("stored", UNUSABLE)
def test_an_unusable_stored_rate_refuses_lodging_with_cl013_not_a_500(
    api: Any, lodge: Any, runtime: Runtime, rates_kept: None, stored: str
) -> None:
    store_rate_directly(runtime.engine, "USD", date(2026, 11, 1), stored)
    runtime.refresh_rates()
    body = problem_of(lodge(usd_import()), 422)
    assert [(e["code"], e["pointer"]) for e in body["errors"]] == [
        ("CL013", "/invoice/currency"),
        ("CL013", "/freight/currency"),
        ("CL013", "/insurance/currency"),
    ]
    message = body["errors"][0]["detail"]
    assert message.startswith("the exchange rate stored for USD on 2026-11-23 is unusable (")
    assert message.endswith("); the administration must correct it")
    assert count(runtime.engine, declarations) == 0
    # The lookup says the same (409), and declarations in other currencies are lodged.
    looked_up = api.get(f"{RATES}/USD?on=2026-11-23", headers=api.as_("admin"))
    assert problem_of(looked_up, 409)["detail"] == message
    assert lodge(example("import")).status_code == 201


def test_text_that_is_no_number_in_a_sqlite_rate_column_is_unusable_too(
    api: Any, lodge: Any, runtime: Runtime, rates_kept: None
) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite keeps rates as text")
    store_rate_directly(runtime.engine, "USD", date(2026, 11, 1), "zero point seven")
    runtime.refresh_rates()
    (first, *_) = problem_of(lodge(usd_import()), 422)["errors"]
    assert first["code"] == "CL013"
    assert "(NaN is not a finite number)" in first["detail"]


def test_correcting_the_stored_rate_through_the_loader_lodges_again(
    api: Any, lodge: Any, runtime: Runtime, rates_kept: None
) -> None:
    store_rate_directly(runtime.engine, "USD", date(2026, 11, 1), "0")
    runtime.refresh_rates()
    assert lodge(usd_import()).status_code == 422
    corrected = upload(api, f"{HEADER}\nUSD,2026-11-01,2026-11-30,0.78390\n".encode())
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["large_changes_allowed"] == []
    lodged = lodge(usd_import())
    assert lodged.status_code == 201, lodged.text


def test_process_refuses_the_lines_needing_an_unusable_rate_and_lodges_the_others(
    database_url: str, runtime: Runtime, rates_kept: None, tmp_path: Path
) -> None:
    # The command runs on the real clock: break the USD rate in force today.
    today = datetime.now(UTC).date()
    with runtime.engine.connect() as connection:
        start = connection.execute(
            select(func.max(exchange_rates.c.valid_from)).where(
                exchange_rates.c.currency == "USD", exchange_rates.c.valid_from <= today
            )
        ).scalar_one()
    store_rate_directly(runtime.engine, "USD", start, "Infinity")
    flow = tmp_path / "flow.jsonl"
    lines = [example("import"), usd_import("USD-LINE-2"), example("export"), usd_import("USD-4")]
    flow.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")

    done = invoke(database_url, "process", str(flow))
    assert done.exit_code == 0, done.output
    assert "4 declarations" in done.stdout
    refusals = (tmp_path / "flow.rejected.jsonl").read_bytes().splitlines()
    rejects = [orjson.loads(line) for line in refusals]
    assert [(r["line"], r["lrn"]) for r in rejects] == [(2, "USD-LINE-2"), (4, "USD-4")]
    for refusal in rejects:
        first = refusal["errors"][0]
        assert (first["code"], first["pointer"]) == ("CL013", "/invoice/currency")
        assert (
            f"the exchange rate stored for USD on {today.isoformat()} is unusable"
            in (refusal["errors"][0]["detail"])
        )
    assert count(runtime.engine, declarations) == 2


# --- absurd tariff figures -----------------------------------------------------------------------


def store_tomato_duty(runtime: Runtime, percent: Decimal) -> None:
    """Store the third-country duty on the example's tomatoes (8%) as ``percent``."""
    third_country = select(measures.c.id).where(
        measures.c.jurisdiction == "GB",
        measures.c.commodity_code == "0702000007",
        measures.c.measure_type == "103",
    )
    where = measure_components.c.measure_id.in_(third_country)
    with runtime.engine.begin() as connection:
        changed = connection.execute(
            update(measure_components).where(where).values(amount=percent)
        ).rowcount
    assert changed == 1
    runtime.refresh_tariff()


@pytest.fixture
def absurd_tomato_duty(runtime: Runtime) -> Iterator[None]:
    """The third-country duty on the example's tomatoes stored as 10^30 %, then put back."""
    store_tomato_duty(runtime, Decimal("1E+30"))
    yield
    store_tomato_duty(runtime, Decimal(8))


def test_an_absurd_stored_duty_refuses_the_item_with_ta005_not_a_500(
    lodge: Any, runtime: Runtime, absurd_tomato_duty: None
) -> None:
    body = problem_of(lodge(example("import")), 422)
    [error] = body["errors"]
    assert (error["code"], error["pointer"]) == ("TA005", "/items/0")
    assert error["detail"].startswith(
        "the third country duty and VAT computed for commodity 0702000007 ("
    )
    assert error["detail"].endswith(
        "are beyond any amount that can be charged: the tariff data must be corrected"
    )
    assert count(runtime.engine, declarations) == 0


def test_duties_each_chargeable_but_too_large_together_refuse_the_declaration(
    lodge: Any, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Brought down from 10^25 to 1,000 so that real figures reach it: each item's duty, 8% of
    # £8,475.01 = £678.00, can be shown; the declaration's, £1,356.00, cannot.
    monkeypatch.setattr(money, "MAX_AMOUNT", Decimal(1000))
    payload = example("import")
    item = {**payload["items"][0], "preference": "100", "invoice_amount": "9200.00"}
    payload["items"] = [item, {**item, "sequence": 2}]
    [error] = problem_of(lodge(payload), 422)["errors"]
    assert (error["code"], error["pointer"]) == ("TA005", "/items")
    assert error["detail"] == (
        "the declaration's duty and VAT (1.356E+3) are beyond any amount that can be charged: "
        "the tariff data must be corrected"
    )
    assert count(runtime.engine, declarations) == 0


def test_an_absurd_stored_duty_refuses_a_quote_too(api: Any, absurd_tomato_duty: None) -> None:
    quote = {
        "commodity_code": "0702000007",
        "origin": "US",
        "date": NOW.date().isoformat(),
        "customs_value": "1000",
    }
    response = api.post("/api/v1/duty/quote", json={"items": [quote]}, headers=api.as_("broker"))
    [error] = problem_of(response, 422)["errors"]
    assert error["code"] == "TA005"


# --- the other loaders ---------------------------------------------------------------------------

SCHEDULE_HEADER = (
    "commodity_code,measure_type,origin,excluded,duty,valid_from,valid_to,additional_code,"
    "order_number,documents,description\n"
)
GOOD_MEASURE = '9602000000,103,1011,,5%,2021-01-01,,,,,"Worked vegetable carving material"'


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (
            "9602000000,103,1011,,1000000000000000000000000000000%,2021-01-01,,,,,",
            "1000000000000000000000000000000 in '1000000000000000000000000000000%' is more "
            "than 10,000%, beyond any real tariff",
        ),
        ("9602000000,103,ZZ,,5%,2021-01-01,,,,,", "'ZZ' is not an ISO 3166-1 country"),
        ("9602000000,103,1011,,XYZ 5/kg,2021-01-01,,,,,", "'XYZ' in the duty is not an ISO 4217"),
        ("9602000000,103,1011,,5%,2021-06-01,2021-01-01,,,,", "valid_to is before valid_from"),
    ],
    ids=["absurd-percent", "unknown-country", "unknown-currency", "backwards"],
)
def test_a_bad_schedule_line_is_refused_with_its_line_and_nothing_is_stored(
    database_url: str, runtime: Runtime, tmp_path: Path, bad_line: str, message: str
) -> None:
    schedule = tmp_path / "broken.csv"
    # CR line ends and a byte-order mark are read as well as LF.
    schedule.write_bytes(
        ("\ufeff" + SCHEDULE_HEADER + GOOD_MEASURE + "\n\n" + bad_line + "\n")
        .replace("\n", "\r")
        .encode()
    )
    refused = one_line_error(invoke(database_url, "tariff", "load-csv", str(schedule)))
    assert refused.startswith(f"broken.csv line 4: {message}"), refused
    assert count(runtime.engine, measures, measures.c.source == "schedule:broken.csv") == 0


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("094001,2026-01-01,2026-12-31,Infinity,KGM,,", "initial_volume 'Infinity' must be a"),
        ("094001,2026-01-01,2026-12-31,1e400,KGM,,", "initial_volume '1e400' must be a number"),
        ("094001,2026-01-01,2026-12-31,1000,KGM,-5,", "balance '-5' must be a number from 0"),
        ("094001,2026-01-01,2026-12-31,1000,XYZ,,", "unit 'XYZ' is not a known measurement unit"),
        ("094000,2026-01-01,2026-12-31,1000,KGM,,", "quota 094000 from 2026-01-01 is also on"),
    ],
    ids=["infinite", "absurd", "negative", "unknown-unit", "twice"],
)
def test_a_bad_quota_line_is_refused_with_its_line_and_nothing_is_stored(
    database_url: str, runtime: Runtime, tmp_path: Path, bad_line: str, message: str
) -> None:
    quotas = tmp_path / "quotas.csv"
    quotas.write_text(
        "order_number,valid_from,valid_to,initial_volume,unit,balance,description\n"
        f"094000,2026-01-01,2026-12-31,5000,KGM,5000,Tuna\n{bad_line}\n"
    )
    before = count(runtime.engine, quota_definitions)
    refused = one_line_error(invoke(database_url, "tariff", "load-quotas", str(quotas)))
    assert refused.startswith(f"quotas.csv line 3: {message}"), refused
    assert count(runtime.engine, quota_definitions) == before


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("0", "monetary_exchange_rates.json entry 10: exchange_rate 0 is not positive"),
        (
            "8.5476",
            "monetary_exchange_rates.json entry 10: EUR 8.5476 from 2016-10-01 rises by a "
            "factor of 10.00 from the rate before it (EUR 0.85476 from 2016-09-01) (and 1 more "
            "such rate)",
        ),
    ],
    ids=["zero", "tenfold"],
)
def test_load_uk_refuses_a_bad_rate_and_stores_none_of_the_tariff(
    database_url: str, runtime: Runtime, rates_kept: None, tmp_path: Path, rate: str, message: str
) -> None:
    xi = tmp_path / "xi"
    shutil.copytree(UK_TARIFF / "xi", xi)
    entries = json.loads((xi / "monetary_exchange_rates.json").read_text())
    assert entries[9]["attributes"]["validity_start_date"].startswith("2016-10-01")
    entries[9]["attributes"]["exchange_rate"] = rate
    (xi / "monetary_exchange_rates.json").write_text(json.dumps(entries))
    rates_before = count(runtime.engine, exchange_rates)
    refused = one_line_error(invoke(database_url, "tariff", "load-uk", str(xi)))
    assert refused.startswith(message), refused
    assert count(runtime.engine, measures, measures.c.jurisdiction == "XI") == 0
    assert count(runtime.engine, exchange_rates) == rates_before


def test_a_bad_control_list_line_is_refused_with_its_line_under_cr_line_ends(
    database_url: str, runtime: Runtime, tmp_path: Path
) -> None:
    correlation = tmp_path / "correlation.csv"
    shipped = ControlListFiles.shipped().correlation.read_text(encoding="utf-8-sig")
    lines = shipped.splitlines()
    correlation.write_bytes(
        ("\r".join([*lines, "841370,2B350.z,no such sub-item"]) + "\r").encode()
    )
    refused = one_line_error(
        invoke(database_url, "control-list", "load", "--correlation", str(correlation))
    )
    assert refused == f"correlation.csv line {len(lines) + 1}: 2B350.z is not an entry of the list"
    assert count(runtime.engine, control_list_versions) == 1


def test_a_bad_sanctions_row_stores_none_of_the_lists(
    database_url: str, runtime: Runtime, tmp_path: Path
) -> None:
    (tmp_path / "UN_consolidated.xml").write_text(
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
        "<FIRST_NAME>JOHN</FIRST_NAME><SECOND_NAME>DOE</SECOND_NAME></INDIVIDUAL>"
        "</INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    header = "\t".join(["Name", "Street_Address", "City", "State", "Country", "Postal_Code"])
    (tmp_path / "dpl.txt").write_text(f"{header}\nACME LTD\t1 Road\tTown\t\tGB\tX1\nBAD\trow\n")
    refused = one_line_error(invoke(database_url, "screening", "load", str(tmp_path)))
    assert refused == f"{tmp_path / 'dpl.txt'}:3: expected 6 columns, found 2"
    assert count(runtime.engine, screening_list_versions) == 0


def test_a_gzipped_list_expanding_past_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sanctions_files, "MAX_LIST_BYTES", 10_000)
    (tmp_path / "dpl.txt.gz").write_bytes(gzip.compress(b"Name\t" + b" " * 50_000))
    with pytest.raises(sanctions_files.SanctionsFileError, match="expands to more than 10,000"):
        sanctions_files.read_lists(tmp_path)


def test_risk_settings_refuse_absurd_figures_with_their_pointer_and_keep_what_was_stored(
    api: Any, runtime: Runtime
) -> None:
    analyst = api.as_("analyst")
    bands = "/api/v1/risk/value-controls"
    good = {"commodity_prefix": "6403", "unit": "NPR", "min_unit_value": "4.50"}
    assert api.put(bands, json=[good], headers=analyst).status_code == 200
    for absurd in ("1e400", "NaN", "Infinity", "-1"):
        body = problem_of(
            api.put(bands, json=[good, {**good, "min_unit_value": absurd}], headers=analyst), 422
        )
        assert body["errors"][0]["pointer"] == "/1/min_unit_value", body
    assert count(runtime.engine, value_controls) == 1

    targets = "/api/v1/risk/lane-targets"
    before = api.get(targets, headers=analyst).json()
    wanted = [
        {"lane": "red", "expected_rate": 0.03, "random_rate": 0.01},
        {"lane": "yellow", "expected_rate": 1.5, "random_rate": 0.02},
        {"lane": "blue", "expected_rate": 0.05, "random_rate": 0.01},
    ]
    [error] = problem_of(api.put(targets, json=wanted, headers=analyst), 422)["errors"]
    assert error == {
        "code": "RISK.lane_targets",
        "pointer": "/1",
        "detail": "yellow lane: expected_rate 1.5 is not a share in [0, 1]",
    }
    assert api.get(targets, headers=analyst).json() == before
