"""One run of the generator: the random stream, what the reference and catalogue allow, and what
was issued so far (partners met, invoice numbers, LRNs), so that a run reads like a real flow."""

from __future__ import annotations

import random
from datetime import date

from clearway.domain.reference import ReferenceData
from clearway.services.simulation.catalogue import MODES, Product, load_catalogue
from clearway.services.simulation.draws import Weighted, zipf
from clearway.services.simulation.money import NATIONAL_CURRENCY, usd_conversion
from clearway.services.simulation.traders import (
    Partner,
    UkFirm,
    initials,
    new_partner,
    new_uk_firm,
    uk_firms,
)

INVOICE_PATTERNS = (
    "INV-{year}-{number:06d}",
    "{initials}-{number:05d}",
    "{initials}{yy}/{number:05d}",
    "{number:08d}",
    "EX-{number:06d}",
)


class Flow:
    """One run: the random stream, what the reference allows, and what was issued so far."""

    def __init__(self, reference: ReferenceData, seed: int, start: date) -> None:
        self.rng = random.Random(seed)
        self.reference = reference
        self.catalogue = catalogue = load_catalogue()
        self.start = start
        self.run_token = f"{self.rng.getrandbits(20):05X}"
        traders, self.brokers = uk_firms()
        self.taken = {firm.eori for firm in traders + self.brokers}
        self.taken.update(firm.name.rsplit(" ", 1)[0] for firm in traders + self.brokers)
        sectors, products = catalogue.sector_weights, catalogue.products
        self.imports = {s: [p for p in products if p.sector == s and p.origins] for s in sectors}
        self.exports = {s: [p for p in products if p.sector == s and p.exported] for s in sectors}
        self.importers = zipf([t for t in traders if self.imports[t.sector]])
        self.exporters = zipf([t for t in traders if self.exports[t.sector]])
        self.export_markets = Weighted(catalogue.export_markets.items())
        self.offices = {
            mode: Weighted(
                (office.code, office.share_by_mode[mode])
                for office in catalogue.offices
                if mode in office.share_by_mode
            )
            for mode in MODES
        }
        self.office_places = {office.code: office.place for office in catalogue.offices}
        self.usd_to = usd_conversion(reference, start)
        self.partners: dict[tuple[str, str], Partner] = {}
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

    def trader(self, pool: Weighted[UkFirm], first_time: bool) -> UkFirm:
        if not first_time:
            return pool.pick(self.rng)
        sector = pool.pick(self.rng).sector
        return new_uk_firm(self.rng, sector, self.taken, self.brokers)

    def lrn(self, declarant: UkFirm) -> str:
        number = self.lrn_counters.get(declarant.eori, 0) + 1
        self.lrn_counters[declarant.eori] = number
        return f"{initials(declarant.name)}{self.start:%y%m%d}-{self.run_token}-{number:06d}"

    def partner(self, trader: UkFirm, country_code: str) -> Partner:
        """The trader's usual supplier or customer in that country (made up on first use)."""
        key = (trader.eori, country_code)
        if key not in self.partners:
            country = self.catalogue.countries[country_code]
            self.partners[key] = new_partner(self.rng, trader.sector, country)
        return self.partners[key]

    def invoice_number(self, issuer: str) -> str:
        """The next number in the issuer's own invoice numbering."""
        pattern, number = self.invoice_books.get(issuer) or (
            self.rng.choice(INVOICE_PATTERNS),
            self.rng.randrange(1000, 90_000),
        )
        self.invoice_books[issuer] = (pattern, number + self.rng.randint(1, 40))
        return pattern.format(
            year=self.start.year, yy=f"{self.start:%y}", number=number, initials=initials(issuer)
        )
