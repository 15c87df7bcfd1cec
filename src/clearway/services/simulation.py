"""Synthetic trade flow: realistic UK import and export declarations in the JSON wire format.

Owns ``simulate``, which feeds load tests, demos and the risk models with traffic shaped like a
UK administration's: about 70% imports, repeat traders with a few big ones, customs brokers
lodging for many of them, goods priced and weighed like the real thing (the goods, countries,
ports and name parts are data in ``simulation_catalogue``). A chosen share breaks the validation
rules in varied ways; another share is valid but suspicious (undervalued, odd origin, new
trader) and is deliberately not marked. The same arguments always give the same declarations.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from itertools import accumulate
from typing import Any, Generic, TypeVar

from clearway.domain.incoterms import INCOTERMS_2020
from clearway.domain.reference import ReferenceData
from clearway.services import simulation_catalogue as catalogue
from clearway.services.simulation_catalogue import COUNTRIES, Product

T = TypeVar("T")
Payload = dict[str, Any]

NATIONAL_CURRENCY = "GBP"
# Prices goods when the reference has no USD rate on the start date (roughly the 2025 average).
FALLBACK_GBP_PER_USD = 0.79
# The trader pool is the same in every run, so that traders recur across runs and seeds.
POOL_SEED = 2026
POOL_SIZE = 300
BROKER_COUNT = 20
# Exponent of the Zipf law for how often each trader lodges: the top one lodges most.
ZIPF_EXPONENT = 0.9
SELF_DECLARING_SHARE = 0.3
IMPORT_SHARE = 0.7
INVOICE_AGE_DAYS = 60
NET_MASS_SIGMA = 0.8
# Air consignments of goods that usually go by the container load are a fraction of one.
AIR_MASS_SCALE = 0.1
PREFERENCE_CLAIM_SHARE = 0.6
CONTROLLED_EXPORT_SHARE = 0.6
TRANSPORT_DOCUMENT_SHARE = 0.4

IMPORT_PROCEDURES = {"4000": 80, "4071": 7, "5100": 8, "7100": 5}
EXPORT_PROCEDURES = {"1000": 80, "1040": 8, "3151": 7, "2300": 5}
# Only release for free circulation lets a tariff preference be claimed.
PREFERENCE_PROCEDURES = frozenset({"4000", "4071"})
ITEM_COUNTS = {1: 55, 2: 25, 3: 10, 4: 6, 5: 4}
SEA_INCOTERMS = {"FOB": 30, "CIF": 20, "CFR": 12, "FCA": 12, "DAP": 10, "EXW": 6, "CPT": 4,
                 "FAS": 2}
OTHER_INCOTERMS = {"FCA": 30, "DAP": 25, "EXW": 15, "CPT": 15, "CIP": 8, "DPU": 4}
EXPORT_ONLY_INCOTERMS = {"DDP": 3}
FREIGHT_USD_PER_KG = {"sea": (0.08, 0.25), "road": (0.12, 0.3), "rail": (0.15, 0.35),
                      "air": (2.5, 6.0)}
MINIMUM_FREIGHT_USD = 150.0
TRANSPORT_DOCUMENTS = {"sea": "N705", "air": "N740", "road": "N730"}
INVOICE_PATTERNS = ("INV-{year}-{number:06d}", "{initials}-{number:05d}",
                    "{initials}{yy}/{number:05d}", "{number:08d}", "EX-{number:06d}")
SUSPICIONS = ("undervalued", "unusual_origin", "new_trader")


class _Weighted(Generic[T]):
    """Values drawn with fixed weights (cumulative weights summed once, for speed)."""

    __slots__ = ("cumulative", "values")

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = list(weighted)
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


@cache
def _ranked(values: tuple[str, ...]) -> _Weighted[str]:
    """The first value most likely, then 1/2, 1/3 … as likely."""
    return _Weighted((value, 1 / rank) for rank, value in enumerate(values, start=1))


def _zipf(values: Sequence[T]) -> _Weighted[T]:
    return _Weighted((value, rank**-ZIPF_EXPONENT) for rank, value in enumerate(values, start=1))


@dataclass(frozen=True, slots=True)
class UkFirm:
    """A UK trader or customs broker; ``broker`` lodges for it, or it lodges for itself."""

    eori: str
    name: str
    street: str
    town: str
    postcode: str
    sector: str
    broker: UkFirm | None

    def party(self) -> Payload:
        return {"id": self.eori, "name": self.name, "address": {
            "street": self.street, "city": self.town, "postcode": self.postcode, "country": "GB"}}

    def declarant(self) -> Payload:
        return {"id": self.eori, "name": self.name, "country": "GB"}


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:3] if word[0].isalpha()).upper() or "X"


def _new_uk_firm(rng: random.Random, sector: str, words: Sequence[str], taken: set[str],
                 brokers: Sequence[UkFirm]) -> UkFirm:
    """A UK firm with a GB EORI (GB, the 9-digit VAT number, 000) and a name nobody has."""
    while True:
        name = f"{rng.choice(catalogue.UK_NAME_WORDS)} {rng.choice(words)} " \
               f"{rng.choice(catalogue.UK_SUFFIXES)}"
        eori = f"GB{rng.randrange(100_000_000, 1_000_000_000)}000"
        if name not in taken and eori not in taken:
            taken.update((name, eori))
            break
    town, district = rng.choice(catalogue.UK_TOWNS)
    postcode = f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
               f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    street = f"{rng.randint(1, 120)} {rng.choice(catalogue.UK_STREETS)}"
    broker = None if not brokers or rng.random() < SELF_DECLARING_SHARE else rng.choice(brokers)
    return UkFirm(eori, name, street, town, postcode, sector, broker)


@cache
def uk_firms() -> tuple[tuple[UkFirm, ...], tuple[UkFirm, ...]]:
    """The pool of traders (most active first) and of customs brokers, the same in every run."""
    rng = random.Random(POOL_SEED)
    taken: set[str] = set()
    brokers = tuple(_new_uk_firm(rng, "customs", catalogue.BROKER_WORDS, taken, ())
                    for _ in range(BROKER_COUNT))
    sectors = _Weighted(catalogue.SECTOR_WEIGHTS.items())
    traders = []
    for _ in range(POOL_SIZE):
        sector = sectors.pick(rng)
        words = catalogue.SECTOR_NAME_WORDS[sector]
        # Brokers themselves follow a Zipf law: a few big forwarders clear most traffic.
        traders.append(_new_uk_firm(rng, sector, words, taken, brokers[: rng.randint(1, 20)]))
    return tuple(traders), brokers


@dataclass(slots=True)
class _Partner:
    """A firm abroad that sells to or buys from one UK trader, and its invoice numbering."""

    name: str
    street: str
    city: str
    country: str

    def party(self) -> Payload:
        return {"name": self.name,
                "address": {"street": self.street, "city": self.city, "country": self.country}}


def _kg(mass: float) -> str:
    return f"{mass:.1f}" if mass < 100 else f"{mass:.0f}"


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class _Flow:
    """One run: the random stream, what the reference allows, and what was issued so far."""

    def __init__(self, reference: ReferenceData, seed: int, start: date) -> None:
        _check_catalogue(reference)
        self.rng = random.Random(seed)
        self.reference = reference
        self.start = start
        self.run_token = f"{self.rng.getrandbits(20):05X}"
        traders, self.brokers = uk_firms()
        self.known_ids = {firm.eori for firm in traders + self.brokers}
        self.imports = {s: [p for p in catalogue.PRODUCTS if p.sector == s and p.origins]
                        for s in catalogue.SECTOR_WEIGHTS}
        self.exports = {s: [p for p in catalogue.PRODUCTS if p.sector == s and p.exported]
                        for s in catalogue.SECTOR_WEIGHTS}
        self.importers = _zipf([t for t in traders if self.imports[t.sector]])
        self.exporters = _zipf([t for t in traders if self.exports[t.sector]])
        self.offices = {mode: _Weighted((office.code, office.share_by_mode[mode])
                                        for office in catalogue.OFFICES
                                        if mode in office.share_by_mode)
                        for mode in ("sea", "air", "road", "rail")}
        self.office_places = {office.code: office.place for office in catalogue.OFFICES}
        self.usd_to = self._usd_conversion(reference, start)
        self.partners: dict[tuple[str, str], _Partner] = {}
        self.invoice_books: dict[str, tuple[str, int]] = {}
        self.lrn_counters: dict[str, int] = {}
        self.unknown_countries = [c for c in ("UK", "EL", "XX") if c not in reference.countries]

    @staticmethod
    def _usd_conversion(reference: ReferenceData, start: date) -> dict[str, float]:
        """Units of each usable currency per US dollar, from the rates valid on ``start``."""
        gbp_per_usd = float(reference.rates.rate("USD", start) or FALLBACK_GBP_PER_USD)
        factors = {NATIONAL_CURRENCY: gbp_per_usd}
        for currency in reference.currencies:
            rate = reference.rates.rate(currency, start)
            if rate is not None and currency != NATIONAL_CURRENCY:
                factors[currency] = gbp_per_usd / float(rate)
        return factors

    def currency(self, preferred: str | None) -> str:
        """``preferred`` when it has a rate, else US dollars, else pounds."""
        for currency in (preferred, "USD"):
            if currency in self.usd_to:
                return currency
        return NATIONAL_CURRENCY

    def bulk(self, product: Product) -> bool:
        return self.reference.package_kinds[product.package].bulk

    def declaration(self, suspicion: str | None) -> Payload:
        if self.rng.random() < IMPORT_SHARE:
            return self.import_declaration(suspicion)
        return self.export_declaration(None if suspicion == "unusual_origin" else suspicion)

    def trader(self, pool: _Weighted[UkFirm], new: bool) -> UkFirm:
        if not new:
            return pool.pick(self.rng)
        sector = pool.pick(self.rng).sector
        words = catalogue.SECTOR_NAME_WORDS[sector]
        return _new_uk_firm(self.rng, sector, words, set(self.known_ids), self.brokers)

    def lrn(self, declarant: UkFirm) -> str:
        number = self.lrn_counters.get(declarant.eori, 0) + 1
        self.lrn_counters[declarant.eori] = number
        return f"{_initials(declarant.name)}{self.start:%y%m%d}-{self.run_token}-{number:06d}"

    def partner(self, trader: UkFirm, country_code: str) -> _Partner:
        """The trader's usual supplier or customer in that country (made up on first use)."""
        key = (trader.eori, country_code)
        if key not in self.partners:
            rng = self.rng
            country = COUNTRIES[country_code]
            trade = rng.choice(catalogue.FOREIGN_TRADE_WORDS[trader.sector])
            name = country.legal_form.format(f"{rng.choice(catalogue.FOREIGN_NAME_WORDS)} {trade}")
            street = f"Industrial Zone {rng.randint(1, 30)}, Unit {rng.randint(1, 400)}"
            self.partners[key] = _Partner(name, street, rng.choice(country.cities), country_code)
        return self.partners[key]

    def invoice_number(self, issuer: str) -> str:
        """The next invoice number in the issuer's own numbering."""
        pattern, number = self.invoice_books.get(issuer) or (
            self.rng.choice(INVOICE_PATTERNS), self.rng.randrange(1000, 90_000))
        self.invoice_books[issuer] = (pattern, number + self.rng.randint(1, 40))
        return pattern.format(year=self.start.year, yy=self.start.strftime("%y"), number=number,
                              initials=_initials(issuer))

    def route(self, product: Product, country: str, mode: str) -> tuple[str, str]:
        """Mode and country of dispatch: overseas goods cross the sea or fly, or come via a hub."""
        reachable = {"road": catalogue.ROAD_REACHABLE, "rail": catalogue.RAIL_REACHABLE}
        if mode not in reachable or country in reachable[mode]:
            return mode, country
        for other in product.modes:
            if other in ("sea", "air"):
                return other, country
        return mode, self.rng.choice(catalogue.ROAD_HUBS)

    def basket(self, first: Product, candidates: list[Product], mode: str) -> list[Product]:
        """The products on one invoice: mostly one or two, all fit to travel together."""
        count = _ITEM_COUNTS.pick(self.rng)
        if count == 1 or self.bulk(first):
            return [first]
        others = [p for p in candidates if p is not first and mode in p.modes and not self.bulk(p)]
        return [first, *self.rng.sample(others, min(count - 1, len(others)))]

    def transport(self, mode: str, country: str, products: list[Product]) -> Payload:
        rng = self.rng
        if mode == "sea":
            vessel, flag = rng.choice(catalogue.VESSELS)
            containerised = not any(self.bulk(p) for p in products)
            return {"mode": mode, "identity": vessel, "nationality": flag,
                    "container": containerised}
        if mode == "air":
            airline, nationality = rng.choice(catalogue.AIRLINES)
            return {"mode": mode, "identity": f"{airline}{rng.randint(1, 9999):04d}",
                    "nationality": nationality, "container": False}
        if mode == "road":
            haulier = country if country in catalogue.PLATES and rng.random() < 0.5 else \
                rng.choice(list(catalogue.PLATES))
            plate = "".join(rng.choice("ABCDEFGHJKLMNPRSTVWXYZ") if char == "L" else
                            str(rng.randint(0, 9)) if char == "D" else char
                            for char in catalogue.PLATES[haulier])
            return {"mode": mode, "identity": plate, "nationality": haulier,
                    "container": rng.random() < 0.1}
        return {"mode": mode, "container": True}

    def item(self, sequence: int, product: Product, origin: str, mode: str, invoice: str,
             currency: str, undervalued: bool) -> tuple[Payload, int, float]:
        """One goods item, its amount in cents of the invoice currency, and its gross mass."""
        rng = self.rng
        median = product.median_net_kg
        if mode == "air" and median > 2000:
            median *= AIR_MASS_SCALE
        net = max(0.5, rng.lognormvariate(math.log(median), NET_MASS_SIGMA))
        item: Payload = {"sequence": sequence, "commodity_code": product.commodity_code,
                         "description": product.description, "origin_country": origin}
        if product.unit:
            # Counted goods: whole articles first, then the mass of that many.
            quantity = max(0.001 if product.unit == "MTQ" else 1.0, net / product.kg_per_unit)
            quantity = round(quantity, 3) if product.unit == "MTQ" else float(round(quantity))
            net = max(0.5, quantity * product.kg_per_unit * rng.uniform(0.93, 1.07))
            units = f"{quantity:.3f}" if product.unit == "MTQ" else f"{quantity:.0f}"
            item["supplementary_units"] = {"quantity": units, "unit": product.unit}
        net_text = _kg(net)
        net = float(net_text)
        usd_per_kg = rng.uniform(*product.usd_per_kg)
        if undervalued:
            usd_per_kg /= rng.uniform(5, 20)
        cents = max(1, round(net * usd_per_kg * self.usd_to[currency] * 100))
        gross = net * rng.uniform(1.02, 1.15)
        item |= {"invoice_amount": _money(cents), "net_mass_kg": net_text,
                 "gross_mass_kg": _kg(gross)}
        if self.bulk(product):
            count = 0 if product.package != "NE" else math.ceil(net / product.kg_per_package)
            item["packages"] = {"kind": product.package, "count": max(count, 0)}
        else:
            count = max(1, math.ceil(net / product.kg_per_package))
            marks = "N/M" if rng.random() < 0.1 else f"{_initials(invoice)}/{invoice}/1-{count}"
            item["packages"] = {"kind": product.package, "count": count, "marks": marks}
        item["documents"] = [{"type": "N380", "reference": invoice}]
        return item, cents, gross

    def import_declaration(self, suspicion: str | None) -> Payload:
        rng = self.rng
        importer = self.trader(self.importers, suspicion == "new_trader")
        candidates = self.imports[importer.sector]
        first = rng.choice(candidates)
        origin = _ranked(first.origins).pick(rng)
        mode, dispatch = self.route(first, origin, _ranked(first.modes).pick(rng))
        products = self.basket(first, candidates, mode)
        seller = self.partner(importer, dispatch)
        local = COUNTRIES[dispatch].currency
        currency = self.currency(local if rng.random() < 0.3 or local == "EUR" else "USD")
        invoice = self.invoice_number(seller.name)
        procedure = _IMPORT_PROCEDURES.pick(rng)
        odd_one = rng.randrange(len(products)) if suspicion else -1
        transport_document = _transport_document(rng, mode)
        items, total, gross = [], 0, 0.0
        for index, product in enumerate(products):
            item_origin = origin if origin in product.origins else _ranked(product.origins).pick(rng)
            if suspicion == "unusual_origin" and index == odd_one:
                item_origin = rng.choice(catalogue.UNUSUAL_ORIGINS)
            item, cents, item_gross = self.item(index + 1, product, item_origin, mode, invoice,
                                                currency, suspicion == "undervalued" and
                                                index == odd_one)
            documents = item["documents"]
            if transport_document:
                documents.append(transport_document)
            for certificate in product.import_documents:
                documents.append({"type": certificate, "reference": _certificate(
                    rng, certificate, item_origin, self.start.year)})
            if (procedure in PREFERENCE_PROCEDURES and item_origin in catalogue.FTA_PARTNERS
                    and rng.random() < PREFERENCE_CLAIM_SHARE):
                item["preference"] = "300"
                documents.append({"type": "U162", "reference":
                                  f"{item_origin}-SOO-{self.start.year}-{rng.randint(1, 99999):05d}"})
            items.append(item)
            total += cents
            gross += item_gross
        declarant = importer.broker or importer
        incoterm = _SEA_INCOTERMS.pick(rng) if mode == "sea" else _OTHER_INCOTERMS.pick(rng)
        office = self.offices[mode].pick(rng)
        payload: Payload = {
            "type": "IM", "procedure": procedure, "lrn": self.lrn(declarant),
            "declarant": declarant.declarant(), "importer": importer.party(),
            "exporter": seller.party(), "office": office, "dispatch_country": dispatch,
            "destination_country": "GB", "transport": self.transport(mode, dispatch, products),
            "incoterm": {"code": incoterm, "place": _place(
                incoterm, seller=seller.city, buyer=importer.town,
                loading=rng.choice(COUNTRIES[dispatch].ports),
                discharge=self.office_places[office])},
        }
        self.add_money(payload, invoice, currency, total, gross, mode,
                       declare_freight=0.1, declare_insurance=0.25)
        payload["items"] = items
        return payload

    def export_declaration(self, suspicion: str | None) -> Payload:
        rng = self.rng
        exporter = self.trader(self.exporters, suspicion == "new_trader")
        candidates = self.exports[exporter.sector]
        first = rng.choice(candidates)
        destination = _EXPORT_MARKETS.pick(rng)
        mode, _ = self.route(first, destination, _ranked(first.modes).pick(rng))
        products = self.basket(first, candidates, mode)
        buyer = self.partner(exporter, destination)
        currency = self.currency(_export_currency(rng, destination))
        invoice = self.invoice_number(exporter.name)
        licence = f"GBSIEL/{self.start.year}/{rng.randint(1, 9_999_999):07d}"
        odd_one = rng.randrange(len(products)) if suspicion else -1
        items, total, gross, controlled = [], 0, 0.0, False
        for index, product in enumerate(products):
            item, cents, item_gross = self.item(index + 1, product, "GB", mode, invoice, currency,
                                                suspicion == "undervalued" and index == odd_one)
            if product.control and rng.random() < CONTROLLED_EXPORT_SHARE:
                controlled = True
                item["control"] = {"list": "dual-use", "entry": product.control}
                item["documents"].append({"type": "X002", "reference": licence})
            items.append(item)
            total += cents
            gross += item_gross
        declarant = exporter.broker or exporter
        terms = _SEA_INCOTERMS if mode == "sea" else _EXPORT_INCOTERMS
        incoterm = terms.pick(rng)
        office = self.offices[mode].pick(rng)
        payload: Payload = {
            "type": "EX", "procedure": _EXPORT_PROCEDURES.pick(rng), "lrn": self.lrn(declarant),
            "declarant": declarant.declarant(), "exporter": exporter.party(),
            "consignee": buyer.party(),
        }
        if controlled:
            payload["end_user"] = buyer.party()
        payload |= {
            "office": office, "destination_country": destination,
            "transport": self.transport(mode, destination, products),
            "incoterm": {"code": incoterm, "place": _place(
                incoterm, seller=exporter.town, buyer=buyer.city,
                loading=self.office_places[office],
                discharge=rng.choice(COUNTRIES[destination].ports))},
        }
        self.add_money(payload, invoice, currency, total, gross, mode,
                       declare_freight=0.3, declare_insurance=0.1)
        payload["items"] = items
        return payload

    def add_money(self, payload: Payload, invoice: str, currency: str, total: int, gross: float,
                  mode: str, *, declare_freight: float, declare_insurance: float) -> None:
        """Invoice, and freight and insurance when declared (always freight when it must be)."""
        rng = self.rng
        issued = self.start - timedelta(days=rng.randint(0, INVOICE_AGE_DAYS))
        payload["invoice"] = {"number": invoice, "currency": currency, "amount": _money(total),
                              "date": issued.isoformat()}
        term = INCOTERMS_2020[payload["incoterm"]["code"]]
        freight_excluded = payload["type"] == "IM" and not term.includes_main_carriage
        if freight_excluded or rng.random() < declare_freight:
            freight_currency = self.currency(rng.choice((currency, currency, currency, "USD")))
            usd = max(MINIMUM_FREIGHT_USD, gross * rng.uniform(*FREIGHT_USD_PER_KG[mode]))
            payload["freight"] = {"currency": freight_currency,
                                  "amount": _money(round(usd * self.usd_to[freight_currency] * 100))}
        if rng.random() < (0.5 if term.includes_insurance else declare_insurance):
            premium = max(1, round(total * rng.uniform(0.001, 0.005)))
            payload["insurance"] = {"currency": currency, "amount": _money(premium)}


