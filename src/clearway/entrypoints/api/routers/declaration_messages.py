"""Declarations in the customs standards: lodging WCO DEC-DMS XML, reading a declaration as
DEC-DMS, and every DMS notification of a declaration."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import JSONResponse

from clearway.adapters.audit_trail import read_by, record_reads
from clearway.adapters.messages.dec_dms_write import write_declaration
from clearway.adapters.messages.dms_history import notifications
from clearway.adapters.messages.dms_notifications import build_notification
from clearway.adapters.messages.error_response import error_response
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal
from clearway.domain.errors import ClearwayError, NotFound
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep
from clearway.entrypoints.api.models import public
from clearway.entrypoints.cusdec_exchange import receive_interchange
from clearway.entrypoints.dec_dms_exchange import receive
from clearway.services.queries import get_visible, history

router = APIRouter(prefix="/api/v1/declarations", tags=["declarations"])
XML_MEDIA_TYPE = "application/xml"
XML_RESPONSE: dict[str, Any] = {"content": {XML_MEDIA_TYPE: {}}}


def wants_xml(request: Request) -> bool:
    """Whether the caller asks for XML before JSON (``Accept``)."""
    accept = request.headers.get("accept", "")
    xml = max(accept.find("application/xml"), accept.find("text/xml"))
    json = accept.find("application/json")
    return xml >= 0 and (json < 0 or xml < json)


def xml_error(error: ClearwayError) -> Response:
    """A problem answered to an XML caller: the CDS ``errorResponse``."""
    return Response(
        error_response(error.slug.upper().replace("-", "_"), str(error)),
        status_code=error.status,
        media_type=XML_MEDIA_TYPE,
        headers=error.headers(),
    )


def lodge_xml(body: bytes, principal: Principal, runtime: Runtime, request: Request) -> Response:
    """Lodge, amend or cancel from a DEC-DMS message; the answer is the DMS notification, or
    the declaration as JSON when the caller asks for JSON."""
    exchange = receive(body, principal, runtime)
    record = exchange.record
    headers: dict[str, str] = {}
    if record is not None:
        headers["Location"] = f"/api/v1/declarations/{record.id}"
        headers["Link"] = f'</api/v1/declarations/{record.id}/notifications>; rel="notifications"'
        headers["ETag"] = f'"v{record.version}"'
        if not wants_xml(request) and "json" in request.headers.get("accept", ""):
            shown = public(record, runtime.settings.national_currency, principal)
            return JSONResponse(
                shown.model_dump(mode="json"), status_code=exchange.status, headers=headers
            )
    return Response(
        exchange.answer, status_code=exchange.status, media_type=XML_MEDIA_TYPE, headers=headers
    )


EDIFACT_MEDIA_TYPE = "application/edifact"


def lodge_edifact(
    body: bytes, principal: Principal, runtime: Runtime, request: Request
) -> Response:
    """Lodge every CUSDEC message of an interchange; the answer is the CUSRES interchange."""
    exchange = receive_interchange(body, principal, runtime)
    return Response(
        exchange.answer.encode("utf-8"),
        status_code=exchange.status,
        media_type=EDIFACT_MEDIA_TYPE,
    )


def edifact_error(error: ClearwayError) -> Response:
    """A problem before any interchange is read (not signed in …), as problem+json."""
    return JSONResponse(
        {
            "type": f"urn:clearway:problem:{error.slug}",
            "title": error.title,
            "status": error.status,
            "detail": error.detail,
        },
        status_code=error.status,
        media_type="application/problem+json",
        headers=error.headers(),
    )


Reference = Annotated[str, Path(description="Declaration id or MRN")]


@router.get(
    "/{reference}/notifications",
    responses={200: {"description": "The notifications, oldest first"}},
)
def list_notifications(
    reference: Reference, principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, Any]:
    """Every DMS notification of the declaration (DMSRCV, DMSACC, DMSTAX, DMSCTL, DMSDOC,
    DMSCLE, DMSINV …), oldest first; each can be read as XML at its ``href``."""
    found = _notifications(reference, principal, runtime)
    return {
        "notifications": [
            {
                "number": number,
                "kind": notification.kind.name,
                "function_code": notification.kind.value,
                "version": notification.version,
                "issued_at": notification.issued_at.isoformat(),
                "href": f"/api/v1/declarations/{reference}/notifications/{number}",
            }
            for number, notification in enumerate(found, start=1)
        ]
    }


@router.get(
    "/{reference}/notifications/{number}",
    response_class=Response,
    responses={200: XML_RESPONSE},
)
def read_notification(
    reference: Reference,
    number: Annotated[int, Path(ge=1, le=100_000)],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> Response:
    """One DMS notification as XML (``MetaData/Response``, valid against the RES-DMS schema)."""
    found = _notifications(reference, principal, runtime)
    if number > len(found):
        raise NotFound(f"declaration {reference} has {len(found)} notifications, not {number}")
    return Response(build_notification(found[number - 1]), media_type=XML_MEDIA_TYPE)


def _notifications(reference: str, principal: Principal, runtime: Runtime) -> list[Any]:
    with runtime.uow() as uow:
        record = get_visible(uow, principal, reference)
        events = history(uow, principal, reference)
        versions = {event.version for event in events}
        assessments = {
            version: uow.declarations.version_assessment(record.id, version) for version in versions
        }
    record_reads(runtime.engine, [record.id], read_by(principal, "notifications"))
    return notifications(record, events, assessments)


def declaration_xml(reference: str, principal: Principal, runtime: Runtime) -> Response:
    """The declaration's current version as DEC-DMS XML."""
    with runtime.uow() as uow:
        record = get_visible(uow, principal, reference)
    record_reads(runtime.engine, [record.id], read_by(principal, "declaration"))
    content = write_declaration(record.payload, mrn=record.mrn)
    return Response(
        content,
        status_code=status.HTTP_200_OK,
        media_type=XML_MEDIA_TYPE,
        headers={"ETag": f'"v{record.version}"'},
    )
