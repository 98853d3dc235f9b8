"""Benchmark: `empathy-bench run` with no arguments (every offline judge and coach on every task,
with the probes the probe files list), as a first-time user runs it after installation: a fresh
log dir, a fresh inspect cache, records written to a scratch folder. Then the same command again
on the same log dir, which resumes: every run is found finished and nothing is asked again.

Prints wall time and the peak resident memory of the whole process tree (the command and its
worker processes, summed). Target (issue 13): under 60 s on a 2-core machine.

Run: EMPATHY_BENCH_DATA=../shared/data uv run python benchmarks/default_run.py
(EMPATHY_BENCH_WORKERS=1 runs everything in one process, for comparison.)
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from measure import measured


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"INSPECT_CACHE_DIR": str(Path(tmp) / "cache")}
        command = [
            *(sys.executable, "-m", "empathy_bench.cli", "run"),
            *("--log-dir", str(Path(tmp) / "logs"), "--results-dir", str(Path(tmp) / "runs")),
        ]
        for label in ("first run (fresh cache and log dir)", "same command again (resumes: all finished)"):
            result = measured(command, env)
            if result.returncode != 0:
                sys.exit(f"empathy-bench run failed (exit {result.returncode}):\n{result.output[-3000:]}")
            runs = re.search(r"(\d+) runs in ([\d.]+) s", result.output)
            inside = f"; {runs[1]} runs, {runs[2]} s inside the command" if runs else ""
            print(f"{label}: {result.wall:.1f} s wall, peak RSS {result.peak_gib:.2f} GiB{inside}")
    workers = os.environ.get("EMPATHY_BENCH_WORKERS", "one per usable core")
    print(f"workers: {workers} ({len(os.sched_getaffinity(0))} cores)")


if __name__ == "__main__":
    main()