def _transport_document(rng: random.Random, mode: str) -> Payload | None:
    """A bill of lading, air waybill or CMR note, quoted on some declarations."""
    kind = TRANSPORT_DOCUMENTS.get(mode)
    if kind is None or rng.random() >= TRANSPORT_DOCUMENT_SHARE:
        return None
    reference = {"N705": f"MEDU{rng.randint(1_000_000, 9_999_999)}",
                 "N740": f"{rng.choice(('176', '125', '020', '057'))}-{rng.randint(10**7, 10**8 - 1)}",
                 "N730": f"CMR{rng.randint(100_000, 999_999)}"}[kind]
    return {"type": kind, "reference": reference}


def _certificate(rng: random.Random, kind: str, origin: str, year: int) -> str:
    if kind == "N853":  # IPAFFS numbering of common health entry documents
        return f"CHEDP.GB.{year}.{rng.randint(1_000_000, 9_999_999)}"
    return f"PHYTO-{origin}-{year}-{rng.randint(1, 999_999):06d}"


def _place(code: str, *, seller: str, buyer: str, loading: str, discharge: str) -> str:
    """The place an Incoterm names: seller's premises, port of loading or of discharge, buyer."""
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


_ITEM_COUNTS = _Weighted(ITEM_COUNTS.items())
_IMPORT_PROCEDURES = _Weighted(IMPORT_PROCEDURES.items())
_EXPORT_PROCEDURES = _Weighted(EXPORT_PROCEDURES.items())
_SEA_INCOTERMS = _Weighted(SEA_INCOTERMS.items())
_OTHER_INCOTERMS = _Weighted(OTHER_INCOTERMS.items())
_EXPORT_INCOTERMS = _Weighted({**OTHER_INCOTERMS, **EXPORT_ONLY_INCOTERMS}.items())
_EXPORT_MARKETS = _Weighted(catalogue.EXPORT_MARKETS.items())


