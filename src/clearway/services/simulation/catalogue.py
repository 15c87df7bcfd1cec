"""What the synthetic trade flow is made of, read once from ``reference/data/simulation``.

Owns the typed catalogue: goods (``products.csv``: a real HS 2022 subheading extended to ten
digits, a price range in USD per kg and typical masses close enough to trade statistics that
undervaluation stands out, origins most usual first), trader sectors, partner countries and
the routes to them, UK offices, carriers and the word lists firms are named from.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from clearway.domain.reference import ReferenceData
from clearway.reference import DATA_DIR

CATALOGUE_DIR = DATA_DIR / "simulation"
MODES = ("sea", "air", "road", "rail")


@dataclass(frozen=True, slots=True)
class Product:
    """A kind of goods as traded: how it is classified, priced, packed and carried."""

    commodity_code: str
    description: str
    sector: str
    usd_per_kg: tuple[float, float]
    # Net mass of one goods item is drawn log-normally around this median.
    median_net_kg: float
    # Usual countries of origin of UK imports, most usual first; empty when not imported.
    origins: tuple[str, ...]
    # Transport modes, most usual first.
    modes: tuple[str, ...]
    package: str
    kg_per_package: float
    unit: str | None = None
    kg_per_unit: float = 1.0
    exported: bool = False
    # Dual-use entry (Reg. 2021/821 Annex I) that a share of this product's exports carry.
    control: str | None = None
    # Certificates every import carries (N851 phytosanitary, N853 CHED for products of animals).
    import_documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Country:
    """A trading partner: where its firms are, its main ports, how its firms are named."""

    code: str
    cities: tuple[str, ...]
    ports: tuple[str, ...]
    # Company name pattern: "{}" is the name, e.g. "{} GmbH", "PT {}".
    legal_form: str
    # Currency firms there invoice in besides USD/EUR, when it has a published rate.
    currency: str | None


@dataclass(frozen=True, slots=True)
class Office:
    """A UK customs office, the place it names in Incoterms, and its share of each mode."""

    code: str
    place: str
    share_by_mode: dict[str, int]


@dataclass(frozen=True, slots=True)
class FirmNames:
    """Word lists firms are named from, and where UK firms sit."""

    # UK traders are "<place word> <sector word> <suffix>"; brokers use the broker words.
    uk_words: tuple[str, ...]
    sector_words: dict[str, tuple[str, ...]]
    uk_suffixes: tuple[str, ...]
    broker_words: tuple[str, ...]
    # UK towns, each with a postcode district.
    uk_towns: tuple[tuple[str, str], ...]
    uk_streets: tuple[str, ...]
    # Firms abroad are "<word> <trade word>" in their country's legal form.
    foreign_words: tuple[str, ...]
    foreign_trade_words: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Everything the generator draws from."""

    products: tuple[Product, ...]
    # How many of the ~300 traders work in each sector.
    sector_weights: dict[str, int]
    countries: dict[str, Country]
    # Countries that rarely supply the products: a suspicious origin.
    unusual_origins: tuple[str, ...]
    # Countries trucks reach from the UK by ferry or the Channel Tunnel.
    road_reachable: frozenset[str]
    # Freight trains reach the UK through the Channel Tunnel, from Europe and from China.
    rail_reachable: frozenset[str]
    # Where goods from overseas are consolidated for the last leg by road or rail.
    road_hubs: tuple[str, ...]
    euro_area: frozenset[str]
    # Partners of a UK trade agreement whose goods may claim preference 300 with a U162.
    fta_partners: frozenset[str]
    # UK export markets, weighted by share of UK goods exports.
    export_markets: dict[str, int]
    offices: tuple[Office, ...]
    # Ships as (name, flag state); cargo airlines as (IATA designator, country).
    vessels: tuple[tuple[str, str], ...]
    airlines: tuple[tuple[str, str], ...]
    # Road hauliers' countries and their number plates ("L" a letter, "D" a digit).
    plates: dict[str, str]
    names: FirmNames

    def missing_codes(self, reference: ReferenceData) -> list[str]:
        """Codes used here that ``reference`` lacks; good declarations would break rules on them."""
        return sorted(
            {
                f"HS {p.commodity_code[:6]}"
                for p in self.products
                if not reference.extends_hs_subheading(p.commodity_code)
            }
            | {
                f"package {p.package}"
                for p in self.products
                if p.package not in reference.package_kinds
            }
            | {f"office {o.code}" for o in self.offices if o.code not in reference.offices}
        )


@cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue, read on first use."""
    geography = _json("geography.json")
    carriers = _json("carriers.json")
    return Catalogue(
        products=tuple(_product(row) for row in _csv("products.csv")),
        sector_weights={row["sector"]: int(row["trader_weight"]) for row in _csv("sectors.csv")},
        countries={row["code"]: _country(row) for row in _csv("countries.csv")},
        unusual_origins=tuple(geography["unusual_origins"]),
        road_reachable=frozenset(geography["road_reachable"]),
        rail_reachable=frozenset(geography["rail_reachable"]),
        road_hubs=tuple(geography["road_hubs"]),
        euro_area=frozenset(geography["euro_area"]),
        fta_partners=frozenset(geography["fta_partners"]),
        export_markets={code: int(weight) for code, weight in geography["export_markets"].items()},
        offices=tuple(_office(row) for row in _csv("offices.csv")),
        vessels=_pairs(carriers["vessels"]),
        airlines=_pairs(carriers["airlines"]),
        plates={country: str(plate) for country, plate in carriers["plates"].items()},
        names=_names(_json("names.json")),
    )


def _csv(name: str) -> list[dict[str, str]]:
    with (CATALOGUE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _json(name: str) -> dict[str, Any]:
    with (CATALOGUE_DIR / name).open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def _product(row: dict[str, str]) -> Product:
    return Product(
        commodity_code=row["commodity_code"],
        description=row["description"],
        sector=row["sector"],
        usd_per_kg=(float(row["usd_per_kg_min"]), float(row["usd_per_kg_max"])),
        median_net_kg=float(row["median_net_kg"]),
        origins=tuple(row["origins"].split()),
        modes=tuple(row["modes"].split()),
        package=row["package"],
        kg_per_package=float(row["kg_per_package"]),
        unit=row["unit"] or None,
        kg_per_unit=float(row["kg_per_unit"]),
        exported=row["exported"] == "true",
        control=row["control"] or None,
        import_documents=tuple(row["import_documents"].split()),
    )


def _country(row: dict[str, str]) -> Country:
    return Country(
        code=row["code"],
        cities=tuple(row["cities"].split("; ")),
        ports=tuple(row["ports"].split("; ")),
        legal_form=row["legal_form"],
        currency=row["currency"] or None,
    )


def _office(row: dict[str, str]) -> Office:
    shares = {mode: int(row[f"{mode}_share"]) for mode in MODES if row[f"{mode}_share"]}
    return Office(code=row["code"], place=row["place"], share_by_mode=shares)


def _pairs(rows: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((first, second) for first, second in rows)


def _words(lists: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(words) for key, words in lists.items()}


def _names(document: dict[str, Any]) -> FirmNames:
    return FirmNames(
        uk_words=tuple(document["uk_name_words"]),
        sector_words=_words(document["sector_name_words"]),
        uk_suffixes=tuple(document["uk_suffixes"]),
        broker_words=tuple(document["broker_words"]),
        uk_towns=_pairs(document["uk_towns"]),
        uk_streets=tuple(document["uk_streets"]),
        foreign_words=tuple(document["foreign_name_words"]),
        foreign_trade_words=_words(document["foreign_trade_words"]),
    )
