"""Offline runs shared out between forked worker processes (runs/pool.py): how tasks are dealt,
the worker count, and that a run on two workers logs and scores exactly what one process does,
under one eval set id, and resumes without asking again."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog, EvalSpec
from inspect_ai.model import get_model

from empathy_bench.core.errors import InputError
from empathy_bench.pipeline import RunResult, run
from empathy_bench.pipeline.job import logs_needed
from empathy_bench.pipeline.row import task_items
from empathy_bench.runs.execute import RunOptions, run_tasks
from empathy_bench.runs.pool import WORKERS_ENV, offline, run_shares, shares, worker_count
from empathy_bench.tasks.spec import load_task


def _task(name: str, samples: int, model: str = "litellm/builtin/constant", probe: str = "", **roles: str) -> Task:
    return Task(
        name=f"{name}_probe_{probe}" if probe else name,
        dataset=[Sample(input="x", id=i) for i in range(samples)],
        model=get_model(model),
        model_roles={role: get_model(m) for role, m in roles.items()} or None,
        metadata={"task": name, "judge": model, "probe": probe or None},
    )


def test_offline_runs_are_dealt_largest_first_to_the_lightest_share() -> None:
    tasks = [_task(n, k) for n, k in [("c", 3), ("a", 5), ("e", 2), ("b", 4), ("d", 3)]]
    # a (5) -> share 1; b (4) -> share 2; c (3, before d: the sort keeps the given order of
    # equals) -> share 2, 4 < 5; d (3) -> share 1, 5 < 7; e (2) -> share 2, 7 < 8; each share
    # then runs in the given order (c a e b d)
    dealt = shares(tasks, 2)
    assert [[t.name for t in share] for share in dealt] == [["a", "d"], ["c", "e", "b"]]
    assert [[t.name for t in share] for share in shares(tasks, 1)] == [["c", "a", "e", "b", "d"]]
    assert len(shares(tasks[:1], 4)) == 1  # empty shares are dropped


def test_a_plain_run_and_its_probes_share_a_worker_in_the_given_order() -> None:
    # lend_an_ear: plain 3 + probe 9 = 12 samples, one run; epitome 10; ed 4
    tasks = [
        _task("lend_an_ear", 3),
        _task("epitome", 10),
        _task("lend_an_ear", 9, probe="attribution"),
        _task("ed", 4),
    ]
    # lend_an_ear (12) -> share 1; epitome (10) -> share 2; ed (4) -> share 2 (10 < 12)
    assert [[t.name for t in share] for share in shares(tasks, 2)] == [
        ["lend_an_ear", "lend_an_ear_probe_attribution"],
        ["epitome", "ed"],
    ]
    other_judge = _task("lend_an_ear", 9, model="litellm/builtin/lexicon", probe="attribution")
    assert len(shares([tasks[0], other_judge], 2)) == 2  # another judge's probe is another run


def test_a_task_calling_a_provider_is_never_dealt_to_a_worker() -> None:
    remote = _task("remote", 50, "mockllm/model")
    graded_remotely = _task("coach", 50, grader="mockllm/model")
    graded_here = _task("coach_offline", 50, grader="litellm/builtin/lexicon")
    assert not offline(remote) and not offline(graded_remotely) and offline(graded_here)
    assert [[t.name for t in share] for share in shares([remote, graded_remotely, graded_here], 2)] == [
        ["coach_offline"]
    ]


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
    assert worker_count() >= 1


def test_a_failing_worker_is_reported_and_the_others_finish(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    def run_share(share: list[Task]) -> None:
        if share[0].name == "bad":
            raise RuntimeError("boom")
        (tmp_path / share[0].name).write_text("ran")

    with caplog.at_level(logging.WARNING):
        run_shares([[_task("good", 1)], [_task("bad", 1)]], run_share)
    assert (tmp_path / "good").read_text() == "ran"
    assert "exited with code 1" in caplog.text


def _outcome(logs: list[EvalLog]) -> dict[tuple[str, str, str], tuple[str, object, object]]:
    """Per (task, model, sample): the reply, its scores, the metadata: what records are made of."""
    return {
        (log.eval.task, log.eval.model, str(s.id)): (
            s.output.completion,
            {k: v.value for k, v in (s.scores or {}).items()},
            s.metadata,
        )
        for log in logs
        for s in log.samples or []
    }


def _cache_reads(logs: list[EvalLog]) -> dict[tuple[str, str], int]:
    """Per log: the model calls served from the cache (the records' cached_calls)."""
    return {
        (log.eval.task, log.eval.model): sum(
            e.event == "model" and e.cache == "read" for s in log.samples or [] for e in s.events
        )
        for log in logs
    }


def test_two_workers_log_what_one_process_logs_under_one_eval_set_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {
        "judges": ["builtin-lexicon", "builtin-length", "builtin-constant"],
        "tasks": ["epitome", "lend_an_ear"],
        "probes": ["attribution"],  # its unchanged condition is read from the plain run's cache
        "limit": 8,
        "display": "none",
    }
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-one"))
    alone = run_tasks(RunOptions(log_dir=str(tmp_path / "one"), **options))  # type: ignore[arg-type]
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-two"))
    monkeypatch.setenv(WORKERS_ENV, "2")
    shared = run_tasks(RunOptions(log_dir=str(tmp_path / "two"), **options))  # type: ignore[arg-type]

    assert len(shared) == len(alone) == 12  # 2 tasks x 3 judges, plain and probed
    assert _outcome(shared) == _outcome(alone)
    assert len(_outcome(shared)) == 12 * 8
    assert _cache_reads(shared) == _cache_reads(alone)
    assert sum(_cache_reads(alone).values()) > 0  # the probes did read the plain runs' replies
    assert all(any(e.event == "model" for e in s.events) for log in shared for s in log.samples or [])
    assert len({log.eval.eval_set_id for log in shared}) == 1
    manifest = json.loads((tmp_path / "two" / "eval-set.json").read_text())
    assert manifest["eval_set_id"] == shared[0].eval.eval_set_id and len(manifest["tasks"]) == 12

    written = sorted(p.name for p in (tmp_path / "two").glob("*.eval"))
    again = run_tasks(RunOptions(log_dir=str(tmp_path / "two"), **options))  # type: ignore[arg-type]
    assert sorted(p.name for p in (tmp_path / "two").glob("*.eval")) == written  # nothing was run again
    assert _outcome(again) == _outcome(alone)


def _records(result: RunResult) -> list[dict[str, object]]:
    """The records as written, less what differs between two runs of the same thing: timing,
    where the logs are, and when."""
    out = []
    for rec in result.records:
        data = json.loads(rec.model_dump_json(exclude={"log", "command"}))
        if data.get("run"):
            data["run"] = {k: v for k, v in data["run"].items() if k not in ("started", "seconds", "seconds_per_1k")}
        out.append(data)
    return out


def _header(task: str, kind: str = "rate", probe: str | None = None, on: str = "lend_an_ear") -> EvalLog:
    """A log header as the row code reads it: the task's provenance metadata, no samples."""
    items, framework = task_items(load_task(on))
    meta = {"task": task, "kind": kind, "judge": "j", "probe": probe, "items_sha256": items, "framework": framework}
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


def test_rows_measured_on_two_workers_are_the_rows_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the compare task's from-ratings rows need the rate task's logs: a worker reads them too
    options = RunOptions(
        judges=["builtin-lexicon", "builtin-length-compare"],
        tasks=["lend_an_ear", "lend_an_ear_compare"],
        limit=10,
        display="none",
        log_dir=str(tmp_path / "logs"),
    )
    alone = run(options, n_resamples=20)
    monkeypatch.setenv(WORKERS_ENV, "2")
    shared = run(options, n_resamples=20)
    assert {r.agreement.rater for r in shared.rows} >= {"builtin-lexicon", "builtin-length-compare"}
    assert any("from ratings" in r.agreement.rater for r in shared.rows)
    assert _records(shared) == _records(alone)
    # the same log files (the second run found every run finished): each row keeps its log's header
    assert [Path(r.log.location).name if r.log else None for r in shared.rows] == [
        Path(r.log.location).name if r.log else None for r in alone.rows
    ]
    assert all(r.log is None or r.log.samples is None for r in shared.rows)
    assert [rec.log.sha256 if rec.log else None for rec in shared.records] == [
        rec.log.sha256 if rec.log else None for rec in alone.records
    ]
