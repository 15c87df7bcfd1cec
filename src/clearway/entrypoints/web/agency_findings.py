"""A referral as the agency reads it: each finding beside what it is about (the declared party
beside the listed entity it matched, the item beside the licence problem or the control-list
entry), and the declaration's parties and goods, in customs words rather than codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clearway.domain.export_control.control_list import ControlList
from clearway.domain.export_control.referral import (
    ControlFinding,
    Referral,
    ReferralReason,
    ReferralState,
)
from clearway.domain.record import DeclarationRecord
from clearway.domain.screening.entity import ListedEntity, NameStrength
from clearway.services.screening.screener import Screener

REASONS = {
    ReferralReason.EMBARGO: "Destination measure",
    ReferralReason.SCREENING_MATCH: "Sanctions list match",
    ReferralReason.LICENCE_MISMATCH: "Licence does not cover the export",
    ReferralReason.LICENCE_MISSING: "No licence cited",
    ReferralReason.CONTROL_LIST: "Goods may be on the control list",
}
STATES = {
    ReferralState.OPEN: "Open",
    ReferralState.INFORMATION_REQUESTED: "Waiting for the exporter",
    ReferralState.APPROVED: "Approved",
    ReferralState.DENIED: "Denied",
    ReferralState.EXPIRED: "Expired",
    ReferralState.WITHDRAWN: "Superseded",
}
# Badge colours of the portal's stylesheet for each state.
STATE_BADGES = {
    ReferralState.OPEN: "yellow",
    ReferralState.INFORMATION_REQUESTED: "blue",
    ReferralState.APPROVED: "green",
    ReferralState.DENIED: "red",
    ReferralState.EXPIRED: "cancelled",
    ReferralState.WITHDRAWN: "cancelled",
}
SOURCES = {
    "ofac-sdn": "OFAC Specially Designated Nationals list (US Treasury)",
    "bis-dpl": "BIS Denied Persons List (US Commerce)",
    "un": "UN Security Council consolidated list",
}
STRENGTHS = {
    NameStrength.PRIMARY.value: "name as listed",
    NameStrength.ALIAS.value: "alias",
    NameStrength.WEAK.value: "weak alias",
}
LICENCE_PROBLEMS = {
    "licence-unknown": "Licence not issued",
    "licence-type": "Wrong type of licence",
    "licence-not-active": "Licence suspended or revoked",
    "licence-not-in-force": "Licence not valid on the day",
    "licence-holder": "Licence held by another exporter",
    "licence-destination": "Destination not covered",
    "licence-consignee": "Consignee not covered",
    "licence-end-user": "End user not covered",
    "licence-item": "Goods not covered",
    "licence-balance": "Licence exhausted",
}
PARTY_ROLES = {
    "declarant": "Declarant",
    "exporter": "Exporter",
    "consignee": "Consignee",
    "end_user": "End user",
    "importer": "Importer",
}


@dataclass(frozen=True, slots=True)
class MatchView:
    """One listed entity a declared party matched, with what the list says about it."""

    key: str
    """``role|entity id``: what the approval form sends for a match ticked as false."""
    entity_id: str
    source: str
    score: float
    matched_name: str
    matched_strength: str
    explanation: str
    mixed_script: bool
    listed_name: str
    kind: str
    aliases: list[str]
    addresses: list[str]
    identifiers: list[str]
    programmes: list[str]
    countries: list[str]
    birth_dates: list[str]
    remarks: str


@dataclass(frozen=True, slots=True)
class ScreeningView:
    role: str
    party: Mapping[str, Any]
    """The party as declared: name, identifier, address."""
    message: str
    matches: list[MatchView]


@dataclass(slots=True)
class FindingsView:
    screening: list[ScreeningView] = field(default_factory=list)
    licences: list[dict[str, Any]] = field(default_factory=list)
    control_list: list[dict[str, Any]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)


def sentence(text: str) -> str:
    """The handler's message as a sentence on the page: its first letter upper case, the rest
    as written (licence numbers and names keep their case)."""
    return text[:1].upper() + text[1:]


def reasons_of(referral: Referral) -> list[str]:
    """Each reason the referral has, once, the gravest first."""
    seen = dict.fromkeys(finding.reason for finding in referral.findings)
    ordered = [reason for reason in REASONS if reason in seen]
    return [REASONS[reason] for reason in ordered]


def time_left(referral: Referral, now: datetime) -> str:
    """``in 71 h``, or ``overdue by 3 h``: what the queue shows beside the deadline."""
    hours = (referral.deadline - now).total_seconds() / 3600
    if hours < 0:
        return f"overdue by {max(1, round(-hours))} h"
    if hours < 1:
        return "in under an hour"
    return f"in {round(hours)} h"


def address_text(address: Mapping[str, Any] | None) -> str:
    if not address:
        return ""
    parts = ("street", "city", "postcode", "country")
    return ", ".join(str(address[part]) for part in parts if address.get(part))


def parties_of(payload: Mapping[str, Any]) -> list[dict[str, str]]:
    """The declaration's parties as declared, in the order of the customs declaration."""
    shown = []
    for role, title in PARTY_ROLES.items():
        party = payload.get(role)
        if party:
            country = party.get("country") or (party.get("address") or {}).get("country", "")
            shown.append(
                {
                    "role": title,
                    "name": party.get("name", ""),
                    "id": party.get("id") or "",
                    "address": address_text(party.get("address")) or country,
                }
            )
    return shown


def exporter_of(payload: Mapping[str, Any]) -> dict[str, str]:
    party = payload.get("exporter") or payload.get("declarant") or {}
    return {"name": str(party.get("name", "")), "id": str(party.get("id") or "")}


