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
largest process.

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
                print(
                    f"{shards} shard(s), {label}: {result.wall:.1f} s wall, peak RSS {result.peak_gib:.2f} GiB "
                    f"(tree), {result.largest_gb:.2f} GB (largest process){inside}",
                    flush=True,
                )
    base = first[args.shards[0]]
    for shards, wall in first.items():
        print(f"{shards} shard(s): first run {wall:.1f} s, speedup {base / wall:.2f} over {args.shards[0]} shard(s)")
    print(f"limit: {args.limit or 'none'}; {len(os.sched_getaffinity(0))} cores")


if __name__ == "__main__":
    main()
