"""CUSRES (UN/EDIFACT customs response, D.96B unless D.99B is asked for) answering CUSDEC
messages, one CUSRES per declaration message, and reading such answers back.

Codes, from the D.96B directory (UNCL-1.96B, UNCL-2.96B):

- BGM C002 1001: 962 Document response (Customs) for an acceptance, 932 Customs delivery note
  ("whereby a Customs authority releases goods", synonym Customs release note) for a release,
  963 Error response (Customs) for a rejection. BGM C106 1004: the MRN when accepted, the
  answered message's reference when rejected. 1225: 29 Accepted without amendment, or 27 Not
  accepted. 4343 Response type: AP Accepted, or RE Rejected.
- GIS 7365 Processing indicator: 1 Message content accepted, 4 Goods released, 2 Message
  content rejected with comment (3 without, when no error is given).
- RFF+ACW (1153 Reference number to previous message): the CUSDEC message answered (UNH 0062).
- One ERP-ERC-FTX group (SG4) per error: ERP C701 1049 message section (1 heading, 2 detail
  for an item's field) and C853 1050 the segment's number in the CUSDEC message, with 1159
  source 5 (Transmission sequence: the positional sequence when transmitted); ERC C901 9321
  Clearway's rule code (3055 ZZZ mutually defined) and, when given, the CDS code (3055 109,
  GB H.M. Customs & Excise, the code list's agency in D.96B); FTX+AAO (Error description) the
  message, in English; FTX+ZZZ with text reference ``RFC6901`` the JSON pointer.

Schema error codes (``SCHEMA.missing`` …) are longer than ERC 9321's eight characters and are
sent whole. SG4 repeats at most 99 times: past 98 errors the 99th group says how many more
there are (code ``MORE``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydifact.segments import Segment

from clearway.adapters.messages.edifact import _codes as codes
from clearway.adapters.messages.edifact._interchange_out import (
    message_segments,
    write_interchange,
)
from clearway.adapters.messages.edifact._segments import (
    build,
    chunks,
    code,
    component,
    grouped,
    joined,
)
from clearway.adapters.messages.edifact.cusdec import segment_position
from clearway.adapters.messages.edifact.interchange import (
    EdifactRefused,
    Position,
    read_interchange,
)

ACCEPTANCE, RELEASE, REJECTION = "962", "932", "963"
ACCEPTED_WITHOUT_AMENDMENT, NOT_ACCEPTED = "29", "27"
ACCEPTED, REJECTED = "AP", "RE"
CONTENT_ACCEPTED, GOODS_RELEASED = "1", "4"
REJECTED_WITH_COMMENT, REJECTED_WITHOUT_COMMENT = "2", "3"
HEADING_SECTION, DETAIL_SECTION = "1", "2"
TRANSMISSION_SEQUENCE = "5"
CLEARWAY_AGENCY, CDS_AGENCY = "ZZZ", "109"
POINTER_TEXT = "RFC6901"
ERROR_GROUPS = 99
MORE = "MORE"


@dataclass(frozen=True)
class Answer:
    """Customs' answer to one CUSDEC message.

    ``errors`` are (JSON pointer, rule code, message); ``positions`` the CUSDEC message's
    segment numbers by JSON pointer (``CusdecMessage.positions``), so that each error points at
    its segment; ``cds_codes`` the CDS error code of a rule code, when there is one.
    """

    message_reference: str
    accepted: bool
    mrn: str | None = None
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    released: bool = False
    positions: Mapping[str, int] = field(default_factory=dict)
    cds_codes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.accepted and not self.mrn:
            raise ValueError("an accepted declaration has an MRN")
        if self.accepted and self.errors:
            raise ValueError("an accepted declaration has no errors")
        if self.released and not self.accepted:
            raise ValueError("only an accepted declaration is released")


def to_cusres(answer: Answer, reference: str, version: str = "D96B") -> list[Segment]:
    """The CUSRES message (UNH ... UNT, reference ``reference``) carrying ``answer``."""
    if answer.accepted:
        name = RELEASE if answer.released else ACCEPTANCE
        body = [
            build("BGM", name, answer.mrn, ACCEPTED_WITHOUT_AMENDMENT, ACCEPTED),
            build("GIS", CONTENT_ACCEPTED),
        ]
        if answer.released:
            body.append(build("GIS", GOODS_RELEASED))
    else:
        indicator = REJECTED_WITH_COMMENT if answer.errors else REJECTED_WITHOUT_COMMENT
        body = [
            build("BGM", REJECTION, answer.message_reference, NOT_ACCEPTED, REJECTED),
            build("GIS", indicator),
        ]
    body.append(build("RFF", [codes.PREVIOUS_MESSAGE, answer.message_reference]))
    errors = list(answer.errors)
    if len(errors) > ERROR_GROUPS:
        further = len(errors) - (ERROR_GROUPS - 1)
        errors = [
            *errors[: ERROR_GROUPS - 1],
            ("", MORE, f"{further} further errors are not listed here"),
        ]
    for pointer, rule, text in errors:
        body.extend(_error(answer, pointer, rule, text))
    return message_segments(reference, "CUSRES", version, body)


def _error(answer: Answer, pointer: str, rule: str, text: str) -> list[Segment]:
    position = segment_position(answer.positions, pointer) if rule != MORE else None
    section = DETAIL_SECTION if pointer.startswith("/items") else HEADING_SECTION
    where = ["", str(position), TRANSMISSION_SEQUENCE] if position is not None else None
    segments = [
        build("ERP", section, where),
        build("ERC", [rule, "", CLEARWAY_AGENCY]),
    ]
    if rule in answer.cds_codes:
        segments.append(build("ERC", [answer.cds_codes[rule], "", CDS_AGENCY]))
    for part in grouped(chunks(text, 70), 5):
        segments.append(build("FTX", codes.ERROR_DESCRIPTION, None, None, part, "EN"))
    for part in grouped(chunks(pointer, 70), 5):
        segments.append(build("FTX", codes.MUTUALLY_DEFINED, None, POINTER_TEXT, part))
    return segments


def answer_interchange(
    answers: Sequence[Answer],
    sender: str,
    recipient: str,
    control_reference: str,
    *,
    service_string: str | None = None,
    version: str = "D96B",
    prepared: datetime | None = None,
) -> str:
    """One interchange with a CUSRES for each answer, in order (message references 1, 2 …);
    with the request's UNA characters as ``service_string`` it uses that UNA."""
    messages = [to_cusres(answer, str(number), version) for number, answer in enumerate(answers, 1)]
    return write_interchange(
        messages,
        sender=sender,
        recipient=recipient,
        control_reference=control_reference,
        prepared=prepared,
        service_string=service_string,
    )