# Broken declarations: each mutation breaks at least one rule (the one named) and keeps the
# payload valid against the wire schema; it returns False when it does not fit the declaration.
Mutation = Callable[[Payload, "_Flow"], bool]


def _gross_below_net(payload: Payload, flow: _Flow) -> bool:  # BR034
    item = flow.rng.choice(payload["items"])
    net = float(item["net_mass_kg"])
    gross = _kg(net * flow.rng.uniform(0.8, 0.95))
    item["gross_mass_kg"] = gross if float(gross) < net else f"{net - 0.1:.1f}"
    return True


def _items_off_invoice(payload: Payload, flow: _Flow) -> bool:  # BR002
    invoice = payload["invoice"]
    invoice["amount"] = f"{Decimal(invoice['amount']) + flow.rng.randint(1, 50_000) / 100:.2f}"
    return True


def _unknown_subheading(payload: Payload, flow: _Flow) -> bool:  # CL001
    item = flow.rng.choice(payload["items"])
    code = item["commodity_code"]
    while code[:6] in flow.reference.hs_subheadings:
        code = f"{code[:2]}{flow.rng.randrange(10_000):04d}{code[6:]}"
    item["commodity_code"] = code
    return True


def _unknown_country(payload: Payload, flow: _Flow) -> bool:  # CL002
    if not flow.unknown_countries:
        return False
    flow.rng.choice(payload["items"])["origin_country"] = flow.rng.choice(flow.unknown_countries)
    return True


