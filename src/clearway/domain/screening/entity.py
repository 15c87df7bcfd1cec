"""One entity model for every sanctions and denied-party list: names with their strength,
addresses, countries, birth dates, identifiers and programmes, and the source it came from.

The OFAC SDN list, the BIS Denied Persons List and the UN Security Council consolidated list
are each read into ``ListedEntity`` objects (``adapters/sanctions_files.py``); screening only
ever sees this model. An entity serialises to a plain JSON document, which is how each list
version is stored.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ListSource(enum.StrEnum):
    """Where a listed entity comes from; also the prefix of its ``entity_id``."""

    OFAC_SDN = "ofac-sdn"
    """US Treasury OFAC Specially Designated Nationals and Blocked Persons list."""
    BIS_DPL = "bis-dpl"
    """US Commerce BIS Denied Persons List (15 CFR Part 764, Supplement No. 2)."""
    UN = "un"
    """UN Security Council consolidated sanctions list."""


class EntityKind(enum.StrEnum):
    INDIVIDUAL = "individual"
    ENTITY = "entity"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"
    """The list does not say (the Denied Persons List names people and firms alike)."""


class NameStrength(enum.StrEnum):
    """How much a name says about the entity.

    ``weak`` follows OFAC's "low quality a.k.a." and the UN's ``QUALITY`` Low: names so broad
    (nicknames, one-word aliases) that a match on them alone is weaker evidence.
    """

    PRIMARY = "primary"
    ALIAS = "alias"
    WEAK = "weak"


@dataclass(frozen=True, slots=True)
class ListedName:
    text: str
    strength: NameStrength = NameStrength.ALIAS


@dataclass(frozen=True, slots=True)
class ListedAddress:
    """An address as listed; ``country`` is ISO 3166-1 alpha-2 when it could be derived."""

    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str | None = None
    country_name: str = ""

    @property
    def text(self) -> str:
        parts = (self.street, self.city, self.region, self.postcode, self.country_name)
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class Identifier:
    """A document or registration number (passport, tax id, IMO number …)."""

    kind: str
    value: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class ListedEntity:
    """One entry of a list: ``entity_id`` is ``<source>:<the list's own id>``
    (``ofac-sdn:36``, ``un:6907993``; the DPL has no ids, so ``bis-dpl:<hash of the name>``)."""

    entity_id: str
    source: ListSource
    kind: EntityKind
    names: tuple[ListedName, ...]
    addresses: tuple[ListedAddress, ...] = ()
    countries: tuple[str, ...] = ()
    """ISO 3166-1 alpha-2 codes of nationality, citizenship, flag and addresses."""
    birth_dates: tuple[str, ...] = ()
    """As precise as listed: ``1948-12-10``, ``1971``, ``1960/1962``."""
    identifiers: tuple[Identifier, ...] = ()
    programmes: tuple[str, ...] = ()
    remarks: str = ""
    listed_on: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    """Further list-specific facts shown to officers (e.g. a DPL order's Federal Register
    citation), never matched on."""

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError(f"{self.entity_id}: a listed entity needs a name")

    @property
    def primary_name(self) -> str:
        for name in self.names:
            if name.strength is NameStrength.PRIMARY:
                return name.text
        return self.names[0].text

    def document(self) -> dict[str, Any]:
        """A JSON-able document; ``from_document`` reads it back unchanged."""
        return {
            "entity_id": self.entity_id,
            "source": self.source.value,
            "kind": self.kind.value,
            "names": [{"text": name.text, "strength": name.strength.value} for name in self.names],
            "addresses": [
                {
                    "street": address.street,
                    "city": address.city,
                    "region": address.region,
                    "postcode": address.postcode,
                    "country": address.country,
                    "country_name": address.country_name,
                }
                for address in self.addresses
            ],
            "countries": list(self.countries),
            "birth_dates": list(self.birth_dates),
            "identifiers": [
                {"kind": ident.kind, "value": ident.value, "country": ident.country}
                for ident in self.identifiers
            ],
            "programmes": list(self.programmes),
            "remarks": self.remarks,
            "listed_on": self.listed_on,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> ListedEntity:
        return cls(
            entity_id=document["entity_id"],
            source=ListSource(document["source"]),
            kind=EntityKind(document["kind"]),
            names=tuple(
                ListedName(name["text"], NameStrength(name["strength"]))
                for name in document["names"]
            ),
            addresses=tuple(ListedAddress(**address) for address in document["addresses"]),
            countries=tuple(document["countries"]),
            birth_dates=tuple(document["birth_dates"]),
            identifiers=tuple(Identifier(**ident) for ident in document["identifiers"]),
            programmes=tuple(document["programmes"]),
            remarks=document.get("remarks", ""),
            listed_on=document.get("listed_on"),
            extra=dict(document.get("extra", {})),
        )


@dataclass(frozen=True, slots=True)
class ListVersion:
    """One load of one list: every version is kept, the newest of each source is current."""

    id: int
    source: ListSource
    loaded_at: datetime
    loaded_by: str
    origin: str
    sha256: str
    entity_count: int
    added: int
    """Entities not in the version it replaced (all of them for a first load)."""
    removed: int
    """Entities of the version it replaced that are gone."""
    current: bool

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source.value,
            "loaded_at": self.loaded_at.isoformat(),
            "loaded_by": self.loaded_by,
            "origin": self.origin,
            "sha256": self.sha256,
            "entity_count": self.entity_count,
            "added": self.added,
            "removed": self.removed,
            "current": self.current,
        }
