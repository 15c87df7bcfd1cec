"""Who trades: the pool of UK traders and customs brokers, new UK firms, partners abroad.

The pool is drawn once from a fixed seed, so the same firms recur in every run whatever its
seed; a first-time trader is made up on the spot, named as no pooled firm is.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import count
from typing import Any

from clearway.services.simulation.catalogue import Country, load_catalogue

# The trader pool is the same in every run, so that traders recur across runs and seeds.
POOL_SEED = 2026
POOL_SIZE = 300
BROKER_COUNT = 20
SELF_DECLARING_SHARE = 0.3
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UNIQUE_NAME_ATTEMPTS = 50


@dataclass(frozen=True, slots=True)
class UkFirm:
    """A UK trader or customs broker; ``broker`` lodges its declarations, or it lodges them."""

    eori: str
    name: str
    street: str
    town: str
    postcode: str
    sector: str
    broker: UkFirm | None

    def party(self) -> dict[str, Any]:
        address = {
            "street": self.street,
            "city": self.town,
            "postcode": self.postcode,
            "country": "GB",
        }
        return {"id": self.eori, "name": self.name, "address": address}

    def declarant(self) -> dict[str, Any]:
        return {"id": self.eori, "name": self.name, "country": "GB"}


@dataclass(frozen=True, slots=True)
class Partner:
    """A firm abroad that sells to or buys from a UK trader."""

    name: str
    street: str
    city: str
    country: str

    def party(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": {"street": self.street, "city": self.city, "country": self.country},
        }


def new_uk_firm(
    rng: random.Random, sector: str, taken: set[str], brokers: Sequence[UkFirm]
) -> UkFirm:
    """A UK firm with a new GB EORI (GB, a 9-digit VAT number, 000), named as no other firm is
    while the sector's names last.

    ``taken`` holds the names and EORIs already given out, and gets this firm's.
    """
    names = load_catalogue().names
    words = names.broker_words if sector == "customs" else names.sector_words[sector]
    for attempt in count():
        # Names are unique without the legal form too ("X Ltd" and "X plc" are one name) until
        # a sector's few hundred are used up; then a name may recur, as it does in life.
        name = f"{rng.choice(names.uk_words)} {rng.choice(words)}"
        eori = f"GB{rng.randrange(100_000_000, 1_000_000_000)}000"
        if eori not in taken and (name not in taken or attempt >= UNIQUE_NAME_ATTEMPTS):
            break
    taken.update((name, eori))
    name = f"{name} {rng.choice(names.uk_suffixes)}"
    town, district = rng.choice(names.uk_towns)
    postcode = (
        f"{district} {rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}"
        f"{rng.choice(POSTCODE_LETTERS)}"
    )
    street = f"{rng.randint(1, 120)} {rng.choice(names.uk_streets)}"
    broker = None if not brokers or rng.random() < SELF_DECLARING_SHARE else rng.choice(brokers)
    return UkFirm(eori, name, street, town, postcode, sector, broker)


@cache
def uk_firms() -> tuple[tuple[UkFirm, ...], tuple[UkFirm, ...]]:
    """The pool of traders (busiest first) and of customs brokers."""
    rng = random.Random(POOL_SEED)
    taken: set[str] = set()
    brokers = tuple(new_uk_firm(rng, "customs", taken, ()) for _ in range(BROKER_COUNT))
    sector_weights = load_catalogue().sector_weights
    sectors, weights = list(sector_weights), list(sector_weights.values())
    traders = []
    for _ in range(POOL_SIZE):
        sector = rng.choices(sectors, weights)[0]
        # Choosing among the first n brokers, n uniform, favours the first: a few big
        # forwarders clear most of the traffic.
        traders.append(new_uk_firm(rng, sector, taken, brokers[: rng.randint(1, BROKER_COUNT)]))
    return tuple(traders), brokers


def new_partner(rng: random.Random, sector: str, country: Country) -> Partner:
    """A firm in ``country`` trading in the sector's goods."""
    names = load_catalogue().names
    words = f"{rng.choice(names.foreign_words)} {rng.choice(names.foreign_trade_words[sector])}"
    street = f"Industrial Zone {rng.randint(1, 30)}, Unit {rng.randint(1, 400)}"
    return Partner(
        country.legal_form.format(words), street, rng.choice(country.cities), country.code
    )


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    """Up to three initials of a firm's name, as it prefixes its references."""
    return "".join(word[0] for word in name.split()[:3] if word[0].isalpha()).upper() or "X"
