"""The tariff as the API shows it: measures for a commodity, and duty quotes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from clearway.domain.errors import BadRequest
from clearway.domain.tariff.expressions import expression_text
from clearway.domain.tariff.measures import Measure
from clearway.domain.tariff.units import Unit
from clearway.entrypoints.api.deps import CurrentPrincipal, RuntimeDep
from clearway.entrypoints.api.json_route import JsonBodyRoute
from clearway.entrypoints.schemas import Amount, CountryCode, CurrencyCode, QuantityIn
from clearway.services.assessment import item_document
from clearway.services.quotes import QuoteItem, commodity_measures, quote_duties

router = APIRouter(tags=["tariff"], route_class=JsonBodyRoute)

Code4 = Annotated[str, Field(pattern=r"^[A-Z0-9]{4}$")]


class QuoteItemIn(BaseModel):
    """Goods to quote. Give ``customs_value``, or ``value`` with optional freight and insurance."""

    model_config = ConfigDict(extra="forbid")

    commodity_code: Annotated[str, Field(pattern=r"^\d{6}(\d{2}){0,2}$", examples=["7202118000"])]
    origin: CountryCode
    date: dt.date
    customs_value: Amount | None = None
    value: Amount | None = None
    freight: Amount = Decimal(0)
    insurance: Amount = Decimal(0)
    currency: CurrencyCode | None = Field(default=None, description="Default: national currency")
    quantities: Annotated[list[QuantityIn], Field(max_length=10)] = []
    additional_codes: Annotated[list[Code4], Field(max_length=20)] = []
    documents: Annotated[list[Code4], Field(max_length=99)] = []
    preference: Annotated[str, Field(pattern=r"^\d{3}$")] | None = None


class QuoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[QuoteItemIn], Field(min_length=1, max_length=99)]
    jurisdiction: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None


class QuoteResponse(BaseModel):
    currency: str
    items: list[dict[str, Any]] = Field(
        description="Per item: every option with its duty lines, VAT and total; options "
        "refused (with the reason); requirements; the option applied for the claimed preference"
    )


@router.post("/api/v1/duty/quote", response_model=QuoteResponse)
def duty_quote(
    request: Annotated[QuoteRequest, Body()],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> QuoteResponse:
    """Every duty option for goods not yet declared: third-country, preferences, quotas and
    suspensions, each with additional duties, excise and VAT."""
    national = runtime.settings.national_currency
    items = []
    for index, item in enumerate(request.items):
        if item.customs_value is not None and item.value is None:
            value, freight, insurance = item.customs_value, Decimal(0), Decimal(0)
        elif item.value is not None and item.customs_value is None:
            value, freight, insurance = item.value, item.freight, item.insurance
        else:
            raise BadRequest(f"items[{index}]: give either customs_value or value")
        items.append(
            QuoteItem(
                commodity_code=item.commodity_code,
                origin=item.origin,
                on=item.date,
                value=value,
                freight=freight,
                insurance=insurance,
                currency=item.currency or national,
                quantities=tuple((Unit.parse(q.unit), q.amount) for q in item.quantities),
                additional_codes=frozenset(item.additional_codes),
                documents=frozenset(item.documents),
                preference=item.preference,
            )
        )
    results = quote_duties(items, runtime.context, runtime.tariff_for(request.jurisdiction))
    return QuoteResponse(
        currency=national,
        items=[item_document(result, national, index + 1) for index, result in enumerate(results)],
    )


class MeasurePublic(BaseModel):
    sid: str
    measure_type: str
    series: str
    description: str
    geographical_area: str
    geographical_area_description: str
    excluded: list[str]
    duty_expression: str
    additional_code: str | None
    order_number: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    conditions: list[dict[str, Any]]
    footnotes: list[str]


class CommodityPublic(BaseModel):
    commodity_code: str
    description: str | None
    date: dt.date
    origin: str | None
    jurisdiction: str
    measures: list[MeasurePublic]


@router.get("/api/v1/tariff/commodities/{code}", response_model=CommodityPublic)
def commodity(
    code: Annotated[str, Path(pattern=r"^\d{6}(\d{2}){0,2}$", description="Commodity code")],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    on: Annotated[dt.date | None, Query(alias="date", description="As at (default today)")] = None,
    origin: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}$", description="Only measures covering this origin")
    ] = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
) -> CommodityPublic:
    """The measures that apply to a commodity on a date, for an origin when given."""
    day = on or runtime.context.now().date()
    tariff = runtime.tariff_for(jurisdiction)
    found = commodity_measures(tariff, code, day, origin)
    return CommodityPublic(
        commodity_code=code,
        description=tariff.describe(code),
        date=day,
        origin=origin,
        jurisdiction=jurisdiction or runtime.settings.country,
        measures=[_measure(m, tariff.geography.describe(m.area)) for m in found],
    )


def _measure(measure: Measure, area: str) -> MeasurePublic:
    return MeasurePublic(
        sid=measure.sid,
        measure_type=measure.measure_type.id,
        series=measure.measure_type.series,
        description=measure.measure_type.description,
        geographical_area=measure.area,
        geographical_area_description=area,
        excluded=sorted(measure.excluded),
        duty_expression=expression_text(measure.components),
        additional_code=measure.additional_code,
        order_number=measure.order_number,
        valid_from=measure.valid_from,
        valid_to=measure.valid_to,
        conditions=[
            {
                "code": c.code,
                "action": c.action.value,
                "negative": c.action.negative,
                "document": c.document,
                "threshold": str(c.threshold.amount) if c.threshold else None,
                "threshold_unit": str(c.threshold.unit)
                if c.threshold and c.threshold.unit
                else None,
                "threshold_currency": c.threshold.currency if c.threshold else None,
                "duty_expression": expression_text(c.components),
            }
            for c in measure.conditions
        ],
        footnotes=list(measure.footnotes),
    )
