"""Benchmark: the whole kumar2025 reliability table (4 frameworks, 21 dimensions, every rater
pair, alpha within groups, the expert ceiling) with 1,000 bootstrap resamples.

Run: EMPATHY_BENCH_DATA=../shared/data uv run python benchmarks/reliability_table.py
Prints wall time and peak resident memory; the figures go in the closing note, not in a test.
"""

from __future__ import annotations

import resource
import time

from empathy_bench.agreement.reliability import reliability_table
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.sources.labels import load_source


def main() -> None:
    start = time.perf_counter()
    labels = load_source("kumar2025")
    loaded = time.perf_counter()
    result = reliability_table(labels, "rank", N_RESAMPLES, seed=0)
    done = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pairs: {len(result.pairs)} rows, alpha: {len(result.alpha)} rows, ceiling: {len(result.ceiling)} rows")
    print(
        f"load: {loaded - start:.2f} s; table with {N_RESAMPLES} resamples: {done - loaded:.2f} s; "
        f"peak RSS {peak_mib:.0f} MiB"
    )
    print(result.medians.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