def _no_consignee(payload: Payload, flow: _Flow) -> bool:  # BR022
    return payload.pop("consignee", None) is not None


def _no_incoterm_place(payload: Payload, flow: _Flow) -> bool:  # BR004
    del payload["incoterm"]["place"]
    return True


def _future_invoice(payload: Payload, flow: _Flow) -> bool:  # BR011
    issued = flow.start + timedelta(days=flow.rng.randint(1, 30))
    payload["invoice"]["date"] = issued.isoformat()
    return True


def _eori_without_country(payload: Payload, flow: _Flow) -> bool:  # BR023
    trader = payload["importer" if payload["type"] == "IM" else "exporter"]
    trader["id"] = trader["id"][2:]
    return True


def _sea_term_off_sea(payload: Payload, flow: _Flow) -> bool:  # BR005
    if payload["transport"]["mode"] == "sea":
        return False
    payload["incoterm"]["code"] = flow.rng.choice(("FOB", "CIF", "CFR"))
    return True


def _freight_missing(payload: Payload, flow: _Flow) -> bool:  # BR009
    term = INCOTERMS_2020[payload["incoterm"]["code"]]
    if payload["type"] != "IM" or term.includes_main_carriage:
        return False
    return payload.pop("freight", None) is not None


def _vague_description(payload: Payload, flow: _Flow) -> bool:  # BR036
    vague = ("Spare parts", "Goods", "Samples", "General cargo", "Various")
    flow.rng.choice(payload["items"])["description"] = flow.rng.choice(vague)
    return True


