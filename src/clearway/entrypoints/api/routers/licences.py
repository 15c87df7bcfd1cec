"""Export licences: the agency issues, amends, suspends, reinstates and revokes them; the
agency, customs and the holder see each licence's use."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from clearway.domain.export_control.licence import (
    Licence,
    LicenceItem,
    LicenceState,
    LicenceType,
)
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.api.routers.declarations import (
    PROBLEMS,
    IfMatch,
    set_etag,
    version_from_if_match,
)
from clearway.services.licensing import (
    AmendLicence,
    ChangeLicenceState,
    IssueLicence,
    LicenceChange,
    amend_licence,
    change_licence_state,
    find_licences,
    issue_licence,
    read_licence,
)
from clearway.services.ports import StoredDraw

router = APIRouter(prefix="/api/v1/licences", tags=["export control"], route_class=JsonBodyRoute)

Country = Annotated[str, Field(pattern="^[A-Z]{2}$")]
Amount = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=3)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class LicenceItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: Annotated[int, Field(ge=1, le=999)]
    description: Annotated[str, Field(min_length=1, max_length=500)]
    commodity_code: Annotated[str | None, Field(pattern=r"^\d{4,10}$")] = None
    control_entry: Annotated[str | None, Field(max_length=32)] = Field(
        default=None, description="Control-list entry, e.g. 2B350.i"
    )
    quantity: Amount | None = None
    unit: Annotated[str | None, Field(pattern="^[A-Z0-9]{3}$")] = Field(
        default=None, description="KGM for net mass, or the supplementary unit (NAR …)"
    )
    value: Amount | None = None
    currency: Annotated[str | None, Field(pattern="^[A-Z]{3}$")] = None


class LicenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9/\-.]{2,63}$")]
    type: LicenceType
    authorisation: Annotated[str | None, Field(pattern="^(EU00[1-8]|NATIONAL)$")] = None
    holder_id: Annotated[str, Field(pattern="^[A-Z]{2}[A-Za-z0-9]{1,15}$")]
    holder_name: Name
    consignees: list[Name] = Field(default_factory=list, description="None named: any")
    end_users: list[Name] = Field(default_factory=list, description="None named: any")
    destinations: Annotated[list[Country], Field(min_length=1)]
    valid_from: dt.date
    valid_to: dt.date
    conditions: Annotated[str, Field(max_length=4000)] = ""
    items: Annotated[list[LicenceItemIn], Field(min_length=1, max_length=500)]

    def to_domain(self) -> Licence:
        return Licence(
            number=self.number,
            type=self.type,
            holder_id=self.holder_id,
            holder_name=self.holder_name,
            destinations=frozenset(self.destinations),
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            items=tuple(LicenceItem(**item.model_dump()) for item in self.items),
            consignees=tuple(self.consignees),
            end_users=tuple(self.end_users),
            authorisation=self.authorisation,
            conditions=self.conditions,
        )


class LicenceItemPublic(LicenceItemIn):
    quantity_used: Decimal
    value_used: Decimal
    quantity_left: Decimal | None
    value_left: Decimal | None


class LicencePublic(LicenceIn):
    items: list[LicenceItemPublic]  # type: ignore[assignment]
    state: LicenceState
    in_force: bool = Field(description="Active and within its validity dates today")
    version: int
    issued_by: str
    issued_at: dt.datetime | None


class DrawPublic(BaseModel):
    declaration_id: str
    declaration_version: int
    item: int
    line: int
    quantity: Decimal
    unit: str | None
    value: Decimal
    currency: str | None
    drawn_at: dt.datetime
    credited_at: dt.datetime | None = Field(description="Given back when the export was cancelled")


class LicenceUsage(BaseModel):
    licence: LicencePublic
    draws: list[DrawPublic]


class StateChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


def _public(licence: Licence, today: dt.date) -> LicencePublic:
    return LicencePublic(
        number=licence.number,
        type=licence.type,
        authorisation=licence.authorisation,
        holder_id=licence.holder_id,
        holder_name=licence.holder_name,
        consignees=list(licence.consignees),
        end_users=list(licence.end_users),
        destinations=sorted(licence.destinations),
        valid_from=licence.valid_from,
        valid_to=licence.valid_to,
        conditions=licence.conditions,
        items=[
            LicenceItemPublic(
                line=item.line,
                description=item.description,
                commodity_code=item.commodity_code,
                control_entry=item.control_entry,
                quantity=item.quantity,
                unit=item.unit,
                value=item.value,
                currency=item.currency,
                quantity_used=item.quantity_used,
                value_used=item.value_used,
                quantity_left=item.quantity_left,
                value_left=item.value_left,
            )
            for item in licence.items
        ],
        state=licence.state,
        in_force=licence.in_force(today),
        version=licence.version,
        issued_by=licence.issued_by,
        issued_at=licence.issued_at,
    )


def _draw(stored: StoredDraw) -> DrawPublic:
    draw = stored.draw
    return DrawPublic(
        declaration_id=stored.declaration_id,
        declaration_version=stored.declaration_version,
        item=draw.sequence,
        line=draw.line,
        quantity=draw.quantity,
        unit=draw.unit,
        value=draw.value,
        currency=draw.currency,
        drawn_at=stored.drawn_at,
        credited_at=stored.credited_at,
    )


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=LicencePublic, responses=PROBLEMS
)
def issue(
    body: LicenceIn, principal: CurrentPrincipal, runtime: RuntimeDep, response: Response
) -> LicencePublic:
    """Issue a licence (agency). Exports cite it by number with the document code of its type."""
    licence = issue_licence(
        IssueLicence(body.to_domain(), principal), runtime.uow(), runtime.context
    )
    response.headers["Location"] = f"/api/v1/licences/{licence.number}"
    set_etag(response, licence.version)
    return _public(licence, runtime.context.now().date())


@router.get("", response_model=list[LicencePublic], responses=PROBLEMS)
def list_(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    holder_id: Annotated[str | None, Query(max_length=17)] = None,
    state: LicenceState | None = None,
) -> list[LicencePublic]:
    """Licences, newest first; a trader sees only its own company's."""
    today = runtime.context.now().date()
    found = find_licences(runtime.uow(), principal, holder_id, state.value if state else None)
    return [_public(licence, today) for licence in found]


