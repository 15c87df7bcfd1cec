"""``clearway tariff …`` (loading tariffs) and ``clearway duty quote`` (every duty option)."""

from __future__ import annotations

import sys
import time
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from clearway.adapters.quota_store import store_quotas
from clearway.adapters.reference_files import RatesFileError
from clearway.adapters.reference_store import check_rate_changes, load_rates
from clearway.adapters.tariff_files import (
    TariffFileError,
    TariffRecords,
    read_quotas,
    read_schedule,
)
from clearway.adapters.tariff_store import store_records
from clearway.adapters.uk_tariff_files import read_uk_directory
from clearway.bootstrap import Runtime
from clearway.config import get_settings
from clearway.domain.errors import ValidationFailed
from clearway.domain.tariff.units import Unit
from clearway.entrypoints.cli.output import fail, make_console
from clearway.entrypoints.cli.runtime import opened_runtime
from clearway.services.assessment import option_document
from clearway.services.quotes import QuoteItem, quote_duties

tariff_app = typer.Typer(help="Tariff: measures, duties, quotas.", no_args_is_help=True)
duty_app = typer.Typer(help="Duty calculation.", no_args_is_help=True)
console = make_console(stderr=True)


@tariff_app.command("load-uk")
def load_uk(
    directory: Annotated[Path, typer.Argument(help="UK Trade Tariff records (uk/ and xi/)")],
) -> None:
    """Import UK Trade Tariff commodity records, geography and monthly EUR rates."""
    started = time.perf_counter()
    try:
        loaded = read_uk_directory(directory)
    except TariffFileError as error:
        fail(str(error))
    with opened_runtime() as runtime:
        store_uk_tariff(runtime, loaded)
    console.print(f"loaded in {time.perf_counter() - started:.2f} s")


def store_uk_tariff(runtime: Runtime, loaded: list[TariffRecords]) -> None:
    """Store each jurisdiction's records and rates, once every rate has passed the band."""
    with_rates = runtime.settings.national_currency == "GBP"
    # The rates are checked against those stored before anything is written, so that a
    # refused rate leaves the tariff as it was too.
    try:
        for records in loaded:
            if records.rates and with_rates:
                check_rate_changes(runtime.engine, records.rates, records.rate_places)
    except RatesFileError as error:
        fail(str(error))
    for records in loaded:
        counts = store_records(runtime.engine, records)
        rates = ""
        if records.rates and with_rates:
            load_rates(runtime.engine, records.rates, places=records.rate_places)
            rates = f", {len(records.rates)} monthly EUR rates"
        console.print(
            f"{records.jurisdiction}: {counts['measures']} measures on "
            f"{counts['commodities']} commodities, {counts['areas']} areas{rates}"
        )


@tariff_app.command("load-csv")
def load_csv(
    file: Annotated[Path, typer.Argument(help="National schedule (docs/tariff-schedule.md)")],
    jurisdiction: Annotated[
        str | None, typer.Option(help="Tariff it belongs to (default: the country setting)")
    ] = None,
) -> None:
    """Load a national tariff schedule; reloading the same file replaces its measures."""
    settings = get_settings()
    try:
        records = read_schedule(file, jurisdiction or settings.country)
    except TariffFileError as error:
        fail(str(error))
    with opened_runtime() as runtime:
        counts = store_records(runtime.engine, records)
    console.print(f"{records.jurisdiction}: {counts['measures']} measures from {file.name}")


@tariff_app.command("load-quotas")
def load_quotas(
    file: Annotated[Path, typer.Argument(help="Quota definitions (docs/tariff-schedule.md)")],
    jurisdiction: Annotated[str | None, typer.Option(help="Tariff (default: country)")] = None,
) -> None:
    """Load tariff quota definitions and their balances."""
    settings = get_settings()
    try:
        quotas = read_quotas(file)
    except TariffFileError as error:
        fail(str(error))
    with opened_runtime() as runtime:
        count = store_quotas(runtime.engine, jurisdiction or settings.country, file.name, quotas)
    console.print(f"{count} quota definitions from {file.name}")


