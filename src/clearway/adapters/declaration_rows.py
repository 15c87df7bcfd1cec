"""The rows a declaration's version is stored as: the declaration, its version, its items,
its parties (the searchable parts) and the standard message it came in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clearway.domain.record import DeclarationRecord
from clearway.services.ports import ItemRow


def declaration_row(record: DeclarationRecord) -> dict[str, Any]:
    payload = record.payload
    return {
        "id": record.id,
        "type": record.type,
        "lrn": record.lrn,
        "declarant_id": record.declarant_id,
        "status": record.status.value,
        "version": record.version,
        "mrn": record.mrn,
        "procedure": payload["procedure"],
        "office": payload["office"],
        "destination_country": payload.get("destination_country"),
        "dispatch_country": payload.get("dispatch_country"),
        "invoice_currency": (payload.get("invoice") or {}).get("currency"),
        "invoice_amount": (payload.get("invoice") or {}).get("amount"),
        "customs_value": record.customs_value,
        "item_count": len(payload["items"]),
        "payload_hash": record.payload_hash,
        "lodged_by": record.lodged_by,
        "lodged_at": record.lodged_at,
        "accepted_at": record.accepted_at,
        "updated_at": record.updated_at,
    }


PARTY_ROLES = ("declarant", "importer", "exporter", "consignee", "end_user", "carrier", "consignor")


def party_rows(record: DeclarationRecord) -> list[dict[str, Any]]:
    rows = []
    for role in PARTY_ROLES:
        party = record.payload.get(role)
        if party:
            address = party.get("address") or {}
            rows.append(
                {
                    "declaration_id": record.id,
                    "role": role,
                    "company_id": party.get("id"),
                    "name": party["name"][:140] if party.get("name") else None,
                    "country": party.get("country") or address.get("country"),
                }
            )
    return rows


def version_row(record: DeclarationRecord, actor: str) -> dict[str, Any]:
    return {
        "declaration_id": record.id,
        "version": record.version,
        "payload": record.payload,
        "valuation": record.valuation,
        "assessment": record.assessment,
        "created_by": actor,
        "created_at": record.updated_at,
    }


def message_rows(records: Sequence[DeclarationRecord]) -> list[dict[str, Any]]:
    return [
        {
            "declaration_id": record.id,
            "version": record.version,
            "format": record.message.format,
            "content": record.message.content,
            "received_at": record.updated_at,
        }
        for record in records
        if record.message is not None
    ]


def item_row_dicts(record: DeclarationRecord, items: Sequence[ItemRow]) -> list[dict[str, Any]]:
    return [
        {
            "declaration_id": record.id,
            "version": record.version,
            "sequence": item.sequence,
            "commodity_code": item.commodity_code,
            "origin_country": item.origin_country,
            "preference": item.preference,
            "net_mass_kg": item.net_mass_kg,
            "invoice_amount": item.invoice_amount,
            "customs_value": item.customs_value,
        }
        for item in items
    ]
