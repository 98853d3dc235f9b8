"""Benchmark: export every run of a finished run (by default `empathy-bench run` with no arguments)
as submission bundles and verify them all, as a maintainer accepting them would (issue 24).

Given the run's log dir and records folder, `export --all` writes one bundle per candidate x task
into a scratch folder, then every bundle is verified (timed on its own: the manifest's hashes, the
labels, every log's samples and prompts rebuilt, every figure recomputed). Prints the bundles, the
rows (record files verified, and the run's records no bundle holds, such as the label rows of a
task no candidate ran on), the samples, how many bundles verified, each failure's first
difference, and the seconds `verify` takes per 1,000 samples.

Run: EMPATHY_BENCH_DATA=../shared/data uv run --frozen python benchmarks/verify_default_run.py \
    --log-dir logs --results-dir results/runs [--resamples N] [--no-recorded]
(`--resamples` and `--no-recorded` as the run was given them; the default run used neither.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.leaderboard.record import identity, read_records
from empathy_bench.pipeline.bundle import Verdict, export_all, verify_all

SHOWN = 10  # rows left out, and failures, named


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log-dir", type=Path, default=Path("logs"))
    parser.add_argument("--results-dir", type=Path, default=Path("results/runs"))
    parser.add_argument("--resamples", type=int, default=N_RESAMPLES)
    parser.add_argument("--no-recorded", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bundles-") as tmp:
        start = time.perf_counter()
        done = export_all(
            args.log_dir,
            args.results_dir,
            Path(tmp) / "bundles",
            n_resamples=args.resamples,
            recorded=not args.no_recorded,
        )
        exported = time.perf_counter() - start
        for e in done:
            if e.bundle is None:
                print(f"NOT EXPORTED {e.rater} on {e.task}: {e.error}")
        start = time.perf_counter()
        found = verify_all(Path(tmp) / "bundles")
        seconds = time.perf_counter() - start
        bundled = {identity(rec) for bundle, _ in found for _, rec in read_records(bundle / "records")}
    verdicts = [v for _, v in found if isinstance(v, Verdict)]
    failures = [(bundle, v) for bundle, v in found if not (isinstance(v, Verdict) and v.ok)]
    samples = sum(v.checked.get("samples", 0) for v in verdicts)
    records = sum(v.checked.get("records", 0) for v in verdicts)
    run_records = read_records(args.results_dir)
    left_out = sorted({identity(rec) for _, rec in run_records} - bundled)
    print(f"bundles: {len(found)} exported of {len(done)} runs ({exported:.1f} s to export)")
    print(
        f"rows: {records} record files verified; {len(run_records)} records in {args.results_dir}, "
        f"{len(run_records) - len(left_out)} of them in a bundle, {len(left_out)} in none"
    )
    for task, rater_type, rater, variant in left_out[:SHOWN]:
        print(f"  in no bundle: {task} {rater_type} {rater} {variant}".rstrip())
    print(f"samples: {samples} (prompts rebuilt: {sum(v.checked.get('prompts rebuilt', 0) for v in verdicts)})")
    print(f"verified: {sum(v.ok for v in verdicts)} of {len(found)} bundles")
    print(f"failures: {len(failures)}")
    for bundle, outcome in failures[:SHOWN]:
        print(f"  {outcome.line() if isinstance(outcome, Verdict) else f'UNREADABLE {bundle.name}: {outcome}'}")
    per_1000 = seconds / samples * 1000 if samples else float("nan")
    print(f"verify: {seconds:.1f} s for {samples} samples, {per_1000:.2f} s per 1,000 samples")
    workers = os.environ.get("EMPATHY_BENCH_WORKERS", "unset")
    print(f"{len(os.sched_getaffinity(0))} cores; EMPATHY_BENCH_WORKERS={workers}")
    sys.exit(1 if failures or not found else 0)


if __name__ == "__main__":
    main()
