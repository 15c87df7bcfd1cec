"""Bad inputs to the ``clearway`` command: text that looks like Rich markup, files that are not
UTF-8, duplicate keys, and a JSON Lines line far over the size limit.

Each is answered as documented (one line on stderr and exit status 1 for a refused command; a
refused declaration or line is reported and the others lodged), the text shown as it is, never
a traceback, and nothing of a refused file stored. The commands run in this process
(``CliRunner``), so that the memory a command takes can be measured.

On SQLite only: every refusal here happens before the database is written to, whichever it
is, and a command's engine is closed only when its process exits, which in this process would
leave PostgreSQL connections open (``tests/e2e/test_cli.py`` runs the commands on both).
"""

from __future__ import annotations

import codecs
import csv
import re
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from clearway.adapters.database import create_database_engine
from clearway.adapters.tables import declarations
from clearway.adapters.tariff_files import SCHEDULE_COLUMNS
from clearway.config import get_settings
from clearway.entrypoints.cli.main import app
from tests.conftest import example

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

MARKUP = "[/x] [bold]:smile:"
# A file name cannot hold a slash: "[/x]" in a path is a folder "[" and a name "x]…".
NAME_MARKUP = "[bold]:smile:"


def invoke(database_url: str, *args: str) -> Result:
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            app, list(args), env={"CLEARWAY_DATABASE_URL": database_url, "COLUMNS": "200"}
        )
    finally:
        get_settings.cache_clear()