def goods_of(payload: Mapping[str, Any], documents: Mapping[str, str]) -> list[dict[str, Any]]:
    """The goods items as the page lists them; documents named as well as coded."""
    currency = str((payload.get("invoice") or {}).get("currency", ""))
    goods = []
    for item in payload.get("items") or []:
        units = item.get("supplementary_units") or {}
        goods.append(
            {
                "sequence": item.get("sequence", ""),
                "description": item.get("description", ""),
                "commodity_code": item.get("commodity_code", ""),
                "origin": item.get("origin_country", ""),
                "net_mass": item.get("net_mass_kg", ""),
                "units": f"{units.get('quantity', '')} {units.get('unit', '')}".strip(),
                "value": item.get("invoice_amount"),
                "currency": currency,
                "documents": [
                    {
                        "type": document.get("type", ""),
                        "reference": document.get("reference", ""),
                        "name": documents.get(document.get("type", ""), ""),
                    }
                    for document in item.get("documents") or []
                ],
            }
        )
    return goods


def goods_summary(payload: Mapping[str, Any]) -> str:
    items = payload.get("items") or []
    if not items:
        return ""
    first = f"{items[0].get('description', '')} ({items[0].get('commodity_code', '')})"
    more = len(items) - 1
    return first + (f" and {more} more item{'s' if more > 1 else ''}" if more else "")


def findings_of(
    referral: Referral,
    record: DeclarationRecord,
    screener: Screener,
    control_list: ControlList | None,
) -> FindingsView:
    view = FindingsView()
    listed: dict[int, str] = {}
    for finding in referral.findings:
        if finding.reason is ReferralReason.SCREENING_MATCH:
            view.screening.append(_screening(finding, record.payload, screener))
        elif finding.reason in (ReferralReason.LICENCE_MISMATCH, ReferralReason.LICENCE_MISSING):
            view.licences.extend(_licence_problems(finding))
        elif finding.reason is ReferralReason.CONTROL_LIST:
            listed[finding.item or 0] = sentence(finding.message)
        else:
            view.measures.append(
                {
                    "item": finding.item,
                    "message": sentence(finding.message),
                    "blocking": finding.blocking,
                    "list": finding.details.get("list", ""),
                }
            )
    view.control_list = _control_list(record.payload, control_list, listed)
    return view


def _screening(
    finding: ControlFinding, payload: Mapping[str, Any], screener: Screener
) -> ScreeningView:
    role = finding.party or ""
    declared = dict(finding.details.get("party") or {})
    declared["address"] = address_text((payload.get(role) or {}).get("address"))
    matches = [
        _match(role, match, screener.entity(match["entity_id"]))
        for match in finding.details.get("matches", [])
    ]
    return ScreeningView(PARTY_ROLES.get(role, role), declared, finding.message, matches)


def _match(role: str, match: Mapping[str, Any], entity: ListedEntity | None) -> MatchView:
    listed_name = entity.primary_name if entity else match["listed_name"]
    return MatchView(
        key=f"{role}|{match['entity_id']}",
        entity_id=match["entity_id"],
        source=SOURCES.get(match["source"], match["source"]),
        score=float(match["score"]),
        matched_name=match["matched_name"],
        matched_strength=STRENGTHS.get(match["matched_strength"], match["matched_strength"]),
        explanation=match["explanation"]["text"],
        mixed_script=bool(match.get("mixed_script")),
        listed_name=listed_name,
        kind=entity.kind.value if entity else match["kind"],
        aliases=[n.text for n in entity.names if n.text != listed_name] if entity else [],
        addresses=[a.text for a in entity.addresses if a.text] if entity else [],
        identifiers=[
            f"{i.kind}: {i.value}" + (f" ({i.country})" if i.country else "")
            for i in (entity.identifiers if entity else ())
        ],
        programmes=list(entity.programmes if entity else match["programmes"]),
        countries=list(entity.countries if entity else match["countries"]),
        birth_dates=list(entity.birth_dates) if entity else [],
        remarks=entity.remarks if entity else "",
    )


def _licence_problems(finding: ControlFinding) -> list[dict[str, Any]]:
    if finding.reason is ReferralReason.LICENCE_MISSING:
        return [
            {
                "item": finding.item,
                "problem": "No licence cited",
                "licence": "",
                "message": sentence(finding.message),
            }
        ]
    return [
        {
            "item": finding.item,
            "problem": LICENCE_PROBLEMS.get(problem["code"], problem["code"]),
            "licence": problem.get("licence") or "",
            "message": sentence(problem["message"]),
        }
        for problem in finding.details.get("problems", [])
    ]


def _control_list(
    payload: Mapping[str, Any], control_list: ControlList | None, messages: Mapping[int, str]
) -> list[dict[str, Any]]:
    """For each item: the entry it declares, and which entries its commodity code maps to
    through which correlation rows; with the control-list finding on it, if there is one."""
    shown = []
    for item in payload.get("items") or []:
        commodity = str(item.get("commodity_code", ""))
        declared = (item.get("control") or {}).get("entry") or ""
        rows = []
        if control_list is not None and commodity:
            controls = control_list.controls_for(commodity, None)
            described = {str(entry.code): entry.description for entry in controls.entries}
            rows = [
                {
                    "prefix": row.commodity_prefix,
                    "entry": str(row.entry),
                    "description": described.get(str(row.entry), ""),
                    "note": row.note,
                }
                for row in controls.correlations
            ]
        sequence = item.get("sequence")
        if rows or declared or sequence in messages:
            shown.append(
                {
                    "item": sequence,
                    "commodity": commodity,
                    "declared": declared,
                    "message": messages.get(sequence, ""),
                    "rows": rows,
                }
            )
    return shown
