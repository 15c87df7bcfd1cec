"""The dual-use control list: entry codes in the Annex I structure of Regulation (EU) 2021/821,
which entry covers which, the commodity-code correlation, destination measures, the document
form and the files it is loaded from, with the problems each refuses and where."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from clearway.adapters.control_list_files import (
    ControlListFileError,
    ControlListFiles,
    read_control_list_files,
    shipped_control_list,
)
from clearway.domain.export_control.control_list import (
    ControlCode,
    ControlCodeError,
    ControlList,
    ControlListEntry,
    ControlListInvalid,
    Correlation,
    DestinationMeasure,
    MeasureAction,
    MeasureScope,
)
from clearway.domain.export_control.control_list_document import (
    control_list_document,
    parse_control_list,
)
from clearway.reference import DATA_DIR
from tests.conftest import example


def code(text: str) -> ControlCode:
    return ControlCode.parse(text)


def codes(entries: tuple[ControlListEntry, ...]) -> list[str]:
    return [str(entry.code) for entry in entries]


@pytest.fixture(scope="module")
def shipped() -> ControlList:
    return shipped_control_list()


# --- entry codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category", "group", "number", "sub_items"),
    [
        ("2B350", 2, "B", "350", ()),
        ("2B350.i", 2, "B", "350", ("i",)),
        ("5A002.a.1", 5, "A", "002", ("a", "1")),
        ("3A001.b.3.a", 3, "A", "001", ("b", "3", "a")),
        ("1C350.89", 1, "C", "350", ("89",)),
        (" 0E001 ", 0, "E", "001", ()),
    ],
)
def test_codes_read_in_the_annex_i_structure(
    text: str, category: int, group: str, number: str, sub_items: tuple[str, ...]
) -> None:
    parsed = code(text)
    assert (parsed.category, parsed.group, parsed.number, parsed.sub_items) == (
        category,
        group,
        number,
        sub_items,
    )
    assert str(parsed) == text.strip()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a control-list entry code is empty"),
        ("XB350", "'XB350' is not a control-list entry code: it must start with a category digit"),
        ("2F350", "must be followed by a group letter A to E (A equipment, B production"),
        ("2b350", "group letter A to E (A equipment, B production equipment, C materials, D "),
        ("2", "D software, E technology), not nothing"),
        ("2B35", "the group letter must be followed by a three-digit entry number, as in 2B350"),
        ("2B3500", "three-digit entry number"),
        ("2B350..i", "'2B350..i' is not a control-list entry code: sub-item 1 is empty"),
        ("2B350.", "sub-item 1 is empty"),
        ("2B350.I", "sub-item 'I' must be lower-case letters (a, b, i …) or a number (1, 2 …)"),
        ("2B350.a-1", "sub-item 'a-1' must be lower-case letters"),
        ("ML1.a", "it must start with a category digit 0 to 9, not 'M'"),
    ],
)
def test_malformed_codes_are_refused_saying_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ControlCodeError) as raised:
        ControlCode.parse(text)
    assert message in str(raised.value)


def test_an_entry_covers_itself_and_its_sub_items_only() -> None:
    assert code("2B350").covers(code("2B350.i"))
    assert code("2B350").covers(code("2B350"))
    assert code("2B350.i").covers(code("2B350.i"))
    assert not code("2B350.i").covers(code("2B350.g"))
    assert not code("2B350.i").covers(code("2B350"))
    assert not code("2B350").covers(code("2B351.a"))
    assert not code("2B350").covers(code("2A350"))
    assert code("3A001.b").covers(code("3A001.b.3.a"))
    assert not code("3A001.b.3").covers(code("3A001.b.30"))


def test_a_code_knows_the_codes_above_it() -> None:
    assert code("5A002.a.1").parent == code("5A002.a")
    assert code("5A002").parent is None
    assert [str(c) for c in code("3A001.b.3.a").lineage] == [
        "3A001.b.3.a",
        "3A001.b.3",
        "3A001.b",
        "3A001",
    ]


# --- correlation --------------------------------------------------------------------------------


def pumps_list() -> ControlList:
    entries = tuple(
        ControlListEntry(code(text), f"description of {text}", ("CB",))
        for text in ("2B350", "2B350.g", "2B350.i")
    )
    rows = (
        Correlation("8413", code("2B350")),
        Correlation("841370", code("2B350.i"), "centrifugal"),
        Correlation("84137051", code("2B350.i"), "single-stage"),
        Correlation("848180", code("2B350.g")),
    )
    return ControlList(entries, rows)


def test_a_declared_code_matches_every_prefix_of_it_in_the_correlation() -> None:
    control_list = pumps_list()
    rows = control_list.correlations_for("8413705140")
    assert [(row.commodity_prefix, str(row.entry)) for row in rows] == [
        ("8413", "2B350"),
        ("841370", "2B350.i"),
        ("84137051", "2B350.i"),
    ]
    # each entry once, broadest row first
    assert codes(control_list.correlated_entries("8413705140")) == ["2B350", "2B350.i"]
    assert codes(control_list.correlated_entries("84137090")) == ["2B350", "2B350.i"]
    assert [row.commodity_prefix for row in control_list.correlations_for("84137090")] == [
        "8413",
        "841370",
    ]
    assert codes(control_list.correlated_entries("84138100")) == ["2B350"]
    assert codes(control_list.correlated_entries("8481809000")) == ["2B350.g"]
    assert control_list.correlated_entries("8414100000") == ()
    # a row more specific than the code asked about is not matched
    assert [row.commodity_prefix for row in control_list.correlations_for("841370")] == [
        "8413",
        "841370",
    ]


def test_the_shared_export_example_correlates_with_2b350_i_and_is_not_embargoed(
    shipped: ControlList,
) -> None:
    payload = example("export")
    (item,) = payload["items"]
    assert item["commodity_code"] == "8413705140"
    correlated = shipped.correlated_entries(item["commodity_code"])
    assert codes(correlated) == ["2B350.i"]
    assert correlated[0].parent == code("2B350")
    declared = code(item["control"]["entry"])
    assert shipped.entry(declared) == correlated[0]
    assert payload["destination_country"] == "AE"
    assert shipped.destination_measures("AE", [declared, *(e.code for e in correlated)]) == ()
    assert shipped.measures_for("AE") == ()


# --- destination measures -----------------------------------------------------------------------


def test_destination_measures_apply_by_scope(shipped: ControlList) -> None:
    def names(country: str, *texts: str) -> list[tuple[str, str]]:
        found = shipped.destination_measures(country, [code(text) for text in texts])
        return [(measure.list_name, measure.action.value) for measure in found]

    # every dual-use item
    assert names("RU", "9E003") == [("EU Reg. 833/2014 Russia", "prohibit")]
    assert names("KP", "2B350.i") == [("UN arms embargo DPRK", "prohibit")]
    assert names("BY", "5A002.a.1") == [("EU Reg. 765/2006 Belarus", "prohibit")]
    # by category: Iran's covers categories 0, 1, 2, 3, 5, 6 and 9, not 4, 7 or 8
    assert names("IR", "2B350.i") == [("EU Reg. 267/2012 Iran", "refer")]
    assert names("IR", "4A003") == []
    assert names("IR", "7A003", "4A003", "1C350.1") == [("EU Reg. 267/2012 Iran", "refer")]
    # by entry, sub-items included: Myanmar's covers 5A001 and 5A002
    assert names("MM", "5A002.a.1") == [("EU Reg. 401/2013 Myanmar (Burma)", "refer")]
    assert names("MM", "5D002") == []
    assert names("MM", "2B350") == []
    # no listed item, no measure; no measure on a country without one
    assert names("RU") == []
    assert names("AE", "0A001") == []
    prohibit = shipped.destination_measures("RU", [code("2B350")])[0]
    assert prohibit.action == "prohibit"
    assert prohibit.legal_basis == "Council Regulation (EU) No 833/2014, Art. 2"


def test_a_measure_scope_must_say_what_it_covers() -> None:
    refer = MeasureAction.REFER
    with pytest.raises(ValueError, match="scope categories takes categories"):
        DestinationMeasure("L", "IR", refer, "basis", MeasureScope.CATEGORIES)
    with pytest.raises(ValueError, match="scope all-dual-use takes neither"):
        DestinationMeasure("L", "IR", refer, "basis", MeasureScope.ALL_DUAL_USE, frozenset({1}))
    with pytest.raises(ValueError, match="scope entries takes entries"):
        DestinationMeasure(
            "L", "IR", refer, "basis", MeasureScope.ENTRIES, frozenset({1}), (code("2B350"),)
        )
    with pytest.raises(ValueError, match="needs its legal basis"):
        DestinationMeasure("L", "IR", refer, " ")


# --- the list holding together ------------------------------------------------------------------


def test_a_list_refuses_duplicates_and_unlisted_entries_with_pointers() -> None:
    entry = ControlListEntry(code("2B350"), "chemical manufacturing equipment")
    measure = DestinationMeasure(
        "L", "MM", MeasureAction.REFER, "basis", MeasureScope.ENTRIES, entries=(code("5A002"),)
    )
    with pytest.raises(ControlListInvalid) as raised:
        ControlList(
            (entry, entry),
            (Correlation("841370", code("2B350.i")), Correlation("8413", code("2B350"))),
            (measure,),
        )
    assert raised.value.problems == (
        ("/entries/1/code", "2B350 is listed twice"),
        ("/correlation/0/entry", "2B350.i is not an entry of the list"),
        ("/destinations/0/entries/0", "5A002 is not an entry of the list"),
    )
    assert str(raised.value) == "/entries/1/code: 2B350 is listed twice (and 2 more)"


def test_search_by_code_prefix_words_and_category(shipped: ControlList) -> None:
    # the entry and its sub-items by code, the software and technology for it by description
    assert codes(shipped.search("5A002")) == ["5A002", "5A002.a", "5A002.a.1", "5D002", "5E002"]
    assert codes(shipped.search("PUMPS")) == ["2B350.i"]
    assert codes(shipped.search("", category=7)) == ["7A003"]
    assert codes(shipped.search("2b350.", category=2))[0] == "2B350.a"
    assert shipped.search("pumps", category=5) == ()


# --- the document -------------------------------------------------------------------------------


def test_the_document_reads_back_as_the_same_list(shipped: ControlList) -> None:
    document = control_list_document(shipped)
    assert parse_control_list(json.loads(json.dumps(document))) == shipped
    assert document["destinations"][3] == {
        "list": "EU Reg. 267/2012 Iran",
        "country": "IR",
        "action": "refer",
        "scope": "categories",
        "categories": [0, 1, 2, 3, 5, 6, 9],
        "legal_basis": "Council Regulation (EU) No 267/2012 (prior authorisation of listed items)",
    }


def test_a_document_is_refused_with_every_problem_and_its_pointer() -> None:
    document: dict[str, Any] = {
        "label": "draft",
        "entries": [
            {"code": "2B350", "description": "chemical manufacturing equipment"},
            {"code": "2F350", "description": "bad group"},
            {"code": "2B351", "description": "gas monitors", "reasons": ["XX"]},
            {"code": "2B352", "descripton": "typo"},
        ],
        "correlation": [
            {"commodity_code": "84137", "entry": "2B350"},
            {"commodity_code": "841370", "entry": 7},
        ],
        "destinations": [
            {"list": "L", "country": "XX", "action": "block", "scope": "all-dual-use",
             "legal_basis": "basis"},
            {"list": "L", "country": "IR", "action": "refer", "scope": "categories",
             "categories": [2, 10], "legal_basis": "basis"},
        ],
        "illustrative": "yes",
    }  # fmt: skip
    with pytest.raises(ControlListInvalid) as raised:
        parse_control_list(document, countries={"IR", "RU"})
    assert raised.value.problems == (
        (
            "/entries/1/code",
            "'2F350' is not a control-list entry code: the category digit must be followed by a "
            "group letter A to E (A equipment, B production equipment, C materials, D software, "
            "E technology), not 'F'",
        ),
        ("/entries/2", "entry 2B351: reason 'XX' is not one of NS, MT, NP, CB, CW"),
        (
            "/entries/3",
            "unknown field 'descripton' (the fields are code, description, reasons)",
        ),
        ("/correlation/0/commodity_code", "commodity code '84137' must be 2 to 10 digits in pairs"),
        ("/correlation/1/entry", "entry is text"),
        ("/destinations/0/country", "'XX' is not an ISO 3166 country code"),
        ("/destinations/0/action", "action 'block' must be prohibit or refer"),
        ("/destinations/1/categories", "categories are a list of digits 0 to 9"),
        ("/illustrative", "illustrative is true or false"),
    )


# --- the files ----------------------------------------------------------------------------------


def test_the_shipped_files_are_marked_illustrative_and_span_every_category(
    shipped: ControlList,
) -> None:
    assert shipped.illustrative
    assert shipped.label == "Illustrative dual-use list (Annex I structure, paraphrased)"
    assert {entry.code.category for entry in shipped.entries} == set(range(10))
    assert {entry.code.group for entry in shipped.entries} == set("ABCDE")
    assert codes(shipped.sub_entries(code("2B350"))) == [f"2B350.{s}" for s in "abcdefghi"]
    for name in ("control-list.json", "destinations.json"):
        document = json.loads((DATA_DIR / "export_control" / name).read_text())
        assert document["illustrative"] is True
        assert document["note"].startswith("ILLUSTRATIVE")
        assert "NOT the legal text" in document["note"]
    first = (DATA_DIR / "export_control" / "correlation.csv").read_text().splitlines()[0]
    assert first.startswith("# ILLUSTRATIVE")


def test_every_shipped_correlation_code_is_in_hs_2022(shipped: ControlList) -> None:
    with (DATA_DIR / "hs2022.csv").open(newline="", encoding="utf-8") as handle:
        hs_codes = {row["hscode"] for row in csv.DictReader(handle)}
    assert len(shipped.correlations) >= 30
    prefixes = [row.commodity_prefix for row in shipped.correlations]
    assert [prefix for prefix in prefixes if prefix not in hs_codes] == []


@pytest.fixture
def files(tmp_path: Path) -> ControlListFiles:
    """Copies of the shipped files to break."""
    shipped_files = ControlListFiles.shipped()
    copies = ControlListFiles(
        tmp_path / "entries.json", tmp_path / "correlation.csv", tmp_path / "destinations.json"
    )
    shutil.copy(shipped_files.entries, copies.entries)
    shutil.copy(shipped_files.correlation, copies.correlation)
    shutil.copy(shipped_files.destinations, copies.destinations)
    return copies


def edit_json(path: Path, change: Any) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=1))


def refusal(files: ControlListFiles) -> str:
    with pytest.raises(ControlListFileError) as raised:
        read_control_list_files(files)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_file_errors_name_the_correlation_line(files: ControlListFiles) -> None:
    lines = files.correlation.read_text().splitlines()
    lines.insert(3, "841370,2B350.z,no such sub-item")
    files.correlation.write_text("\n".join(lines) + "\n")
    # line 1 is the comment, line 2 the header, so the inserted row is line 4
    assert refusal(files) == "correlation.csv line 4: 2B350.z is not an entry of the list"
    lines[3] = "841370,2B350.I,upper case"
    files.correlation.write_text("\n".join(lines) + "\n")
    assert refusal(files) == (
        "correlation.csv line 4: '2B350.I' is not a control-list entry code: sub-item 'I' "
        "must be lower-case letters (a, b, i …) or a number (1, 2 …)"
    )
    lines[3] = "8413,2B350.i,too,many"
    files.correlation.write_text("\n".join(lines) + "\n")
    assert refusal(files) == "correlation.csv line 4: 4 fields, expected 3"
    files.correlation.write_text("code,entry\n841370,2B350.i\n")
    assert refusal(files) == (
        "correlation.csv line 1: missing column commodity_code "
        "(the columns are commodity_code, entry, note)"
    )


def test_file_errors_name_the_entry_and_the_measure(files: ControlListFiles) -> None:
    def bad_code(document: dict[str, Any]) -> None:
        document["entries"][1]["code"] = "0A01.a"

    edit_json(files.entries, bad_code)
    assert refusal(files).startswith(
        "entries.json entry 2 (0A01.a): '0A01.a' is not a control-list entry code: the group "
        "letter must be followed by a three-digit entry number"
    )
    shutil.copy(ControlListFiles.shipped().entries, files.entries)

    def bad_measure(document: dict[str, Any]) -> None:
        document["measures"][1]["country"] = "XX"
        document["measures"][2]["action"] = "block"

    edit_json(files.destinations, bad_measure)
    assert refusal(files) == (
        "destinations.json measure 2 (EU Reg. 833/2014 Russia): 'XX' is not an ISO 3166 "
        "country code (and 1 more problem)"
    )

    def bad_action(document: dict[str, Any]) -> None:
        document["measures"][1]["country"] = "RU"

    edit_json(files.destinations, bad_action)
    assert refusal(files) == (
        "destinations.json measure 3 (EU Reg. 765/2006 Belarus): action 'block' must be "
        "prohibit or refer"
    )


def test_file_errors_for_what_is_not_json_or_not_there(files: ControlListFiles) -> None:
    files.destinations.write_text('{\n  "measures": [\n    {"list": }\n  ]\n}\n')
    assert refusal(files).startswith("destinations.json line 3: not JSON (Expecting value)")
    files.destinations.write_text('{"measures": [], "embargoes": []}')
    assert refusal(files) == (
        "destinations.json: unknown field 'embargoes' (the fields are illustrative, note, measures)"
    )
    files.destinations.unlink()
    assert refusal(files).endswith("destinations.json: No such file or directory")


def test_a_list_is_illustrative_only_when_a_file_says_so(files: ControlListFiles) -> None:
    def real(document: dict[str, Any]) -> None:
        document["illustrative"] = False

    edit_json(files.entries, real)
    assert read_control_list_files(files).illustrative
    edit_json(files.destinations, real)
    assert not read_control_list_files(files).illustrative