def refused(result: Result) -> str:
    """The one line a refused command prints; it exited with status 1, not a traceback."""
    assert result.exit_code == 1, (result.exception, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def finished(result: Result, status: int = 0) -> Result:
    assert result.exit_code == status, (result.exception, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def stored(database_url: str) -> int:
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            count: int = connection.execute(
                select(func.count()).select_from(declarations)
            ).scalar_one()
    finally:
        engine.dispose()
    return count


def odd_name(tmp_path: Path, suffix: str) -> Path:
    """``…/odd[/x]name<suffix>``: the slash makes ``odd[`` a folder, as a shell would."""
    folder = tmp_path / "odd["
    folder.mkdir(exist_ok=True)
    return folder / f"x]name{suffix}"


def marked_up(lrn: str) -> dict[str, Any]:
    """The import example with markup in its party names (an LRN may not hold brackets)."""
    declaration = example("import")
    declaration["lrn"] = lrn
    declaration["importer"]["name"] = f"Northwind {MARKUP} Fresh Produce"
    declaration["exporter"]["name"] = "[bold]Souss Primeurs[/bold] SARL"
    return declaration


# Rich markup in names and values


def test_a_missing_file_with_markup_in_its_name_is_named_as_it_is(
    database_url: str, tmp_path: Path
) -> None:
    missing = odd_name(tmp_path, ".json")

    assert refused(invoke(database_url, "lodge", str(missing))) == f"error: no such file: {missing}"
    assert refused(invoke(database_url, "process", str(missing))) == (
        f"error: no such file: {missing}"
    )
    schedule = tmp_path / f"tariff {NAME_MARKUP}.csv"
    line = refused(invoke(database_url, "tariff", "load-csv", str(schedule)))
    assert line.startswith(f"error: tariff {NAME_MARKUP}.csv: ")


def test_lodge_and_process_print_markup_in_names_and_values_as_it_is(
    database_url: str, tmp_path: Path
) -> None:
    single = odd_name(tmp_path, ".json")
    single.write_bytes(orjson.dumps(marked_up("NWT-2026-000501")))
    flow = odd_name(tmp_path, ".jsonl")
    flow.write_bytes(
        orjson.dumps(marked_up("NWT-2026-000502"))
        + b"\n"
        + orjson.dumps({**marked_up("NWT-2026-000503"), "office": MARKUP})
        + b"\n"
    )

    lodged = finished(invoke(database_url, "lodge", str(single)))
    assert lodged.stdout.startswith(f"{single}: 26GB")
    processed = finished(invoke(database_url, "process", str(flow)))
    assert f"{flow.name}: 2 declarations" in processed.stdout
    assert f"reasons for each refusal: {flow.with_suffix('.rejected.jsonl')}" in processed.stdout
    assert stored(database_url) == 2


def test_screening_and_tariff_refusals_quote_markup_as_it_is(
    database_url: str, tmp_path: Path
) -> None:
    country = refused(invoke(database_url, "screen", "--name", "[/x]", "--country", "[/x]"))
    assert country == "error: --country '[/x]' is not an ISO 3166-1 alpha-2 code"
    no_lists = refused(invoke(database_url, "screen", "--name", MARKUP))
    assert no_lists == "error: no sanctions list is loaded: run clearway screening load"

    schedule = tmp_path / "schedule.csv"
    with schedule.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, SCHEDULE_COLUMNS, restval="")
        writer.writeheader()
        writer.writerow(
            {
                "commodity_code": "0702000007",
                "measure_type": "103",
                "origin": f"{MARKUP}",
                "duty": "12%",
                "valid_from": "2021-01-01",
            }
        )
    line = refused(invoke(database_url, "tariff", "load-csv", str(schedule)))
    assert line.startswith("error: schedule.csv line 2: ")
    assert MARKUP in line, line


# Encodings and duplicate keys


def encoded(name: str) -> bytes:
    text = example("import")
    text["exporter"]["name"] = "Société Souss Primeurs"
    document = orjson.dumps(text).decode()
    return {
        "utf-16": lambda: document.encode("utf-16"),
        "utf-16-le": lambda: document.encode("utf-16-le"),
        "latin-1": lambda: document.encode("latin-1"),
        "utf-8-bom": lambda: codecs.BOM_UTF8 + document.encode(),
    }[name]()


def test_lodge_refuses_each_file_that_is_not_utf8_in_one_line(
    database_url: str, tmp_path: Path
) -> None:
    files = []
    for name in ("utf-16", "utf-16-le", "latin-1", "utf-8-bom"):
        path = tmp_path / f"{name}.json"
        path.write_bytes(encoded(name))
        files.append(path)

    done = finished(invoke(database_url, "lodge", *map(str, files)), status=1)

    latin_1 = encoded("latin-1").index("é".encode("latin-1"))
    assert done.stdout.splitlines() == [
        f"{files[0]}: refused: the file is not UTF-8 (byte 0xff at offset 0)",
        f"{files[1]}: refused: the file is not UTF-8 (byte 0x00 at offset 1; it looks like "
        "UTF-16 or UTF-32)",
        f"{files[2]}: refused: the file is not UTF-8 (byte 0xe9 at offset {latin_1:,})",
        f"{files[3]}: refused: the file starts with a UTF-8 byte order mark; send UTF-8 "
        "without one",
    ]
    assert stored(database_url) == 0


def test_lodge_refuses_a_file_over_the_body_limit_without_reading_it(
    database_url: str, tmp_path: Path
) -> None:
    limit = 2 * 1024 * 1024
    padded = tmp_path / "padded.json"
    declaration = orjson.dumps(example("import"))
    # Valid JSON, trailing spaces and all: only the size is wrong.
    padded.write_bytes(declaration + b" " * (limit + 1 - len(declaration)))

    done = finished(invoke(database_url, "lodge", str(padded)), status=1)

    assert done.stdout.splitlines() == [
        f"{padded}: refused: the file is {limit + 1:,} bytes; the limit is {limit:,}"
    ]
    assert stored(database_url) == 0


def test_process_refuses_a_file_that_is_not_utf8_before_lodging_any_of_it(
    database_url: str, tmp_path: Path
) -> None:
    good = orjson.dumps(example("import")) + b"\n"
    flow = tmp_path / "flow.jsonl"
    # Two good lines, then one in Latin-1: the file is not UTF-8, whatever its first lines.
    flow.write_bytes(good + good + encoded("latin-1") + b"\n")

    line = refused(invoke(database_url, "process", str(flow)))

    offset = 2 * len(good) + encoded("latin-1").index("é".encode("latin-1"))
    assert (
        line == f"error: {flow} is not UTF-8 (byte 0xe9 at offset {offset:,}); nothing was lodged"
    )
    assert stored(database_url) == 0
    assert not flow.with_suffix(".rejected.jsonl").exists()


def with_duplicate(document: dict[str, Any], name: str) -> bytes:
    """The declaration with ``name`` given twice in its first goods item."""
    document["items"][0]["__second__"] = "Tomatoes"
    return orjson.dumps(document).replace(b'"__second__"', orjson.dumps(name), 1)


def test_duplicate_keys_are_refused_by_lodge_and_process(database_url: str, tmp_path: Path) -> None:
    single = tmp_path / "twice.json"
    single.write_bytes(with_duplicate(example("import"), "description"))
    lodged = finished(invoke(database_url, "lodge", str(single)), status=1)
    assert lodged.stdout.splitlines() == [
        f'{single}: refused: duplicate key "description" at /items/0/description'
    ]
    assert stored(database_url) == 0

    first, last = example("import"), example("import")
    last["lrn"] = "NWT-2026-000124"
    duplicated = example("import")
    duplicated["lrn"] = "NWT-2026-000125"
    flow = tmp_path / "flow.jsonl"
    flow.write_bytes(
        b"\n".join(
            [orjson.dumps(first), with_duplicate(duplicated, "description"), orjson.dumps(last)]
        )
    )
    finished(invoke(database_url, "process", str(flow)))
    rejects = [
        orjson.loads(line) for line in flow.with_suffix(".rejected.jsonl").read_bytes().splitlines()
    ]
    assert rejects == [
        {
            "line": 2,
            "lrn": "NWT-2026-000125",
            "detail": 'duplicate key "description" at /items/0/description',
            "errors": [
                {
                    "code": "JSON.duplicate_key",
                    "pointer": "/items/0/description",
                    "detail": 'duplicate key "description" at /items/0/description',
                }
            ],
        }
    ]
    assert stored(database_url) == 2


# A line far over the limit


LINE_BYTES = 50 * 1024 * 1024


def write_big_line(handle: Any, size: int) -> None:
    """A JSON string of ``size`` bytes, written a MiB at a time (never held whole here)."""
    chunk = b"x" * 2**20
    handle.write(b'{"lrn": "NWT-2026-000777", "padding": "')
    left = size - len(b'{"lrn": "NWT-2026-000777", "padding": "') - 2
    while left > 0:
        handle.write(chunk[: min(left, len(chunk))])
        left -= len(chunk)
    handle.write(b'"}')


@pytest.fixture
def flow_with_a_huge_line(tmp_path: Path) -> Iterator[Path]:
    first, last = example("import"), example("export")
    flow = tmp_path / "huge.jsonl"
    with flow.open("wb") as handle:
        handle.write(orjson.dumps(first) + b"\n")
        write_big_line(handle, LINE_BYTES)
        handle.write(b"\n" + orjson.dumps(last) + b"\n")
    yield flow


def traced(run: Callable[[], Result]) -> tuple[Result, int]:
    """What ``run`` returns, and the most memory Python held while it ran, in bytes."""
    tracemalloc.start()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_a_line_over_the_limit_is_refused_by_its_size_in_bounded_memory(
    database_url: str, flow_with_a_huge_line: Path
) -> None:
    flow = flow_with_a_huge_line
    # What a run takes whatever the file (settings, reference data, the runtime) is measured
    # on a file of one small line, and only what the big file adds is counted.
    small = flow.with_name("small.jsonl")
    small.write_bytes(orjson.dumps(example("export")) + b"\n")
    _, baseline = traced(lambda: finished(invoke(database_url, "process", str(small))))

    done, peak = traced(lambda: finished(invoke(database_url, "process", str(flow))))

    assert "3 declarations" in done.stdout
    rejects = flow.with_suffix(".rejected.jsonl").read_bytes().splitlines()
    limit = 2 * 1024 * 1024
    detail = f"line 2 is {LINE_BYTES:,} bytes; the limit is {limit:,}"
    assert [orjson.loads(line) for line in rejects] == [
        {
            "line": 2,
            "lrn": None,
            "detail": detail,
            "errors": [{"code": "JSON.line_too_long", "pointer": "", "detail": detail}],
        }
    ]
    # The import lodged now; the export was lodged by the small run, and is recognised.
    assert stored(database_url) == 2
    assert re.search(r"│ already lodged\s+│\s+1 │", done.stdout), done.stdout
    assert peak - baseline < 20 * 2**20, f"{(peak - baseline) / 2**20:.1f} MiB more"
