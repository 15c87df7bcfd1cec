"""WCO DEC-DMS on the command line as an operator uses it: ``clearway lodge`` of an XML file
with its DMS notification written beside it, ``clearway process`` of a folder of them, and
``clearway convert`` between Clearway's JSON and DEC-DMS, with one-line errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

from clearway.adapters.messages.dms_notifications import NotificationKind, parse_notification
from clearway.adapters.messages.dms_schemas import validate_declaration, validate_notification
from clearway.adapters.messages.xml_safety import parse_xml
from tests.conftest import EXAMPLES, ROOT, invoke_cli, one_line_error

PACK = ROOT.parent / "shared" / "data" / "cds-trade-test" / "samples"
EXPORT = PACK / "TT_EX047a" / "Step1_TT_EX047a.xml"


def test_lodge_an_xml_file_and_keep_its_notification(database_url: str, tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    answers.mkdir()
    result = invoke_cli(database_url, "lodge", str(EXPORT), "--answers", str(answers))
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(str(EXPORT))]
    mrn = line.split(": ", 1)[1].split()[0]
    written = (answers / "Step1_TT_EX047a.answer.xml").read_bytes()
    validate_notification(parse_xml(written))
    notification = parse_notification(written)
    assert notification.kind is NotificationKind.DMSACC and notification.mrn == mrn

    broken = tmp_path / "broken.xml"
    broken.write_bytes(EXPORT.read_bytes().replace(b"<TypeCode>EXA</TypeCode>", b"<TypeCode/>"))
    refused = invoke_cli(database_url, "lodge", str(broken))
    assert refused.exit_code == 1
    assert f"{broken}: refused: the message cannot be read" in refused.stdout


def test_process_a_folder_of_xml_files(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "a.xml").write_bytes(EXPORT.read_bytes())
    zero_mass = EXPORT.read_bytes().replace(
        b"<FunctionalReferenceID>", b"<FunctionalReferenceID>Z", 1
    )
    zero_mass = zero_mass.replace(
        b'<NetNetWeightMeasure unitCode="KGM">43', b'<NetNetWeightMeasure unitCode="KGM">0', 1
    )
    (folder / "b.xml").write_bytes(zero_mass)
    result = invoke_cli(database_url, "process", str(folder))
    assert result.exit_code == 0, result.output
    assert "2 messages" in result.stdout and "1 lodged, 1 rejected" in result.stdout
    (refusal,) = [json.loads(line) for line in (folder / "rejected.jsonl").read_text().splitlines()]
    assert refusal["file"] == "b.xml" and refusal["problems"]


def test_convert_json_to_dec_dms_and_back(tmp_path: Path) -> None:
    source = EXAMPLES / "import-declaration.json"
    xml = tmp_path / "import.xml"
    result = invoke_cli(None, "convert", str(source), str(xml))
    assert result.exit_code == 0, result.output
    validate_declaration(parse_xml(xml.read_bytes()))
    back = tmp_path / "import.json"
    assert invoke_cli(None, "convert", str(xml), str(back)).exit_code == 0
    original = json.loads(source.read_text())
    converted = json.loads(back.read_text())
    # Every field with a DEC-DMS element comes back as it was; the example has none without.
    assert (
        converted["lrn"] == original["lrn"]
        and converted["items"][0]["commodity_code"] == (original["items"][0]["commodity_code"])
    )
    assert {k: v for k, v in converted.items() if k != "insurance"} == {
        k: v for k, v in original.items() if k != "insurance"
    }

    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<not-closed>")
    assert "not well formed" in one_line_error(invoke_cli(None, "convert", str(bad)))
    assert "no such file" in one_line_error(invoke_cli(None, "convert", str(tmp_path / "none")))
