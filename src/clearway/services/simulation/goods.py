"""The goods on a declaration: which products travel together, and each goods item's mass,
quantity, price, packages and certificates, drawn as the catalogue describes the product."""

from __future__ import annotations

import math
import random
from typing import Any

from clearway.services.simulation.catalogue import Product
from clearway.services.simulation.draws import Weighted
from clearway.services.simulation.flow import Flow
from clearway.services.simulation.money import cents, money
from clearway.services.simulation.traders import initials

Payload = dict[str, Any]

ITEM_COUNTS = {1: 55, 2: 25, 3: 10, 4: 6, 5: 4}
NET_MASS_SIGMA = 0.8
# Air consignments of goods that usually fill containers are a fraction of a container load.
AIR_MASS_SCALE = 0.1
_ITEM_COUNTS = Weighted(ITEM_COUNTS.items())


def kg(mass: float) -> str:
    return f"{mass:.1f}" if mass < 100 else f"{mass:.0f}"


def basket(
    flow: Flow, first: Product, candidates: list[Product], mode: str, origin: str | None = None
) -> list[Product]:
    """The products on one invoice: mostly one or two, fit to travel together and, for an
    import, all usually made in the supplier's country."""
    count = _ITEM_COUNTS.pick(flow.rng)
    if count == 1 or flow.bulk(first):
        return [first]
    others = [
        p
        for p in candidates
        if p is not first
        and mode in p.modes
        and not flow.bulk(p)
        and (origin is None or origin in p.origins)
    ]
    return [first, *flow.rng.sample(others, min(count - 1, len(others)))]


def item(
    flow: Flow,
    sequence: int,
    product: Product,
    origin: str,
    mode: str,
    invoice: str,
    currency: str,
    buyer: str,
    undervalued: bool,
) -> tuple[Payload, int, float]:
    """One goods item, its amount in cents of the invoice currency, and its gross mass."""
    rng = flow.rng
    median = product.median_net_kg
    if mode == "air" and median > 2000:
        median *= AIR_MASS_SCALE
    net = max(0.5, rng.lognormvariate(math.log(median), NET_MASS_SIGMA))
    goods_item: Payload = {
        "sequence": sequence,
        "commodity_code": product.commodity_code,
        "description": product.description,
        "origin_country": origin,
    }
    if product.unit:
        # Counted goods come in whole articles (or cubic metres to the litre): count
        # first, then weigh that many.
        quantity = net / product.kg_per_unit
        units = (
            f"{max(quantity, 0.001):.3f}" if product.unit == "MTQ" else str(max(1, round(quantity)))
        )
        net = max(0.5, float(units) * product.kg_per_unit * rng.uniform(0.93, 1.07))
        goods_item["supplementary_units"] = {"quantity": units, "unit": product.unit}
    net_text = kg(net)
    net = float(net_text)
    usd_per_kg = rng.uniform(*product.usd_per_kg)
    if undervalued:
        usd_per_kg /= rng.uniform(5, 20)
    amount = cents(net * usd_per_kg * flow.usd_to[currency], currency)
    gross = net * rng.uniform(1.02, 1.15)
    goods_item |= {
        "invoice_amount": money(amount),
        "net_mass_kg": net_text,
        "gross_mass_kg": kg(gross),
    }
    if flow.bulk(product):
        # Unpacked articles (cars, coils) are counted; goods in bulk have no packages.
        count = math.ceil(net / product.kg_per_package) if product.package == "NE" else 0
        goods_item["packages"] = {"kind": product.package, "count": count}
    else:
        count = max(1, math.ceil(net / product.kg_per_package))
        marks = "N/M" if rng.random() < 0.1 else f"{initials(buyer)}/{invoice}/1-{count}"
        goods_item["packages"] = {"kind": product.package, "count": count, "marks": marks}
    goods_item["documents"] = [{"type": "N380", "reference": invoice}]
    return goods_item, amount, gross


def certificate(rng: random.Random, kind: str, origin: str, year: int) -> str:
    """The reference of a certificate an import of the product carries."""
    if kind == "N853":  # IPAFFS numbering of common health entry documents
        return f"CHEDP.GB.{year}.{rng.randint(1_000_000, 9_999_999)}"
    return f"PHYTO-{origin}-{year}-{rng.randint(1, 999_999):06d}"
