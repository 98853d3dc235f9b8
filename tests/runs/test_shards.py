"""Shards (runs/shard.py, runs/execute.py, pipeline/collect.py): each shard runs its own eval_set
in its own log dir under one root, no two eval sets ever share a log dir, and the rows measured
from every shard's logs are the rows of one process, figure by figure; collect refuses shards
that did not finish or ran other plans, and locks never deadlock a run and its shards."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import empathy_bench.runs.execute as execute
from empathy_bench.cli import main
from empathy_bench.core.errors import EmpathyBenchError, InputError
from empathy_bench.core.lock import folder_lock
from empathy_bench.pipeline import RunResult, collect, run
from empathy_bench.runs.execute import RunOptions, run_shard
from empathy_bench.runs.pool import WORKERS_ENV
from empathy_bench.runs.shard import MARKER, Shard

# What differs between two runs of the same thing: when and how a record was written, where
# the logs are (names, digests, eval ids) and how long things took.
BOOKKEEPING = {"git_revision", "command", "log", "wall_seconds", "live_wall_seconds", "started", "seconds"}


def _strip(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k not in BOOKKEEPING and not k.startswith("seconds_per")}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


def _records(result: RunResult) -> list[dict[str, Any]]:
    return [_strip(json.loads(rec.model_dump_json())) for rec in result.records]


def _written(results_dir: Path) -> dict[str, Any]:
    """Every record file written, by its path under the results folder, less bookkeeping."""
    return {
        str(path.relative_to(results_dir)): _strip(json.loads(path.read_text()))
        for path in sorted(results_dir.rglob("*.json"))
    }


def _options(log_dir: Path | str, **given: Any) -> RunOptions:
    settings: dict[str, Any] = {
        # the compare task's from-ratings rows read the rate runs' logs, wherever they ran; a judge
        # (`run`) and a baseline on one rate task: more would only add runs of the same kinds
        "judges": ["builtin-lexicon", "builtin-length", "builtin-length-compare"],
        "tasks": ["lend_an_ear", "lend_an_ear_compare"],
        "probes": ["attribution"],  # its unchanged condition is read from the plain run's cache
        "limit": 6,
        "display": "none",
    }
    return RunOptions(log_dir=str(log_dir), **(settings | given))


@pytest.fixture
def eval_set_dirs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The log_dir of every eval_set call made in this process."""
    dirs: list[str] = []
    real = execute.eval_set

    def recording(tasks: Any, **settings: Any) -> Any:
        dirs.append(str(settings["log_dir"]))
        return real(tasks, **settings)

    monkeypatch.setattr(execute, "eval_set", recording)
    return dirs


class _Inline:
    """A shard 'process' that runs in this one (so the eval_set recorder sees it)."""

    def __init__(self, options: RunOptions, shard: Shard) -> None:
        self.exitcode = 0
        try:
            run_shard(options, shard)
        except EmpathyBenchError:
            self.exitcode = execute.EXIT_FAILED

    def join(self) -> None:
        return None


@pytest.mark.slow
def test_two_shards_and_collect_record_what_one_process_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eval_set_dirs: list[str]
) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-one"))
    alone = run(_options(tmp_path / "one"), n_resamples=20, results_dir=tmp_path / "results-one" / "runs")
    assert eval_set_dirs == [str(tmp_path / "one" / "shard-1-of-1")]

    # two shards by hand (two machines, say), then one collect: fresh cache, so every reply is asked
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-two"))
    root = tmp_path / "two"
    first = run_shard(_options(root), Shard(1, 2))
    second = run_shard(_options(root), Shard(2, 2))
    assert first and second  # both shards had work
    assert not (tmp_path / "results-two").exists()  # a shard records nothing
    sharded = collect(str(root), n_resamples=20, results_dir=tmp_path / "results-two" / "runs")

    # the local default: two shards side by side (in this process here, so the recorder sees them)
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-three"))
    monkeypatch.setenv(WORKERS_ENV, "2")
    monkeypatch.setattr(execute, "_spawn", _Inline)
    local = run(_options(tmp_path / "three"), n_resamples=20, results_dir=tmp_path / "results-three" / "runs")

    # no two eval sets ever shared a log dir, and none ran in a root
    assert len(eval_set_dirs) == len(set(eval_set_dirs)) == 5, eval_set_dirs
    assert {Path(d).name for d in eval_set_dirs} == {"shard-1-of-1", "shard-1-of-2", "shard-2-of-2"}

    # the rate task's 2 judges, plain and probed; the compare judge plain and probed
    assert len(alone.logs) == len(sharded.logs) == len(local.logs) == 2 * 2 + 2
    assert any("from ratings" in r.agreement.rater for r in sharded.rows)
    assert _records(sharded) == _records(alone)
    assert _records(local) == _records(alone)
    written = _written(tmp_path / "results-one")
    assert written and _written(tmp_path / "results-two") == written == _written(tmp_path / "results-three")
    # the probes read the plain runs' replies from the cache in the shards as in one process
    assert sum(rec.run.usage.cached_calls for rec in sharded.records if rec.run) > 0


