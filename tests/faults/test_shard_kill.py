"""A shard killed with SIGKILL mid-run (`empathy-bench run --shard K/N` in a subprocess against a
slow provider on 127.0.0.1), then run again: it finishes without asking again for what it had,
every sample is in its log once, collect refuses while it is unfinished and then measures it.
Only the killed command needs a process of its own; the other shard and the resume are the same
command line run in this process (`cli.main`), which saves an interpreter start each."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from fault_server import Fault, FaultServer, kill_after_requests
from inspect_ai.log import list_eval_logs, read_eval_log

from empathy_bench.cli import main
from empathy_bench.core.errors import EmpathyBenchError
from empathy_bench.pipeline import collect
from empathy_bench.runs.execute import RunOptions, build_tasks
from empathy_bench.runs.pool import shares
from empathy_bench.runs.shard import MARKER

LIMIT = 12

pytestmark = pytest.mark.slow  # a fault server, and a shard process killed with SIGKILL


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no .env of the developer's


def test_a_shard_killed_with_sigkill_resumes_without_redoing_or_doubling_samples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FaultServer(Fault(mode="hang", hang_s=0.3)) as server:
        judge = tmp_path / "slow.yaml"
        judge.write_text(
            "id: slow\nmodel: litellm/openai/slow-model\n"
            f"base_url: {server.url}\napi_key_env: none\ngeneration: {{timeout: 10, max_connections: 1}}\n"
        )
        judges = [str(judge), "builtin-constant"]
        # which shard the slow judge's run is dealt to (every shard computes the same deal)
        options = RunOptions(judges=judges, tasks=["epitome"], probes=[], limit=LIMIT, log_dir=str(tmp_path / "logs"))
        dealt = shares(build_tasks(options), 2)
        [k] = [i + 1 for i, share in enumerate(dealt) if any("slow" in str(t.model) for t in share)]
        argv = ["run", "--task", "epitome", "--no-probes", *[a for j in judges for a in ("--judge", j)]]
        argv += ["--limit", str(LIMIT), "--max-connections", "1", "--log-dir", str(tmp_path / "logs")]
        argv += ["--display", "none", "--no-recorded"]
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "empathy_bench.cli", *argv, "--shard", f"{k}/2"]

        before = kill_after_requests(command, server, tmp_path, env)
        assert 5 <= before < LIMIT, before
        assert main([*argv, "--shard", f"{3 - k}/2"]) == 0, capsys.readouterr().err[-2000:]
        with pytest.raises(EmpathyBenchError) as unfinished:  # the killed shard is never read as done
            collect(str(tmp_path / "logs"), n_resamples=10, recorded=False)
        assert f"shard {k} of 2 did not finish: it stopped first (killed, or still running)" in str(unfinished.value)
        assert f"--shard K/2 --log-dir {tmp_path / 'logs'}" in str(unfinished.value)

        assert main([*argv, "--shard", f"{k}/2"]) == 0, capsys.readouterr().err[-2000:]
        resumed = server.requests - before
    # the resume asked only for what the kill left unanswered (at most the one call in flight again)
    assert LIMIT - before <= resumed <= LIMIT - before + 1, (before, resumed)

    shard_dir = tmp_path / "logs" / f"shard-{k}-of-2"
    marker = json.loads((shard_dir / MARKER).read_text())
    assert marker["finished"] and len(marker["logs"]) == 1
    logs = [read_eval_log(info) for info in list_eval_logs(str(shard_dir))]
    [log] = [lg for lg in logs if lg.status == "success"]  # the killed attempt's log may stay "started" beside it
    assert Path(log.location).name == marker["logs"][0]  # the marker names the finished one
    ids = [s.id for s in log.samples or []]
    assert len(ids) == len(set(ids)) == LIMIT  # none lost, none twice

    result = collect(str(tmp_path / "logs"), n_resamples=10, recorded=False)
    runs = {r.run.judge: r.run for r in result.rows if r.run is not None}
    assert set(runs) == {"slow", "builtin-constant"}
    assert runs["slow"].n_samples == LIMIT and runs["slow"].n_unscored == 0
    # every reply was asked once: the provider calls the records count are the server's requests,
    # less the one a kill may have cut off in flight (asked again on resume)
    assert runs["slow"].usage.provider_calls + runs["slow"].usage.cached_calls == LIMIT
