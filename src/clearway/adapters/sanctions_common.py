"""What the sanctions-list readers share: their error, and the lists' countries (ISO 3166-1
alpha-2 from ``pycountry`` and a table of the lists' own spellings)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pycountry


class SanctionsFileError(ValueError):
    """A list file that cannot be read; the message names the file and line."""


# --- countries and dates ------------------------------------------------------------------------

# The lists' own spellings that ISO 3166 does not use.
_COUNTRY_NAMES = {
    "russia": "RU",
    "korea, north": "KP",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
    "korea, south": "KR",
    "republic of korea": "KR",
    "burma": "MM",
    "turkey": "TR",
    "turkiye": "TR",
    "macau": "MO",
    "cote d ivoire": "CI",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "kosovo": "XK",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "bahamas, the": "BS",
    "the gambia": "GM",
    "gambia, the": "GM",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "region: gaza": "PS",
    "state of palestine": "PS",
    "region: crimea": "UA",
    "iran (islamic republic of)": "IR",
    "syrian arab republic": "SY",
    "united republic of tanzania": "TZ",
    "lao people's democratic republic": "LA",
    "viet nam": "VN",
    "virgin islands, british": "VG",
    "united states of america": "US",
    "united kingdom of great britain and northern ireland": "GB",
    "bosnia-herzegovina": "BA",
    "czechia": "CZ",
    "brunei": "BN",
    "netherlands antilles": "CW",
    "holy see": "VA",
    "prc": "CN",
    "china, hong kong special administrative region": "HK",
    "macedonia, the former yugoslav republic of": "MK",
    "region: northern mali": "ML",
}


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country as a list names it, or None if it is not one."""
    key = " ".join(name.strip().rstrip(".").split()).casefold()
    if not key or key in ("-0-", "undetermined", "unknown"):
        return None
    if key in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[key]
    try:
        code: str = pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return None
    return code


# Country-based sanctions programmes: an entity listed under one is tied to that country.
_PROGRAMME_COUNTRIES = {
    "CUBA": "CU",
    "IRAN": "IR",
    "IRGC": "IR",
    "IFSR": "IR",
    "SYRIA": "SY",
    "DPRK": "KP",
    "IRAQ": "IQ",
    "VENEZUELA": "VE",
    "BELARUS": "BY",
    "BURMA": "MM",
    "ZIMBABWE": "ZW",
    "NICARAGUA": "NI",
    "LIBYA": "LY",
    "SOMALIA": "SO",
    "SOUTH SUDAN": "SS",
    "SOUTHSUDAN": "SS",
    "SUDAN": "SD",
    "DARFUR": "SD",
    "YEMEN": "YE",
    "LEBANON": "LB",
    "DRCONGO": "CD",
    "DRC": "CD",
    "CAR": "CF",
    "BURUNDI": "BI",
    "MALI": "ML",
    "HAITI": "HT",
    "RUSSIA": "RU",
}


def programme_country(programme: str) -> str | None:
    """The country a sanctions programme is about (``IRAN-EO13846`` → IR, ``DPRK3`` → KP)."""
    key = programme.upper().removeprefix("CAATSA - ").split("-")[0].rstrip("0123456789")
    return _PROGRAMME_COUNTRIES.get(key.strip())


def _unique(codes: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code for code in codes if code))
