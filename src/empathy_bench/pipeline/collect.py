"""Collecting a sharded run: every shard's logs under one root (a local folder or an fsspec URL
such as `s3://bucket/prefix`) measured together, exactly as `run` measures its own (pipeline/job.py),
and the records written. A shard (`run --shard K/N`, N > 1) records nothing by itself: its rows
depend on other shards' logs (a compare task's rows from ratings read the rate runs, wherever
they ran), so the records are made once, from all of them."""

from __future__ import annotations

from pathlib import Path

from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.core.errors import InputError
from empathy_bench.core.lock import folder_locks
from empathy_bench.pipeline.job import RunResult, measure
from empathy_bench.runs.shard import is_url, shard_counts, shard_logs
from empathy_bench.tasks.spec import default_task_ids


def collect(
    root: str,
    shards: int | None = None,
    *,
    n_resamples: int = N_RESAMPLES,
    recorded: bool = True,
    results_dir: Path | None = None,
) -> RunResult:
    """The rows of shards 1..N under `root` (N: `shards`, or the one shard count found there),
    their records, and (with `results_dir`) the records written. Stops, naming the shards to
    re-run, unless every shard finished the same plan."""
    if not is_url(root) and not Path(root).is_dir():
        raise InputError(root, "is not a folder", "give collect the --log-dir the shards ran with")
    results = results_dir.parent if results_dir else None
    # the root and the results folder held like `run` holds them (a local root only: an object
    # store has no lock), so a local run cannot write shards while they are collected
    with folder_locks((root, "ROOT"), (results, "--results-dir")):
        n = shards or _shard_count(root)
        resume = (
            f"re-run each of those shards with the same arguments as the others "
            f"(`empathy-bench run --shard K/{n} --log-dir {root} ...`: it resumes), then collect again"
        )
        found = shard_logs(root, n, resume)
        # the tasks the run selected, as `run` measures them (those no candidate ran on too)
        return measure(found.logs, n_resamples, recorded, results_dir, tasks=found.tasks or default_task_ids())


def _shard_count(root: str) -> int:
    counts = shard_counts(root)
    if not counts:
        raise InputError(
            root,
            "holds no shard folders (shard-K-of-N)",
            f"give collect the --log-dir the shards ran with (`empathy-bench run --shard K/N --log-dir {root}`)",
        )
    if len(counts) > 1:
        raise InputError(
            root,
            f"holds shards of {' and of '.join(map(str, counts))} (shard-K-of-N folders for several N)",
            "say which with --shards N",
        )
    return counts[0]