def _no_dispatch_country(payload: Payload, flow: _Flow) -> bool:  # BR008
    return payload.pop("dispatch_country", None) is not None


def _invoice_document_mismatch(payload: Payload, flow: _Flow) -> bool:  # BR041
    flow.rng.choice(payload["items"])["documents"][0]["reference"] += "-A"
    return True


def _items_misnumbered(payload: Payload, flow: _Flow) -> bool:  # BR030
    payload["items"][-1]["sequence"] += 1
    return True


def _preference_on_export(payload: Payload, flow: _Flow) -> bool:  # BR039
    if payload["type"] != "EX":
        return False
    flow.rng.choice(payload["items"])["preference"] = "300"
    return True


def _air_waybill_as_flight(payload: Payload, flow: _Flow) -> bool:  # BR014
    if payload["transport"]["mode"] != "air":
        return False
    payload["transport"]["identity"] = f"176-{flow.rng.randint(10**7, 10**8 - 1)}"
    return True


def _container_by_air(payload: Payload, flow: _Flow) -> bool:  # BR015
    if payload["transport"]["mode"] != "air":
        return False
    payload["transport"]["container"] = True
    return True


def _renminbi_as_rmb(payload: Payload, flow: _Flow) -> bool:  # CL003
    payload["invoice"]["currency"] = "RMB"
    return True


