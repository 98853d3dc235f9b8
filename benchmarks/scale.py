"""Benchmark: how the harness grows with the size of what it measures.

items:   `empathy-bench run --task epitome_reddit --limit N` (the three offline judges on the first
         N EPITOME Reddit pairs, fresh cache and log dir each time, no records written) for N in
         500, 1,000, 2,000 and 3,000: wall time and peak resident memory of the process tree.
ratings: synthetic ratings on EPITOME's three dimensions (items repeated from EPITOME Reddit under
         new ids; values 0-2 drawn around a per-item truth, seed 0), from 1,000 to 100,000:
         - the reliability table (three raters of one human group, every pair, alpha, ceiling),
         - a judge's agreement row (what `empathy-bench run` computes per log: QWK, Spearman and
           alpha with bootstrap intervals, the overall score) and the leaderboard built from the
           resulting record (`empathy-bench leaderboard` reads records, never ratings).
         Both with the default 1,000 bootstrap resamples.

Run: EMPATHY_BENCH_DATA=../shared/data uv run python benchmarks/scale.py [items|ratings]
(default: both).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from empathy_bench.agreement.rater import rater_agreement
from empathy_bench.agreement.reliability import reliability_table
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.record import record, write_records
from empathy_bench.sources.labels import LabelSet, load_source
from empathy_bench.tasks.spec import load_task
from measure import measured

ITEM_COUNTS = (500, 1000, 2000, 3000)
RATING_COUNTS = (1_000, 10_000, 30_000, 100_000)
DIMS = ["level_emotional_reactions", "level_interpretations", "level_explorations"]


def items() -> None:
    print("EPITOME Reddit pairs | wall | peak RSS (tree) | s per 1,000 pairs")
    for n in ITEM_COUNTS:
        with tempfile.TemporaryDirectory() as tmp:
            env = os.environ | {"INSPECT_CACHE_DIR": str(Path(tmp) / "cache")}
            command = [
                *(sys.executable, "-m", "empathy_bench.cli", "run", "--task", "epitome_reddit"),
                *("--limit", str(n), "--no-results", "--display", "none", "--log-dir", str(Path(tmp) / "logs")),
            ]
            result = measured(command, env)
            if result.returncode != 0:
                sys.exit(f"run failed (exit {result.returncode}):\n{result.output[-3000:]}")
            print(f"{n:>5} | {result.wall:6.1f} s | {result.peak_gib:.2f} GiB | {result.wall / n * 1000:.1f}")


def synthetic(n_items: int, raters: dict[str, str], seed: int = 0) -> LabelSet:
    """`n_items` items (EPITOME Reddit's, repeated under new ids) rated 0-2 on EPITOME's three
    dimensions by `raters` (id -> group): each value is the item's truth plus noise, clipped."""
    real = load_source("epitome_reddit").items
    items = real.iloc[np.arange(n_items) % len(real)].reset_index(drop=True).copy()
    items["item_id"] = [f"s{i}" for i in range(n_items)]
    rng = np.random.default_rng(seed)
    frames = []
    for dim in DIMS:
        truth = rng.integers(0, 3, n_items)
        for rater, group in raters.items():
            noisy = np.clip(truth + rng.choice([-1, 0, 0, 0, 1], n_items), 0, 2).astype(float)
            frames.append(
                pd.DataFrame(
                    {
                        "item_id": items.item_id,
                        "framework": "epitome",
                        "dimension": dim,
                        "rater_id": rater,
                        "rater_group": group,
                        "value": noisy,
                        "aggregate": "adjudicated" if rater == "crowd" else "",
                        "evidence": np.nan,
                        "run_of": "",
                    }
                )
            )
    return LabelSet(items, pd.concat(frames, ignore_index=True))


def ratings() -> None:
    spec = load_task("epitome_reddit")
    print("ratings | reliability table | judge row | leaderboard | peak RSS (this process)")
    for n in RATING_COUNTS:
        humans = synthetic(n // (3 * 3), {"expert_a": "expert", "expert_b": "expert", "expert_c": "expert"})
        start = time.perf_counter()
        reliability_table(humans, "rank", N_RESAMPLES, seed=0)
        t_table = time.perf_counter() - start

        labelled = synthetic(n // 3, {"crowd": "crowd", "judge": "recorded"})
        wide = labelled.ratings[labelled.ratings.rater_id == "judge"].pivot(
            index="item_id", columns="dimension", values="value"
        )
        reference = labelled.ratings[labelled.ratings.rater_id == "crowd"]
        labels = LabelSet(labelled.items, reference.reset_index(drop=True))
        start = time.perf_counter()
        agreement = rater_agreement(spec, labels, wide, "synthetic", "run", N_RESAMPLES)
        t_row = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as tmp:
            write_records([record(agreement, spec)], Path(tmp) / "runs")
            start = time.perf_counter()
            board = build(Path(tmp))
            t_board = time.perf_counter() - start
            assert "epitome_reddit" in board["tasks"], "the synthetic record is missing from the leaderboard"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>7,} | {t_table:6.2f} s | {t_row:6.2f} s | {t_board * 1000:5.1f} ms | {peak:.0f} MiB")


def main() -> None:
    chosen = sys.argv[1:] or ["items", "ratings"]
    for part in chosen:
        {"items": items, "ratings": ratings}[part]()


if __name__ == "__main__":
    main()
