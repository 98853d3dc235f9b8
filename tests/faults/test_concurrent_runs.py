"""Two commands on one checkout: a `run` holds its log dir and its results folder for as long as it
runs, and a second `run` or `leaderboard` on either refuses at once with who holds it, before it
writes anything. The lock is the kernel's: a holder killed with SIGKILL leaves nothing to clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from empathy_bench.cli import main
from empathy_bench.core.errors import InputError
from empathy_bench.core.lock import LOCK_NAME, folder_lock
from empathy_bench.pipeline import run
from empathy_bench.runs.execute import RunOptions


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))


def _options(log_dir: Path) -> RunOptions:
    return RunOptions(
        judges=["builtin-constant"], tasks=["epitome"], probes=[], limit=2, log_dir=str(log_dir), display="none"
    )


def test_a_second_run_on_a_held_log_dir_refuses_before_writing_a_log(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    with folder_lock(logs, "--log-dir"), pytest.raises(InputError) as refused:
        run(_options(logs), n_resamples=5, recorded=False)
    message = str(refused.value)
    assert message.startswith(f"{logs}: another empathy-bench command is using this folder (pid {os.getpid()}")
    assert message.endswith("Fix: wait for it to finish, or give this command its own --log-dir")
    assert not list(logs.glob("*.eval")) and not list(logs.glob("*.json"))


def test_a_second_run_on_a_held_results_folder_refuses_before_writing_a_log(tmp_path: Path) -> None:
    results = tmp_path / "results"
    with folder_lock(results, "--results-dir"), pytest.raises(InputError, match="its own --results-dir"):
        run(_options(tmp_path / "logs"), n_resamples=5, recorded=False, results_dir=results / "runs")
    assert [p.name for p in (tmp_path / "logs").iterdir()] == [LOCK_NAME]  # the log dir's lock, no log
    assert not (results / "runs").exists()


def test_leaderboard_refuses_while_a_run_holds_the_results_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    with folder_lock(results, "--results-dir"):
        assert main(["leaderboard", "--results-dir", str(results)]) == 2
    err = capsys.readouterr().err
    assert "another empathy-bench command is using this folder" in err and "Traceback" not in err
    assert sorted(p.name for p in results.iterdir()) == [LOCK_NAME]  # nothing was written


def test_the_lock_is_released_when_the_command_ends_and_the_run_then_proceeds(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    with folder_lock(logs, "--log-dir"):
        pass
    result = run(_options(logs), n_resamples=5, recorded=False)
    assert [log.status for log in result.logs] == ["success"]
    with folder_lock(logs, "--log-dir"):  # and the run released it in turn
        pass


@pytest.mark.slow
def test_a_holder_killed_with_sigkill_leaves_no_stale_lock(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from empathy_bench.core.lock import folder_lock\n"
            "with folder_lock(sys.argv[1], '--log-dir'):\n    print('held', flush=True); time.sleep(60)",
            str(logs),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(InputError, match=f"pid {holder.pid}, "):
            with folder_lock(logs, "--log-dir"):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    start = time.monotonic()
    with folder_lock(logs, "--log-dir"):
        assert time.monotonic() - start < 1


def test_a_lock_file_planted_as_a_symlink_is_refused_and_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / LOCK_NAME).symlink_to(outside)
    with pytest.raises(InputError, match="cannot open the lock file"):
        with folder_lock(logs, "--log-dir"):
            pass
    assert outside.read_text() == "keep me"
