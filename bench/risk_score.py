"""Risk scoring speed: training, batch scoring and one-at-a-time scoring as the pipeline does it.

Fits the model on the KCS training split (validation split for early stopping), then scores
the validation declarations: in one batch, and one by one (features from the history, the
score, and the reasons) as the risk stage scores a lodged declaration. Prints medians.

    .venv/bin/python bench/risk_score.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from clearway.adapters.history_files import read_history, read_mapping, shipped_mapping
from clearway.adapters.risk_model import fit
from clearway.domain.risk.history import replay
from clearway.domain.risk.reasons import reasons

KCS = Path(__file__).resolve().parents[2] / "shared" / "data" / "kcs-customs-declarations"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    mapping = read_mapping(shipped_mapping("kcs"))
    train = read_history(KCS / "df_syn_train_eng.csv", mapping)
    valid = read_history(KCS / "df_syn_valid_eng.csv", mapping)

    started = time.perf_counter()
    rows, history = replay(train.observations, train.outcomes)
    features_seconds = time.perf_counter() - started
    valid_rows, history = replay(valid.observations, valid.outcomes, history=history)
    labels = [train.outcomes[o.reference] for o in train.observations]
    valid_labels = [valid.outcomes[o.reference] for o in valid.observations]

    train_times = []
    for seed in range(min(repeats, 3)):
        clock = time.perf_counter()
        model = fit(rows, labels, history.names, seed=seed, valid=(valid_rows, valid_labels))
        train_times.append(time.perf_counter() - clock)

    batch_times = []
    for _ in range(repeats):
        clock = time.perf_counter()
        model.score(valid_rows)
        batch_times.append(time.perf_counter() - clock)

    single = []
    sample = valid.observations[:2000]
    for observation in sample:
        clock = time.perf_counter()
        row = history.features(observation)
        model.score([row])
        (contributions,) = model.contributions([row])
        reasons(history.names, row, contributions)
        single.append(time.perf_counter() - clock)

    train_time = statistics.median(train_times)
    batch_time = statistics.median(batch_times)
    print(f"history features: {len(rows) / features_seconds:,.0f} rows/s ({len(rows)} rows)")
    print(
        f"training: median {train_time:.1f} s for {len(rows):,} rows "
        f"({len(rows) / train_time:,.0f} rows/s, {model.rounds} rounds, {len(history.names)} "
        "features)"
    )
    print(f"batch scoring: {len(valid_rows) / batch_time:,.0f} rows/s")
    single_ms = statistics.median(single) * 1000
    p99 = sorted(single)[int(len(single) * 0.99)] * 1000
    print(
        f"one declaration (features + score + reasons): median {single_ms:.2f} ms, "
        f"p99 {p99:.2f} ms, {1000 / single_ms:,.0f} declarations/s on one core"
    )


if __name__ == "__main__":
    main()
