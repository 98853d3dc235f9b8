"""Benchmark: empathy-bench side by side with its peers, on the same judgements against one local
OpenAI-compatible server with a fixed latency (issue 25).

The judgements: the first N EPITOME Reddit prompts as empathy-bench renders them for an LLM judge
(default N = 2,000; each prompt asks for the three EPITOME ratings, one call per prompt). The
server is an aiohttp app in this process on 127.0.0.1 (`/lat<MS>/v1/chat/completions` waits MS
milliseconds, then answers what the prompt asks: a rating line per dimension, or MetaEvaluator's
XML tags when its instructions are in the prompt). Every peer runs in a subprocess at
concurrency 50:
  empathy-bench   `empathy-bench run --judge FILE --task epitome_reddit --limit N --no-probes`,
                  the judge file pointing at the server through litellm's hosted_vllm provider
                  (the pattern of evals/judges/vllm-local.yaml): judging, logs, rows, records;
  inspect         inspect alone, the floor under any harness on inspect: the prompts as one task
                  through its eval_set with its own OpenAI-compatible provider, `generate()` with
                  its cache, its `pattern()` scorer, the settings empathy-bench gives it;
  alpaca_eval     its annotator path (`PairwiseAnnotator.annotate_pairs`, openai_completions),
  MetaEvaluator   its async judges (`Judge.evaluate_eval_data_async`),
  bare litellm    an asyncio.gather over litellm.acompletion, the lower bound;
see benchmarks/peer_drivers/ for exactly how each peer is driven and why. inspect (the project's
release, with the openai release its OpenAI-compatible provider needs), alpaca_eval and
MetaEvaluator are installed by this script, each into a throwaway virtual environment of its own
(uv venv + uv pip install, pinned below; never a project dependency), and skipped with a note
where that fails. The bare loop runs on the project's own litellm.

Measured, per peer:
  CPU per judgement: the slope at 0 ms, (CPU(N) - CPU(N/4)) / (N - N/4), CPU being the user +
      system time of the peer's whole process tree (its imports and fixed costs cancel out);
  judging phase at 200 ms, and its ratio to the bare loop's: the time the peer spends getting
      the N judgements (empathy-bench: from its first sample's start to its last sample's end, as
      the eval log records them; the others: timed around their judging call, after imports);
  warm re-run: the same command again from its warm cache in a fresh log dir (empathy-bench:
      the inspect cache; inspect alone: its cache; alpaca_eval: its annotations file), whole
      command wall time. For
      empathy-bench the re-run's log is checked to hold every sample with its prompt, reply and
      parsed ratings.
Targets (issue 25): empathy-bench's CPU per judgement <= 8 ms, and its warm re-run no slower than
alpaca_eval's. inspect alone's figures say how much of each target inspect itself takes: a harness
on inspect cannot go below them.

Run: EMPATHY_BENCH_DATA=../shared/data uv run --frozen python benchmarks/peers.py [--judgements N]
     [--peers empathy-bench alpaca_eval meta_evaluator bare]
(about 9 minutes for 2,000 judgements on a 2-core machine, installs included: 545 s measured.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path

from measure import measured
from peer_server import BenchServer

CONCURRENCY = 50
LATENCY_MS = 200
DRIVERS = Path(__file__).parent / "peer_drivers"
PROJECT = Path(__file__).parent.parent
# What each peer's throwaway environment installs, and the Python it needs. alpaca-eval imports
# pkg_resources (setuptools < 81), and its cached-annotation path assigns 1.5 into an int64 column,
# which pandas 3 refuses (pandas 2.2.3 is the release alpaca-eval 0.6.6 came out with); meta-evaluator
# imports uvicorn at import time (its `ui` extra).
PEERS = {
    "inspect": ([f"inspect-ai=={version('inspect-ai')}", "openai==3.63.0"], "3.11", "inspect_alone.py"),
    "alpaca_eval": (["alpaca-eval==0.6.6", "setuptools==80.9.0", "pandas==2.2.3"], "3.11", "alpaca_eval_driver.py"),
    "meta_evaluator": (["meta-evaluator[ui]==0.3.3"], "3.13", "meta_evaluator_driver.py"),
}
ORDER = ["empathy-bench", "inspect", "alpaca_eval", "meta_evaluator", "bare"]


@dataclass
class Result:
    peer: str
    cpu: dict[int, float] = field(default_factory=dict)  # judgements -> CPU seconds at 0 ms
    phase: float | None = None  # judging phase at 200 ms, seconds
    warm: float | None = None  # warm re-run wall, seconds
    peak_gib: float | None = None
    parsed: str = ""
    note: str = ""

    def slope_ms(self) -> float | None:
        if len(self.cpu) < 2:
            return None
        (n1, c1), (n2, c2) = sorted(self.cpu.items())
        return 1000 * (c2 - c1) / (n2 - n1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--judgements", type=int, default=2000)
    parser.add_argument("--peers", nargs="*", default=ORDER, choices=ORDER)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="peers-") as tmp, BenchServer() as server:
        root = Path(tmp)
        prompts = write_prompts(root, args.judgements, server.url(0))
        results = [bench(peer, root, server, prompts, args.judgements) for peer in args.peers]
        print(f"server answered {server.requests} requests")
    report(results, args.judgements, time.perf_counter() - started)


def write_prompts(root: Path, n: int, base_url: str) -> Path:
    """The first n prompts as empathy-bench renders them for an LLM judge (the same judge file
    the empathy-bench runs use, so every peer sends exactly these)."""
    from empathy_bench.tasks.rate import rate

    judge = judge_file(root, "prompts", base_url)
    dataset = rate(task="epitome_reddit", judge=str(judge)).dataset
    if len(dataset) < n:
        sys.exit(f"EPITOME Reddit has {len(dataset)} items, fewer than the {n} judgements asked")
    path = root / "prompts.json"
    path.write_text(json.dumps([str(sample.input) for sample in dataset[:n]]))
    return path


def judge_file(root: Path, name: str, base_url: str) -> Path:
    path = root / f"judge-{name}.yaml"
    path.write_text(
        f"id: bench-{name}\nmodel: litellm/hosted_vllm/bench-judge\nbase_url: {base_url}\napi_key_env: none\n"
        f"generation: {{temperature: 0, max_tokens: 128, max_connections: {CONCURRENCY}}}\n"
    )
    return path


def bench(peer: str, root: Path, server: BenchServer, prompts: Path, n: int) -> Result:
    result = Result(peer)
    small = n // 4
    run: EmpathyBench | Driver
    if peer == "empathy-bench":
        run = EmpathyBench(root, server, n)
    else:
        python = sys.executable if peer == "bare" else install(peer, root, result)
        if python is None:
            return result
        run = Driver(peer, python, root, server, prompts)
    try:
        for count in (small, n):
            result.cpu[count] = run.cpu_at_zero(count)
        result.phase, result.peak_gib, result.parsed = run.at_latency(n)
        result.warm = run.warm_rerun(n)
    except RunFailed as failed:
        result.note = str(failed)
    print(f"{peer}: {result}", flush=True)
    return result


class RunFailed(Exception):
    pass


def _measure(command: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float, float]:
    """(wall, CPU of the whole process tree, peak RSS GiB) of a command run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = measured(command, env, cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RunFailed(f"exit {done.returncode}: {done.output.strip().splitlines()[-1:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.wall, cpu, done.peak_gib


class EmpathyBench:
    """`empathy-bench run` as a user runs it (the default shard count: one per core)."""

    def __init__(self, root: Path, server: BenchServer, n: int) -> None:
        self.root, self.server, self.n, self.runs = root / "empathy-bench", server, n, 0
        self.root.mkdir()

    def _run(self, n: int, latency: int, cache: str) -> tuple[float, float, float, Path]:
        self.runs += 1
        logs = self.root / f"logs-{self.runs}"
        judge = judge_file(self.root, f"{latency}ms", self.server.url(latency))
        command = [
            *(sys.executable, "-m", "empathy_bench.cli", "run", "--judge", str(judge), "--task", "epitome_reddit"),
            *("--limit", str(n), "--no-probes", "--max-connections", str(CONCURRENCY), "--display", "none"),
            *("--log-dir", str(logs), "--results-dir", str(self.root / f"runs-{self.runs}")),
        ]
        env = os.environ | {"INSPECT_CACHE_DIR": str(self.root / cache)}
        wall, cpu, peak = _measure(command, env, PROJECT)
        return wall, cpu, peak, logs

    def cpu_at_zero(self, n: int) -> float:
        return self._run(n, 0, f"cache-0ms-{n}")[1]

    def at_latency(self, n: int) -> tuple[float, float, str]:
        _, _, peak, logs = self._run(n, LATENCY_MS, "cache-200ms")
        return _judging_phase(logs), peak, _parsed(logs, n)

    def warm_rerun(self, n: int) -> float:
        wall, _, _, logs = self._run(n, LATENCY_MS, "cache-200ms")
        self.warm_parsed = _parsed(logs, n)
        print(f"empathy-bench warm re-run's log: {self.warm_parsed}", flush=True)
        return wall


def _log_file(logs: Path) -> str:
    found = sorted(logs.rglob("*.eval"))
    if len(found) != 1:
        raise RunFailed(f"expected one log under {logs}, found {len(found)}")
    return str(found[0])


def _judging_phase(logs: Path) -> float:
    """From the first sample's start to the last sample's end, as the log's sample summaries have
    them (the log header's own times are whole seconds)."""
    from datetime import datetime

    from inspect_ai.log import read_eval_log_sample_summaries

    summaries = read_eval_log_sample_summaries(_log_file(logs))
    starts = [datetime.fromisoformat(str(s.started_at)) for s in summaries if s.started_at]
    ends = [datetime.fromisoformat(str(s.completed_at)) for s in summaries if s.completed_at]
    if len(starts) != len(summaries) or len(ends) != len(summaries):
        raise RunFailed("the log's samples have no start or end times")
    return (max(ends) - min(starts)).total_seconds()


def _parsed(logs: Path, n: int) -> str:
    """How many of the log's samples hold their prompt, the reply and every parsed rating."""
    from inspect_ai.log import read_eval_log_samples

    complete = 0
    for sample in read_eval_log_samples(_log_file(logs), all_samples_required=False):
        dims = (sample.metadata or {}).get("dimensions", [])
        reply = sample.output.completion if sample.output else ""
        scores = [s for s in (sample.scores or {}).values()]
        values = scores[0].value if scores and isinstance(scores[0].value, dict) else {}
        if str(sample.input) and all(f'dimension="{d}"' in reply for d in dims) and all(d in values for d in dims):
            complete += 1
    return f"{complete}/{n} in the log with prompt, reply and ratings"


class Driver:
    """A peer driven by its script in benchmarks/peer_drivers/, on the given Python."""

    def __init__(self, peer: str, python: str, root: Path, server: BenchServer, prompts: Path) -> None:
        self.peer, self.python, self.server, self.prompts = peer, python, server, prompts
        self.root, self.runs = root / peer, 0
        self.root.mkdir()
        self.script = DRIVERS / ("bare_litellm.py" if peer == "bare" else PEERS[peer][2])

    def _run(self, n: int, latency: int, work: str) -> tuple[float, float, float, dict]:
        self.runs += 1
        out = self.root / f"result-{self.runs}.json"
        url = self.server.url(latency)
        env = os.environ | {
            "OPENAI_API_BASE": url,  # alpaca_eval
            "OPENAI_API_KEY": "none",
            "HOSTED_VLLM_API_BASE": url,  # MetaEvaluator (litellm reads it)
            "HOSTED_VLLM_API_KEY": "none",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # no network fetch of litellm's price map
        }
        command = [self.python, str(self.script), str(self.prompts), str(n), url, str(CONCURRENCY), str(out)]
        wall, cpu, peak = _measure([*command, str(self.root / work)], env)
        return wall, cpu, peak, json.loads(out.read_text())

    def cpu_at_zero(self, n: int) -> float:
        return self._run(n, 0, f"work-0ms-{n}")[1]

    def at_latency(self, n: int) -> tuple[float, float, str]:
        _, _, peak, done = self._run(n, LATENCY_MS, "work-200ms")
        return done["phase"], peak, f"{done['parsed']}/{n} parsed"

    def warm_rerun(self, n: int) -> float | None:
        if self.peer not in ("alpaca_eval", "inspect"):
            return None  # MetaEvaluator and the bare loop keep no cache
        return self._run(n, LATENCY_MS, "work-200ms")[0]


def install(peer: str, root: Path, result: Result) -> str | None:
    """The peer's own throwaway virtual environment; its Python, or None (and a note) if it cannot install."""
    packages, needs, _ = PEERS[peer]
    python = find_python(needs)
    if python is None:
        result.note = f"skipped: needs Python >= {needs}, none found on this machine (uv would have to download one)"
        return None
    venv = root / f"venv-{peer}"
    start = time.perf_counter()
    for command in (
        ["uv", "venv", "-q", "--no-python-downloads", "--python", python, str(venv)],
        ["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *packages],
    ):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            result.note = f"skipped: `{' '.join(command[:3])} ...` failed: {done.stderr.strip()[-300:]}"
            return None
    print(f"{peer}: installed {' '.join(packages)} in {time.perf_counter() - start:.0f} s", flush=True)
    return str(venv / "bin" / "python")


def find_python(version: str) -> str | None:
    """An installed interpreter of at least `version`: uv's own finding, then pyenv's versions
    (uv does not look inside ~/.pyenv/versions); never a download."""
    done = subprocess.run(
        ["uv", "python", "find", "--no-python-downloads", f">={version}"], capture_output=True, text=True
    )
    if done.returncode == 0 and _runs(done.stdout.strip()):
        return done.stdout.strip()
    wanted = tuple(int(p) for p in version.split("."))
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in sorted(pyenv.glob("3.*/bin/python3"), reverse=True):
        parts = candidate.parent.parent.name.split(".")
        if all(p.isdigit() for p in parts) and tuple(map(int, parts[:2])) >= wanted and _runs(str(candidate)):
            return str(candidate)
    return None


def _runs(python: str) -> bool:
    return (
        bool(python)
        and shutil.which(python) is not None
        and subprocess.run([python, "-V"], capture_output=True).returncode == 0
    )


def report(results: list[Result], n: int, total: float) -> None:
    bare = next((r.phase for r in results if r.peer == "bare" and r.phase), None)
    print(f"\n{n} EPITOME Reddit judgements, concurrency {CONCURRENCY}, one local server; {date.today()}, ", end="")
    print(f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}; whole benchmark {total:.0f} s")
    print(
        "| peer | CPU per judgement, slope at 0 ms | judging phase at 200 ms | x bare loop | warm re-run | peak RSS | "
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        slope = r.slope_ms()
        cells = [
            r.peer,
            f"{slope:.1f} ms" if slope is not None else "-",
            f"{r.phase:.1f} s" if r.phase else "-",
            f"{r.phase / bare:.2f}" if r.phase and bare else "-",
            f"{r.warm:.1f} s" if r.warm else "-",
            f"{r.peak_gib:.2f} GiB" if r.peak_gib else "-",
        ]
        print("| " + " | ".join(cells) + " |")
    for r in results:
        print(f"{r.peer}: {r.parsed}{'; ' if r.parsed and r.note else ''}{r.note}")
    verdicts(results)


def verdicts(results: list[Result]) -> None:
    by = {r.peer: r for r in results}
    ours, alpaca = by.get("empathy-bench"), by.get("alpaca_eval")
    if ours and ours.slope_ms() is not None:
        slope = ours.slope_ms() or 0.0
        print(f"target CPU per judgement <= 8 ms: {slope:.1f} ms, {'met' if slope <= 8 else 'not met'}")
    if ours and ours.warm and alpaca and alpaca.warm:
        met = "met" if ours.warm <= alpaca.warm else "not met"
        print(f"target warm re-run <= alpaca_eval's: {ours.warm:.1f} s against {alpaca.warm:.1f} s, {met}")
    floor = by.get("inspect")
    if floor and floor.slope_ms() is not None:
        warm = f"{floor.warm:.1f} s" if floor.warm else "-"
        print(
            f"inspect alone (no harness on inspect goes below it): {floor.slope_ms():.1f} ms CPU per judgement, "
            f"warm re-run {warm}"
        )


if __name__ == "__main__":
    main()