@router.get("/{number:path}/usage", response_model=LicenceUsage, responses=PROBLEMS)
def usage(number: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> LicenceUsage:
    """The licence with every declaration that drew on it, when, and how much is left."""
    licence, draws = read_licence(runtime.uow(), principal, number)
    return LicenceUsage(
        licence=_public(licence, runtime.context.now().date()), draws=[_draw(d) for d in draws]
    )


def _state_route(change: LicenceChange, path: str, summary: str) -> None:
    """One route per change of state: suspension, reinstatement, revocation."""

    def changed(
        number: str,
        body: StateChangeIn,
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        response: Response,
        if_match: IfMatch = None,
    ) -> LicencePublic:
        command = ChangeLicenceState(
            number, change, body.reason, principal, version_from_if_match(if_match)
        )
        licence = change_licence_state(command, runtime.uow(), runtime.context)
        set_etag(response, licence.version)
        return _public(licence, runtime.context.now().date())

    changed.__name__ = path
    changed.__doc__ = summary
    router.post(f"/{{number:path}}/{path}", response_model=LicencePublic, responses=PROBLEMS)(
        changed
    )


_state_route(
    LicenceChange.SUSPEND,
    "suspension",
    "Suspend an active licence (agency): exports citing it are referred until reinstated.",
)
_state_route(LicenceChange.REINSTATE, "reinstatement", "Reinstate a suspended licence (agency).")
_state_route(LicenceChange.REVOKE, "revocation", "Revoke a licence for good (agency).")


@router.get("/{number:path}", response_model=LicencePublic, responses=PROBLEMS)
def get(
    number: str, principal: CurrentPrincipal, runtime: RuntimeDep, response: Response
) -> LicencePublic:
    """One licence with each line's amounts used and left."""
    licence, _ = read_licence(runtime.uow(), principal, number)
    set_etag(response, licence.version)
    return _public(licence, runtime.context.now().date())


@router.put("/{number:path}", response_model=LicencePublic, responses=PROBLEMS)
def amend(
    number: str,
    body: LicenceIn,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
    if_match: IfMatch = None,
) -> LicencePublic:
    """Amend a licence's terms (agency); amounts already drawn stay with their lines."""
    if body.number != number:
        body = body.model_copy(update={"number": number})
    command = AmendLicence(body.to_domain(), principal, version_from_if_match(if_match))
    licence = amend_licence(command, runtime.uow(), runtime.context)
    set_etag(response, licence.version)
    return _public(licence, runtime.context.now().date())
