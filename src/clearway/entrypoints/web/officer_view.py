"""One declaration as an officer reads it: the stored record, its history and its check,
arranged for the page (parties, items with their value and duty, the risk decision, the
controls' findings, the timeline). Nothing here decides anything; it only arranges."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clearway.domain.record import DeclarationRecord, StoredEvent
from clearway.services.risk_ports import StoredWorkItem

PARTY_ROLES = (
    ("declarant", "Declarant"),
    ("importer", "Importer"),
    ("exporter", "Exporter"),
    ("consignee", "Consignee"),
    ("end_user", "End user"),
)
# A declaration not yet through the risk stage reads as one with an empty decision.
NO_DECISION: dict[str, Any] = {
    "score": None,
    "model_version": None,
    "lane": None,
    "basis": None,
    "aeo": False,
    "explanation": "",
    "reasons": [],
    "rule_hits": [],
    "requirements": [],
}
# What an event's data says, in words, for the timeline: the keys worth showing.
EVENT_DETAILS = {
    "DeclarationAccepted": ("mrn",),
    "DeclarationLaned": ("lane",),
    "DeclarationRejected": ("reason",),
    "DeclarationCancelled": ("reason",),
    "DeclarationClaimed": ("lane",),
    "DeclarationReferred": ("reason", "deadline"),
    "ReferralWithdrawn": ("reason",),
}


DETAIL_NAMES = {"mrn": "MRN", "lane": "lane", "reason": "reason", "deadline": "deadline"}


@dataclass(frozen=True, slots=True)
class ItemLine:
    sequence: int
    commodity_code: str
    description: str
    origin: str
    net_mass_kg: str
    customs_value: str | None
    duty: str | None
    vat: str | None
    duty_reason: str


@dataclass(frozen=True, slots=True)
class ScreeningLine:
    party_role: str
    party_name: str
    listed_name: str
    matched_name: str
    source: str
    entity_id: str
    score: float
    explanation: str
    programmes: str


@dataclass(frozen=True, slots=True)
class Moment:
    event: str
    actor: str
    occurred_at: Any
    version: int
    details: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class DeclarationView:
    record: DeclarationRecord
    office: str
    work: StoredWorkItem | None
    risk: dict[str, Any]
    parties: list[tuple[str, dict[str, Any]]]
    items: list[ItemLine]
    screening: list[ScreeningLine]
    control_findings: list[dict[str, Any]]
    referral: dict[str, Any] | None
    timeline: list[Moment]
    findings: list[dict[str, Any]]

    @property
    def reference(self) -> str:
        return self.record.mrn or self.record.id


def declaration_view(
    record: DeclarationRecord, events: list[StoredEvent], work: StoredWorkItem | None
) -> DeclarationView:
    payload = record.payload
    referral = record.referral.document() if record.referral is not None else None
    findings = referral["findings"] if referral else []
    return DeclarationView(
        record=record,
        office=str(payload.get("office", "")),
        work=work,
        risk=NO_DECISION | (record.risk or {}),
        parties=[(title, payload[key]) for key, title in PARTY_ROLES if payload.get(key)],
        items=_items(record),
        screening=[
            line
            for finding in findings
            if finding["reason"] == "screening_match"
            for line in _screening(finding)
        ],
        control_findings=[f for f in findings if f["reason"] != "screening_match"],
        referral=referral,
        timeline=[_moment(event) for event in reversed(events)],
        findings=[
            event.data | {"recorded_by": event.actor, "recorded_at": event.occurred_at}
            for event in events
            if event.type == "FindingRecorded"
        ],
    )


def _items(record: DeclarationRecord) -> list[ItemLine]:
    valued = {item["sequence"]: item for item in (record.valuation or {}).get("items", [])}
    assessed = {item["sequence"]: item for item in (record.assessment or {}).get("items", [])}
    lines = []
    for item in record.payload.get("items", []):
        sequence = int(item["sequence"])
        value = valued.get(sequence, {})
        duty = assessed.get(sequence, {})
        applied = duty.get("applied") or {}
        lines.append(
            ItemLine(
                sequence=sequence,
                commodity_code=str(item.get("commodity_code", "")),
                description=str(item.get("description", "")),
                origin=str(item.get("origin_country", "")),
                net_mass_kg=str(item.get("net_mass_kg", "")),
                customs_value=value.get("customs_value"),
                duty=applied.get("duty"),
                vat=applied.get("vat"),
                duty_reason=str(duty.get("reason", "")),
            )
        )
    return lines


def _screening(finding: dict[str, Any]) -> list[ScreeningLine]:
    details = finding.get("details") or {}
    party = details.get("party") or {}
    role = str(finding.get("party") or "").replace("_", " ")
    return [
        ScreeningLine(
            party_role=role[:1].upper() + role[1:],
            party_name=str(party.get("name", "")),
            listed_name=str(match.get("listed_name", "")),
            matched_name=str(match.get("matched_name", "")),
            source=str(match.get("source", "")),
            entity_id=str(match.get("entity_id", "")),
            score=float(match.get("score", 0)),
            explanation=str((match.get("explanation") or {}).get("text", "")),
            programmes=", ".join(match.get("programmes") or []),
        )
        for match in details.get("matches", [])
    ]


def _moment(event: StoredEvent) -> Moment:
    details = [
        (DETAIL_NAMES.get(key, key), str(event.data[key]))
        for key in EVENT_DETAILS.get(event.type, ())
        if event.data.get(key) not in (None, "")
    ]
    if event.type == "FindingRecorded":
        found = "irregularity found" if event.data.get("fraud") else "no irregularity"
        recovered = Decimal(str(event.data.get("revenue_recovered", "0")))
        details = [
            ("result", found),
            ("revenue recovered", f"{recovered:,.2f} {event.data.get('currency', '')}".strip()),
        ]
    return Moment(event.type, event.actor, event.occurred_at, event.version, details)
