"""The risk model's features: what earlier declarations and earlier findings say about this one.

For each key (a trader, a commodity, a pair such as importer and commodity) the history counts
the declarations seen, those inspected, the frauds found and the usual unit price. A feature of
a declaration is read before the declaration itself is counted, and a finding is learned only
once it is known, so no feature uses its own label or a later one. ``replay`` builds features
for a whole file the way the live system would have built them, one day at a time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby

from clearway.domain.risk.history_keys import KEYS, HistoryKey, feature_names
from clearway.domain.risk.observation import Observation

# Weight of the overall fraud rate in a key's smoothed rate: two pseudo-inspections.
PRIOR_WEIGHT = 2.0
# A usual price needs this many earlier declarations before a price is called unusual.
MIN_PRICE_HISTORY = 3
# Spread of log unit prices below which prices count as identical (avoids dividing by ~0).
MIN_PRICE_SPREAD = 0.05
NAN = float("nan")


def _codes(observation: Observation) -> dict[str, str]:
    """The observation's codes with the derived ones keys may use (heading, chapter, amounts)."""
    codes = dict(observation.codes)
    hs6 = codes.get("hs6")
    if hs6:
        codes["hs4"], codes["hs2"] = hs6[:4], hs6[:2]
    codes["value"] = repr(observation.value)
    codes["net_mass"] = repr(observation.net_mass)
    return codes


def _log_unit_price(observation: Observation) -> float | None:
    if observation.net_mass <= 0 or observation.value < 0:
        return None
    return math.log1p(observation.value / observation.net_mass)


class Tally:
    """Everything remembered of one key value: counts, first day seen, log unit prices."""

    __slots__ = ("first_day", "fraud", "inspected", "price_n", "price_sum", "price_sumsq", "seen")

    def __init__(self, first_day: int) -> None:
        self.seen = self.inspected = self.fraud = self.price_n = 0
        self.price_sum = self.price_sumsq = 0.0
        self.first_day = first_day


# Separates a key's name and values in its stored form (no code holds a control character).
_SEPARATOR = "\x1f"
# Each observation's key values, by identity (the observation held, so that its id is not
# reused): a batch reads them to fetch its tallies from the shared history, then for its
# features in the batch's own view of it, then to count the declaration; some thirty keys
# each time. One batch's worth is kept (``forget_key_values`` when the next begins), at most
# ``_VALUES_HELD``: kept longer, a long-lived server's garbage collector walks thousands of
# observations it will never read again at each full collection.
_KEY_VALUES: dict[
    int, tuple[Observation, tuple[tuple[str, ...], ...], list[tuple[str, ...] | None]]
] = {}
_VALUES_HELD = 5_000


def forget_key_values() -> None:
    """Let go of the key values worked out for the last batch's observations."""
    _KEY_VALUES.clear()


