"""Screening speed against the full OFAC SDN, BIS DPL and UN lists, on one core.

Prints: reading the shipped lists, building the index, building a screener from a database
holding the lists (SQLite), then screens per second with the median and 99th-percentile
latency of one screen, uncached, for a realistic mix of queries: listed names rewritten as
traders write them (typos, other word order, transliterated into Cyrillic) and many more
clean trader names from the simulation catalogue that should not match. The mix is screened
once with the word caches cold (every word new to the screener), then three times more with
them warm, as in a server that has screened for a while (each screen still uncached). Also
the blocking's completeness: on a sample, every entity an exhaustive scan of all names scores
at or above the threshold must come through the index; and the share of clean simulated
declarations (another seed than the tuning's) with a party the screener would hold.

    .venv/bin/python bench/screening.py [--queries 3000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from screening_dev_pairs import PARTY_ROLES, clean_declarations_held, in_cyrillic, party_country

from clearway.adapters.database import create_database_engine
from clearway.adapters.migrate import upgrade
from clearway.adapters.reference_files import shipped_reference
from clearway.adapters.sanctions_files import read_shipped_lists
from clearway.adapters.screening_store import current_entities, load_list
from clearway.domain.events import utc_now
from clearway.domain.screening.entity import NameStrength
from clearway.services.screening import Screener
from clearway.services.screening.screener import WEAK_ALIAS_FACTOR
from clearway.services.simulation import simulate

LISTED_SHARE = 0.2
WARM_PASSES = 3
CLEAN_SEED = 5


def _typo(rng: random.Random, name: str) -> str:
    words = name.replace(",", " ").split()
    rng.shuffle(words)
    index = rng.randrange(len(words))
    word = words[index]
    if len(word) > 4:
        position = rng.randrange(1, len(word) - 1)
        words[index] = word[:position] + word[position + 1 :]
    return " ".join(words)


def queries(
    entities: list, count: int, rng: random.Random, listed: dict[str, str] | None = None
) -> list[tuple[str, str | None]]:
    """The mix of names to screen; ``listed`` receives each rewritten listed name with the
    entity it was made from."""
    traders: set[tuple[str, str | None]] = set()
    for payload in simulate(4000, 11, reference=shipped_reference()):
        for role in PARTY_ROLES:
            party = payload.get(role)
            if party:
                traders.add((party["name"], party_country(party)))
    clean = sorted(traders)
    listed_count = int(count * LISTED_SHARE)
    mixed: list[tuple[str, str | None]] = []
    for entity in rng.sample(entities, listed_count):
        name = entity.primary_name
        kind = rng.random()
        if kind < 0.5:
            mixed.append((_typo(rng, name), None))
        elif kind < 0.75:
            mixed.append((in_cyrillic(name), None))
        else:
            mixed.append((name, entity.countries[0] if entity.countries else None))
        if listed is not None:
            listed[mixed[-1][0]] = entity.entity_id
    while len(mixed) < count:
        mixed.extend(rng.sample(clean, min(len(clean), count - len(mixed))))
    rng.shuffle(mixed)
    return mixed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=3000)
    count = parser.parse_args().queries
    rng = random.Random(2026)

    started = time.perf_counter()
    lists = read_shipped_lists()
    read_seconds = time.perf_counter() - started
    entities = [entity for listed in lists for entity in listed.entities]
    started = time.perf_counter()
    screener = Screener(entities, cache_size=0)
    build_seconds = time.perf_counter() - started
    print(
        f"lists: {len(entities):,} entities, {screener.name_count:,} names; read in "
        f"{read_seconds:.2f} s, index built in {build_seconds:.2f} s"
    )

    with tempfile.TemporaryDirectory() as folder:
        engine = create_database_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        with engine.begin() as connection:
            for listed in lists:
                load_list(connection, listed, actor="bench", at=utc_now())
        started = time.perf_counter()
        with engine.connect() as connection:
            stored = current_entities(connection)
        read_db_seconds = time.perf_counter() - started
        started = time.perf_counter()
        Screener(stored)
        rebuild_seconds = time.perf_counter() - started
        engine.dispose()
    print(
        f"from SQLite: entities read and parsed in {read_db_seconds:.2f} s, index built in "
        f"{rebuild_seconds:.2f} s (a process keeps it; it is rebuilt only when a list changes)"
    )

    listed: dict[str, str] = {}
    mix = queries(entities, count, rng, listed)
    passes = [_timed(screener, mix) for _ in range(1 + WARM_PASSES)]
    found = held = 0
    for name, country in mix:
        matches = screener.screen(name, country, limit=1000)
        if name in listed:
            found += listed[name] in {match.entity_id for match in matches}
        else:
            held += bool(matches)
    outcome = (
        f"{found:,} of {len(listed):,} rewritten listed names found, "
        f"{held:,} of {len(mix) - len(listed):,} clean traders held"
    )
    for label, (total, latencies) in (
        ("cold word caches", passes[0]),
        ("warm word caches", sorted(passes[1:])[len(passes[1:]) // 2]),
    ):
        print(
            f"{len(mix):,} screens ({LISTED_SHARE:.0%} listed names rewritten, the rest clean "
            f"traders), {label}: {len(mix) / total:,.0f} screens/s, median "
            f"{statistics.median(latencies) * 1e6:.0f} µs, p99 "
            f"{latencies[int(len(latencies) * 0.99)] * 1e6:.0f} µs; {outcome}"
        )

    # Blocking: the index against scoring every listed name, on a sample.
    sample = rng.sample(mix, min(300, len(mix)))
    matcher = screener.matcher
    prepared = [
        (entity.entity_id, name.strength, matcher.prepare(name.text))
        for entity in entities
        for name in entity.names
    ]
    missed = scanned = 0
    for name, _ in sample:
        query = matcher.prepare(name)
        exhaustive = {
            entity_id
            for entity_id, strength, other in prepared
            if matcher.compare(query, other).score
            * (WEAK_ALIAS_FACTOR if strength is NameStrength.WEAK else 1.0)
            >= screener.threshold
        }
        through_index = {match.entity_id for match in screener.screen(name, limit=1000)}
        scanned += len(exhaustive)
        missed += len(exhaustive - through_index)
    print(
        f"blocking: of {scanned} entities an exhaustive scan scores at or above the threshold "
        f"for {len(sample)} queries, the index misses {missed}"
    )

    share = clean_declarations_held(screener, 2000, CLEAN_SEED)
    print(f"clean simulated declarations (seed {CLEAN_SEED}) with a party held: {share:.1%}")


def _timed(screener: Screener, mix: list[tuple[str, str | None]]) -> tuple[float, list[float]]:
    latencies = []
    started = time.perf_counter()
    for name, country in mix:
        began = time.perf_counter()
        screener.screen(name, country)
        latencies.append(time.perf_counter() - began)
    total = time.perf_counter() - started
    latencies.sort()
    return total, latencies


if __name__ == "__main__":
    main()