@pytest.mark.slow
def test_the_local_default_spawns_one_process_per_shard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"judges": ["builtin-constant", "builtin-length"], "tasks": ["epitome"], "probes": []}
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-one"))
    alone = run(_options(tmp_path / "one", **options), n_resamples=10)
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache-two"))
    monkeypatch.setenv(WORKERS_ENV, "2")
    spawned = run(_options(tmp_path / "two", **options), n_resamples=10)
    assert _records(spawned) == _records(alone)
    for k in (1, 2):
        marker = json.loads((tmp_path / "two" / f"shard-{k}-of-2" / MARKER).read_text())
        assert marker["finished"] and len(marker["logs"]) == 1  # one run on each shard
    assert not list((tmp_path / "two").glob("*.eval"))  # nothing logged in the root


def test_collect_refuses_shards_that_did_not_finish_or_ran_another_plan(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    options = _options(root, judges=["builtin-constant", "builtin-length"], tasks=["epitome"], probes=[], limit=2)
    run_shard(options, Shard(1, 2))
    with pytest.raises(EmpathyBenchError) as missing:
        collect(str(root), n_resamples=5)
    assert "shard 2 of 2 has not run" in str(missing.value)
    assert f"empathy-bench run --shard K/2 --log-dir {root}" in str(missing.value)

    run_shard(options, Shard(2, 2))
    marker = root / "shard-2-of-2" / MARKER
    finished = marker.read_text()
    marker.write_text(finished.replace('"finished": true', '"finished": false'))  # as a killed shard leaves it
    with pytest.raises(EmpathyBenchError, match="shard 2 of 2 did not finish: it stopped first"):
        collect(str(root), n_resamples=5)
    marker.write_text(finished)
    assert len(collect(str(root), n_resamples=5).logs) == 2

    run_shard(_options(root, judges=["builtin-lexicon"], tasks=["epitome"], probes=[], limit=2), Shard(2, 2))
    with pytest.raises(EmpathyBenchError, match="ran different plans"):
        collect(str(root), n_resamples=5)


def test_collect_needs_shards_where_the_root_holds_several_counts(tmp_path: Path) -> None:
    for name in ("shard-1-of-1", "shard-1-of-2", "unrelated"):
        (tmp_path / name).mkdir()
    with pytest.raises(InputError, match=r"holds shards of 1 and of 2 .* Fix: say which with --shards N"):
        collect(str(tmp_path), n_resamples=5)
    with pytest.raises(EmpathyBenchError, match="shard 1, 2 of 2 has not run"):
        collect(str(tmp_path), 2, n_resamples=5)
    with pytest.raises(InputError, match="holds no shard folders"):
        collect(str(tmp_path / "unrelated"), n_resamples=5)


@pytest.mark.parametrize("given", ["0/4", "5/4", "1/0", "two/4", "3"])
def test_a_shard_that_is_not_k_of_n_is_refused_with_the_numbering(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError) as refused:
        Shard.parse(given)
    assert "shards are numbered from 1" in str(refused.value) and "$((INDEX + 1))" in str(refused.value)
    assert main(["run", "--shard", given, "--no-results"]) == 2
    assert "error: --shard: " in capsys.readouterr().err


def test_a_shard_on_the_command_line_records_nothing_and_collect_records_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    root, results = tmp_path / "logs", tmp_path / "results" / "runs"
    argv = ["run", "--judge", "builtin-constant", "--judge", "builtin-length", "--task", "epitome", "--no-probes"]
    argv += ["--limit", "2", "--display", "none", "--log-dir", str(root), "--results-dir", str(results)]
    for k in (1, 2):
        assert main([*argv, "--shard", f"{k}/2"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"shard {k} of 2: 1 runs finished in ")
        assert f"`empathy-bench collect {root}` measures the rows and writes the records" in out
    assert not results.exists()
    assert main(["collect", str(root), "--results-dir", str(results), "--resamples", "5", "--no-recorded"]) == 0
    out = capsys.readouterr().out
    assert "builtin-constant" in out and "builtin-length" in out and f"logs in {root}" in out
    partial = tmp_path / "results" / "partial-runs" / "epitome"  # --limit: partial runs, kept apart
    assert {"builtin-constant.json", "builtin-length.json"} <= {p.name for p in partial.glob("*.json")}


def test_a_run_holding_its_root_does_not_block_its_shards_and_a_shard_holds_its_own_folder(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    options = _options(root, judges=["builtin-constant"], tasks=["epitome"], probes=[], limit=2)
    with folder_lock(root, "--log-dir"):  # what `run` holds while its shards run
        assert len(run_shard(options, Shard(1, 2))) == 1
    with folder_lock(root / "shard-2-of-2", "--log-dir"), pytest.raises(InputError) as held:
        run_shard(options, Shard(2, 2))  # the same shard twice at once: the second refuses
    assert "another empathy-bench command is using this folder" in str(held.value)


def test_the_local_default_starts_no_more_shards_than_the_command_has_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "4")
    one_run = RunOptions(tasks=["epitome"], judges=["builtin-lexicon"])
    assert execute.local_shards(one_run) == 1  # a shard with no run would only cost a process
    assert execute.local_shards(replace(one_run, judges=["builtin-lexicon", "builtin-length"])) == 2
    assert execute.local_shards(replace(one_run, tasks=["epitome", "lend_an_ear"], judges=["builtin-lexicon"])) == 2
    assert execute.local_shards(RunOptions()) == 4  # the default run has far more runs than cores
    monkeypatch.setenv(WORKERS_ENV, "1")
    assert execute.local_shards(replace(one_run, judges=["builtin-lexicon", "builtin-length"])) == 1
