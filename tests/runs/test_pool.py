"""Who does which work (runs/pool.py): how a run's tasks are dealt into shards (the same deal in
every process, whatever the order or the machine), the local shard count, and which logs a task's
rows read. tests/runs/test_shards.py runs the shards."""

from __future__ import annotations

import os
import random

import pytest
from inspect_ai import Task
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog, EvalSpec
from inspect_ai.model import get_model

from empathy_bench.core.errors import InputError
from empathy_bench.pipeline.job import logs_needed
from empathy_bench.pipeline.row import task_items
from empathy_bench.runs.pool import WORKERS_ENV, offline, shares, worker_count
from empathy_bench.tasks.spec import load_task
from metadata_support import task_meta


def _task(name: str, samples: int, model: str = "litellm/builtin/constant", probe: str = "", **roles: str) -> Task:
    return Task(
        name=f"{name}_probe_{probe}" if probe else name,
        dataset=[Sample(input="x", id=i) for i in range(samples)],
        model=get_model(model),
        model_roles={role: get_model(m) for role, m in roles.items()} or None,
        metadata=task_meta(name, probe=probe or None, judge=model),
    )


def _names(dealt: list[list[Task]]) -> list[list[str]]:
    return [[t.name for t in share] for share in dealt]


def test_runs_are_dealt_largest_first_to_the_lightest_share() -> None:
    tasks = [_task(n, k) for n, k in [("c", 3), ("a", 5), ("e", 2), ("b", 4), ("d", 3)]]
    # a (5) -> share 1; b (4) -> share 2; c (3, before d: equals go by key) -> share 2, 4 < 5;
    # d (3) -> share 1, 5 < 7; e (2) -> share 2, 7 < 8; each share then runs in the given order
    assert _names(shares(tasks, 2)) == [["a", "d"], ["c", "e", "b"]]
    assert _names(shares(tasks, 1)) == [["c", "a", "e", "b", "d"]]
    # exactly N shares, some empty: shard K of N always knows its share, even an empty one
    assert _names(shares(tasks[:1], 4)) == [["c"], [], [], []]


def test_the_deal_does_not_depend_on_the_order_the_tasks_come_in() -> None:
    # every shard computes the deal on its own: the same tasks in any order deal the same shares
    tasks = [_task(f"t{i}", k) for i, k in enumerate([7, 3, 3, 5, 1, 3, 8, 2, 2, 6])]
    expected = [sorted(share) for share in _names(shares(tasks, 3))]
    for seed in range(5):
        shuffled = random.Random(seed).sample(tasks, len(tasks))
        assert [sorted(share) for share in _names(shares(shuffled, 3))] == expected
    # rebuilt tasks (another process, another machine: new objects) deal the same
    rebuilt = [_task(f"t{i}", k) for i, k in enumerate([7, 3, 3, 5, 1, 3, 8, 2, 2, 6])]
    assert [sorted(share) for share in _names(shares(rebuilt, 3))] == expected
    assert sum(map(len, expected)) == 10


def test_a_plain_run_and_its_probes_share_a_shard_in_the_given_order() -> None:
    # lend_an_ear: plain 3 + probe 9 = 12 samples, one run; epitome 10; ed 4
    tasks = [
        _task("lend_an_ear", 3),
        _task("epitome", 10),
        _task("lend_an_ear", 9, probe="attribution"),
        _task("ed", 4),
    ]
    # lend_an_ear (12) -> share 1; epitome (10) -> share 2; ed (4) -> share 2 (10 < 12)
    assert _names(shares(tasks, 2)) == [["lend_an_ear", "lend_an_ear_probe_attribution"], ["epitome", "ed"]]
    other_judge = _task("lend_an_ear", 9, model="litellm/builtin/lexicon", probe="attribution")
    assert all(_names(shares([tasks[0], other_judge], 2)))  # another judge's probe is another run


def test_runs_calling_one_provider_model_stay_on_one_shard() -> None:
    # so --max-connections still bounds the calls in flight to that model, however many shards
    remote = [_task(name, 50, "mockllm/model") for name in ("epitome", "lend_an_ear", "ed")]
    graded_remotely = _task("coach", 50, grader="mockllm/model")  # a grader role counts too
    graded_here = _task("coach_offline", 50, grader="litellm/builtin/lexicon")
    offline_runs = [_task(f"offline{i}", 40) for i in range(3)]
    assert not offline(remote[0]) and not offline(graded_remotely) and offline(graded_here)
    dealt = _names(shares([*remote, graded_remotely, graded_here, *offline_runs], 3))
    [together] = [share for share in dealt if "epitome" in share]
    assert {"epitome", "lend_an_ear", "ed", "coach"} <= set(together)
    assert sum(map(len, dealt)) == 8 and all(dealt)  # every task dealt once; the others spread


@pytest.mark.parametrize("given", ["0", "two", "-1", ""])
def test_a_worker_count_that_is_not_a_whole_number_is_refused(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv(WORKERS_ENV, given)
    with pytest.raises(InputError) as err:
        worker_count()
    message = str(err.value)
    assert WORKERS_ENV in message and f"'{given}'" in message and "whole number of 1 or more" in message


def test_the_worker_count_is_the_env_value_or_the_usable_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert worker_count() == 3
    monkeypatch.delenv(WORKERS_ENV)
    # the cores this process may use (its affinity), not the machine's count
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert worker_count() == 3


def _header(task: str, kind: str = "rate", probe: str | None = None, on: str = "lend_an_ear") -> EvalLog:
    """A log header as the row code reads it: the task's provenance metadata, no samples."""
    items, framework = task_items(load_task(on))
    meta = task_meta(task, kind, probe, items_sha256=items, framework=framework)
    return EvalLog.model_construct(eval=EvalSpec.model_construct(task=task, model="m", metadata=meta))


def test_a_task_reads_its_own_logs_and_only_the_plain_rate_logs_its_rows_from_ratings_use() -> None:
    plain, probed = _header("lend_an_ear"), _header("lend_an_ear", probe="attribution")
    compared, coached = _header("lend_an_ear_compare", "compare"), _header("lend_an_ear_coach", "coach")
    elsewhere = _header("epitome", on="epitome")
    headers = [plain, probed, compared, coached, elsewhere]
    # a rate task's rows are its runs and its probes; another task's logs on its conversations are not read
    assert logs_needed(load_task("lend_an_ear"), headers) == [plain, probed]
    # a compare or coach task also reads the plain rate runs on its conversations, not their probes
    assert logs_needed(load_task("lend_an_ear_compare"), headers) == [compared, plain]
    assert logs_needed(load_task("lend_an_ear_coach"), headers) == [coached, plain]
