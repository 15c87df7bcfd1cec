"""Documents from strangers: hostile XML is refused with a stable reason before it can expand
entities, read files or exhaust memory; ordinary CDS declarations parse."""

from __future__ import annotations

import pytest

from clearway.adapters.messages.xml_safety import XmlRefused, parse_xml
from tests.conftest import ROOT

PACK = ROOT.parent / "shared" / "data" / "cds-trade-test"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<lolz a="&lol9;">&lol9;</lolz>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- a trader's declaration -->
<!DOCTYPE MetaData [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<MetaData><Declaration><FunctionalReferenceID>&xxe;</FunctionalReferenceID></Declaration></MetaData>"""


def refusal(data: bytes, **limits: int) -> XmlRefused:
    with pytest.raises(XmlRefused) as caught:
        parse_xml(data, **limits)
    return caught.value


def assert_tells_nothing_of_the_entity(error: XmlRefused) -> None:
    for text in (str(error), error.detail, repr(error.errors)):
        assert "lol" not in text
        assert "passwd" not in text and "root:" not in text


def test_a_cds_declaration_parses_without_its_comments() -> None:
    root = parse_xml((PACK / "samples" / "TT_IM001a" / "Step1_TT_IM001a.xml").read_bytes())

    assert root.tag == "{urn:wco:datamodel:WCO:DocumentMetaData-DMS:2}MetaData"
    assert not [node for node in root.iter() if not isinstance(node.tag, str)]
    assert root.findtext(".//{urn:wco:datamodel:WCO:DEC-DMS:2}TypeCode") == "IMA"


def test_not_well_formed_is_refused_with_its_line() -> None:
    error = refusal(b"<MetaData>\n<Declaration>\n</MetaData>")

    assert error.reason == "not_well_formed"
    assert error.detail.startswith("line 3: ")
    assert "\n" not in error.detail
    assert error.errors == []


def test_a_pack_sample_with_a_double_hyphen_in_a_comment_is_not_well_formed() -> None:
    data = (PACK / "samples" / "TT_IM084a" / "TT_IM084a.xml").read_bytes()

    error = refusal(data)

    assert error.reason == "not_well_formed"
    assert error.detail.startswith("line 164: Double hyphen within comment")


def test_an_undeclared_entity_is_not_well_formed() -> None:
    assert refusal(b"<a>&xxe;</a>").reason == "not_well_formed"


def test_billion_laughs_is_refused_as_a_doctype() -> None:
    error = refusal(BILLION_LAUGHS)

    assert error.reason == "doctype"
    assert error.detail.startswith("line 2: ")
    assert_tells_nothing_of_the_entity(error)


def test_an_external_entity_after_a_comment_is_refused_and_the_file_never_read() -> None:
    error = refusal(EXTERNAL_ENTITY)

    assert error.reason == "doctype"
    assert error.detail.startswith("line 3: ")
    assert_tells_nothing_of_the_entity(error)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_an_external_entity_in_another_encoding_is_refused(encoding: str) -> None:
    text = EXTERNAL_ENTITY.decode().replace('encoding="UTF-8"', f'encoding="{encoding}"')

    error = refusal(text.encode(encoding))

    assert error.reason == "doctype"
    assert_tells_nothing_of_the_entity(error)


def test_any_doctype_is_refused_even_an_empty_one() -> None:
    assert refusal(b"<!DOCTYPE MetaData><MetaData/>").reason == "doctype"
    assert refusal(b'<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>').reason == "doctype"


def test_a_doctype_written_inside_a_comment_is_only_a_comment() -> None:
    root = parse_xml(b"<!-- <!DOCTYPE a> --><a>text</a>")

    assert root.text == "text"


def test_oversized_is_refused_before_parsing() -> None:
    error = refusal(b"<" * 1025, max_bytes=1024)

    assert error.reason == "too_large"
    assert "1,025 bytes" in error.detail and "1,024" in error.detail


def test_the_default_limit_is_five_mebibytes() -> None:
    padding = b" " * (5 * 2**20 - len(b"<a></a>"))

    assert parse_xml(b"<a>" + padding + b"</a>").tag == "a"
    assert refusal(b"<a>" + padding + b" </a>").reason == "too_large"


def nested(depth: int) -> bytes:
    return b"<e>" * depth + b"</e>" * depth


def test_nesting_up_to_the_limit_parses_and_one_deeper_is_refused() -> None:
    assert parse_xml(nested(64)).tag == "e"

    error = refusal(nested(65))

    assert error.reason == "too_deep"
    assert "64" in error.detail


def test_nesting_past_the_parser_s_own_limit_is_too_deep_too() -> None:
    assert refusal(nested(300)).reason == "too_deep"


def test_more_elements_than_the_limit_are_refused() -> None:
    document = b"<items>" + b"<item/>" * 10 + b"</items>"

    assert len(parse_xml(document, max_elements=11)) == 10
    error = refusal(document, max_elements=10)

    assert error.reason == "too_many_elements"
