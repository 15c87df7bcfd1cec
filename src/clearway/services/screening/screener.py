"""Screening names and declared parties against the loaded sanctions and denied-party lists.

A ``Screener`` holds the listed entities and a blocking index over all their names, built
once (``Runtime.refresh_screening`` rebuilds it after a list is loaded), and the agency's
dismissals of false positives. ``screen`` scores a name against the candidates the index
gives, keeps each entity's best-matching name, adjusts for country and address, and reports
those at or above the threshold. ``screen_party`` screens a declared party and leaves out the
entities an officer dismissed for that party (``party_key``).

Adjustments after the name score (each shown in the explanation):

- a **weak alias** (OFAC "low quality a.k.a.", UN quality Low) counts ``WEAK_ALIAS_FACTOR`` of
  its score;
- the party's **country** among the entity's countries adds ``COUNTRY_AGREES``; a country the
  entity is not known in subtracts ``COUNTRY_DIFFERS`` (a listed firm may trade through
  another country, so a strong name match is still reported);
- an **address** sharing most of its words with a listed address adds up to
  ``ADDRESS_AGREES``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from clearway.domain.declaration import Address, Declaration, Party
from clearway.domain.screening.entity import ListedEntity, NameStrength
from clearway.domain.screening.match import (
    Dismissal,
    Explanation,
    ScreeningMatch,
    party_key,
)
from clearway.domain.screening.normalise import normalise
from clearway.services.screening.index import NameIndex
from clearway.services.screening.matcher import NameMatcher, NameScore, PreparedName

DEFAULT_THRESHOLD = 0.825
"""Scores at or above this are reported (chosen on the development set, docs/screening.md)."""
WEAK_ALIAS_FACTOR = 0.9
COUNTRY_AGREES = 0.03
COUNTRY_DIFFERS = 0.05
ADDRESS_AGREES = 0.05
ADDRESS_MIN_SHARE = 0.5
DEFAULT_LIMIT = 10


@dataclass(frozen=True, slots=True)
class _IndexedName:
    entity: int
    strength: NameStrength
    prepared: PreparedName

    def __reduce__(self) -> tuple[type[_IndexedName], tuple[int, NameStrength, PreparedName]]:
        # Through the constructor: faster than a frozen dataclass's state setter (a kept index
        # holds tens of thousands of names).
        return _IndexedName, (self.entity, self.strength, self.prepared)


@dataclass(frozen=True, slots=True)
class _Scored:
    score: float
    entity: int
    name: _IndexedName
    name_score: NameScore
    components: tuple[tuple[str, float], ...]
    notes: tuple[str, ...]


class Screener:
    """An in-memory index of listed entities; an empty one matches nothing."""

    def __init__(
        self,
        entities: Iterable[ListedEntity] = (),
        *,
        threshold: float = DEFAULT_THRESHOLD,
        matcher: NameMatcher | None = None,
        dismissals: Iterable[Dismissal] = (),
        cache_size: int = 4096,
    ) -> None:
        self.threshold = threshold
        self.matcher = matcher or NameMatcher()
        self.entities: tuple[ListedEntity, ...] = tuple(entities)
        names = []
        prepared_texts: dict[str, PreparedName] = {}
        for position, entity in enumerate(self.entities):
            for name in entity.names:
                prepared = prepared_texts.get(name.text)
                if prepared is None:
                    prepared = prepared_texts[name.text] = self.matcher.prepare(name.text)
                if prepared.words:
                    names.append(_IndexedName(position, name.strength, prepared))
        self._names = tuple(names)
        self._by_id: dict[str, ListedEntity] | None = None
        self._index = NameIndex(
            [name.prepared for name in names],
            self.matcher,
            min_floor=threshold - COUNTRY_AGREES - ADDRESS_AGREES,
        )
        self._dismissed: Mapping[str, frozenset[str]] = _by_party(dismissals)
        self.dismissals: tuple[Dismissal, ...] = tuple(dismissals)
        self._cache_size = cache_size
        self._screen = lru_cache(maxsize=cache_size)(self._screen_uncached) if cache_size else None

    def __getstate__(self) -> dict[str, Any]:
        # Stored without the cache of screened parties: it is rebuilt as parties are screened.
        state = dict(self.__dict__)
        del state["_screen"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        size = self._cache_size
        self._screen = lru_cache(maxsize=size)(self._screen_uncached) if size else None

    @property
    def name_count(self) -> int:
        return len(self._names)

    def entity(self, entity_id: str) -> ListedEntity | None:
        """The listed entity with this id, if a loaded list holds it."""
        if self._by_id is None:
            self._by_id = {entity.entity_id: entity for entity in self.entities}
        return self._by_id.get(entity_id)

    def with_dismissals(self, dismissals: Iterable[Dismissal]) -> Screener:
        """The same lists and index with these dismissals in force."""
        changed = copy.copy(self)
        changed.dismissals = tuple(dismissals)
        changed._dismissed = _by_party(changed.dismissals)
        return changed

    def screen(
        self,
        name: str,
        country: str | None = None,
        address: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> list[ScreeningMatch]:
        """Listed entities resembling ``name`` at or above the threshold, best first."""
        if not self._names or not name.strip():
            return []
        country = country.strip().upper() if country else None
        address = address.strip() if address else None
        if self._screen is not None:
            return list(self._screen(name, country, address, limit))
        return list(self._screen_uncached(name, country, address, limit))

    def screen_party(self, party: Party, limit: int = DEFAULT_LIMIT) -> list[ScreeningMatch]:
        """``screen`` for a declared party, less the entities dismissed for this party."""
        if party.name is None:
            return []  # a party named by its EORI number alone has no name to screen
        matches = self.screen(party.name, party.country_code, _address_text(party.address), limit)
        dismissed = self._dismissed.get(party_key(party))
        if dismissed:
            matches = [match for match in matches if match.entity_id not in dismissed]
        return matches

    def screen_declaration(self, declaration: Declaration) -> dict[str, list[ScreeningMatch]]:
        """Every party of a declaration (declarant, importer, exporter, consignee, end user)
        with its matches; parties without any are left out."""
        found = {}
        for role, party in declaration.parties().items():
            matches = self.screen_party(party)
            if matches:
                found[role] = matches
        return found

    # --- scoring --------------------------------------------------------------------------------

    def _screen_uncached(
        self, name: str, country: str | None, address: str | None, limit: int
    ) -> tuple[ScreeningMatch, ...]:
        query = self.matcher.prepare(name)
        if not query.words:
            return ()
        compare = self.matcher.compare
        floor = self.threshold - COUNTRY_AGREES - ADDRESS_AGREES
        best: dict[int, tuple[float, _IndexedName, NameScore]] = {}
        for position in self._index.candidates(query, floor):
            listed = self._names[position]
            scored = compare(query, listed.prepared)
            value = scored.score
            if listed.strength is NameStrength.WEAK:
                value *= WEAK_ALIAS_FACTOR
            if value < floor:
                continue
            held = best.get(listed.entity)
            if held is None or value > held[0]:
                best[listed.entity] = (value, listed, scored)
        results = []
        address_words = _address_words(address) if address else frozenset()
        for entity_index, (value, listed, scored) in best.items():
            result = self._adjusted(entity_index, value, listed, scored, country, address_words)
            if result.score >= self.threshold:
                results.append(result)
        results.sort(key=lambda result: (-result.score, self.entities[result.entity].entity_id))
        return tuple(self._match(query, result) for result in results[:limit])

    def _adjusted(
        self,
        entity_index: int,
        value: float,
        listed: _IndexedName,
        scored: NameScore,
        country: str | None,
        address_words: frozenset[str],
    ) -> _Scored:
        entity = self.entities[entity_index]
        components = [("name", round(scored.score, 4))]
        notes = []
        if listed.strength is NameStrength.WEAK:
            components.append(("weak_alias", round(value - scored.score, 4)))
            notes.append("a weak alias, so its score counts less")
        score = value
        if country and entity.countries:
            if country in entity.countries:
                score += COUNTRY_AGREES
                components.append(("country", COUNTRY_AGREES))
                notes.append(f"country {country} is one of the entity's")
            else:
                score -= COUNTRY_DIFFERS
                components.append(("country", -COUNTRY_DIFFERS))
                notes.append(
                    f"country {country} is not among the entity's ({', '.join(entity.countries)})"
                )
        if address_words and entity.addresses:
            share, where = max(
                (
                    len(address_words & _address_words(listed_address.text)) / len(address_words),
                    listed_address.text,
                )
                for listed_address in entity.addresses
            )
            if share >= ADDRESS_MIN_SHARE:
                bonus = round(ADDRESS_AGREES * share, 4)
                score += bonus
                components.append(("address", bonus))
                notes.append(f"the address shares {share:.0%} of its words with '{where}'")
        components.extend((("words", round(scored.words, 4)), ("joined", round(scored.joined, 4))))
        return _Scored(
            min(max(score, 0.0), 1.0), entity_index, listed, scored, tuple(components), tuple(notes)
        )

    def _match(self, query: PreparedName, result: _Scored) -> ScreeningMatch:
        entity = self.entities[result.entity]
        listed = result.name.prepared
        strength = result.name.strength
        which = {NameStrength.PRIMARY: "primary name", NameStrength.ALIAS: "alias"}.get(
            strength, "weak alias"
        )
        reasons = [result.name_score.describe(), *result.notes]
        if query.look_alike_scripts:
            scripts = " and ".join(sorted(script.title() for script in query.look_alike_scripts))
            reasons.append(
                f"the name screened mixes scripts: {scripts} letters written to look like "
                "Latin ones, a common disguise"
            )
        if listed.legal_forms or query.legal_forms:
            forms = ", ".join(dict.fromkeys((*query.legal_forms, *listed.legal_forms)))
            reasons.append(f"legal forms not compared: {forms}")
        text = (
            f"'{query.text}' resembles the {which} '{listed.text}' of {entity.entity_id} "
            f"({entity.primary_name}), score {result.score:.2f}: "
            + "; ".join(reason for reason in reasons if reason)
        )
        return ScreeningMatch(
            entity_id=entity.entity_id,
            source=entity.source,
            kind=entity.kind,
            listed_name=entity.primary_name,
            matched_name=listed.text,
            matched_strength=strength,
            score=result.score,
            explanation=Explanation(text, dict(result.components)),
            programmes=entity.programmes,
            countries=entity.countries,
            mixed_script=bool(query.look_alike_scripts),
        )


def _by_party(dismissals: Iterable[Dismissal]) -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for dismissal in dismissals:
        grouped.setdefault(dismissal.party_key, set()).add(dismissal.entity_id)
    return {key: frozenset(entity_ids) for key, entity_ids in grouped.items()}


def _address_text(address: Address | None) -> str | None:
    if address is None:
        return None
    parts = (address.street, address.city, address.postcode)
    return ", ".join(part for part in parts if part) or None


def _address_words(text: str) -> frozenset[str]:
    return frozenset(word for word in normalise(text).words if len(word) > 2 or word.isdigit())
