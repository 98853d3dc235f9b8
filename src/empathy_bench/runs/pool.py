"""Offline runs on every core: the tasks whose every model is a built-in one are CPU-bound (the
runner's own cost per sample is their whole cost), so they are shared out between forked worker
processes, each running its share through inspect's `eval_set` in the same log dir under the
same eval set id. The caller then runs `eval_set` over every task as before: it finds the
workers' logs finished, runs what is left (tasks calling a provider, which wait on the network
rather than on a core, and anything a worker did not finish), writes the eval set's manifest
with every task, and returns every log. Logs, cache and resume are inspect's own, unchanged.
Measuring the rows is shared out the same way, a task at a time (`fork_map`).

Workers are forked (the tasks and the imported modules are inherited, not rebuilt): where the
platform has no `fork` start method, or one core is usable, everything runs in one process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from inspect_ai import Task
from inspect_ai.model import Model

from empathy_bench.candidates.builtin.provider import PROVIDER
from empathy_bench.core.errors import InputError

WORKERS_ENV = "EMPATHY_BENCH_WORKERS"

log = logging.getLogger(__name__)

RunShare = Callable[[list[Task]], object]
T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    """How many processes share the offline tasks: $EMPATHY_BENCH_WORKERS, or the cores this
    process may use (1 without the `fork` start method)."""
    given = os.environ.get(WORKERS_ENV)
    if given is not None and (not given.strip().isdigit() or int(given) < 1):
        raise InputError(
            f"${WORKERS_ENV}",
            f"'{given}' is not a number of processes",
            f"set {WORKERS_ENV} to a whole number of 1 or more (1 runs everything in this process), or unset it",
        )
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if given is not None:
        return int(given)
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return max(1, len(cores))


def offline(task: Task) -> bool:
    """Every model the task calls (its own and each role's) is a built-in one."""
    models: list[Model | None] = [task.model]
    for role in (task.model_roles or {}).values():
        models += role if isinstance(role, list) else [role]
    return all(m is not None and str(m).startswith(f"litellm/{PROVIDER}/") for m in models)


def shares(tasks: Sequence[Task], workers: int) -> list[list[Task]]:
    """The offline tasks dealt out in runs of one judge on one task (its plain run and its probes,
    which share a cache scope): largest first, each run to the share with the fewest samples so
    far (samples x epochs measure a task's cost: each sample is one pass through the runner).
    Within a share the tasks keep their given order, so a plain run still fills the cache its
    probes' unchanged condition reads, and the records count the same calls as in one process."""
    runs: dict[object, list[Task]] = {}
    for task in tasks:
        if offline(task):
            runs.setdefault(_run_key(task), []).append(task)
    dealt: list[list[Task]] = [[] for _ in range(workers)]
    for run in sorted(runs.values(), key=lambda r: sum(map(_samples, r)), reverse=True):
        min(dealt, key=lambda share: sum(map(_samples, share))).extend(run)
    order = {id(task): i for i, task in enumerate(tasks)}
    return [sorted(share, key=lambda t: order[id(t)]) for share in dealt if share]


def _run_key(task: Task) -> object:
    """One judge on one task: the task file and judge a task's provenance names (a probe task
    names its plain task), or the task itself when it names none."""
    meta = task.metadata or {}
    return (meta["task"], meta.get("judge"), str(task.model)) if "task" in meta else id(task)


def _samples(task: Task) -> int:
    return len(task.dataset) * (task.epochs or 1)


def run_shares(dealt: list[list[Task]], run_share: RunShare) -> None:
    """Run each share in a forked worker with `run_share` (an eval_set over the share) and wait
    for all of them. A worker that fails only logs why: the caller's eval_set runs what it left."""
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_work, args=(run_share, share)) for share in dealt]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            log.warning("a worker process exited with code %s; its unfinished runs run now", process.exitcode)


def _work(run_share: RunShare, share: list[Task]) -> None:
    try:
        run_share(share)
    except BaseException as err:  # noqa: BLE001 - reported here; the caller's eval_set redoes the share
        print(f"worker process: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)


# What `fork_map` maps, set before its pool forks: the workers inherit it instead of unpickling a
# function (closures do not pickle); only the items' indices and the results cross processes.
_MAPPED: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def fork_map(fn: Callable[[T], R], items: Sequence[T], weights: Sequence[int]) -> list[R]:
    """`[fn(x) for x in items]`, on forked workers when more than one is usable: the heaviest
    items (by `weights`) are handed out first, one at a time, to whichever worker is free. The
    results (and any exception) come back pickled."""
    workers = min(worker_count(), len(items))
    if workers < 2:
        return [fn(x) for x in items]
    global _MAPPED
    order = sorted(range(len(items)), key=lambda i: -weights[i])
    _MAPPED = (fn, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_call, order, chunksize=1)
    finally:
        _MAPPED = None
    by_index = dict(zip(order, results, strict=True))
    return [by_index[i] for i in range(len(items))]


def _call(index: int) -> Any:
    assert _MAPPED is not None, "fork_map's function is inherited at fork"
    fn, items = _MAPPED
    return fn(items[index])
