"""The dual-use control list: its entries, the correlation from commodity codes to entries, the
destination measures, and its versions; a new version is loaded whole.

Every authenticated role may read it, traders included: the list and the measures are published
law (Annex I to Regulation (EU) 2021/821, the sanctions regulations), traders need them to
classify their goods and to know when to cite a licence or declare Y901, and nothing in them
concerns a declaration. Only the export-control agency loads a version. Reads answer from the
version stored as current; this server applies a version loaded here at once (another server
process at its restart).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from clearway.adapters.control_list_store import SqlAlchemyControlListStore
from clearway.bootstrap import Runtime
from clearway.domain.access import Action
from clearway.domain.errors import BadRequest, NotFound
from clearway.domain.export_control.control_list import (
    ControlCode,
    ControlCodeError,
    ControlListEntry,
    Correlation,
    DestinationMeasure,
    MeasureAction,
    MeasureScope,
)
from clearway.domain.export_control.control_list_document import (
    correlation_document,
    measure_document,
)
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep, require
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.services.control_list_admin import (
    ControlListVersion,
    PutControlList,
    StoredControlList,
    put_control_list,
)

router = APIRouter(
    prefix="/api/v1/control-list",
    tags=["export control"],
    route_class=JsonBodyRoute,
    dependencies=[require(Action.READ)],
)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"content": {"application/problem+json": {}}, "description": text}
    for code, text in {
        400: "A malformed entry code or query",
        401: "Not authenticated",
        403: "Only the export-control agency loads the control list",
        404: "No control list loaded yet, or no such entry",
        409: "Another version was loaded at the same moment",
        422: "The list does not hold together: every problem with its JSON pointer",
    }.items()
}

Text = Annotated[str, Field(max_length=4000)]
CodeText = Annotated[str, Field(max_length=40, examples=["2B350.i"])]


# --- what is sent -------------------------------------------------------------------------------


class EntryModel(BaseModel):
    """An entry or sub-item: ``code`` in the Annex I structure, e.g. ``5A002.a.1``."""

    model_config = ConfigDict(extra="forbid")

    code: CodeText
    description: Text
    reasons: Annotated[list[Annotated[str, Field(max_length=2)]], Field(max_length=10)] = Field(
        default=[], description="Why it is controlled: NS, MT, NP, CB, CW"
    )


class CorrelationModel(BaseModel):
    """Goods under ``commodity_code`` (2 to 10 digits in pairs) may be ``entry``."""

    model_config = ConfigDict(extra="forbid")

    commodity_code: Annotated[str, Field(max_length=10, examples=["841370"])]
    entry: CodeText
    note: Text = ""


class MeasureModel(BaseModel):
    """A prohibition (``prohibit``: the declaration is refused) or restriction (``refer``: the
    agency must authorise) of exports of listed items to ``country``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    list_name: str = Field(alias="list", max_length=200, examples=["EU Reg. 833/2014 Russia"])
    country: Annotated[str, Field(max_length=2, examples=["RU"])]
    action: MeasureAction
    scope: MeasureScope = Field(
        description="all-dual-use, or the items of `categories`, or `entries` and their sub-items"
    )
    categories: Annotated[list[int], Field(max_length=10)] = []
    entries: Annotated[list[CodeText], Field(max_length=10_000)] = []
    legal_basis: Text = Field(examples=["Council Regulation (EU) No 833/2014, Art. 2"])


