"""Declarations: lodge, read, list, amend, cancel, history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response, status

from clearway.adapters.audit_trail import read_by, record_reads
from clearway.domain.errors import BadRequest
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep
from clearway.entrypoints.api.message_route import EDIFACT, XML, MessageRoute, takes_messages
from clearway.entrypoints.api.models import (
    CancelRequest,
    DeclarationPage,
    DeclarationPublic,
    HistoryEntry,
    decode_cursor,
    encode_cursor,
    history_entry,
    public,
    summary,
)
from clearway.entrypoints.api.routers.declaration_messages import (
    EDIFACT_MEDIA_TYPE,
    XML_MEDIA_TYPE,
    declaration_xml,
    edifact_error,
    lodge_edifact,
    lodge_xml,
    wants_xml,
    xml_error,
)
from clearway.entrypoints.schemas import DeclarationIn, to_document, to_domain
from clearway.services.changes import (
    AmendDeclaration,
    CancelDeclaration,
    amend_declaration,
    cancel_declaration,
)
from clearway.services.lodging import LodgeDeclaration
from clearway.services.ports import ListFilter
from clearway.services.queries import get_visible, history, list_declarations
from clearway.services.release import ReleaseDeclaration, release_declaration

router = APIRouter(prefix="/api/v1/declarations", tags=["declarations"], route_class=MessageRoute)

DeclarationBody = Annotated[DeclarationIn, Body(description="The declaration, as lodged")]
IfMatch = Annotated[
    str | None,
    Header(description='Version the change applies to, as the ETag of a GET (e.g. `"v2"`)'),
]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"content": {"application/problem+json": {}}, "description": text}
    for code, text in {
        400: "Malformed JSON or query",
        401: "Not authenticated",
        403: "Role not allowed",
        404: "No such declaration visible to the caller",
        409: "Conflicts with stored state",
        412: "Version in If-Match is not current",
        413: "Body too large",
        422: "Schema, code-list or business-rule errors, all listed in `errors`",
    }.items()
}


def version_from_if_match(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.startswith("v") or not tag[1:].isdigit():
        raise BadRequest('If-Match must be one ETag of this API, such as "v2", or *')
    return int(tag[1:])


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"v{version}"'


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DeclarationPublic,
    responses={
        200: {"description": "Same LRN lodged before with the same content"},
        **PROBLEMS,
        400: {
            "content": {"application/problem+json": {}, XML_MEDIA_TYPE: {}},
            "description": "Malformed JSON, or XML that is not well-formed or not valid against "
            "the DEC-DMS schema (an `errorResponse`)",
        },
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/DeclarationIn"}},
                XML_MEDIA_TYPE: {
                    "schema": {
                        "type": "string",
                        "description": "A WCO DEC-DMS 3.6 declaration (`md:MetaData` wrapping a "
                        "`Declaration`, FunctionCode 9 original or 13 amendment) or a "
                        "cancellation request; answered with the DMS notification",
                    }
                },
                EDIFACT_MEDIA_TYPE: {
                    "schema": {
                        "type": "string",
                        "description": "A UN/EDIFACT interchange of CUSDEC messages (D.96B or "
                        "D.99B); answered with a CUSRES for each message",
                    }
                },
            },
            "required": True,
        }
    },
)
@takes_messages({XML: (lodge_xml, xml_error), EDIFACT: (lodge_edifact, edifact_error)})
def lodge(
    body: DeclarationBody, principal: CurrentPrincipal, runtime: RuntimeDep, response: Response
) -> DeclarationPublic:
    """Lodge a declaration. It is validated, valued and accepted with an MRN at once, or
    refused with every problem listed. Lodging the same LRN again returns the same declaration."""
    command = LodgeDeclaration(to_domain(body), to_document(body), principal)
    outcome = runtime.lodge(command)
    record = outcome.record
    if outcome.created:
        response.headers["Location"] = f"/api/v1/declarations/{record.id}"
    else:
        response.status_code = status.HTTP_200_OK
    set_etag(response, record.version)
    return public(record, runtime.settings.national_currency, principal)


@router.get("", response_model=DeclarationPage, responses=PROBLEMS)
def list_(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    status_: Annotated[
        Literal[
            "lodged",
            "accepted",
            "rejected",
            "assessed",
            "risk_scored",
            "laned",
            "held",
            "released",
            "cancelled",
        ]
        | None,
        Query(alias="status"),
    ] = None,
    type_: Annotated[Literal["IM", "EX"] | None, Query(alias="type")] = None,
    lrn: Annotated[str | None, Query(max_length=35)] = None,
    declarant: Annotated[str | None, Query(max_length=17, description="Declarant EORI")] = None,
    office: Annotated[str | None, Query(max_length=8)] = None,
    commodity_code: Annotated[
        str | None, Query(pattern=r"^\d{2,10}$", description="Commodity code or its prefix")
    ] = None,
    lodged_from: Annotated[datetime | None, Query(description="Inclusive, ISO 8601")] = None,
    lodged_to: Annotated[datetime | None, Query(description="Exclusive, ISO 8601")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DeclarationPage:
    """Declarations the caller may see, newest first, a page at a time."""
    for moment in (lodged_from, lodged_to):
        if moment is not None and moment.tzinfo is None:
            raise BadRequest("lodged_from and lodged_to need a time zone (e.g. 2026-11-23T00:00Z)")
    filters = ListFilter(
        status=status_,
        type=type_,
        lrn=lrn,
        declarant_id=declarant,
        office=office,
        commodity_code=commodity_code,
        lodged_from=lodged_from,
        lodged_to=lodged_to,
    )
    after = decode_cursor(cursor) if cursor else None
    with runtime.reads() as uow:
        page, following = list_declarations(uow, principal, filters, after, limit)
    record_reads(runtime.engine, [record.id for record in page], read_by(principal, "summary"))
    currency = runtime.settings.national_currency
    return DeclarationPage(
        items=[summary(record, currency) for record in page],
        next_cursor=encode_cursor(following) if following else None,
    )


@router.get(
    "/{reference}",
    response_model=DeclarationPublic,
    responses={**PROBLEMS, 200: {"content": {XML_MEDIA_TYPE: {}}}},
)
def get(
    reference: Annotated[str, "Declaration id or MRN"],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
    request: Request,
) -> DeclarationPublic | Response:
    """One declaration, by its id or its MRN; as WCO DEC-DMS XML with
    `Accept: application/xml`."""
    if wants_xml(request):
        return declaration_xml(reference, principal, runtime)
    with runtime.reads() as uow:
        record = get_visible(uow, principal, reference)
    record_reads(runtime.engine, [record.id], read_by(principal, "declaration"))
    set_etag(response, record.version)
    return public(record, runtime.settings.national_currency, principal)


@router.post("/{reference}/amendments", response_model=DeclarationPublic, responses=PROBLEMS)
def amend(
    reference: str,
    body: DeclarationBody,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
    if_match: IfMatch = None,
) -> DeclarationPublic:
    """Amend a declaration before release: the body is the whole amended declaration; it is
    validated and valued again and stored as a new version."""
    command = AmendDeclaration(
        reference, to_domain(body), to_document(body), principal, version_from_if_match(if_match)
    )
    record = amend_declaration(command, runtime.uow(), runtime.context)
    set_etag(response, record.version)
    return public(record, runtime.settings.national_currency, principal)


@router.post("/{reference}/cancellation", response_model=DeclarationPublic, responses=PROBLEMS)
def cancel(
    reference: str,
    body: CancelRequest,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
    if_match: IfMatch = None,
) -> DeclarationPublic:
    """Cancel (invalidate) a declaration before release, giving the reason."""
    command = CancelDeclaration(reference, body.reason, principal, version_from_if_match(if_match))
    record = cancel_declaration(command, runtime.uow(), runtime.context)
    set_etag(response, record.version)
    return public(record, runtime.settings.national_currency, principal)


@router.post("/{reference}/release", response_model=DeclarationPublic, responses=PROBLEMS)
def release(
    reference: str,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
    if_match: IfMatch = None,
) -> DeclarationPublic:
    """Release the goods (officers): tariff quotas are drawn down now, first come first served;
    an item whose quota ran out falls back to the option its assessment names."""
    command = ReleaseDeclaration(reference, principal, version_from_if_match(if_match))
    record = release_declaration(command, runtime.uow(), runtime.context)
    set_etag(response, record.version)
    return public(record, runtime.settings.national_currency, principal)


@router.get("/{reference}/history", response_model=list[HistoryEntry], responses=PROBLEMS)
def history_(
    reference: str, principal: CurrentPrincipal, runtime: RuntimeDep
) -> list[HistoryEntry]:
    """Every state change of the declaration, oldest first, with its outbox sequence number."""
    with runtime.reads() as uow:
        events = history(uow, principal, reference)
    if events and events[0].declaration_id:
        record_reads(runtime.engine, [events[0].declaration_id], read_by(principal, "history"))
    return [history_entry(event) for event in events]
