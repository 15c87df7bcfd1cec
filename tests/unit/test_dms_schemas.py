"""The shipped CDS schemas accept the UK CDS trade test pack's declarations, cancellations and
notifications, and refuse a broken one with the line and the element at fault."""

from __future__ import annotations

import csv
import fnmatch
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from clearway.adapters.messages.dms_schemas import (
    DEC_NS,
    SCHEMA_DIR,
    validate_cancellation,
    validate_declaration,
    validate_notification,
)
from clearway.adapters.messages.xml_safety import XmlRefused, parse_xml
from tests.conftest import ROOT

PACK = ROOT.parent / "shared" / "data" / "cds-trade-test"
NOT_WELL_FORMED = {"TT_EX022a/TT_EX022a_Declaration1_(Step1).xml", "TT_IM084a/TT_IM084a.xml"}


@pytest.fixture(scope="module")
def index() -> list[dict[str, str]]:
    with (PACK / "samples_index.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def declarations(index: list[dict[str, str]], function_code: str) -> list[str]:
    return [
        row["path"]
        for row in index
        if row["kind"] == "DEC" and row["function_code"] == function_code
        if row["xsd_valid"] == "yes"
    ]


def refusal(check: Callable[[etree._Element], None], root: etree._Element) -> XmlRefused:
    with pytest.raises(XmlRefused) as caught:
        check(root)
    return caught.value


def notification_bytes(path: Path) -> bytes:
    """A pack notification as CDS sent it: the capture's trailing HTTP header line cut off."""
    data = path.read_bytes()
    return data[: data.rindex(b"MetaData>") + len(b"MetaData>")]


def test_every_original_declaration_of_the_pack_validates(index: list[dict[str, str]]) -> None:
    paths = declarations(index, "9")
    assert len(paths) == 179

    refused = {}
    for path in sorted(set(paths) - NOT_WELL_FORMED):
        try:
            validate_declaration(parse_xml((PACK / "samples" / path).read_bytes()))
        except XmlRefused as error:
            refused[path] = error.detail

    assert refused == {}


@pytest.mark.parametrize("path", sorted(NOT_WELL_FORMED))
def test_the_two_broken_pack_declarations_are_not_well_formed(path: str) -> None:
    with pytest.raises(XmlRefused) as caught:
        parse_xml((PACK / "samples" / path).read_bytes())

    assert caught.value.reason == "not_well_formed"
    assert "Double hyphen within comment" in caught.value.detail


def test_every_amendment_of_the_pack_validates(index: list[dict[str, str]]) -> None:
    paths = declarations(index, "13")
    assert len(paths) == 17

    for path in paths:
        validate_declaration(parse_xml((PACK / "samples" / path).read_bytes()))


@pytest.mark.parametrize(
    "path", ["TT_EX010a/TT_EX010a_Cancellation.xml", "TT_EX052a/Step3_Cancellation.xml"]
)
def test_the_pack_cancellations_validate(path: str) -> None:
    validate_cancellation(parse_xml((PACK / "samples" / path).read_bytes()))


def test_the_pack_notifications_captured_from_cds_validate() -> None:
    captured = sorted((PACK / "accepted-rejected").glob("*/*/**/Example Notification/*.xml"))
    assert len(captured) == 8

    for path in captured:
        validate_notification(parse_xml(notification_bytes(path)))


def test_a_broken_declaration_is_refused_with_line_path_and_message() -> None:
    root = parse_xml((PACK / "samples" / "TT_IM001a" / "Step1_TT_IM001a.xml").read_bytes())
    lrn = root.find(f".//{{{DEC_NS}}}FunctionalReferenceID")
    assert lrn is not None
    lrn.text = "L" * 36

    error = refusal(validate_declaration, root)

    assert error.reason == "schema_invalid"
    assert error.errors == [
        (
            lrn.sourceline,
            "/MetaData/Declaration/FunctionalReferenceID",
            f"Element '{{{DEC_NS}}}FunctionalReferenceID': [facet 'maxLength'] The value has a "
            "length of '36'; this exceeds the allowed maximum length of '35'.",
        )
    ]
    assert error.detail.startswith(f"line {lrn.sourceline}: /MetaData/Declaration/")


def test_no_more_than_twenty_schema_errors_are_listed() -> None:
    root = parse_xml((PACK / "samples" / "TT_IM001a" / "Step1_TT_IM001a.xml").read_bytes())
    values = [element for element in root.iter() if len(element) == 0 and element.text]
    assert len(values) > 25
    for element in values:
        element.text = "X" * 600

    error = refusal(validate_declaration, root)

    assert len(error.errors) == 20
    assert f"({len(values)} errors in all)" in error.detail


def test_a_document_of_another_kind_is_the_wrong_root() -> None:
    declaration = parse_xml((PACK / "samples" / "TT_IM001a" / "Step1_TT_IM001a.xml").read_bytes())
    unqualified = parse_xml(
        (PACK / "samples" / "Example_DMS_notifications" / "01_DMSACC.xml").read_bytes()
    )

    assert refusal(validate_notification, declaration).reason == "wrong_root"
    assert refusal(validate_notification, unqualified).reason == "wrong_root"
    assert refusal(validate_declaration, unqualified).reason == "wrong_root"


def test_the_shipped_schemas_are_the_pack_s_byte_for_byte() -> None:
    shipped = sorted(path.relative_to(SCHEMA_DIR) for path in SCHEMA_DIR.rglob("*.xsd"))
    assert len(shipped) == 17

    for relative in shipped:
        source = PACK / "schemas" / "wco" / relative
        assert (SCHEMA_DIR / relative).read_bytes() == source.read_bytes(), relative


def setuptools_glob_matches(relative: Path, glob: str) -> bool:
    """Whether a package-data glob takes the file: ``*`` stays within one folder."""
    steps = glob.split("/")
    return len(steps) == len(relative.parts) and all(
        fnmatch.fnmatchcase(part, step) for part, step in zip(relative.parts, steps, strict=True)
    )


def test_every_shipped_schema_file_is_package_data() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = settings["tool"]["setuptools"]["package-data"]["clearway"]
    package = ROOT / "src" / "clearway"

    missing = [
        str(path.relative_to(package))
        for path in SCHEMA_DIR.rglob("*")
        if path.is_file()
        if not any(setuptools_glob_matches(path.relative_to(package), glob) for glob in globs)
    ]

    assert missing == []