class ControlListIn(BaseModel):
    """A whole version: it replaces the list in force, the earlier one kept in the history."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, Field(max_length=100)] = Field(
        default="", description="The list's own version, e.g. the amending act"
    )
    label: Annotated[str, Field(max_length=200)] = ""
    description: Text = ""
    illustrative: bool = Field(default=False, description="Not any administration's law")
    entries: Annotated[list[EntryModel], Field(max_length=50_000)]
    correlation: Annotated[list[CorrelationModel], Field(max_length=100_000)] = []
    destinations: Annotated[list[MeasureModel], Field(max_length=10_000)] = []


# --- what is answered ---------------------------------------------------------------------------


class EntryPublic(BaseModel):
    code: str
    category: int
    group: str
    description: str
    reasons: list[str]
    parent: str | None = Field(description="The code one level up, if this is a sub-item")


class EntryDetail(EntryPublic):
    sub_entries: list[EntryPublic] = Field(description="Listed entries one level below")
    correlation: list[CorrelationModel] = Field(
        description="Commodity codes correlated with this entry or its sub-items"
    )
    destinations: list[MeasureModel] = Field(description="Destination measures on this entry")


class VersionPublic(BaseModel):
    id: int
    label: str
    illustrative: bool
    loaded_at: dt.datetime
    loaded_by: str
    source: str
    current: bool


class ControlListSummary(VersionPublic):
    version: str
    description: str
    entry_count: int
    correlation_count: int
    destination_count: int


class ControlListPublic(ControlListSummary):
    entries: list[EntryPublic] = Field(description="The entries matching the query, in order")


class CommodityControlsPublic(BaseModel):
    commodity_code: str
    correlation: list[CorrelationModel] = Field(description="The rows the code matched")
    entries: list[EntryPublic] = Field(description="The entries the goods may be")
    destination: str | None
    measures: list[MeasureModel] = Field(
        description="Measures on exports of those entries to the destination"
    )


# --- routes -------------------------------------------------------------------------------------


@router.get("", response_model=ControlListPublic, responses=PROBLEMS)
def get_control_list(
    runtime: RuntimeDep,
    q: Annotated[
        str, Query(max_length=200, description="Code prefix or words of the description")
    ] = "",
    category: Annotated[int | None, Query(ge=0, le=9, description="Only this category")] = None,
) -> ControlListPublic:
    """The version in force and its entries, all of them or those matching ``q`` and
    ``category``."""
    stored = _current(runtime)
    entries = stored.control_list.search(q, category)
    return ControlListPublic(
        **_summary(stored).model_dump(), entries=[_entry(entry) for entry in entries]
    )


@router.get("/entries/{code}", response_model=EntryDetail, responses=PROBLEMS)
def get_entry(
    code: Annotated[str, Path(max_length=40, examples=["2B350.i"])], runtime: RuntimeDep
) -> EntryDetail:
    """One entry with its sub-entries, the commodity codes correlated with it and the
    destination measures on it."""
    try:
        wanted = ControlCode.parse(code)
    except ControlCodeError as error:
        raise BadRequest(str(error)) from error
    control_list = _current(runtime).control_list
    entry = control_list.entry(wanted)
    if entry is None:
        covering = control_list.entry_covering(wanted)
        under = f"; it falls under {covering.code}" if covering is not None else ""
        raise NotFound(f"{wanted} is not an entry of the control list{under}")
    return EntryDetail(
        **_entry(entry).model_dump(),
        sub_entries=[_entry(sub) for sub in control_list.sub_entries(wanted)],
        correlation=[_correlation(row) for row in control_list.correlated_prefixes(wanted)],
        destinations=[
            _measure(measure) for measure in control_list.measures if measure.applies_to(wanted)
        ],
    )


@router.get("/correlation", response_model=CommodityControlsPublic, responses=PROBLEMS)
def get_correlation(
    commodity_code: Annotated[
        str,
        Query(
            pattern=r"^(\d{2}){1,5}$",
            description="The goods' commodity code; every correlated prefix of it matches",
            examples=["8413705140"],
        ),
    ],
    runtime: RuntimeDep,
    destination: Annotated[
        str | None,
        Query(pattern=r"^[A-Z]{2}$", description="Also the measures on exports there"),
    ] = None,
) -> CommodityControlsPublic:
    """The entries goods under a commodity code may be, and with ``destination`` the measures
    on exporting them there."""
    controls = _current(runtime).control_list.controls_for(commodity_code, destination)
    return CommodityControlsPublic(
        commodity_code=commodity_code,
        correlation=[_correlation(row) for row in controls.correlations],
        entries=[_entry(entry) for entry in controls.entries],
        destination=destination,
        measures=[_measure(measure) for measure in controls.measures],
    )


@router.get("/destinations", response_model=list[MeasureModel], responses=PROBLEMS)
def get_destinations(
    runtime: RuntimeDep,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}$", description="Only measures on this country")
    ] = None,
) -> list[MeasureModel]:
    """The destination measures in force, in list order."""
    control_list = _current(runtime).control_list
    measures = control_list.measures if country is None else control_list.measures_for(country)
    return [_measure(measure) for measure in measures]


@router.get("/versions", response_model=list[VersionPublic], responses=PROBLEMS)
def get_versions(runtime: RuntimeDep) -> list[VersionPublic]:
    """Every version loaded, newest first."""
    with _store(runtime) as store:
        versions = store.versions()
    return [_version(version) for version in versions]


@router.put(
    "",
    response_model=ControlListSummary,
    responses=PROBLEMS,
    dependencies=[require(Action.MANAGE_EXPORT_CONTROL)],
)
def put_control_list_version(
    body: Annotated[ControlListIn, Body()], principal: CurrentPrincipal, runtime: RuntimeDep
) -> ControlListSummary:
    """Load a whole new version (entries, correlation, destination measures) and apply it at
    once. Everything is checked first: a list that does not hold together is refused with
    every problem and its pointer, and nothing is stored."""
    command = PutControlList(body.model_dump(mode="json", by_alias=True), principal)
    stored = put_control_list(
        command, _store(runtime), runtime.context.now(), runtime.context.reference.countries
    )
    runtime.sync(force=True)
    return _summary(stored)


def _store(runtime: Runtime) -> SqlAlchemyControlListStore:
    return SqlAlchemyControlListStore(runtime.engine)


def _current(runtime: Runtime) -> StoredControlList:
    with _store(runtime) as store:
        stored = store.current()
    if stored is None:
        raise NotFound("no control list has been loaded yet")
    return stored


def _version(version: ControlListVersion) -> VersionPublic:
    return VersionPublic(
        id=version.id,
        label=version.label,
        illustrative=version.illustrative,
        loaded_at=version.loaded_at,
        loaded_by=version.loaded_by,
        source=version.source,
        current=version.current,
    )


def _summary(stored: StoredControlList) -> ControlListSummary:
    control_list = stored.control_list
    return ControlListSummary(
        **_version(stored.version).model_dump(),
        version=control_list.version,
        description=control_list.description,
        entry_count=len(control_list.entries),
        correlation_count=len(control_list.correlations),
        destination_count=len(control_list.measures),
    )


def _entry(entry: ControlListEntry) -> EntryPublic:
    return EntryPublic(
        code=str(entry.code),
        category=entry.code.category,
        group=entry.code.group,
        description=entry.description,
        reasons=list(entry.reasons),
        parent=None if entry.parent is None else str(entry.parent),
    )


def _correlation(row: Correlation) -> CorrelationModel:
    return CorrelationModel.model_validate(correlation_document(row))


def _measure(measure: DestinationMeasure) -> MeasureModel:
    return MeasureModel.model_validate(measure_document(measure))
