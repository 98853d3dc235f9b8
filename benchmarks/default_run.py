"""Benchmark: `empathy-bench run` with no arguments (every offline judge and coach on every task,
with the probes the probe files list), as a first-time user runs it after installation: a fresh
log dir, a fresh inspect cache, records written to a scratch folder. Then the same command again
on the same log dir, which resumes: every run is found finished and nothing is asked again.

The run is timed with each number of local shards given (EMPATHY_BENCH_WORKERS = 1, 2, ...: one
eval set per shard, each in a spawned process of its own, then the rows measured from every
shard's logs), each from a fresh cache and log dir, and the speedup over the first. Prints wall
time, the peak resident memory of the whole process tree (the command and its shard and
measuring processes, summed) and that of its largest process. Targets (issue 25): at most 90 s
wall on a 2-core machine, a speedup from 1 to 2 shards of at least 1.7, at most 1.5 GB in the
largest process. Last, inspect's floor per sample (inspect_floor.py, measured then) and what the
run's samples alone cost at it on the machine's cores: how much of the 90 s inspect itself takes.

Run: EMPATHY_BENCH_DATA=../shared/data uv run python benchmarks/default_run.py [--limit N] [SHARDS ...]
(default shards: 1 2; `--limit N` times a small default run: the first N samples of each task.)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from measure import measured


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("shards", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    first: dict[int, float] = {}
    samples = 0
    for shards in args.shards:
        with tempfile.TemporaryDirectory() as tmp:
            env = os.environ | {"INSPECT_CACHE_DIR": str(Path(tmp) / "cache"), "EMPATHY_BENCH_WORKERS": str(shards)}
            command = [
                *(sys.executable, "-m", "empathy_bench.cli", "run", "--display", "none"),
                *(("--limit", str(args.limit)) if args.limit else ()),
                *("--log-dir", str(Path(tmp) / "logs"), "--results-dir", str(Path(tmp) / "runs")),
            ]
            for label in ("first run (fresh cache and log dir)", "same command again (resumes: all finished)"):
                result = measured(command, env)
                if result.returncode != 0:
                    sys.exit(f"empathy-bench run failed (exit {result.returncode}):\n{result.output[-3000:]}")
                runs = re.search(r"(\d+) runs in ([\d.]+) s", result.output)
                inside = f"; {runs[1]} runs, {runs[2]} s inside the command" if runs else ""
                first.setdefault(shards, result.wall)
                samples = samples or logged_samples(Path(tmp) / "logs")
                print(
                    f"{shards} shard(s), {label}: {result.wall:.1f} s wall, peak RSS {result.peak_gib:.2f} GiB "
                    f"(tree), {result.largest_gb:.2f} GB (largest process){inside}",
                    flush=True,
                )
    base = first[args.shards[0]]
    for shards, wall in first.items():
        print(f"{shards} shard(s): first run {wall:.1f} s, speedup {base / wall:.2f} over {args.shards[0]} shard(s)")
    cores = len(os.sched_getaffinity(0))
    print(f"limit: {args.limit or 'none'}; {cores} cores")
    if samples:
        at_floor(samples, cores)


def logged_samples(log_dir: Path) -> int:
    """The samples of every run of the command (each shard's logs under the root)."""
    from inspect_ai.log import read_eval_log

    return sum(
        read_eval_log(str(log), header_only=True).results.total_samples  # type: ignore[union-attr]
        for log in log_dir.rglob("*.eval")
    )


def at_floor(samples: int, cores: int) -> None:
    """What the run's samples alone cost inspect at its floor (inspect_floor.py: mockllm answering,
    no harness code, measured now), spread perfectly over the cores: the part of the wall time no
    harness on inspect can go below, before any process starts or any row is measured."""
    from inspect_floor import floor_seconds_per_sample

    per_sample = floor_seconds_per_sample()
    print(
        f"inspect's floor: {1000 * per_sample:.2f} ms of CPU a sample (1,000 samples, measured now); "
        f"the run's {samples:,} samples alone: {samples * per_sample / cores:.1f} s on {cores} cores"
    )


if __name__ == "__main__":
    main()
