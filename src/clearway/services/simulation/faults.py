"""Rule-breaking: the validation rules a bad declaration is made to break, and how each one is
broken while the payload still fits the wire schema."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from clearway.domain.incoterms import INCOTERMS_2020
from clearway.services.simulation.flow import Flow
from clearway.services.simulation.goods import kg

# Rules a bad declaration is made to break, one (sometimes two) per declaration.
BREAKABLE_RULES = (
    "BR002",
    "BR004",
    "BR005",
    "BR008",
    "BR009",
    "BR011",
    "BR014",
    "BR015",
    "BR022",
    "BR023",
    "BR030",
    "BR034",
    "BR036",
    "BR039",
    "BR041",
    "CL001",
    "CL002",
    "CL003",
)


def break_rule(rule: str, payload: dict[str, Any], flow: Flow) -> bool:
    """Make the declaration break ``rule``, keeping it valid against the wire schema.

    False when the rule cannot be broken on this declaration (an export has no dispatch rule).
    """
    rng, items, transport = flow.rng, payload["items"], payload["transport"]
    item = rng.choice(items)
    match rule:
        case "BR002":  # items do not add up to the invoice
            amount = Decimal(payload["invoice"]["amount"]) + Decimal(rng.randint(1, 50_000)) / 100
            payload["invoice"]["amount"] = f"{amount:.2f}"
        case "BR004":
            return payload["incoterm"].pop("place", None) is not None
        case "BR005" if transport["mode"] != "sea":
            payload["incoterm"]["code"] = rng.choice(("FOB", "CIF", "CFR"))
        case "BR008":
            return payload.pop("dispatch_country", None) is not None
        case "BR009" if not INCOTERMS_2020[payload["incoterm"]["code"]].includes_main_carriage:
            return payload["type"] == "IM" and payload.pop("freight", None) is not None
        case "BR011":
            issued = flow.start + timedelta(days=rng.randint(1, 30))
            payload["invoice"]["date"] = issued.isoformat()
        case "BR014" if transport["mode"] == "air":  # the air waybill given as the flight
            transport["identity"] = f"176-{rng.randint(10**7, 10**8 - 1)}"
        case "BR015" if transport["mode"] == "air":
            transport["container"] = True
        case "BR022":
            return payload.pop("consignee", None) is not None
        case "BR023":  # the VAT number without the GB of the EORI
            trader = payload["importer" if payload["type"] == "IM" else "exporter"]
            trader["id"] = trader["id"][2:]
        case "BR030":
            items[-1]["sequence"] += 1
        case "BR034":
            net = float(item["net_mass_kg"])
            gross = kg(net * rng.uniform(0.8, 0.95))
            item["gross_mass_kg"] = gross if float(gross) < net else f"{net - 0.1:.1f}"
        case "BR036":
            item["description"] = rng.choice(("Spare parts", "Goods", "Samples", "Various"))
        case "BR039" if payload["type"] == "EX":
            item["preference"] = "300"
        case "BR041":
            item["documents"][0]["reference"] += "-A"
        case "CL001":
            code = item["commodity_code"]
            while code[:6] in flow.reference.hs_subheadings:
                code = f"{code[:2]}{rng.randrange(10_000):04d}{code[6:]}"
            item["commodity_code"] = code
        case "CL002" if "UK" not in flow.reference.countries:  # the UK's common mistake
            item["origin_country"] = "UK"
        case "CL003" if "RMB" not in flow.reference.currencies:  # renminbi for yuan (CNY)
            payload["invoice"]["currency"] = "RMB"
        case _:
            return False
    return True