def _quantity(text: str) -> tuple[Unit, Decimal]:
    amount, _, unit = text.partition(":")
    try:
        value = Decimal(amount)
        if not value.is_finite() or value < 0:
            raise InvalidOperation
        return Unit.parse(unit), value
    except (InvalidOperation, ValueError) as error:
        detail = str(error) if isinstance(error, ValueError) else "not a non-negative number"
        raise typer.BadParameter(
            f"{text!r}: expected AMOUNT:UNIT such as 2:TNEI ({detail})"
        ) from error


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise typer.BadParameter(f"{text!r} must be zero or more")
    return value


@duty_app.command("quote")
def quote(
    commodity: Annotated[str, typer.Option(help="Commodity code, 10 digits")],
    origin: Annotated[str, typer.Option(help="Country of origin (ISO 3166 alpha-2)")],
    on: Annotated[str, typer.Option("--date", help="Import date, YYYY-MM-DD")],
    value: Annotated[str, typer.Option(help="Goods value")],
    freight: Annotated[str, typer.Option(help="Freight to the border")] = "0",
    insurance: Annotated[str, typer.Option(help="Insurance")] = "0",
    currency: Annotated[str, typer.Option(help="Currency of the amounts")] = "GBP",
    quantity: Annotated[
        list[str] | None, typer.Option(help="AMOUNT:UNIT, e.g. 2:TNEI, 120:DTN (repeatable)")
    ] = None,
    additional_code: Annotated[
        list[str] | None, typer.Option(help="Additional code, e.g. C490 (repeatable)")
    ] = None,
    document: Annotated[
        list[str] | None, typer.Option(help="Document code held, e.g. U088 (repeatable)")
    ] = None,
    preference: Annotated[str | None, typer.Option(help="Preference code claimed")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Tariff (default: country)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the options as JSON")] = False,
) -> None:
    """Every duty option for goods: third-country, preferences, quotas, suspensions."""
    try:
        import_date = date.fromisoformat(on)
    except ValueError:
        fail(f"--date {on!r} is not a date in the form YYYY-MM-DD")
    if not (commodity.isdigit() and len(commodity) in (6, 8, 10)):
        fail(f"--commodity {commodity!r} must be 6, 8 or 10 digits")
    try:
        item = QuoteItem(
            commodity_code=commodity,
            origin=origin.upper(),
            on=import_date,
            value=_amount(value),
            freight=_amount(freight),
            insurance=_amount(insurance),
            currency=currency.upper(),
            quantities=tuple(_quantity(text) for text in quantity or ()),
            additional_codes=frozenset(code.upper() for code in additional_code or ()),
            documents=frozenset(code.upper() for code in document or ()),
            preference=preference,
        )
    except typer.BadParameter as error:
        fail(str(error))
    with opened_runtime() as runtime:
        tariff = runtime.tariff_for(jurisdiction.upper() if jurisdiction else None)
        try:
            (assessment,) = quote_duties([item], runtime.context, tariff)
        except ValidationFailed as failed:
            fail("; ".join(v.message for v in failed.violations))
        national = runtime.settings.national_currency
    options = [option_document(option, national) for option in assessment.options]
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(options, option=orjson.OPT_INDENT_2) + b"\n")
        return
    table = Table(title=f"{commodity} from {item.origin} on {import_date.isoformat()}")
    for column in ("option", "measure", "duty", "VAT", "total"):
        table.add_column(column, justify="right" if column in ("duty", "VAT", "total") else "left")
    for option in options:
        lines = "\n".join(
            f"{line['measure_type']} {line['expression']} = {line['amount']}"
            for line in option["lines"]
        )
        table.add_row(
            f"{option['type']}\n{option['description']}",
            lines,
            option["duty"],
            option["vat"],
            option["total"],
        )
    make_console().print(table)
    for refused in assessment.refused:
        console.print(f"not available: {refused.description}: {refused.reason}")
