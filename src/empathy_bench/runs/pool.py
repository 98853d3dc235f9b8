"""Who does which work: the runs of a command dealt out into shards (runs/shard.py says where a
shard's logs go), the number of local shards, and measuring rows on every core (`fork_map`).

A shard's share is computed by every shard on its own, on any machine, from the same command: it
depends only on the tasks (their names, models and sizes), never on timing, the host or the order
processes start in. The unit dealt is a **run** (one candidate on one task, with its probes: they
share a cache scope, so a probe's unchanged condition is read from the plain run's replies), and
runs calling the same provider model are kept together, so `--max-connections` still bounds the
calls in flight to each provider model however many shards there are (one task at a time per
shard). Groups are dealt largest first, each to the share with the fewest samples so far.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from inspect_ai import Task
from inspect_ai.model import Model

from empathy_bench.candidates.builtin.provider import PROVIDER
from empathy_bench.core.errors import InputError
from empathy_bench.tasks.metadata import task_metadata

WORKERS_ENV = "EMPATHY_BENCH_WORKERS"

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    """How many local shards (processes) a run uses, and how many processes measure its rows:
    $EMPATHY_BENCH_WORKERS, or the cores this process may use."""
    given = os.environ.get(WORKERS_ENV)
    if given is not None and (not given.strip().isdigit() or int(given) < 1):
        raise InputError(
            f"${WORKERS_ENV}",
            f"'{given}' is not a number of processes",
            f"set {WORKERS_ENV} to a whole number of 1 or more (1 runs everything in this process), or unset it",
        )
    if given is not None:
        return int(given)
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return max(1, len(cores))


def _models(task: Task) -> list[Model | None]:
    """Every model the task calls: its own and each role's."""
    models: list[Model | None] = [task.model]
    for role in (task.model_roles or {}).values():
        models += role if isinstance(role, list) else [role]
    return models


def offline(task: Task) -> bool:
    """Every model the task calls (its own and each role's) is a built-in one."""
    return all(m is not None and _builtin(m) for m in _models(task))


def _builtin(model: Model) -> bool:
    return str(model).startswith(f"litellm/{PROVIDER}/")


def shares(tasks: Sequence[Task], n: int) -> list[list[Task]]:
    """The tasks dealt into exactly `n` shares (some may be empty). A run (`run_key`) is never
    split, nor are the runs calling one provider model; the groups go largest first (samples x
    epochs: each sample is one pass through the runner; ties by key), each to the share with the
    fewest samples so far (ties: the lowest shard). Within a share the tasks keep their given
    order, so a plain run still fills the cache its probes' unchanged condition reads."""
    groups = _groups(tasks)
    dealt: list[list[Task]] = [[] for _ in range(n)]
    load = [0] * n
    for _, group in sorted(groups.items(), key=lambda kv: (-sum(map(_samples, kv[1])), kv[0])):
        lightest = min(range(n), key=lambda i: (load[i], i))
        dealt[lightest].extend(group)
        load[lightest] += sum(map(_samples, group))
    order = {id(task): i for i, task in enumerate(tasks)}
    return [sorted(share, key=lambda t: order[id(t)]) for share in dealt]


def _groups(tasks: Sequence[Task]) -> dict[str, list[Task]]:
    """The tasks in runs, runs that call a provider model in common joined (union-find over the
    models), each group named by its smallest run key."""
    runs: dict[str, list[Task]] = {}
    for task in tasks:
        runs.setdefault(run_key(task), []).append(task)
    parent = {key: key for key in runs}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    first_with: dict[str, str] = {}
    for key in sorted(runs):
        for model in {str(m) for task in runs[key] for m in _models(task) if m is not None and not _builtin(m)}:
            other = first_with.setdefault(model, key)
            a, b = sorted((root(key), root(other)))
            parent[b] = a
    groups: dict[str, list[Task]] = {}
    for key in sorted(runs):
        groups.setdefault(root(key), []).extend(runs[key])
    return groups


def run_key(task: Task) -> str:
    """One candidate on one task: the task file and candidate its metadata names (a probe task
    names its plain task), its model and roles. A string, the same in every process and on every
    machine."""
    meta = task_metadata(task)
    roles = sorted((name, str(m)) for name, m in (task.model_roles or {}).items())
    return json.dumps([meta.task, str(meta.judge), str(task.model), roles])


def task_key(task: Task) -> str:
    """One task of the plan (a run's plain task or one of its probes): its run and its name."""
    return json.dumps([run_key(task), task.name, task.epochs or 1])


def _samples(task: Task) -> int:
    return len(task.dataset) * (task.epochs or 1)


# What `fork_map` maps, set before its pool forks: the workers inherit it instead of unpickling a
# function (closures do not pickle); only the items' indices and the results cross processes.
_MAPPED: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def fork_map(fn: Callable[[T], R], items: Sequence[T], weights: Sequence[int]) -> list[R]:
    """`[fn(x) for x in items]`, on forked workers when more than one is usable (and the platform
    can fork): the heaviest items (by `weights`) are handed out first, one at a time, to whichever
    worker is free. The results (and any exception) come back pickled. Nothing here runs an
    eval_set: it measures logs that are already written."""
    workers = min(worker_count(), len(items))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
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
