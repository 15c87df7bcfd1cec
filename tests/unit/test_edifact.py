"""UN/EDIFACT CUSDEC in, CUSRES out: the shipped Australian-style CUSDEC D.99B interchange read
and mapped with its own figures; both shipped example declarations through CUSDEC D.96B and
D.99B and back unchanged; three declarations answered message by message; UNA separators and
release characters; malformed interchanges refused with their reason and segment."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from clearway.adapters.messages.edifact import (
    Answer,
    EdifactRefused,
    EdifactUnrepresentable,
    Position,
    answer_interchange,
    map_cusdec,
    parse_cusres,
    read_interchange,
    segment_position,
    to_cusdec,
    write_interchange,
)
from clearway.domain.mrn import new_mrn
from clearway.domain.rules.cds_validation_codes import cds_code_for
from clearway.entrypoints.schemas import parse_declaration, schema_violations
from tests.conftest import ROOT, example

EDIFACT = ROOT.parent / "shared" / "data" / "edifact"
SHIPPED = EDIFACT / "messages" / "ts-edifact_AU-ICS_CUSDEC_D99B.edi"
PREPARED = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


def shipped_text() -> str:
    """The shipped interchange, one segment a line in the file, joined as sent."""
    return "".join(SHIPPED.read_text(encoding="latin-1").splitlines())


def interchange_of(*declarations: dict[str, Any], version: str = "D96B", **options: Any) -> str:
    messages = [
        to_cusdec(declaration, str(number), version)
        for number, declaration in enumerate(declarations, 1)
    ]
    return write_interchange(
        messages,
        sender="GB123456789000",
        recipient="GBCUSTOMS",
        control_reference="CW0001",
        prepared=PREPARED,
        **options,
    )


def round_trip(declaration: dict[str, Any], version: str, **options: Any) -> dict[str, Any]:
    text = interchange_of(declaration, version=version, **options)
    (message,) = read_interchange(text).messages
    assert message.version == version
    mapped = map_cusdec(message)
    assert mapped.version == version
    return mapped.declaration


def refused(text: str | bytes, **limits: Any) -> EdifactRefused:
    with pytest.raises(EdifactRefused) as caught:
        read_interchange(text, **limits)
    return caught.value


# --- the shipped interchange -------------------------------------------------------------


def test_the_shipped_interchange_is_read_with_its_envelope():
    interchange = read_interchange(shipped_text())

    assert interchange.service_string is None
    assert (interchange.syntax, interchange.syntax_version) == ("UNOC", "3")
    assert (interchange.sender, interchange.recipient) == ("AAA676Y", "AAA336C")
    assert interchange.control_reference == "200401270001"
    assert interchange.test  # UNB 0035 = 1
    (message,) = interchange.messages
    assert (message.reference, message.type, message.version) == ("1", "CUSDEC", "D99B")
    assert len(message.segments) == 28  # UNT+28+1
    assert [message.segments[0].tag, message.segments[-1].tag] == ["UNH", "UNT"]


def test_the_file_as_shipped_one_segment_a_line_reads_the_same():
    as_lines = read_interchange(SHIPPED.read_bytes())

    assert as_lines == read_interchange(shipped_text())


# What the Australian ICS export message does not carry that a full Clearway declaration
# needs, and why each is absent from the mapped declaration.
AU_MISSING = {
    "/procedure": "no CST or GIS with a customs procedure (C246 list 117); GIS N:79:95 and "
    "Y:107:95 are Australian Customs (agency 95) indicators",
    "/declarant": "no NAD+DT",
    "/office": "no LOC+22 (customs office of clearance); LOC 9, 12 and 18 are the port of "
    "loading, the port of discharge and a warehouse",
    "/transport/mode": "TDT+20+++11 gives the type of means of transport (11 ship) and no mode "
    "of transport (C220)",
    "/incoterm": "no TOD",
    "/invoice/number": "no RFF+IV",
    "/invoice/amount": "MOA+39::AUD gives the invoice currency only; the 5000 AUD is MOA+63, "
    "the FOB value",
    "/consignee/address/country": "NAD+CN gives the city MELBOURNE and no country",
    "/items/0/invoice_amount": "the item's 5000 is MOA+63, the FOB value, not 38",
    "/items/0/net_mass_kg": "MEA+WT++KG:10 and MEA+ABW++KG:10 give no measurement dimension "
    "(6313) telling net from gross mass",
}


def test_the_shipped_message_maps_to_the_wire_fields_it_carries():
    (message,) = read_interchange(shipped_text()).messages
    mapped = map_cusdec(message)

    assert mapped.reference == "1"
    assert mapped.version == "D99B"
    assert mapped.declaration == {
        "type": "EX",  # BGM+830
        "lrn": "200401270001",  # BGM document number
        "destination_country": "US",  # LOC+28+US
        "transport": {"container": False},  # TDT, no EQD+CN
        "consignee": {"name": "DHL", "address": {"city": "MELBOURNE"}},
        "invoice": {"currency": "AUD"},
        "items": [
            {
                "sequence": 1,  # CST+1
                "description": "GOODS DESCRIPTION",  # FTX+AAA
                "origin_country": "US",  # LOC+27+US
                "commodity_code": "03026200",  # RFF+HS
            }
        ],
    }
    # Segment numbers as in the file: UNH is line 2, so segment n is line n + 1.
    assert mapped.positions["/type"] == 2  # BGM
    assert mapped.positions["/destination_country"] == 5  # LOC+28
    assert mapped.positions["/transport"] == 13  # TDT
    assert mapped.positions["/consignee/address/city"] == 14  # NAD+CN
    assert mapped.positions["/invoice/currency"] == 15  # MOA+39
    assert mapped.positions["/items/0"] == 18  # CST
    assert mapped.positions["/items/0/description"] == 19  # FTX+AAA
    assert mapped.positions["/items/0/origin_country"] == 20  # LOC+27
    assert mapped.positions["/items/0/commodity_code"] == 24  # RFF+HS
    for pointer, position in mapped.positions.items():
        assert message.segments[position - 1].tag in {
            "BGM",
            "LOC",
            "TDT",
            "NAD",
            "MOA",
            "CST",
            "FTX",
            "RFF",
        }, pointer


def test_clearway_refuses_the_shipped_message_for_exactly_the_fields_it_lacks():
    (message,) = read_interchange(shipped_text()).messages
    mapped = map_cusdec(message)

    with pytest.raises(ValidationError) as caught:
        parse_declaration(mapped.declaration)

    violations = schema_violations(caught.value)
    assert {violation.pointer for violation in violations} == set(AU_MISSING)
    assert {violation.code for violation in violations} == {"SCHEMA.missing"}
    where = {v.pointer: segment_position(mapped.positions, v.pointer) for v in violations}
    assert where["/items/0/net_mass_kg"] == 18  # answered at the item's CST
    assert where["/consignee/address/country"] == 14  # at NAD+CN
    assert where["/transport/mode"] == 13  # at TDT
    assert where["/declarant"] == 2  # at BGM: the message as a whole


# --- JSON -> CUSDEC -> JSON ---------------------------------------------------------------


@pytest.mark.parametrize("version", ["D96B", "D99B"])
@pytest.mark.parametrize("name", ["import", "export"])
def test_the_shipped_examples_come_back_from_cusdec_unchanged(name: str, version: str):
    declaration = example(name)

    back = round_trip(declaration, version)

    assert back == declaration
    assert parse_declaration(back).document == parse_declaration(declaration).document


def every_field_declaration() -> dict[str, Any]:
    """The import example with every optional field the mapping carries, and texts longer
    than one EDIFACT component."""
    declaration = example("import")
    declaration["declarant"]["name"] = "Harbour Customs Brokers and Freight Forwarding Ltd"
    declaration["end_user"] = {
        "name": "Northwind Retail Distribution Centre Felixstowe Limited (Trading as Northwind)",
        "address": {
            "street": "Unit 7, Port of Felixstowe Logistics Park, Walton Avenue",
            "city": "Felixstowe",
            "postcode": "IP11 3HG",
            "country": "GB",
        },
    }
    declaration["consignee"] = {
        "id": "GB987654321000",
        "name": "Northwind Fresh Produce Ltd",
        "country": "GB",
    }
    declaration["invoice"]["date"] = "2026-03-10"
    item = declaration["items"][0]
    item["description"] = (
        "Fresh cherry tomatoes (Solanum lycopersicum var. cerasiforme), loose, graded class I, "
        "packed in 5 kg ventilated cartons on 20 pallets for ripening in the importer's store"
    )
    item["packages"]["marks"] = "SOUSS/NWT/1-3200 " * 24
    item["supplementary_units"] = {"quantity": "16000", "unit": "KGM"}
    item["additional_codes"] = ["B107", "4999"]
    item["quantities"] = [{"amount": "160", "unit": "DTN"}, {"amount": "16", "unit": "TNEI"}]
    second = copy.deepcopy(item)
    second.update(
        sequence=2,
        commodity_code="0709600000",
        description="Fresh sweet peppers (Capsicum annuum), red, yellow and green, whole, " * 6,
        invoice_amount="2300.00",
        net_mass_kg="2000.5",
        gross_mass_kg="2150.125",
    )
    second.pop("preference")
    second["packages"] = {"kind": "CT", "count": 400, "marks": "SOUSS/NWT/3201-3600"}
    second["documents"] = [{"type": "N380", "reference": "SP-88231"}]
    declaration["items"].append(second)
    declaration["invoice"]["amount"] = "20700.00"
    return declaration


@pytest.mark.parametrize("version", ["D96B", "D99B"])
def test_every_mapped_field_survives_the_round_trip(version: str):
    declaration = every_field_declaration()
    assert parse_declaration(declaration)  # a declaration Clearway accepts

    back = round_trip(declaration, version)

    assert back == declaration


def test_long_texts_are_split_over_the_components_and_segments_the_directory_allows():
    declaration = every_field_declaration()
    (message,) = read_interchange(interchange_of(declaration, version="D96B")).messages
    tags = [segment.tag for segment in message.segments]
    first_item = message.segments[tags.index("CST", 3) :]  # after the header's CST

    description = first_item[1]
    assert description.elements[:3] == ["AAA", "", ""]
    assert [len(part) for part in description.elements[3]] == [70, 70, 30]
    marks = [s for s in first_item if s.tag == "PCI"][:2]
    assert [len(s.elements[1]) for s in marks] == [10, 2]  # 408 characters, 35 a component
    second_item = first_item[tags[tags.index("CST", 3) + 1 :].index("CST") + 1 :]
    continued = second_item[1:3]  # 414 characters: 5 x 70 in one FTX, 64 in the next
    assert [s.elements[0] for s in continued] == ["AAA", "AAA"]
    assert [len(part) for part in continued[0].elements[3]] == [70] * 5
    assert len(continued[1].elements[3]) == 64
    end_user = next(s for s in message.segments if s.tag == "NAD" and s.elements[0] == "UC")
    assert [len(part) for part in end_user.elements[3]] == [35, 35, 8]


def test_what_cusdec_cannot_hold_is_refused_rather_than_cut():
    declaration = example("import")
    declaration["importer"]["address"]["postcode"] = "IP11-3SY-FELIXSTOW"[:12]
    with pytest.raises(EdifactUnrepresentable) as caught:
        to_cusdec(declaration, "1", "D96B")
    assert caught.value.pointer == "/importer/address/postcode"
    assert round_trip(declaration, "D99B") == declaration  # 3251 is an..17 in D.99B

    declaration = example("export")
    declaration["items"][0]["documents"][1]["reference"] = "GBSIEL/2026/0001234/AMENDMENT-0003"
    declaration["items"][0]["documents"][1]["reference"] += "-R1"
    with pytest.raises(EdifactUnrepresentable) as caught:
        to_cusdec(declaration, "1")
    assert caught.value.pointer == "/items/0/documents/1/reference"


# --- answers, message by message ----------------------------------------------------------


def test_three_declarations_are_answered_message_by_message():
    accepted = example("import")
    faulty = example("import")
    faulty["lrn"] = "NWT-2026-000124"
    released = example("export")
    request = interchange_of(accepted, faulty, released)
    # The sender's slips, made in the EDIFACT itself: a thousands space in the net mass and
    # the ISO alpha-3 code of Morocco as origin.
    second = request.index("UNH+2+")
    request = request[:second] + request[second:].replace(
        "MEA+WT+AAF+KGM:16000'", "MEA+WT+AAF+KGM:16 000'", 1
    ).replace("LOC+27+MA'", "LOC+27+MAR'", 1)
    interchange = read_interchange(request)
    mapped = [map_cusdec(message) for message in interchange.messages]

    answers = []
    for cusdec in mapped:
        try:
            parse_declaration(cusdec.declaration)
        except ValidationError as error:
            violations = schema_violations(error)
            answers.append(
                Answer(
                    cusdec.reference,
                    accepted=False,
                    errors=[(v.pointer, v.code, v.message) for v in violations],
                    positions=cusdec.positions,
                    cds_codes={v.code: c for v in violations if (c := cds_code_for(v.code))},
                )
            )
            continue
        kind = cusdec.declaration["type"]
        answers.append(
            Answer(
                cusdec.reference,
                accepted=True,
                mrn=new_mrn(kind, "GB", date(2026, 3, 16)),
                released=kind == "EX",
            )
        )
    response = answer_interchange(
        answers, "GBCUSTOMS", "GB123456789000", "CR0001", prepared=PREPARED
    )

    enveloped = read_interchange(response, message_types=("CUSRES",))
    assert enveloped.control_reference == "CR0001"
    assert [m.version for m in enveloped.messages] == ["D96B"] * 3
    assert response.endswith("UNZ+3+CR0001'")
    first, rejection, release = parse_cusres(response)
    assert first == answers[0]
    assert not first.released
    assert release == answers[2]
    assert release.released
    assert response.count("BGM+932+") == 1  # the release note
    assert (rejection.message_reference, rejection.accepted, rejection.mrn) == ("2", False, None)
    assert [(pointer, code) for pointer, code, _ in rejection.errors] == [
        ("/items/0/origin_country", "SCHEMA.string_pattern_mismatch"),
        ("/items/0/net_mass_kg", "SCHEMA.decimal_parsing"),
    ]
    assert rejection.errors == answers[1].errors
    assert rejection.cds_codes == {
        "SCHEMA.string_pattern_mismatch": "CDS10010",
        "SCHEMA.decimal_parsing": "CDS10010",
    }
    segments = interchange.messages[1].segments
    for pointer, _, _ in rejection.errors:
        at = segments[rejection.positions[pointer] - 1]
        assert (at.tag, at.elements[:2]) == {
            "/items/0/origin_country": ("LOC", ["27", "MAR"]),
            "/items/0/net_mass_kg": ("MEA", ["WT", "AAF"]),
        }[pointer]


def test_an_error_on_a_field_the_message_lacks_points_at_the_enclosing_segment():
    declaration = example("export")
    del declaration["items"][0]["net_mass_kg"]
    (message,) = read_interchange(interchange_of(declaration)).messages
    mapped = map_cusdec(message)
    error = ("/items/0/net_mass_kg", "SCHEMA.missing", "Field required")

    text = answer_interchange(
        [Answer("1", accepted=False, errors=[error], positions=mapped.positions)],
        "GBCUSTOMS",
        "GB555000111000",
        "CR0002",
        prepared=PREPARED,
    )

    (answer,) = parse_cusres(text)
    cst = mapped.positions["/items/0"]
    assert message.segments[cst - 1].tag == "CST"
    assert answer.positions == {"/items/0/net_mass_kg": cst}
    assert f"ERP+2+:{cst}:5'" in text
    assert "ERC+SCHEMA.missing::ZZZ'" in text


def test_a_d99b_answer_is_given_when_asked_for():
    answer = Answer("1", accepted=True, mrn=new_mrn("IM", "GB", date(2026, 3, 16)))

    text = answer_interchange([answer], "GBCUSTOMS", "X", "CR0003", version="D99B")

    assert "UNH+1+CUSRES:D:99B:UN'" in text
    assert parse_cusres(text) == [answer]


def test_past_98_errors_the_last_error_group_counts_the_rest():
    errors = [
        (f"/items/{n}/net_mass_kg", "BR033", "Net mass must be above zero") for n in range(120)
    ]
    positions = {f"/items/{n}": 20 + 9 * n for n in range(120)}

    text = answer_interchange(
        [Answer("7", accepted=False, errors=errors, positions=positions)], "GBCUSTOMS", "X", "CR5"
    )

    (answer,) = parse_cusres(text)
    assert text.count("ERP+") == 99
    assert answer.errors[:98] == errors[:98]
    assert answer.errors[98] == ("", "MORE", "22 further errors are not listed here")
    assert answer.positions["/items/97/net_mass_kg"] == 20 + 9 * 97


def test_an_answer_says_one_consistent_thing():
    with pytest.raises(ValueError, match="MRN"):
        Answer("1", accepted=True)
    with pytest.raises(ValueError, match="no errors"):
        Answer("1", accepted=True, mrn="26GBABCDEF123456R7", errors=[("", "BR001", "x")])
    with pytest.raises(ValueError, match="released"):
        Answer("1", accepted=False, released=True)
    (silent,) = parse_cusres(answer_interchange([Answer("1", accepted=False)], "A", "B", "C"))
    assert silent == Answer("1", accepted=False)


# --- separators and release characters ---------------------------------------------------

AWKWARD = "O'Brien + Sons: Export? Ltd"


def test_names_with_the_default_separators_are_released_and_come_back():
    declaration = example("export")
    declaration["exporter"]["name"] = AWKWARD

    text = interchange_of(declaration)

    assert "O?'Brien ?+ Sons?: Export?? Ltd" in text
    assert round_trip(declaration, "D96B") == declaration


def test_an_interchange_under_its_own_una_round_trips_and_is_answered_under_it():
    service_string = ">^.! ~"  # component >, data ^, release !, segment terminator ~
    declaration = example("export")
    declaration["exporter"]["name"] = AWKWARD + " ~ > ^ !"
    declaration["consignee"]["name"] = "Gulf ^Petro~chemical> Services!"

    text = interchange_of(declaration, service_string=service_string)

    assert text.startswith("UNA>^.! ~UNB^UNOC>3^")
    assert "O'Brien + Sons: Export? Ltd !~ !> !^ !!" in text
    interchange = read_interchange(text)
    assert interchange.service_string == service_string
    assert map_cusdec(interchange.messages[0]).declaration == declaration

    error = ("/exporter/name", "BR020", "The exporter's name 'O'Brien + Sons' ~ needs ^ care")
    answer = Answer("1", accepted=False, errors=[error], positions={"/exporter/name": 9})
    response = answer_interchange(
        [answer],
        "GBCUSTOMS",
        "GB555000111000",
        "CR0004",
        service_string=interchange.service_string,
    )
    assert response.startswith("UNA>^.! ~UNB^")
    assert parse_cusres(response) == [answer]


def test_text_beyond_latin_1_is_sent_as_utf_8_and_read_from_bytes():
    declaration = example("export")
    declaration["consignee"]["name"] = "Łódź Pompy Przemysłowe Sp. z o.o."
    declaration["exporter"]["name"] = "Acme Pompes Société"

    text = interchange_of(declaration)

    assert text.startswith("UNB+UNOW:4+")
    (message,) = read_interchange(text.encode("utf-8")).messages
    assert map_cusdec(message).declaration == declaration
    latin = example("export")
    latin["exporter"]["name"] = "Acme Pompes Société"
    encoded = interchange_of(latin).encode("latin-1")
    assert encoded.startswith(b"UNB+UNOC:3+")
    (message,) = read_interchange(encoded).messages
    assert map_cusdec(message).declaration["exporter"]["name"] == "Acme Pompes Société"


# --- other senders' forms -----------------------------------------------------------------


def test_the_forms_other_senders_use_are_read():
    text = (
        "UNA:+,? 'UNB+UNOC:3+SENDER+GBCUSTOMS+260316:0930+77'"
        "UNH+M1+CUSDEC:D:96B:UN'BGM+830++9'LOC+114+GBMNC001'LOC+36+AE'"
        "GIS+ZZZ:117::1000'RFF+ABE:ACM-EX-2026-0043'TDT+20++4'"
        "NAD+DT+GB555000111000++Acme Process Pumps Ltd'"
        "MOA+39:48600,00'CUX+2:GBP:4'UNS+D'"
        "CST+1+8413705140:169'FTX+AAA+++Multi-seal centrifugal pumps'"
        "MEA+WT+AAL+TNE:1,24'MEA+WT+AAD+KGM:1510'MEA+WT+AAB+KGM:206'"
        "MOA+38:48600,00'DOC+N380+APP-2026-771'DOC+:::X002+GBSIEL/2026/0001234'"
        "UNS+S'UNT+21+M1'UNZ+1+77'"
    )

    (message,) = read_interchange(text).messages
    mapped = map_cusdec(message)

    assert mapped.declaration == {
        "type": "EX",
        "office": "GBMNC001",  # office of export, LOC 114
        "destination_country": "AE",  # country of ultimate destination, LOC 36
        "procedure": "1000",  # GIS, list 117
        "lrn": "ACM-EX-2026-0043",  # RFF+ABE, BGM gives no number
        "transport": {"mode": "air", "container": False},
        "declarant": {"id": "GB555000111000", "name": "Acme Process Pumps Ltd"},
        "invoice": {"amount": "48600.00", "currency": "GBP"},  # decimal comma, CUX currency
        "items": [
            {
                "sequence": 1,
                "commodity_code": "8413705140",
                "description": "Multi-seal centrifugal pumps",
                "net_mass_kg": "1240",  # 1,24 tonnes
                "gross_mass_kg": "1510",  # AAD, preferred to AAB (a unit weight in D.96B)
                "invoice_amount": "48600.00",
                "documents": [
                    {"type": "N380", "reference": "APP-2026-771"},
                    {"type": "X002", "reference": "GBSIEL/2026/0001234"},
                ],
            }
        ],
    }


def test_the_unit_weights_are_read_as_the_item_masses_when_nothing_better_is_given():
    text = interchange_of(example("import"))
    text = text.replace("MEA+WT+AAF+KGM:16000'", "MEA+WT+AAA+KGM:16000'")
    text = text.replace("MEA+WT+G+KGM:17250'", "MEA+AAE+AAB+KGM:17250'")
    (message,) = read_interchange(text).messages

    assert map_cusdec(message).declaration == example("import")


def test_a_mass_in_a_unit_that_is_not_a_mass_is_refused_at_its_segment():
    declaration = example("import")
    text = interchange_of(declaration).replace("MEA+WT+AAF+KGM:16000", "MEA+WT+AAF+LTR:16000")
    (message,) = read_interchange(text).messages
    mapped = map_cusdec(message)

    with pytest.raises(ValidationError) as caught:
        parse_declaration(mapped.declaration)

    (violation,) = schema_violations(caught.value)
    assert (violation.pointer, violation.code) == ("/items/0/net_mass_kg", "SCHEMA.decimal_parsing")
    at = message.segments[segment_position(mapped.positions, violation.pointer) - 1]
    assert at.elements[2] == ["LTR", "16000"]


# --- malformed interchanges ---------------------------------------------------------------

AU = "200401270001"


@pytest.mark.parametrize(
    ("change", "reason", "position"),
    [
        (("UNT+28+1", "UNT+27+1"), "segment_count", Position(AU, "1", 28)),
        (("UNT+28+1", "UNT+28+2"), "reference_mismatch", Position(AU, "1", 28)),
        (("CUSDEC:D:99B:UN", "INVOIC:D:96A:UN"), "unsupported_message", Position(AU, "1", 1)),
        (("CUSDEC:D:99B:UN", "CUSDEC:D:01B:UN"), "unsupported_version", Position(AU, "1", 1)),
        (("UNZ+1+", "UNZ+2+"), "message_count", Position(AU, None, 30)),
        (
            ("UNZ+1+200401270001", "UNZ+1+200401270002"),
            "reference_mismatch",
            Position(AU, None, 30),
        ),
        (("UNT+28+1'", "UNT+28+1'FTX+AAA+++STRAY'"), "outside_message", Position(AU, None, 30)),
        (("UNH+1+CUSDEC:D:99B:UN'", ""), "outside_message", Position(AU, None, 2)),
        (
            ("UNB+UNOC:3+AAA676Y::AAA676Y+AAA336C+040127:0730+200401270001++++1++1'", ""),
            "no_interchange_header",
            Position(None, None, 1),
        ),
        (("UNT+28+1'", ""), "unterminated_message", Position(AU, "1", 28)),
    ],
)
def test_a_malformed_interchange_is_refused_with_its_reason_and_segment(
    change: tuple[str, str], reason: str, position: Position
):
    text = shipped_text()
    assert change[0] in text
    error = refused(text.replace(change[0], change[1], 1))

    assert (error.reason, error.position) == (reason, position)
    assert str(position) in str(error)


def test_an_unterminated_message_is_refused_at_the_next_unh():
    text = shipped_text().replace("UNT+28+1'", "")
    error = refused(text.replace("UNZ+1+", "UNH+2+CUSDEC:D:99B:UN'UNZ+1+"))

    assert (error.reason, error.position) == ("unterminated_message", Position(AU, "1", 28))


def test_functional_groups_are_refused():
    text = shipped_text().replace("UNH+1+", "UNG+CUSDEC+AAA676Y+AAA336C+040127:0730+1'UNH+1+")

    error = refused(text)

    assert (error.reason, error.position) == ("functional_groups", Position(AU, None, 2))


@pytest.mark.parametrize(
    ("cut", "position"),
    [
        ("CST+1+I:", Position(AU, "1", 18)),  # inside a segment
        ("UNS+S'", Position(AU, "1", 26)),  # after a segment, inside the message
        ("UNT+28+1'", Position(AU, None, None)),  # the interchange has no UNZ
        ("UNT+28+1'UNZ+1+2004", Position(AU, None, 30)),  # inside UNZ
    ],
)
def test_a_truncated_interchange_is_refused(cut: str, position: Position):
    text = shipped_text()
    error = refused(text[: text.index(cut) + len(cut)])

    assert (error.reason, error.position) == ("truncated", position)


def test_an_interchange_over_the_size_limit_is_refused_before_it_is_read():
    text = shipped_text().replace("GOODS DESCRIPTION", "GOODS DESCRIPTION " * 300_000)
    assert len(text) > 5 * 1024 * 1024

    assert refused(text).reason == "too_large"
    assert refused(text.encode("latin-1")).reason == "too_large"
    assert refused(shipped_text(), max_bytes=500).reason == "too_large"


def test_the_message_and_segment_limits_stop_the_reading():
    three = interchange_of(example("import"), example("export"), example("import"))

    error = refused(three, max_messages=2)
    assert (error.reason, error.position) == ("too_many_messages", Position("CW0001", "3", 1))
    error = refused(shipped_text(), max_segments=20)
    assert (error.reason, error.position) == ("too_many_segments", Position(AU, "1", 21))
    assert len(read_interchange(three).messages) == 3


def test_a_service_string_advice_without_distinct_separators_is_refused():
    text = "UNA::.? '" + shipped_text()

    error = refused(text)

    assert error.reason == "service_string"