MUTATIONS: tuple[Mutation, ...] = (
    _gross_below_net, _items_off_invoice, _unknown_subheading, _unknown_country, _no_consignee,
    _no_incoterm_place, _future_invoice, _eori_without_country, _sea_term_off_sea,
    _freight_missing, _vague_description, _no_dispatch_country, _invoice_document_mismatch,
    _items_misnumbered, _preference_on_export, _air_waybill_as_flight, _container_by_air,
    _renminbi_as_rmb,
)


def _break(payload: Payload, flow: _Flow) -> None:
    """Break one rule, or two on one declaration in five."""
    wanted = 2 if flow.rng.random() < 0.2 else 1
    while wanted:
        if flow.rng.choice(MUTATIONS)(payload, flow):
            wanted -= 1


def _check_catalogue(reference: ReferenceData) -> None:
    """Refuse a reference that would make good declarations break rules."""
    missing = sorted(
        {f"HS {p.commodity_code[:6]}" for p in catalogue.PRODUCTS
         if not reference.extends_hs_subheading(p.commodity_code)}
        | {f"office {o.code}" for o in catalogue.OFFICES if o.code not in reference.offices}
        | {f"package {p.package}" for p in catalogue.PRODUCTS
           if p.package not in reference.package_kinds}
    )
    if missing:
        raise ValueError(f"the reference data lacks what the simulation uses: {', '.join(missing)}")