class History:
    """What the administration knows so far: declarations seen and findings learned."""

    def __init__(self, keys: Sequence[HistoryKey] = KEYS) -> None:
        self.keys = tuple(keys)
        self.names = feature_names(self.keys)
        self._tallies: list[dict[tuple[str, ...], Tally]] = [{} for _ in self.keys]
        self.inspected = 0
        self.frauds = 0
        self._fields = tuple(key.fields for key in self.keys)

    @property
    def fraud_rate(self) -> float:
        return self.frauds / self.inspected if self.inspected else 0.0

    # --- the stored form: one row per key value, shared by every process -------------------

    def stored_keys(self, observation: Observation) -> list[str]:
        """The stored names of the key values the observation's features read."""
        return [
            _stored_key(self.keys[index], values)
            for index, values in self._values(observation)
            if values is not None
        ]

    def take(self, stored: Mapping[str, Tally]) -> None:
        """Hold these stored tallies (read for the batch at hand) as what is known of them."""
        by_name = {key.name: index for index, key in enumerate(self.keys)}
        for name_and_values, tally in stored.items():
            name, *values = name_and_values.split(_SEPARATOR)
            index = by_name.get(name)
            if index is not None:
                self._tallies[index][tuple(values)] = tally

    def stored_tallies(self) -> list[tuple[str, Tally]]:
        """Every tally held, under its stored name, in name order (the order writers lock
        rows in, so two writers never wait on each other in a cycle)."""
        rows = [
            (_stored_key(key, values), tally)
            for key, tallies in zip(self.keys, self._tallies, strict=True)
            for values, tally in tallies.items()
        ]
        rows.sort(key=lambda row: row[0])
        return rows

    def _values(self, observation: Observation) -> Iterable[tuple[int, tuple[str, ...] | None]]:
        """Each key's index and the observation's values of its fields (``None`` when one is
        unknown)."""
        held = _KEY_VALUES.get(id(observation))
        if held is not None and held[0] is observation and held[1] == self._fields:
            return enumerate(held[2])
        code = _codes(observation).get
        # A key's values, or None where a field is missing or empty (``all`` rules out None).
        values: list[tuple[str, ...] | None] = [
            found if all(found := tuple(map(code, fields))) else None  # type: ignore[misc]
            for fields in self._fields
        ]
        if len(_KEY_VALUES) >= _VALUES_HELD:
            _KEY_VALUES.clear()
        _KEY_VALUES[id(observation)] = (observation, self._fields, values)
        return enumerate(values)

    def features(self, observation: Observation) -> list[float]:
        """The feature vector, in ``self.names`` order, from what is known now."""
        price = _log_unit_price(observation)
        today = observation.day.toordinal()
        prior = self.fraud_rate
        row: list[float] = []
        for index, values in self._values(observation):
            key = self.keys[index]
            tally = self._tallies[index].get(values) if values is not None else None
            if tally is None:
                known = 0.0 if values is not None else NAN
                row.extend((known, known, known, prior if values is not None else NAN))
            else:
                row.extend(
                    (
                        tally.seen,
                        tally.inspected,
                        tally.fraud,
                        (tally.fraud + prior * PRIOR_WEIGHT) / (tally.inspected + PRIOR_WEIGHT),
                    )
                )
            if key.prices:
                row.append(_price_z(tally, price))
            if key.novelty:
                row.append(NAN if tally is None else float(today - tally.first_day))
        row.extend(_numbers(observation, price))
        return row

    def observe(self, observation: Observation) -> None:
        """Count a declaration as seen (its outcome is not known yet)."""
        price = _log_unit_price(observation)
        today = observation.day.toordinal()
        for index, values in self._values(observation):
            if values is None:
                continue
            tallies = self._tallies[index]
            tally = tallies.get(values)
            if tally is None:
                tally = tallies[values] = Tally(today)
            tally.seen += 1
            if price is not None and self.keys[index].prices:
                tally.price_n += 1
                tally.price_sum += price
                tally.price_sumsq += price * price

    def learn(self, observation: Observation, fraud: bool) -> None:
        """Take in an inspection's finding on a declaration already observed."""
        today = observation.day.toordinal()
        self.inspected += 1
        self.frauds += fraud
        for index, values in self._values(observation):
            if values is None:
                continue
            tally = self._tallies[index].setdefault(values, Tally(today))
            tally.inspected += 1
            tally.fraud += fraud

    def tally(self, key_name: str, observation: Observation) -> tuple[int, int, int] | None:
        """``(seen, inspected, fraud)`` for the observation's value of one key, for reasons."""
        for index, values in self._values(observation):
            if self.keys[index].name == key_name and values is not None:
                found = self._tallies[index].get(values)
                return None if found is None else (found.seen, found.inspected, found.fraud)
        return None


def _stored_key(key: HistoryKey, values: tuple[str, ...]) -> str:
    return _SEPARATOR.join((key.name, *values))


def _price_z(tally: Tally | None, price: float | None) -> float:
    if tally is None or price is None or tally.price_n < MIN_PRICE_HISTORY:
        return NAN
    mean = tally.price_sum / tally.price_n
    variance = max(tally.price_sumsq / tally.price_n - mean * mean, 0.0)
    return (price - mean) / max(math.sqrt(variance), MIN_PRICE_SPREAD)


def _numbers(observation: Observation, price: float | None) -> tuple[float, ...]:
    value, mass = observation.value, observation.net_mass
    departure, origin = observation.code("departure"), observation.code("origin")
    return (
        math.log1p(max(value, 0.0)),
        math.log1p(max(mass, 0.0)),
        NAN if price is None else price,
        mass / value if value > 0 else NAN,
        observation.tax_rate,
        math.log1p(max(value * observation.tax_rate / 100, 0.0)),
        NAN if not departure or not origin else float(departure != origin),
    )


def replay(
    observations: Sequence[Observation],
    outcomes: Mapping[str, bool],
    history: History | None = None,
) -> tuple[list[list[float]], History]:
    """Features of every observation as the live system would have had them on its day.

    Observations are taken a day at a time in date order: each day's features are read first,
    then the day's declarations are counted, then the findings among ``outcomes`` (by
    reference) are learned. Rows come back in the order given; the history is returned for
    scoring what follows.
    """
    history = history or History()
    rows: list[list[float]] = [[] for _ in observations]
    order = sorted(range(len(observations)), key=lambda index: observations[index].day)
    for _, same_day in groupby(order, key=lambda index: observations[index].day):
        indices = list(same_day)
        for index in indices:
            rows[index] = history.features(observations[index])
        for index in indices:
            history.observe(observations[index])
        for index in indices:
            fraud = outcomes.get(observations[index].reference)
            if fraud is not None:
                history.learn(observations[index], fraud)
    return rows, history


def rebuilt(stored: Iterable[tuple[Sequence[Observation], bool | None]]) -> History:
    """The history as it stands now, from every stored declaration (in the order they were
    seen) with its latest finding, if any."""
    history = History()
    labelled: list[tuple[Sequence[Observation], bool]] = []
    for seen, fraud in stored:
        for observation in seen:
            history.observe(observation)
        if fraud is not None:
            labelled.append((seen, fraud))
    for seen, fraud in labelled:
        for observation in seen:
            history.learn(observation, fraud)
    return history
