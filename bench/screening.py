"""Screening speed against the full OFAC SDN, BIS DPL and UN lists, on one core.

Prints: reading the shipped lists, building the index, building a screener from a database
holding the lists (SQLite), then screens per second with the median and 99th-percentile
latency of one screen, uncached, for a realistic mix of queries: listed names rewritten as
traders write them (typos, other word order, transliterated into Cyrillic) and many more
clean trader names from the simulation catalogue that should not match. Also the blocking's
recall: how often the best entity an exhaustive scan finds is found through the index.

    .venv/bin/python bench/screening.py [--queries 3000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from clearway.adapters.database import create_database_engine
from clearway.adapters.migrate import upgrade
from clearway.adapters.reference_files import shipped_reference
from clearway.adapters.sanctions_files import read_shipped_lists
from clearway.adapters.screening_store import current_entities, load_list
from clearway.domain.events import utc_now
from clearway.services.screening import Screener
from clearway.services.simulation import simulate

LISTED_SHARE = 0.2
CYRILLIC = str.maketrans("abvgdezijklmnoprstufhcy", "абвгдезийклмнопрстуфхцы")


def _typo(rng: random.Random, name: str) -> str:
    words = name.replace(",", " ").split()
    rng.shuffle(words)
    index = rng.randrange(len(words))
    word = words[index]
    if len(word) > 4:
        position = rng.randrange(1, len(word) - 1)
        words[index] = word[:position] + word[position + 1 :]
    return " ".join(words)


def queries(entities: list, count: int, rng: random.Random) -> list[tuple[str, str | None]]:
    traders: set[tuple[str, str | None]] = set()
    for payload in simulate(4000, 11, reference=shipped_reference()):
        for role in ("declarant", "importer", "exporter", "consignee", "end_user"):
            party = payload.get(role)
            if party:
                country = party.get("country") or (party.get("address") or {}).get("country")
                traders.add((party["name"], country))
    clean = sorted(traders)
    listed_count = int(count * LISTED_SHARE)
    mixed: list[tuple[str, str | None]] = []
    for entity in rng.sample(entities, listed_count):
        name = entity.primary_name
        kind = rng.random()
        if kind < 0.5:
            mixed.append((_typo(rng, name), None))
        elif kind < 0.75:
            mixed.append((name.lower().translate(CYRILLIC), None))
        else:
            mixed.append((name, entity.countries[0] if entity.countries else None))
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

    mix = queries(entities, count, rng)
    for name, country in mix[:200]:  # warm the word-similarity cache a little, as a server is
        screener.screen(name, country)
    latencies = []
    hits = 0
    started = time.perf_counter()
    for name, country in mix:
        began = time.perf_counter()
        hits += bool(screener.screen(name, country))
        latencies.append(time.perf_counter() - began)
    total = time.perf_counter() - started
    latencies.sort()
    print(
        f"{len(mix):,} screens ({LISTED_SHARE:.0%} listed names rewritten, the rest clean "
        f"traders): {len(mix) / total:,.0f} screens/s, median "
        f"{statistics.median(latencies) * 1e6:.0f} µs, p99 "
        f"{latencies[int(len(latencies) * 0.99)] * 1e6:.0f} µs; {hits:,} with a match"
    )

    # Blocking recall: the index against scoring every listed name, on a sample.
    sample = rng.sample(mix, min(150, len(mix)))
    matcher = screener.matcher
    prepared = [
        (entity, matcher.prepare(name.text)) for entity in entities for name in entity.names
    ]
    agree = considered = 0
    for name, _ in sample:
        query = matcher.prepare(name)
        best = max(
            ((matcher.compare(query, other).score, entity.entity_id) for entity, other in prepared),
            default=(0.0, ""),
        )
        if best[0] < screener.threshold:
            continue
        considered += 1
        agree += best[1] in {m.entity_id for m in screener.screen(name, limit=50)}
    print(
        f"blocking recall: {agree}/{considered} queries whose best entity by exhaustive "
        f"scoring (score ≥ threshold) the index also finds"
    )


if __name__ == "__main__":
    main()
