"""How goods travel: the route (mode and country of dispatch), the means of transport (vessel,
flight, lorry plate) and the transport document some declarations quote."""

from __future__ import annotations

import random
from typing import Any

from clearway.services.simulation.catalogue import Product
from clearway.services.simulation.flow import Flow

Payload = dict[str, Any]

TRANSPORT_DOCUMENT_SHARE = 0.4
TRANSPORT_DOCUMENTS = {"sea": "N705", "air": "N740", "road": "N730"}
# Letters on number plates ("L" in a plate pattern); I, O, Q and U are left out as on most.
PLATE_LETTERS = "ABCDEFGHJKLMNPRSTVWXYZ"


def route(flow: Flow, product: Product, country: str, mode: str) -> tuple[str, str]:
    """Mode and country of dispatch: overseas goods sail or fly, or are trucked from a hub."""
    catalogue = flow.catalogue
    reachable = {"road": catalogue.road_reachable, "rail": catalogue.rail_reachable}
    if mode not in reachable or country in reachable[mode]:
        return mode, country
    for other in product.modes:
        if other in ("sea", "air"):
            return other, country
    return mode, flow.rng.choice(catalogue.road_hubs)


def means(flow: Flow, mode: str, country: str, products: list[Product]) -> Payload:
    """The means of transport at the border: a vessel, a flight, a lorry, a train."""
    rng, catalogue = flow.rng, flow.catalogue
    if mode == "sea":
        vessel, flag = rng.choice(catalogue.vessels)
        containerised = not any(flow.bulk(p) for p in products)
        return {
            "mode": mode,
            "identity": vessel,
            "nationality": flag,
            "container": containerised,
        }
    if mode == "air":
        airline, nationality = rng.choice(catalogue.airlines)
        return {
            "mode": mode,
            "identity": f"{airline}{rng.randint(1, 9999):04d}",
            "nationality": nationality,
            "container": False,
        }
    if mode == "road":
        plates = catalogue.plates
        haulier = country if country in plates and rng.random() < 0.5 else rng.choice(list(plates))
        plate = "".join(
            rng.choice(PLATE_LETTERS)
            if char == "L"
            else str(rng.randint(0, 9))
            if char == "D"
            else char
            for char in plates[haulier]
        )
        return {
            "mode": mode,
            "identity": plate,
            "nationality": haulier,
            "container": rng.random() < 0.1,
        }
    return {"mode": mode, "container": True}


def transport_document(rng: random.Random, mode: str) -> Payload | None:
    """A bill of lading, air waybill or CMR note, quoted on some declarations."""
    kind = TRANSPORT_DOCUMENTS.get(mode)
    if kind is None or rng.random() >= TRANSPORT_DOCUMENT_SHARE:
        return None
    if kind == "N705":
        return {"type": kind, "reference": f"MEDU{rng.randint(1_000_000, 9_999_999)}"}
    if kind == "N740":
        prefix = rng.choice(("176", "125", "020", "057"))
        return {"type": kind, "reference": f"{prefix}-{rng.randint(10**7, 10**8 - 1)}"}
    return {"type": kind, "reference": f"CMR{rng.randint(100_000, 999_999)}"}
