"""Response bodies of the API (requests use ``clearway.entrypoints.schemas``)."""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel, Field

from clearway.domain.access import Principal, Role
from clearway.domain.disclosure import declarant_risk
from clearway.domain.errors import BadRequest
from clearway.domain.money import round_money
from clearway.domain.record import DeclarationRecord, StoredEvent
from clearway.services.ports import Cursor


class MoneyPublic(BaseModel):
    currency: str
    amount: Decimal


class DeclarationSummary(BaseModel):
    id: str
    mrn: str | None
    lrn: str
    type: str
    status: str
    version: int
    declarant_id: str
    office: str
    item_count: int
    customs_value: MoneyPublic | None
    lodged_at: datetime
    updated_at: datetime


class DeclarationPublic(DeclarationSummary):
    accepted_at: datetime | None
    valuation: dict[str, Any] | None = Field(
        description="How the customs value was built: basis, rates, per-item figures"
    )
    assessment: dict[str, Any] | None = Field(
        default=None,
        description="Duties per item: every option with its lines, the option applied and why, "
        "VAT and totals (presented figures rounded half-up to the penny)",
    )
    risk: dict[str, Any] | None = Field(
        default=None,
        description="The risk stage's decision: model score with its top reasons, the lane, "
        "how it was chosen (criteria, random, top-up) and the selectivity rules met; for the "
        "declarant only the outcome (released, document_check, physical_examination) and the "
        "documents required",
    )
    referral: dict[str, Any] | None = Field(
        default=None,
        description="The latest referral to the export-control agency: its state and deadline, "
        "and for customs and the agency its reason and findings",
    )
    declaration: dict[str, Any] = Field(description="The current version as lodged")


class DeclarationPage(BaseModel):
    items: list[DeclarationSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page")


class HistoryEntry(BaseModel):
    sequence: int
    event: str
    status: str
    version: int
    actor: str
    occurred_at: datetime
    data: dict[str, Any]


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class ApiKeyResponse(BaseModel):
    api_key: str = Field(description="Shown once; send it as the X-API-Key header")
    name: str


class CancelRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=512)


def summary(record: DeclarationRecord, currency: str) -> DeclarationSummary:
    return DeclarationSummary(**_summary_fields(record, currency))


def public(record: DeclarationRecord, currency: str, viewer: Principal) -> DeclarationPublic:
    """The declaration as ``viewer`` may see it: a trader is told what happens to the goods,
    which documents are missing, that the agency has them and what it asks; not why they were
    selected or referred (``domain/disclosure.py``)."""
    referral = record.referral
    trader = viewer.role is Role.TRADER
    shown = None
    if referral is not None:
        shown = referral.trader_document() if trader else referral.document()
    risk = record.risk
    if trader and risk is not None:
        risk = declarant_risk(risk)
    return DeclarationPublic(
        **_summary_fields(record, currency),
        accepted_at=record.accepted_at,
        valuation=record.valuation,
        assessment=record.assessment,
        risk=risk,
        referral=shown,
        declaration=record.payload,
    )


def _summary_fields(record: DeclarationRecord, currency: str) -> dict[str, Any]:
    value = record.customs_value
    return {
        "id": record.id,
        "mrn": record.mrn,
        "lrn": record.lrn,
        "type": record.type,
        "status": record.status.value,
        "version": record.version,
        "declarant_id": record.declarant_id,
        "office": record.payload["office"],
        "item_count": len(record.payload["items"]),
        "customs_value": MoneyPublic(currency=currency, amount=round_money(value))
        if value is not None
        else None,
        "lodged_at": record.lodged_at,
        "updated_at": record.updated_at,
    }


def history_entry(event: StoredEvent) -> HistoryEntry:
    return HistoryEntry(
        sequence=event.sequence,
        event=event.type,
        status=event.status,
        version=event.version,
        actor=event.actor,
        occurred_at=event.occurred_at,
        data=event.data,
    )


def encode_cursor(cursor: Cursor) -> str:
    raw = orjson.dumps({"t": cursor.lodged_at.isoformat(), "id": cursor.id})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        fields = orjson.loads(raw)
        lodged_at = datetime.fromisoformat(fields["t"])
        if lodged_at.tzinfo is None:
            raise ValueError("cursor time without a zone")
        return Cursor(lodged_at, str(fields["id"]))
    except (ValueError, KeyError, TypeError) as error:
        raise BadRequest("the cursor is not one this API issued") from error
