"""Synthetic trade flow: realistic UK import and export declarations in the JSON wire format.

Owns ``simulate``, which feeds load tests, demos and the risk models with traffic shaped like a
UK administration's: about 70% imports, repeat traders with a few big ones, customs brokers
lodging for many of them, goods priced and weighed like the real thing (goods, countries,
offices, carriers and the trader pool are data in ``simulation_catalogue``). A chosen share
breaks the validation rules in varied ways; another share is valid but suspicious (undervalued,
unusual origin, first-time trader) and deliberately not marked. The same arguments always give
the same declarations.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any, Generic, TypeVar

from clearway.domain.incoterms import INCOTERMS_2020
from clearway.domain.reference import ReferenceData
from clearway.services import simulation_catalogue as catalogue
from clearway.services.simulation_catalogue import COUNTRIES, Product, UkFirm

T = TypeVar("T")
Payload = dict[str, Any]

NATIONAL_CURRENCY = "GBP"
# Prices goods when the reference has no USD rate on the start date (about the 2025 average).
FALLBACK_GBP_PER_USD = 0.79
# Exponent of the Zipf law of how often each trader lodges: the busiest lodge most.
ZIPF_EXPONENT = 0.9
IMPORT_SHARE = 0.7
INVOICE_AGE_DAYS = 60
NET_MASS_SIGMA = 0.8
# Air consignments of goods that usually fill containers are a fraction of a container load.
AIR_MASS_SCALE = 0.1
PREFERENCE_CLAIM_SHARE = 0.6
CONTROLLED_EXPORT_SHARE = 0.6
TRANSPORT_DOCUMENT_SHARE = 0.4
MINIMUM_FREIGHT_USD = 150.0
# ISO 4217 currencies (of those with rates) that have no minor unit.
ZERO_DECIMAL_CURRENCIES = frozenset({"CLP", "JPY", "KRW", "VND"})

IMPORT_PROCEDURES = {"4000": 80, "4071": 7, "5100": 8, "7100": 5}
EXPORT_PROCEDURES = {"1000": 80, "1040": 8, "3151": 7, "2300": 5}
# Only a release for free circulation can claim a tariff preference.
PREFERENCE_PROCEDURES = frozenset({"4000", "4071"})
ITEM_COUNTS = {1: 55, 2: 25, 3: 10, 4: 6, 5: 4}
SEA_INCOTERMS = {
    "FOB": 30,
    "CIF": 20,
    "CFR": 12,
    "FCA": 12,
    "DAP": 10,
    "EXW": 6,
    "CPT": 4,
    "FAS": 2,
}
OTHER_INCOTERMS = {"FCA": 30, "DAP": 25, "EXW": 15, "CPT": 15, "CIP": 8, "DPU": 4}
EXPORT_OTHER_INCOTERMS = {**OTHER_INCOTERMS, "DDP": 3}
FREIGHT_USD_PER_KG = {
    "sea": (0.08, 0.25),
    "road": (0.12, 0.3),
    "rail": (0.15, 0.35),
    "air": (2.5, 6.0),
}
TRANSPORT_DOCUMENTS = {"sea": "N705", "air": "N740", "road": "N730"}
INVOICE_PATTERNS = (
    "INV-{year}-{number:06d}",
    "{initials}-{number:05d}",
    "{initials}{yy}/{number:05d}",
    "{number:08d}",
    "EX-{number:06d}",
)
SUSPICIONS = ("undervalued", "unusual_origin", "new_trader")
EXPORT_SUSPICIONS = ("undervalued", "new_trader")
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


class _Weighted(Generic[T]):
    """Values drawn with fixed weights; the same draw as ``Random.choices``, without its setup."""

    __slots__ = ("cumulative", "last", "total", "values")

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = list(weighted)
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]
        self.last = len(self.values) - 1

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect_right(self.cumulative, rng.random() * self.total, 0, self.last)]


@cache
def _ranked(values: tuple[str, ...]) -> _Weighted[str]:
    """The first value most likely, the next 1/2, 1/3 … as likely."""
    return _Weighted((value, 1 / rank) for rank, value in enumerate(values, start=1))


def _zipf(values: Sequence[T]) -> _Weighted[T]:
    return _Weighted((value, rank**-ZIPF_EXPONENT) for rank, value in enumerate(values, start=1))


_ITEM_COUNTS = _Weighted(ITEM_COUNTS.items())
_IMPORT_PROCEDURES = _Weighted(IMPORT_PROCEDURES.items())
_EXPORT_PROCEDURES = _Weighted(EXPORT_PROCEDURES.items())
_SEA_INCOTERMS = _Weighted(SEA_INCOTERMS.items())
_OTHER_INCOTERMS = _Weighted(OTHER_INCOTERMS.items())
_EXPORT_OTHER_INCOTERMS = _Weighted(EXPORT_OTHER_INCOTERMS.items())
_EXPORT_MARKETS = _Weighted(catalogue.EXPORT_MARKETS.items())


@dataclass(frozen=True, slots=True)
class _Partner:
    """A firm abroad that sells to or buys from a UK trader."""

    name: str
    street: str
    city: str
    country: str

    def party(self) -> Payload:
        return {
            "name": self.name,
            "address": {"street": self.street, "city": self.city, "country": self.country},
        }


@lru_cache(maxsize=4096)
def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:3] if word[0].isalpha()).upper() or "X"


def _kg(mass: float) -> str:
    return f"{mass:.1f}" if mass < 100 else f"{mass:.0f}"


def _cents(amount: float, currency: str) -> int:
    """An amount in hundredths, whole units for currencies without minor units; at least one."""
    if currency in ZERO_DECIMAL_CURRENCIES:
        return max(100, round(amount) * 100)
    return max(1, round(amount * 100))


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class _Flow:
    """One run: the random stream, what the reference allows, and what was issued so far."""

    def __init__(self, reference: ReferenceData, seed: int, start: date) -> None:
        self.rng = random.Random(seed)
        self.reference = reference
        self.start = start
        self.run_token = f"{self.rng.getrandbits(20):05X}"
        traders, self.brokers = catalogue.uk_firms()
        self.taken = {firm.eori for firm in traders + self.brokers}
        self.taken.update(firm.name.rsplit(" ", 1)[0] for firm in traders + self.brokers)
        sectors = catalogue.SECTOR_WEIGHTS
        products = catalogue.PRODUCTS
        self.imports = {s: [p for p in products if p.sector == s and p.origins] for s in sectors}
        self.exports = {s: [p for p in products if p.sector == s and p.exported] for s in sectors}
        self.importers = _zipf([t for t in traders if self.imports[t.sector]])
        self.exporters = _zipf([t for t in traders if self.exports[t.sector]])
        self.offices = {
            mode: _Weighted(
                (office.code, office.share_by_mode[mode])
                for office in catalogue.OFFICES
                if mode in office.share_by_mode
            )
            for mode in ("sea", "air", "road", "rail")
        }
        self.office_places = {office.code: office.place for office in catalogue.OFFICES}
        self.usd_to = _usd_conversion(reference, start)
        self.partners: dict[tuple[str, str], _Partner] = {}
        self.invoice_books: dict[str, tuple[str, int]] = {}
        self.lrn_counters: dict[str, int] = {}

    def currency(self, preferred: str | None) -> str:
        """``preferred`` when it has a rate, else US dollars, else pounds."""
        for currency in (preferred, "USD"):
            if currency in self.usd_to:
                return currency
        return NATIONAL_CURRENCY

    def bulk(self, product: Product) -> bool:
        return self.reference.package_kinds[product.package].bulk

    def trader(self, pool: _Weighted[UkFirm], first_time: bool) -> UkFirm:
        if not first_time:
            return pool.pick(self.rng)
        sector = pool.pick(self.rng).sector
        return catalogue.new_uk_firm(self.rng, sector, self.taken, self.brokers)

    def lrn(self, declarant: UkFirm) -> str:
        number = self.lrn_counters.get(declarant.eori, 0) + 1
        self.lrn_counters[declarant.eori] = number
        return f"{_initials(declarant.name)}{self.start:%y%m%d}-{self.run_token}-{number:06d}"

    def partner(self, trader: UkFirm, country_code: str) -> _Partner:
        """The trader's usual supplier or customer in that country (made up on first use)."""
        key = (trader.eori, country_code)
        if key not in self.partners:
            rng, country = self.rng, COUNTRIES[country_code]
            words = (
                f"{rng.choice(catalogue.FOREIGN_NAME_WORDS)} "
                f"{rng.choice(catalogue.FOREIGN_TRADE_WORDS[trader.sector])}"
            )
            street = f"Industrial Zone {rng.randint(1, 30)}, Unit {rng.randint(1, 400)}"
            self.partners[key] = _Partner(
                country.legal_form.format(words), street, rng.choice(country.cities), country_code
            )
        return self.partners[key]

    def invoice_number(self, issuer: str) -> str:
        """The next number in the issuer's own invoice numbering."""
        pattern, number = self.invoice_books.get(issuer) or (
            self.rng.choice(INVOICE_PATTERNS),
            self.rng.randrange(1000, 90_000),
        )
        self.invoice_books[issuer] = (pattern, number + self.rng.randint(1, 40))
        return pattern.format(
            year=self.start.year, yy=f"{self.start:%y}", number=number, initials=_initials(issuer)
        )

    def route(self, product: Product, country: str, mode: str) -> tuple[str, str]:
        """Mode and country of dispatch: overseas goods sail or fly, or are trucked from a hub."""
        reachable = {"road": catalogue.ROAD_REACHABLE, "rail": catalogue.RAIL_REACHABLE}
        if mode not in reachable or country in reachable[mode]:
            return mode, country
        for other in product.modes:
            if other in ("sea", "air"):
                return other, country
        return mode, self.rng.choice(catalogue.ROAD_HUBS)

    def basket(
        self, first: Product, candidates: list[Product], mode: str, origin: str | None = None
    ) -> list[Product]:
        """The products on one invoice: mostly one or two, fit to travel together and, for an
        import, all usually made in the supplier's country."""
        count = _ITEM_COUNTS.pick(self.rng)
        if count == 1 or self.bulk(first):
            return [first]
        others = [
            p
            for p in candidates
            if p is not first
            and mode in p.modes
            and not self.bulk(p)
            and (origin is None or origin in p.origins)
        ]
        return [first, *self.rng.sample(others, min(count - 1, len(others)))]

    def transport(self, mode: str, country: str, products: list[Product]) -> Payload:
        rng = self.rng
        if mode == "sea":
            vessel, flag = rng.choice(catalogue.VESSELS)
            containerised = not any(self.bulk(p) for p in products)
            return {
                "mode": mode,
                "identity": vessel,
                "nationality": flag,
                "container": containerised,
            }
        if mode == "air":
            airline, nationality = rng.choice(catalogue.AIRLINES)
            return {
                "mode": mode,
                "identity": f"{airline}{rng.randint(1, 9999):04d}",
                "nationality": nationality,
                "container": False,
            }
        if mode == "road":
            haulier = (
                country
                if country in catalogue.PLATES and rng.random() < 0.5
                else rng.choice(list(catalogue.PLATES))
            )
            plate = "".join(
                rng.choice("ABCDEFGHJKLMNPRSTVWXYZ")
                if char == "L"
                else str(rng.randint(0, 9))
                if char == "D"
                else char
                for char in catalogue.PLATES[haulier]
            )
            return {
                "mode": mode,
                "identity": plate,
                "nationality": haulier,
                "container": rng.random() < 0.1,
            }
        return {"mode": mode, "container": True}

    def item(
        self,
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
        rng = self.rng
        median = product.median_net_kg
        if mode == "air" and median > 2000:
            median *= AIR_MASS_SCALE
        net = max(0.5, rng.lognormvariate(math.log(median), NET_MASS_SIGMA))
        item: Payload = {
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
                f"{max(quantity, 0.001):.3f}"
                if product.unit == "MTQ"
                else str(max(1, round(quantity)))
            )
            net = max(0.5, float(units) * product.kg_per_unit * rng.uniform(0.93, 1.07))
            item["supplementary_units"] = {"quantity": units, "unit": product.unit}
        net_text = _kg(net)
        net = float(net_text)
        usd_per_kg = rng.uniform(*product.usd_per_kg)
        if undervalued:
            usd_per_kg /= rng.uniform(5, 20)
        cents = _cents(net * usd_per_kg * self.usd_to[currency], currency)
        gross = net * rng.uniform(1.02, 1.15)
        item |= {
            "invoice_amount": _money(cents),
            "net_mass_kg": net_text,
            "gross_mass_kg": _kg(gross),
        }
        if self.bulk(product):
            # Unpacked articles (cars, coils) are counted; goods in bulk have no packages.
            count = math.ceil(net / product.kg_per_package) if product.package == "NE" else 0
            item["packages"] = {"kind": product.package, "count": count}
        else:
            count = max(1, math.ceil(net / product.kg_per_package))
            marks = "N/M" if rng.random() < 0.1 else f"{_initials(buyer)}/{invoice}/1-{count}"
            item["packages"] = {"kind": product.package, "count": count, "marks": marks}
        item["documents"] = [{"type": "N380", "reference": invoice}]
        return item, cents, gross

    def import_declaration(self, suspicion: str | None) -> Payload:
        rng = self.rng
        importer = self.trader(self.importers, first_time=suspicion == "new_trader")
        candidates = self.imports[importer.sector]
        first = rng.choice(candidates)
        origin = _ranked(first.origins).pick(rng)
        mode, dispatch = self.route(first, origin, _ranked(first.modes).pick(rng))
        products = self.basket(first, candidates, mode, origin)
        seller = self.partner(importer, dispatch)
        local = COUNTRIES[dispatch].currency
        currency = self.currency(local if local == "EUR" or rng.random() < 0.3 else "USD")
        invoice = self.invoice_number(seller.name)
        procedure = _IMPORT_PROCEDURES.pick(rng)
        odd_one = rng.randrange(len(products)) if suspicion else -1
        transport_document = _transport_document(rng, mode)
        goods = []
        for index, product in enumerate(products):
            item_origin = origin
            if suspicion == "unusual_origin" and index == odd_one:
                item_origin = rng.choice(catalogue.UNUSUAL_ORIGINS)
            undervalued = suspicion == "undervalued" and index == odd_one
            item, cents, gross = self.item(
                index + 1, product, item_origin, mode, invoice, currency, importer.name, undervalued
            )
            documents = item["documents"]
            if transport_document:
                documents.append(transport_document)
            documents.extend(
                {"type": kind, "reference": _certificate(rng, kind, item_origin, self.start.year)}
                for kind in product.import_documents
            )
            if (
                procedure in PREFERENCE_PROCEDURES
                and item_origin in catalogue.FTA_PARTNERS
                and rng.random() < PREFERENCE_CLAIM_SHARE
            ):
                item["preference"] = "300"
                statement = f"{item_origin}-SOO-{self.start.year}-{rng.randint(1, 99999):05d}"
                documents.append({"type": "U162", "reference": statement})
            goods.append((item, cents, gross))
        declarant = importer.broker or importer
        incoterm = (_SEA_INCOTERMS if mode == "sea" else _OTHER_INCOTERMS).pick(rng)
        office = self.offices[mode].pick(rng)
        place = _place(
            incoterm,
            seller=seller.city,
            buyer=importer.town,
            loading=rng.choice(COUNTRIES[dispatch].ports),
            discharge=self.office_places[office],
        )
        payload: Payload = {
            "type": "IM",
            "procedure": procedure,
            "lrn": self.lrn(declarant),
            "declarant": declarant.declarant(),
            "importer": importer.party(),
            "exporter": seller.party(),
            "office": office,
            "dispatch_country": dispatch,
            "destination_country": "GB",
            "transport": self.transport(mode, dispatch, products),
            "incoterm": {"code": incoterm, "place": place},
        }
        return self.add_money(
            payload, invoice, currency, goods, declare_freight=0.1, declare_insurance=0.25
        )

    def export_declaration(self, suspicion: str | None) -> Payload:
        rng = self.rng
        exporter = self.trader(self.exporters, first_time=suspicion == "new_trader")
        candidates = self.exports[exporter.sector]
        first = rng.choice(candidates)
        destination = _EXPORT_MARKETS.pick(rng)
        mode, _ = self.route(first, destination, _ranked(first.modes).pick(rng))
        products = self.basket(first, candidates, mode)
        buyer = self.partner(exporter, destination)
        currency = self.currency(_export_currency(rng, destination))
        invoice = self.invoice_number(exporter.name)
        licence = f"GBSIEL/{self.start.year}/{rng.randint(1, 9_999_999):07d}"
        odd_one = rng.randrange(len(products)) if suspicion == "undervalued" else -1
        goods = []
        for index, product in enumerate(products):
            goods.append(
                self.item(
                    index + 1,
                    product,
                    "GB",
                    mode,
                    invoice,
                    currency,
                    buyer.name,
                    undervalued=index == odd_one,
                )
            )
            if product.control and rng.random() < CONTROLLED_EXPORT_SHARE:
                item = goods[-1][0]
                item["control"] = {"list": "dual-use", "entry": product.control}
                item["documents"].append({"type": "X002", "reference": licence})
        declarant = exporter.broker or exporter
        incoterm = (_SEA_INCOTERMS if mode == "sea" else _EXPORT_OTHER_INCOTERMS).pick(rng)
        office = self.offices[mode].pick(rng)
        place = _place(
            incoterm,
            seller=exporter.town,
            buyer=buyer.city,
            loading=self.office_places[office],
            discharge=rng.choice(COUNTRIES[destination].ports),
        )
        payload: Payload = {
            "type": "EX",
            "procedure": _EXPORT_PROCEDURES.pick(rng),
            "lrn": self.lrn(declarant),
            "declarant": declarant.declarant(),
            "exporter": exporter.party(),
            "consignee": buyer.party(),
        }
        if any("control" in item for item, _, _ in goods):
            payload["end_user"] = buyer.party()
        payload |= {
            "office": office,
            "destination_country": destination,
            "transport": self.transport(mode, destination, products),
            "incoterm": {"code": incoterm, "place": place},
        }
        return self.add_money(
            payload, invoice, currency, goods, declare_freight=0.3, declare_insurance=0.1
        )

    def add_money(
        self,
        payload: Payload,
        invoice: str,
        currency: str,
        goods: list[tuple[Payload, int, float]],
        *,
        declare_freight: float,
        declare_insurance: float,
    ) -> Payload:
        """Add the invoice, freight and insurance when declared (freight when it must be), items."""
        rng = self.rng
        total = sum(cents for _, cents, _ in goods)
        issued = self.start - timedelta(days=rng.randint(0, INVOICE_AGE_DAYS))
        payload["invoice"] = {
            "number": invoice,
            "currency": currency,
            "amount": _money(total),
            "date": issued.isoformat(),
        }
        term = INCOTERMS_2020[payload["incoterm"]["code"]]
        # WTO Valuation Agreement Art. 8.2(a): a price without the main carriage needs freight.
        freight_excluded = payload["type"] == "IM" and not term.includes_main_carriage
        if freight_excluded or rng.random() < declare_freight:
            freight_currency = self.currency(rng.choice((currency, currency, currency, "USD")))
            per_kg = rng.uniform(*FREIGHT_USD_PER_KG[payload["transport"]["mode"]])
            usd = max(MINIMUM_FREIGHT_USD, per_kg * sum(gross for _, _, gross in goods))
            cents = _cents(usd * self.usd_to[freight_currency], freight_currency)
            payload["freight"] = {"currency": freight_currency, "amount": _money(cents)}
        if rng.random() < (0.5 if term.includes_insurance else declare_insurance):
            premium = min(total, _cents(total / 100 * rng.uniform(0.001, 0.005), currency))
            payload["insurance"] = {"currency": currency, "amount": _money(premium)}
        payload["items"] = [item for item, _, _ in goods]
        return payload


def _usd_conversion(reference: ReferenceData, start: date) -> dict[str, float]:
    """Units of each currency per US dollar on ``start``; only currencies with a rate then."""
    gbp_per_usd = float(reference.rates.rate("USD", start) or FALLBACK_GBP_PER_USD)
    factors = {NATIONAL_CURRENCY: gbp_per_usd}
    for currency in reference.currencies - {NATIONAL_CURRENCY}:
        rate = reference.rates.rate(currency, start)
        if rate is not None:
            factors[currency] = gbp_per_usd / float(rate)
    return factors


def _transport_document(rng: random.Random, mode: str) -> Payload | None:
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


def _certificate(rng: random.Random, kind: str, origin: str, year: int) -> str:
    if kind == "N853":  # IPAFFS numbering of common health entry documents
        return f"CHEDP.GB.{year}.{rng.randint(1_000_000, 9_999_999)}"
    return f"PHYTO-{origin}-{year}-{rng.randint(1, 999_999):06d}"


def _place(code: str, *, seller: str, buyer: str, loading: str, discharge: str) -> str:
    """The place an Incoterm names: the seller's, the port of loading or discharge, the buyer's."""
    if code in ("EXW", "FCA"):
        return seller
    if code in ("FAS", "FOB"):
        return loading
    if code in ("CFR", "CIF"):
        return discharge
    return buyer


def _export_currency(rng: random.Random, destination: str) -> str | None:
    draw = rng.random()
    if draw < 0.45:
        return NATIONAL_CURRENCY
    if draw < 0.7:
        return "EUR" if destination in catalogue.EURO_AREA else "USD"
    return COUNTRIES[destination].currency if draw < 0.8 else "USD"


def _break_rule(rule: str, payload: Payload, flow: _Flow) -> bool:
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
            gross = _kg(net * rng.uniform(0.8, 0.95))
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


def _check_catalogue(reference: ReferenceData) -> None:
    """Refuse reference data that would make good declarations break rules."""
    missing = sorted(
        {
            f"HS {p.commodity_code[:6]}"
            for p in catalogue.PRODUCTS
            if not reference.extends_hs_subheading(p.commodity_code)
        }
        | {
            f"package {p.package}"
            for p in catalogue.PRODUCTS
            if p.package not in reference.package_kinds
        }
        | {f"office {o.code}" for o in catalogue.OFFICES if o.code not in reference.offices}
    )
    if missing:
        raise ValueError(f"reference data lacks codes the simulation uses: {', '.join(missing)}")


def simulate(
    count: int,
    seed: int,
    *,
    reference: ReferenceData,
    bad_share: float = 0.0,
    suspicious_share: float = 0.0,
    start: date | None = None,
) -> Iterator[dict[str, Any]]:
    """``count`` declaration payloads in the wire format, the same for the same arguments.

    Invoices are dated in the 60 days up to ``start`` (default today), in currencies with a rate
    on that day. Exactly ``round(count * bad_share)`` declarations break at least one validation
    rule as judged on ``start`` (and still parse); ``round(count * suspicious_share)`` others
    are valid but suspicious. Raises ``ValueError`` for shares outside 0-1 or adding up to more
    than 1, and for reference data lacking codes the simulation uses.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    if not (
        0 <= bad_share <= 1 and 0 <= suspicious_share <= 1 and bad_share + suspicious_share <= 1
    ):
        raise ValueError("bad_share and suspicious_share must be 0-1 and add up to at most 1")
    _check_catalogue(reference)
    flow = _Flow(reference, seed, start or date.today())
    return _declarations(flow, count, bad_share, suspicious_share)


def _declarations(
    flow: _Flow, count: int, bad_share: float, suspicious_share: float
) -> Iterator[Payload]:
    rng = flow.rng
    bad = set(rng.sample(range(count), round(count * bad_share)))
    good = [index for index in range(count) if index not in bad]
    suspicious = set(rng.sample(good, min(len(good), round(count * suspicious_share))))
    for index in range(count):
        if rng.random() < IMPORT_SHARE:
            suspicion = rng.choice(SUSPICIONS) if index in suspicious else None
            payload = flow.import_declaration(suspicion)
        else:  # UK exports are all of UK origin, so none is of an unusual one
            suspicion = rng.choice(EXPORT_SUSPICIONS) if index in suspicious else None
            payload = flow.export_declaration(suspicion)
        to_break = (2 if rng.random() < 0.2 else 1) if index in bad else 0
        while to_break:
            to_break -= _break_rule(rng.choice(BREAKABLE_RULES), payload, flow)
        yield payload
