"""Duty assessments per second, and the time to load the UK Trade Tariff records.

    python bench/duty_assess.py [--items 20000] [--runs 5] [--uk ../shared/data/uk-tariff]

Pin it to one core for the per-core figure: ``taskset -c 0 python bench/duty_assess.py``.
Items are drawn (seeded) from the loaded tariff: the UK records on their 2021 dates and the
illustrative schedule on 2026 dates, over origins that meet preferences, quotas, safeguards
and anti-dumping, with the quantities and additional codes the measures ask for.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from clearway.adapters.database import create_database_engine
from clearway.adapters.reference_store import read_reference
from clearway.adapters.tariff_store import load_illustrative_tariff, read_tariff, store_records
from clearway.adapters.uk_tariff_files import read_uk_directory
from clearway.bootstrap import prepare_database
from clearway.domain.tariff.duty import assess_item
from clearway.domain.tariff.options import DutyItem
from clearway.domain.tariff.tariff import Tariff, UnknownCommodity
from clearway.domain.tariff.units import Quantities, Unit

ORIGINS = ["CN", "US", "MA", "CA", "GB", "FR", "IN", "TR", "ZA", "CO", "BD", "VN", "KP", "CH"]
QUANTITIES = Quantities(
    {
        Unit("KGM"): Decimal("16000"),
        Unit("TNE", "I"): Decimal("2"),
        Unit("RET"): Decimal("5000"),
        Unit("MIL"): Decimal("2"),
        Unit("NAR"): Decimal("120"),
        Unit("LTR"): Decimal("900"),
        Unit("NPR"): Decimal("300"),
    }
)
CODES = [frozenset(), frozenset({"C490"}), frozenset({"B107", "D008"}), frozenset({"X611"})]


def draw_items(tariff: Tariff, commodities: list[str], count: int, seed: int) -> list[DutyItem]:
    rng = random.Random(seed)
    items: list[DutyItem] = []
    while len(items) < count:
        code = rng.choice(commodities)
        on = date(2021, rng.choice([2, 6, 7]), 15) if code.startswith("uk:") else date(2026, 11, 23)
        commodity = code.split(":", 1)[1]
        try:
            tariff.measures(commodity, on)
        except UnknownCommodity:
            continue
        items.append(
            DutyItem(
                commodity_code=commodity,
                origin=rng.choice(ORIGINS),
                on=on,
                customs_value=Decimal(rng.randrange(1_000, 500_000)) / 10,
                quantities=QUANTITIES,
                additional_codes=rng.choice(CODES),
                documents=frozenset({"N851", "U088"}) if rng.random() < 0.5 else frozenset(),
                preference=rng.choice([None, "100", "300", "320"]),
                net_mass_kg=Decimal("16000"),
            )
        )
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--uk", type=Path, default=Path(__file__).parents[2] / "shared/data/uk-tariff"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        engine = create_database_engine(f"sqlite:///{directory}/bench.db")
        prepare_database(engine)
        load_times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            for records in read_uk_directory(args.uk):
                store_records(engine, records)
            load_times.append(time.perf_counter() - started)
        load_illustrative_tariff(engine, "GB")
        started = time.perf_counter()
        tariff = read_tariff(engine, "GB")
        read_seconds = time.perf_counter() - started
        rates = read_reference(engine).rates
        engine.dispose()

    def to_national(amount: Decimal, currency: str) -> Decimal:
        rate = rates.rate(currency, date(2021, 6, 15)) if currency != "GBP" else Decimal(1)
        return amount * (rate or Decimal(1))

    uk_codes = [f"uk:{path.stem}" for path in (args.uk / "uk" / "commodities").glob("*.json")]
    illustrative = sorted(
        f"gb:{code.ljust(10, '0')}"
        for source, codes in tariff.sources().items()
        if source.startswith("schedule")
        for code in codes
    )
    # Half the items on the UK records (many measures each), half on the national schedule.
    weighted = uk_codes * max(1, len(illustrative) // len(uk_codes)) + illustrative
    items = draw_items(tariff, weighted, args.items, seed=7)

    rates_per_second = []
    options = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        options = 0
        for item in items:
            options += len(assess_item(item, tariff, to_national).options)
        rates_per_second.append(len(items) / (time.perf_counter() - started))

    print(
        "UK records load (8 commodities, geography, rates): median "
        f"{statistics.median(load_times) * 1000:.0f} ms over {args.runs} runs"
    )
    print(f"tariff read into memory: {len(tariff)} measures in {read_seconds * 1000:.0f} ms")
    print(f"items: {len(items)} ({options / len(items):.1f} options each)")
    print(
        "duty assessments: median "
        f"{statistics.median(rates_per_second):,.0f} items/s "
        f"(runs: {', '.join(f'{r:,.0f}' for r in rates_per_second)})"
    )


if __name__ == "__main__":
    main()
