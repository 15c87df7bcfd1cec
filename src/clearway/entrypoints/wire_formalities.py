"""The wire format of the formalities a WCO declaration carries (``domain/formalities.py``).

Every field is optional: a declaration in Clearway's own form may leave them all out; a WCO
DEC-DMS declaration carries those its type and procedure require. ``docs/wco-data-model.md``
names the WCO element of each.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from clearway.domain import formalities

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,8}$")]
Eori = Annotated[str, Field(pattern=r"^[A-Z0-9]{3,17}$", examples=["GB553202734852"])]
Reference = Annotated[str, Field(min_length=1, max_length=70)]
Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2, allow_inf_nan=False)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RepresentativeIn(_Wire):
    status: Annotated[str, Field(pattern=r"^[1-3]$", description="2 direct, 3 indirect")]
    id: Eori | None = None


class AuthorisationIn(_Wire):
    type: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,4}$", examples=["CGU", "DPO"])]
    holder: Eori


class DeferredPaymentIn(_Wire):
    category: Annotated[str, Field(pattern=r"^[0-9A-Z]$", examples=["1"])] | None = None
    type: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$", examples=["DAN"])] | None = None
    reference: Annotated[str, Field(min_length=1, max_length=35)]


class GuaranteeIn(_Wire):
    type: Annotated[str, Field(pattern=r"^[0-9A-Z]$", examples=["0", "1"])]
    reference: Reference | None = None
    access_code: Annotated[str, Field(max_length=4)] | None = None


class GoodsLocationIn(_Wire):
    """The location code is given as its name (CDS: ``WLALONBTW``) or as an identifier."""

    id: Annotated[str, Field(min_length=1, max_length=35)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=35, examples=["WLALONBTW"])] | None = None
    type: Annotated[str, Field(pattern=r"^[A-D]$")]
    qualifier: Annotated[str, Field(pattern=r"^[A-Z]$", examples=["U"])]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]

    @model_validator(mode="after")
    def _identified(self) -> GoodsLocationIn:
        if self.name is None and self.id is None:
            raise PydanticCustomError("location_unnamed", "give the location's name or its id")
        return self


class TransportMeansIn(_Wire):
    identity: Annotated[str, Field(min_length=1, max_length=35)] | None = None
    identity_type: Annotated[str, Field(pattern=r"^\d{2}$")] | None = None
    mode: Annotated[str, Field(max_length=20)] | None = None


class EquipmentIn(_Wire):
    sequence: Annotated[StrictInt, Field(ge=0, le=9999)]
    id: Annotated[str, Field(min_length=1, max_length=17)]
    seals: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=35)]], Field(max_length=99)
    ] = []


class PreviousDocumentIn(_Wire):
    category: Annotated[str, Field(pattern=r"^[XYZ]$")]
    type: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$", examples=["355", "DCR"])]
    reference: Reference
    line: Annotated[StrictInt, Field(ge=0, le=99999)] | None = None


class StatementIn(_Wire):
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{5}$", examples=["00500"])]
    text: Annotated[str, Field(min_length=1, max_length=512)] | None = None


class WarehouseIn(_Wire):
    type: Annotated[str, Field(pattern=r"^[A-Z]$")]
    id: Annotated[str, Field(min_length=1, max_length=35)]


class DutyTaxPartyIn(_Wire):
    id: Annotated[str, Field(min_length=1, max_length=17)]
    role: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$", examples=["FR1"])]


class ChargeIn(_Wire):
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$", examples=["AR"])]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    amount: Money


class TaxPaymentIn(_Wire):
    type: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$", examples=["A00", "B00"])] | None = None
    method: Annotated[str, Field(pattern=r"^[A-Z]$", examples=["E"])] | None = None


class AmountIn(_Wire):
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    amount: Money


def representative(model: RepresentativeIn | None) -> formalities.Representative | None:
    return formalities.Representative(model.status, model.id) if model else None


def goods_location(model: GoodsLocationIn | None) -> formalities.GoodsLocation | None:
    if model is None:
        return None
    return formalities.GoodsLocation(
        model.name, model.type, model.qualifier, model.country, model.id
    )


def transport_means(model: TransportMeansIn | None) -> formalities.TransportMeans | None:
    if model is None:
        return None
    return formalities.TransportMeans(model.identity, model.identity_type, model.mode)


def warehouse(model: WarehouseIn | None) -> formalities.Warehouse | None:
    return formalities.Warehouse(model.type, model.id) if model else None


def previous_documents(
    models: list[PreviousDocumentIn] | None,
) -> tuple[formalities.PreviousDocument, ...]:
    return tuple(
        formalities.PreviousDocument(m.category, m.type, m.reference, m.line) for m in models or ()
    )


def statements(models: list[StatementIn] | None) -> tuple[formalities.Statement, ...]:
    return tuple(formalities.Statement(m.code, m.text) for m in models or ())
