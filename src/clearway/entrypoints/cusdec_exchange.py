"""Declarations received as UN/EDIFACT CUSDEC interchanges, answered with CUSRES.

Each CUSDEC message of an interchange is mapped into Clearway's wire format and lodged on its
own through the same pipeline as JSON; the answer is one interchange with a CUSRES for each
message, in order: accepted with its MRN (released when it already is), or refused with every
error at the segment it points at. An interchange that cannot be read is answered with one
CUSRES refusing it, at the position where reading stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from clearway.adapters.messages.edifact import (
    Answer,
    EdifactRefused,
    Interchange,
    Message,
    answer_interchange,
    map_cusdec,
    read_interchange,
)
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import ClearwayError, ValidationFailed
from clearway.domain.identifiers import new_id
from clearway.domain.lifecycle import Status
from clearway.domain.record import ReceivedMessage
from clearway.domain.rules import Violation
from clearway.domain.rules.cds_validation_codes import cds_code_for
from clearway.entrypoints.schemas import DECLARATION, schema_violations, to_document, to_domain
from clearway.services.lodging import LodgeDeclaration

FORMAT = "cusdec"
OURS = "CLEARWAY"


@dataclass(frozen=True, slots=True)
class EdifactExchange:
    """What an interchange got: 200 when it was read (each message answered on its own),
    400 when it could not be; the CUSRES interchange answering it."""

    status: int
    answer: str
    lodged: int = 0


def receive_interchange(content: bytes, principal: Principal, runtime: Runtime) -> EdifactExchange:
    """Lodge every CUSDEC message of an interchange; never raises for a bad interchange."""
    control = new_id()[:14].upper()
    try:
        interchange = read_interchange(content, max_bytes=runtime.settings.max_body_bytes)
    except EdifactRefused as refused:
        where = refused.position
        answer = Answer(
            where.message_reference or "",
            False,
            errors=[("", f"EDI.{refused.reason}", refused.detail)],
        )
        return EdifactExchange(400, answer_interchange([answer], OURS, "UNKNOWN", control))
    answers = [_answer(message, content, principal, runtime) for message in interchange.messages]
    return EdifactExchange(
        200,
        _reply(interchange, answers, control),
        sum(answer.accepted for answer in answers),
    )


def _reply(interchange: Interchange, answers: list[Answer], control: str) -> str:
    version = interchange.messages[0].version if interchange.messages else "D96B"
    return answer_interchange(
        answers,
        interchange.recipient or OURS,
        interchange.sender,
        control,
        service_string=interchange.service_string,
        version=version,
    )


def _answer(message: Message, content: bytes, principal: Principal, runtime: Runtime) -> Answer:
    try:
        mapped = map_cusdec(message)
    except EdifactRefused as refused:
        return Answer(
            message.reference, False, errors=[("", f"EDI.{refused.reason}", refused.detail)]
        )
    try:
        model = DECLARATION.validate_python(mapped.declaration)
    except ValidationError as error:
        return _refused(message, schema_violations(error), mapped.positions)
    command = LodgeDeclaration(
        to_domain(model), to_document(model), principal, ReceivedMessage(FORMAT, content)
    )
    try:
        record = runtime.lodge(command).record
    except ValidationFailed as failed:
        return _refused(message, failed.violations, mapped.positions)
    except ClearwayError as refused:
        return Answer(message.reference, False, errors=[("", refused.slug, str(refused))])
    return Answer(
        message.reference, True, mrn=record.mrn, released=record.status is Status.RELEASED
    )


def _refused(message: Message, violations: list[Violation], positions: dict[str, int]) -> Answer:
    codes = {v.code: code for v in violations if (code := cds_code_for(v.code)) is not None}
    return Answer(
        message.reference,
        False,
        errors=[(v.pointer, v.code, v.message) for v in violations],
        positions=positions,
        cds_codes=codes,
    )
