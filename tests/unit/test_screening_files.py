"""Reading the OFAC SDN (legacy CSV), BIS Denied Persons and UN consolidated lists into one
entity model, on the real lists shipped with Clearway and the copies in ../shared."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from clearway.adapters.sanctions_files import (
    SHIPPED_DIR,
    SanctionsFileError,
    country_code,
    find_list_files,
    read_lists,
    read_name_pairs,
)
from clearway.domain.screening.entity import (
    EntityKind,
    Identifier,
    ListedEntity,
    ListSource,
    NameStrength,
)
from tests.conftest import ROOT

SHARED_SANCTIONS = ROOT.parent / "shared" / "data" / "sanctions"


def by_source(lists: list[Any]) -> dict[ListSource, dict[str, ListedEntity]]:
    return {
        listed.source: {entity.entity_id: entity for entity in listed.entities} for listed in lists
    }


def test_the_shipped_lists_hold_every_entry(shipped_lists: list[Any]) -> None:
    entities = by_source(shipped_lists)
    assert len(entities[ListSource.OFAC_SDN]) == 8976
    # 581 rows of orders and addresses, 459 distinct names
    assert len(entities[ListSource.BIS_DPL]) == 459
    un = entities[ListSource.UN].values()
    assert sum(e.kind is EntityKind.INDIVIDUAL for e in un) == 730
    assert sum(e.kind is EntityKind.ENTITY for e in un) == 273
    sdn = entities[ListSource.OFAC_SDN].values()
    kinds = {kind: sum(e.kind is kind for e in sdn) for kind in EntityKind}
    assert kinds[EntityKind.INDIVIDUAL] == 4620
    assert kinds[EntityKind.VESSEL] == 406
    assert kinds[EntityKind.AIRCRAFT] == 277
    assert kinds[EntityKind.ENTITY] == 3673


def test_sdn_entries_carry_aliases_addresses_and_facts_from_the_remarks(
    shipped_lists: list[Any],
) -> None:
    sdn = by_source(shipped_lists)[ListSource.OFAC_SDN]
    bank = sdn["ofac-sdn:306"]
    assert bank.primary_name == "BANCO NACIONAL DE CUBA"
    assert [(n.text, n.strength) for n in bank.names] == [
        ("BANCO NACIONAL DE CUBA", NameStrength.PRIMARY),
        ("NATIONAL BANK OF CUBA", NameStrength.ALIAS),
        ("BNC", NameStrength.WEAK),  # "a.k.a. 'BNC'" in the remarks: a weak alias
    ]
    assert [a.country for a in bank.addresses] == ["CH", "ES", "JP", "PA"]
    assert "CU" in bank.countries  # the CUBA programme
    assert bank.programmes == ("CUBA",)
    karaki = sdn["ofac-sdn:27320"]
    assert karaki.birth_dates == ("1967-02-25",)
    assert Identifier("Passport", "RL1025526", "LB") in karaki.identifiers
    assert "GN" in karaki.countries  # citizen Guinea
    assert ("AL-FADL, Abu", NameStrength.WEAK) in [(n.text, n.strength) for n in karaki.names]
    vessel = sdn["ofac-sdn:4234"]
    assert (vessel.kind, vessel.extra["call_sign"], vessel.countries) == (
        EntityKind.VESSEL,
        "CL2685",
        ("CU",),
    )


def test_un_entries_keep_weak_aliases_original_script_and_documents(
    shipped_lists: list[Any],
) -> None:
    un = by_source(shipped_lists)[ListSource.UN]
    badege = un["un:6907993"]
    assert badege.primary_name == "ERIC BADEGE"
    assert badege.birth_dates == ("1971",)
    assert set(badege.countries) >= {"CD", "RW"}
    assert badege.listed_on == "2012-12-31"
    saddam = next(e for e in un.values() if e.primary_name == "SADDAM HUSSEIN AL-TIKRITI")
    assert ListedEntity.from_document(saddam.document()) == saddam
    assert "صدام حسين التكريتي" in [name.text for name in saddam.names]
    weak = [n for e in un.values() for n in e.names if n.strength is NameStrength.WEAK]
    assert len(weak) == 615  # QUALITY Low
    assert sum(len(e.identifiers) for e in un.values()) == 454


def test_dpl_rows_of_one_name_make_one_entity_with_every_address(
    shipped_lists: list[Any],
) -> None:
    dpl = by_source(shipped_lists)[ListSource.BIS_DPL].values()
    airline = next(e for e in dpl if e.primary_name == "AL NASER AIRLINES")
    assert len(airline.addresses) == 4
    assert airline.entity_id.startswith("bis-dpl:")
    assert airline.programmes == ("DPL",)


@pytest.mark.skipif(not SHARED_SANCTIONS.is_dir(), reason="../shared/data/sanctions not present")
def test_the_published_layout_reads_the_same_as_the_shipped_copies(
    shipped_lists: list[Any],
) -> None:
    found = find_list_files(SHARED_SANCTIONS)
    assert [path.name for path in found[ListSource.OFAC_SDN]] == ["sdn.csv", "alt.csv", "add.csv"]
    shared = read_lists(SHARED_SANCTIONS)
    # plain and gzipped files hash the same: reloading either is "unchanged"
    assert [(s.source, s.sha256) for s in shared] == [(s.source, s.sha256) for s in shipped_lists]


def write_gz(path: Path, text: str) -> None:
    path.write_bytes(gzip.compress(text.encode()))


def test_malformed_files_name_the_file_and_line(tmp_path: Path) -> None:
    sdn = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
    (tmp_path / "sdn.csv").write_text(sdn + '173,"SHORT ROW",-0-\n')
    (tmp_path / "alt.csv").write_text("")
    (tmp_path / "add.csv").write_text("")
    with pytest.raises(SanctionsFileError, match=r"sdn\.csv:2: expected 12 columns, found 3"):
        read_lists(tmp_path)
    (tmp_path / "sdn.csv").write_text(sdn.replace("36", "X36"))
    with pytest.raises(SanctionsFileError, match=r"sdn\.csv:1: entity number 'X36'"):
        read_lists(tmp_path)

    other = tmp_path / "other"
    other.mkdir()
    write_gz(other / "dpl.txt.gz", "Who\tWhere\nA\tB\n")
    with pytest.raises(SanctionsFileError, match=r"dpl\.txt\.gz:1: expected a tab-separated"):
        read_lists(other)

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "UN_consolidated.xml").write_text("<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n</WRONG>")
    with pytest.raises(SanctionsFileError, match=r"UN_consolidated\.xml:3: not well-formed"):
        read_lists(broken)

    with pytest.raises(SanctionsFileError, match="empty: no such directory"):
        read_lists(tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SanctionsFileError, match=r"none of sdn\.csv"):
        read_lists(tmp_path / "empty")


def test_unsafe_xml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "UN_consolidated.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>"
    )
    with pytest.raises(SanctionsFileError, match="refused unsafe XML"):
        read_lists(tmp_path)


def test_name_pairs_need_the_three_columns_and_a_label(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("name1,name2,is_match,notes\nA B,B A,true,x\nC,D,0,\n")
    pairs = read_name_pairs(cases)
    assert [(p.name1, p.name2, p.is_match) for p in pairs] == [
        ("A B", "B A", True),
        ("C", "D", False),
    ]
    cases.write_text("name1,name2\nA,B\n")
    with pytest.raises(SanctionsFileError, match=r"cases\.csv:1: missing column\(s\) is_match"):
        read_name_pairs(cases)
    cases.write_text("name1,name2,is_match\nA,B,maybe\n")
    with pytest.raises(SanctionsFileError, match=r"cases\.csv:2: is_match 'maybe'"):
        read_name_pairs(cases)


def test_country_names_map_to_iso_codes() -> None:
    assert [country_code(name) for name in ("Korea, North", "Burma", "Russia", "Iran")] == [
        "KP",
        "MM",
        "RU",
        "IR",
    ]
    assert country_code("undetermined") is None
    assert SHIPPED_DIR.is_dir()