def parse_cusres(text: str | bytes) -> list[Answer]:
    """The answers in a CUSRES interchange, one per message; raises ``EdifactRefused``."""
    interchange = read_interchange(text, message_types=("CUSRES",))
    answers = []
    for message in interchange.messages:
        try:
            answers.append(_answer(message.segments))
        except ValueError as error:
            raise EdifactRefused(
                "unreadable_answer",
                str(error),
                Position(interchange.control_reference, message.reference, 2),
            ) from None
    return answers


def _answer(segments: Sequence[Segment]) -> Answer:
    name = number = response = previous = ""
    indicators: set[str] = set()
    groups: list[list[Segment]] = []
    for segment in segments[1:-1]:
        if segment.tag == "BGM":
            name, number, response = code(segment, 0), component(segment, 1), code(segment, 3)
        elif segment.tag == "GIS":
            indicators.add(code(segment, 0))
        elif segment.tag == "RFF" and code(segment, 0, 0) == codes.PREVIOUS_MESSAGE:
            previous = component(segment, 0, 1)
        elif segment.tag == "ERP":
            groups.append([segment])
        elif groups and segment.tag in ("ERC", "FTX", "RFF"):
            groups[-1].append(segment)
    accepted = response == ACCEPTED if response else name in (ACCEPTANCE, RELEASE)
    errors: list[tuple[str, str, str]] = []
    positions: dict[str, int] = {}
    cds_codes: dict[str, str] = {}
    for group in groups:
        pointer, rule, text, cds = _read_error(group)
        errors.append((pointer, rule, text))
        if code(group[0], 1, 1).isdigit():
            positions[pointer] = int(code(group[0], 1, 1))
        if cds:
            cds_codes[rule] = cds
    return Answer(
        message_reference=previous or number,
        accepted=accepted,
        mrn=number if accepted else None,
        errors=errors,
        released=accepted and (name == RELEASE or GOODS_RELEASED in indicators),
        positions=positions,
        cds_codes=cds_codes,
    )


def _read_error(group: list[Segment]) -> tuple[str, str, str, str]:
    rule = cds = text = pointer = ""
    for segment in group[1:]:
        if segment.tag == "ERC" and code(segment, 0, 2) == CDS_AGENCY:
            cds = code(segment, 0)
        elif segment.tag == "ERC" and not rule:
            rule = code(segment, 0)
        elif segment.tag == "FTX" and code(segment, 0) == codes.ERROR_DESCRIPTION:
            text += joined(segment, 3)
        elif segment.tag == "FTX" and code(segment, 2) == POINTER_TEXT:
            pointer += joined(segment, 3)
    return pointer, rule, text, cds
