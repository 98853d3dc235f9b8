"""Commands given arguments that used to end in a traceback or ran something other than what was
named: each now stops with one line naming the argument and the fix, or runs exactly what it was
given."""

from __future__ import annotations

from pathlib import Path

import pytest

from empathy_bench.cli import main
from empathy_bench.cli.run_commands import probe_names
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.runs.execute import RunOptions, build_tasks

PROBE = "change: length\ndescription: longer\nfiller: [Okay.]\nfactor: {factor}\n"


def test_a_probe_named_by_path_runs_that_file_not_the_project_probe_of_its_id(tmp_path: Path) -> None:
    # its id is the project's length probe's id, its factor is not: the run must use this file
    path = tmp_path / "mine.yaml"
    path.write_text("id: length\n" + PROBE.format(factor=3))
    names = probe_names([str(path)])
    assert names == [str(path)]
    options = RunOptions(judges=["builtin-length"], tasks=["epitome"], probes=names, limit=1)
    [plain, probed] = build_tasks(options)
    assert plain.name == "epitome" and probed.name == "epitome_probe_length"
    words = {s.id: len(str(s.input).split()) for s in probed.dataset}
    assert (
        probed.metadata is not None
        and probed.metadata["probe_sha256"]
        != build_tasks(RunOptions(judges=["builtin-length"], tasks=["epitome"], probes=["length"], limit=1))[
            1
        ].metadata["probe_sha256"]
    )
    assert any(key.endswith("@lengthened") for key in words)


def test_a_probe_outside_the_project_with_an_id_of_its_own_is_found(tmp_path: Path) -> None:
    path = tmp_path / "longer.yaml"
    path.write_text("id: longer\n" + PROBE.format(factor=2))
    options = RunOptions(judges=["builtin-length"], tasks=["epitome"], probes=probe_names([str(path)]), limit=1)
    assert [t.name for t in build_tasks(options)] == ["epitome", "epitome_probe_longer"]


def test_two_probes_with_one_id_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("id: length\n" + PROBE.format(factor=3))
    with pytest.raises(InputError) as refused:
        probe_names(["length", str(path)])
    assert str(refused.value) == (
        f"{path}: probe id 'length' is also the id of --probe length. "
        "Fix: give each probe file its own id (two probes with one id would share a task name)"
    )


def test_leaderboard_bundle_of_a_folder_without_logs_refuses_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    (results / "runs").mkdir(parents=True)
    empty = tmp_path / "logs"
    empty.mkdir()
    for bundle, problem in [(empty, "names a folder with no inspect logs"), (tmp_path / "none", "names no folder")]:
        assert main(["leaderboard", "--results-dir", str(results), "--bundle", str(bundle)]) == 2
        err = capsys.readouterr().err
        assert err == (
            f"error: {bundle}: --bundle {problem}. Fix: give --bundle the --log-dir of a run (default: logs)\n"
        )
        assert sorted(p.name for p in results.iterdir()) == ["runs"]  # no board written


def test_project_probes_are_still_found_by_id() -> None:
    assert probe_names(["length,attribution"]) == ["length", "attribution"]
    assert (project_dir() / "evals" / "probes" / "length.yaml").is_file()


def test_a_note_from_one_label_source_is_printed_once_however_many_tasks_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from empathy_bench.pipeline import run

    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    options = RunOptions(
        judges=["builtin-constant", "builtin-always-a"],
        tasks=["lend_an_ear", "lend_an_ear_compare"],
        probes=[],
        limit=1,
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    notes = run(options, n_resamples=5, recorded=False).notes
    assert notes and len(notes) == len(set(notes))
    assert any(line.startswith("lend_an_ear: ") for line in notes)


def test_a_rerun_served_from_the_cache_keeps_the_timing_measured_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from empathy_bench.leaderboard.record import RunRecord
    from empathy_bench.pipeline import partial_dir, run

    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    results = tmp_path / "results" / "runs"
    stored = partial_dir(results) / "epitome" / "builtin-constant.json"  # --limit: a partial run

    def once(log_dir: str) -> RunRecord:
        options = RunOptions(
            judges=["builtin-constant"],
            tasks=["epitome"],
            probes=[],
            limit=2,
            log_dir=str(tmp_path / log_dir),
            display="none",
        )
        run(options, n_resamples=5, recorded=False, results_dir=results)
        return RunRecord.model_validate(json.loads(stored.read_text()))

    live = once("live")
    assert live.run is not None and live.run.usage.provider_calls == 2 and live.run.usage.live_wall_seconds is None
    cached = once("again")  # a fresh log dir: every reply from the cache
    assert cached.run is not None and cached.run.usage.provider_calls == 0 and cached.run.usage.cached_calls == 2
    assert cached.run.usage.live_wall_seconds == pytest.approx(live.run.usage.wall_seconds, abs=1e-6)
    assert cached.run.usage.live_seconds() == cached.run.usage.live_wall_seconds
    again = once("third")  # kept through a second cached re-run
    assert again.run is not None and again.run.usage.live_wall_seconds == cached.run.usage.live_wall_seconds


def test_leaderboard_without_lend_an_ear_records_builds_the_other_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a team that runs only its own tasks (here: only EPITOME's records) gets its board, no IndexError
    import shutil

    results = tmp_path / "results"
    shutil.copytree(project_dir() / "results" / "runs" / "epitome", results / "runs" / "epitome")
    assert main(["leaderboard", "--results-dir", str(results)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {results / 'leaderboard.md'}" in out and "README" not in out
    board = (results / "leaderboard.md").read_text()
    assert [line for line in board.splitlines() if line.startswith("## ")] == ["## epitome"]
    assert "| builtin-constant |" in board


@pytest.mark.slow
def test_a_results_folder_that_cannot_be_written_mid_run_ends_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # after the judges ran, something takes the task's record folder's place (root ignores
    # permission bits, so a file in the way stands for a folder that turned read-only)
    import empathy_bench.pipeline.job as job

    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    results = tmp_path / "results" / "runs"
    real = job.finished_logs

    def then_blocked(options: RunOptions):  # noqa: ANN202
        logs = real(options)
        results.mkdir(parents=True, exist_ok=True)
        (results / "epitome").write_text("in the way")
        return logs

    monkeypatch.setattr(job, "finished_logs", then_blocked)
    argv = ["run", "--judge", "builtin-constant", "--task", "epitome", "--no-probes", "--display", "none"]
    assert main([*argv, "--log-dir", str(tmp_path / "logs"), "--results-dir", str(results), "--resamples", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {results / 'epitome'}: cannot be made for the output (")
    assert err.endswith("Fix: move away what is in its place, or make the folder writable, and run the command again\n")
    assert "Traceback" not in err