def simulate(
    count: int,
    seed: int,
    *,
    reference: ReferenceData,
    bad_share: float = 0.0,
    suspicious_share: float = 0.0,
    start: date | None = None,
) -> Iterator[dict[str, Any]]:
    """``count`` declaration payloads, the same for the same arguments.

    Invoices are dated in the 60 days up to ``start`` (default today). Exactly
    ``round(count * bad_share)`` declarations break at least one validation rule (and still
    parse); another ``round(count * suspicious_share)`` are valid but suspicious. Raises
    ``ValueError`` for shares outside 0-1 or adding up to more than 1, or a reference that lacks
    codes the simulation uses.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    if not (0 <= bad_share <= 1 and 0 <= suspicious_share <= 1
            and bad_share + suspicious_share <= 1):
        raise ValueError("bad_share and suspicious_share must be 0-1 and add up to at most 1")
    flow = _Flow(reference, seed, start or date.today())
    return _declarations(flow, count, bad_share, suspicious_share)


def _declarations(flow: _Flow, count: int, bad_share: float,
                  suspicious_share: float) -> Iterator[Payload]:
    bad = set(flow.rng.sample(range(count), round(count * bad_share)))
    good = [index for index in range(count) if index not in bad]
    suspicious = set(flow.rng.sample(good, min(len(good), round(count * suspicious_share))))
    for index in range(count):
        suspicion = flow.rng.choice(SUSPICIONS) if index in suspicious else None
        payload = flow.declaration(suspicion)
        if index in bad:
            _break(payload, flow)
        yield payload
