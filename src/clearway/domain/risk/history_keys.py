"""The keys the risk history keeps (a trader, a commodity, a pair such as importer and
commodity, a repeated consignment profile) and the names of the features they give the model,
in the model's order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HistoryKey:
    """Declarations sharing these codes share a history; ``label`` names it for an officer."""

    name: str
    fields: tuple[str, ...]
    group: str
    label: str
    prices: bool = False
    novelty: bool = False


def _key(name: str, *fields: str, group: str, label: str, **flags: bool) -> HistoryKey:
    return HistoryKey(name, fields, group, label, **flags)


KEYS: tuple[HistoryKey, ...] = (
    # Traders and the company they keep.
    _key("importer", "importer", group="trader", label="importer", novelty=True),
    _key("declarant", "declarant", group="trader", label="declarant"),
    _key("seller", "seller", group="trader", label="seller", novelty=True),
    _key("courier", "courier", group="trader", label="courier"),
    _key(
        "declarant_importer",
        "declarant",
        "importer",
        group="trader",
        label="declarant acting for this importer",
        novelty=True,
    ),
    _key(
        "seller_importer",
        "seller",
        "importer",
        group="trader",
        label="seller and importer pair",
        novelty=True,
    ),
    _key("declarant_seller", "declarant", "seller", group="trader", label="declarant and seller"),
    _key(
        "importer_hs6",
        "importer",
        "hs6",
        group="trader",
        label="importer with this commodity",
        prices=True,
    ),
    _key(
        "importer_origin", "importer", "origin", group="trader", label="importer with this origin"
    ),
    _key(
        "declarant_hs6", "declarant", "hs6", group="trader", label="declarant with this commodity"
    ),
    _key("seller_hs6", "seller", "hs6", group="trader", label="seller with this commodity"),
    _key(
        "declarant_office", "declarant", "office", group="trader", label="declarant at this office"
    ),
    _key("importer_office", "importer", "office", group="trader", label="importer at this office"),
    _key(
        "declarant_origin",
        "declarant",
        "origin",
        group="trader",
        label="declarant with this origin",
    ),
    # Goods and routes.
    _key("hs6", "hs6", group="goods", label="commodity", prices=True),
    _key("hs4", "hs4", group="goods", label="heading", prices=True),
    _key("hs2", "hs2", group="goods", label="chapter"),
    _key(
        "origin_hs6",
        "origin",
        "hs6",
        group="goods",
        label="commodity from this origin",
        prices=True,
    ),
    _key("origin", "origin", group="goods", label="origin"),
    _key("departure", "departure", group="goods", label="country of departure"),
    _key("office", "office", group="goods", label="office"),
    _key("office_hs6", "office", "hs6", group="goods", label="commodity at this office"),
    _key("transport_mode", "transport_mode", group="goods", label="transport mode"),
    _key("tax_type", "tax_type", group="goods", label="tax type"),
    _key("origin_indicator", "origin_indicator", group="goods", label="origin indicator"),
    _key(
        "procedure",
        "procedure",
        "import_type",
        "import_use",
        "payment_type",
        group="goods",
        label="procedure, import type, use and payment",
    ),
    # Consignment profiles: the same declared value or mass again, as a template invoice repeats.
    _key("declared_value", "value", group="consignment", label="identical declared value"),
    _key("declared_mass", "net_mass", group="consignment", label="identical net mass"),
    _key(
        "value_mass",
        "value",
        "net_mass",
        group="consignment",
        label="identical declared value and net mass",
    ),
    _key(
        "hs6_value",
        "hs6",
        "value",
        group="consignment",
        label="commodity with an identical declared value",
    ),
)

STATISTICS = ("seen", "inspected", "fraud", "fraud_rate")
NUMBERS = (
    "value_log",
    "net_mass_log",
    "unit_price_log",
    "mass_per_value",
    "tax_rate",
    "tax_log",
    "departure_differs",
)


def feature_names(keys: Sequence[HistoryKey] = KEYS) -> tuple[str, ...]:
    names: list[str] = []
    for key in keys:
        names.extend(f"{key.name}.{statistic}" for statistic in STATISTICS)
        if key.prices:
            names.append(f"{key.name}.price_z")
        if key.novelty:
            names.append(f"{key.name}.days_known")
    names.extend(NUMBERS)
    return tuple(names)
