"""Declarations received as WCO DEC-DMS XML, answered with DMS notifications.

One exchange for the API and the command line: the message is parsed with the hardened parser,
validated against the shipped XSDs, mapped into Clearway's wire format and run through the same
pipeline as JSON. ``FunctionCode`` 9 lodges, 13 amends the declaration of the same LRN from the
same declarant; a cancellation request (the CANCEL schema) cancels. The answer is a DMS
notification (DMSACC, DMSREJ with every error, DMSINV), or the CDS ``errorResponse`` when the
message itself cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lxml import etree
from pydantic import ValidationError

from clearway.adapters.messages.dec_dms_amend import (
    AmendmentNotApplicable,
    apply_correction,
    is_correction,
    mrn_of,
)
from clearway.adapters.messages.dec_dms_cancel import read_cancellation
from clearway.adapters.messages.dec_dms_read import (
    DecDmsDeclaration,
    DecDmsUnmappable,
    read_declaration,
)
from clearway.adapters.messages.dec_dms_write import write_declaration
from clearway.adapters.messages.dms_notifications import (
    DmsError,
    NotificationData,
    NotificationKind,
    Statement,
    build_notification,
)
from clearway.adapters.messages.dms_schemas import (
    DEC_NS,
    validate_cancellation,
    validate_declaration,
)
from clearway.adapters.messages.error_response import error_response
from clearway.adapters.messages.wco_pointers import pointer_steps
from clearway.adapters.messages.xml_safety import XmlRefused, parse_xml
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import ClearwayError, NotFound, ValidationFailed
from clearway.domain.record import DeclarationRecord, ReceivedMessage
from clearway.domain.rules import Violation
from clearway.domain.rules.cds_validation_codes import cds_code_for
from clearway.entrypoints.schemas import DECLARATION, schema_violations, to_document, to_domain
from clearway.services.changes import (
    AmendDeclaration,
    CancelDeclaration,
    amend_declaration,
    cancel_declaration,
)
from clearway.services.lodging import LodgeDeclaration
from clearway.services.queries import get_visible

FORMAT = "dec-dms"
ORIGINAL, AMENDMENT = 9, 13


@dataclass(frozen=True, slots=True)
class Exchange:
    """What a message got: an HTTP-like status, the XML answer, the declaration if stored."""

    status: int
    answer: bytes
    record: DeclarationRecord | None = None
    created: bool = False


def receive(content: bytes, principal: Principal, runtime: Runtime) -> Exchange:
    """Lodge, amend or cancel from one DEC-DMS message; never raises for a bad message."""
    try:
        root = parse_xml(content)
        if _is_cancellation(root):
            validate_cancellation(root)
            return _cancel(root, principal, runtime)
        validate_declaration(root)
        declaration = root.find(f"{{{DEC_NS}}}Declaration")
        if declaration is not None and is_correction(declaration):
            root = _corrected(declaration, principal, runtime)
        received = read_declaration(
            root, country=runtime.settings.country, national_office=runtime.settings.national_office
        )
        if declaration is not None and is_correction(declaration):
            received = replace(received, function_code=AMENDMENT, mrn=mrn_of(declaration))
            content = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    except ClearwayError as refused:
        return Exchange(refused.status, error_response(refused.slug.upper(), str(refused)))
    except AmendmentNotApplicable as unfit:
        return Exchange(
            422, _rejection("", None, (DmsError("CDS12062", f"MSG003: {unfit}"),), runtime)
        )
    except XmlRefused as refused:
        return Exchange(400, error_response("BAD_REQUEST", refused.detail, refused.errors))
    except DecDmsUnmappable as unmappable:
        lrn = _text(root, "FunctionalReferenceID") or ""
        error = DmsError("CDS10002", f"MSG001: {unmappable}", ())
        return Exchange(422, _rejection(lrn, None, (error,), runtime))
    return _declaration(received, content, principal, runtime)


def _declaration(
    received: DecDmsDeclaration, content: bytes, principal: Principal, runtime: Runtime
) -> Exchange:
    try:
        model = DECLARATION.validate_python(received.wire)
    except ValidationError as error:
        return _refused(received, schema_violations(error), runtime)
    message = ReceivedMessage(FORMAT, content)
    declaration, document = to_domain(model), to_document(model)
    try:
        if received.function_code == AMENDMENT:
            reference = _amended_reference(received, principal, runtime)
            record = amend_declaration(
                AmendDeclaration(reference, declaration, document, principal, message=message),
                runtime.uow(),
                runtime.context,
            )
            return Exchange(200, accepted(record, runtime), record)
        if received.function_code != ORIGINAL:
            unknown = DmsError(
                "CDS10010",
                f"MSG002: FunctionCode {received.function_code} is neither 9 (original) nor "
                "13 (amendment)",
            )
            return Exchange(422, _rejection(received.lrn, received.mrn, (unknown,), runtime))
        outcome = runtime.lodge(LodgeDeclaration(declaration, document, principal, message))
    except ValidationFailed as failed:
        return _refused(received, failed.violations, runtime)
    except ClearwayError as refused:
        return Exchange(refused.status, error_response(refused.slug.upper(), str(refused)))
    record = outcome.record
    return Exchange(201 if outcome.created else 200, accepted(record, runtime), record, True)


def _corrected(
    correction: etree._Element, principal: Principal, runtime: Runtime
) -> etree._Element:
    """The declaration a ``COR`` amendment names (by its MRN), as it stands, with the
    amendment applied: from the message its current version came in, or written from it."""
    mrn = mrn_of(correction)
    if mrn is None:
        raise AmendmentNotApplicable("an amendment must give the declaration's MRN as its ID")
    record, message = visible_message(mrn, principal, runtime)
    original = (
        parse_xml(message.content)
        if message is not None and message.format == FORMAT
        else parse_xml(write_declaration(record.payload, mrn=record.mrn))
    )
    return apply_correction(original, correction)


def _amended_reference(received: DecDmsDeclaration, principal: Principal, runtime: Runtime) -> str:
    """The declaration an amendment is for: its MRN when it gives one, else the declaration
    this declarant lodged under the same LRN."""
    if received.mrn:
        return received.mrn
    declarant = str(received.wire["declarant"]["id"])
    with runtime.uow() as uow:
        found = uow.declarations.find_by_lrn([(declarant, received.lrn)])
    record = found.get((declarant, received.lrn))
    if record is None:
        raise NotFound(f"no declaration of {declarant} has the LRN {received.lrn}")
    return record.id


def _cancel(root: etree._Element, principal: Principal, runtime: Runtime) -> Exchange:
    cancellation = read_cancellation(root)
    try:
        record = cancel_declaration(
            CancelDeclaration(
                cancellation.mrn,
                f"{cancellation.reason_code}: {cancellation.description}",
                principal,
            ),
            runtime.uow(),
            runtime.context,
        )
    except ClearwayError as refused:
        return Exchange(refused.status, error_response(refused.slug.upper(), str(refused)))
    notification = NotificationData(
        kind=NotificationKind.DMSINV,
        issued_at=runtime.context.now(),
        lrn=record.lrn,
        mrn=record.mrn,
        version=record.version,
        cancelled_at=record.updated_at,
        statements=(
            Statement(code=cancellation.reason_code, description=cancellation.description),
        ),
    )
    return Exchange(200, build_notification(notification), record)


def accepted(record: DeclarationRecord, runtime: Runtime) -> bytes:
    """The DMSACC notification of an accepted declaration's current version."""
    return build_notification(
        NotificationData(
            kind=NotificationKind.DMSACC,
            issued_at=runtime.context.now(),
            lrn=record.lrn,
            mrn=record.mrn,
            version=record.version,
            accepted_at=record.accepted_at,
        )
    )


def dms_errors(violations: list[Violation], wire: dict[str, object]) -> tuple[DmsError, ...]:
    """Each violation as a DMS error: the CDS validation code where one corresponds (else
    Clearway's own code), Clearway's code and message, and the WCO pointer."""
    return tuple(
        DmsError(
            cds_code_for(violation.code) or violation.code,
            f"{violation.code}: {violation.message}",
            pointer_steps(violation.pointer, wire),
        )
        for violation in violations
    )


def _refused(
    received: DecDmsDeclaration, violations: list[Violation], runtime: Runtime
) -> Exchange:
    errors = dms_errors(violations, received.wire)
    return Exchange(422, _rejection(received.lrn, received.mrn, errors, runtime))


def _rejection(lrn: str, mrn: str | None, errors: tuple[DmsError, ...], runtime: Runtime) -> bytes:
    now = runtime.context.now()
    return build_notification(
        NotificationData(
            kind=NotificationKind.DMSREJ,
            issued_at=now,
            lrn=lrn,
            mrn=mrn,
            rejected_at=now,
            errors=errors,
        )
    )


def _is_cancellation(root: etree._Element) -> bool:
    """A cancellation request: the CANCEL schema's declaration, of type ``INV``."""
    declaration = root.find(f"{{{DEC_NS}}}Declaration")
    if declaration is None:
        return False
    return (declaration.findtext(f"{{{DEC_NS}}}TypeCode") or "").strip() == "INV"


def _text(root: etree._Element, name: str) -> str | None:
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == name:
            return (element.text or "").strip() or None
    return None


def visible_message(
    reference: str, principal: Principal, runtime: Runtime
) -> tuple[DeclarationRecord, ReceivedMessage | None]:
    with runtime.uow() as uow:
        record = get_visible(uow, principal, reference)
        return record, uow.declarations.message(record.id, record.version)
