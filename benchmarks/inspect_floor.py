"""Benchmark: the harness's cost per sample against inspect's floor, at 0 ms and 200 ms provider latency.

Inspect's floor (issue 25) is the same samples through inspect's `eval_set` with inspect's own
`mockllm/model` answering and no harness code: the task is inspect's `generate()` solver and its
`pattern()` scorer, so it includes inspect's whole model-call path (the model event, the model
call record, retries, concurrency) but no litellm, no harness solver, scorer or cache policy.
`mockllm/model` answers through an async `custom_outputs` callable that sleeps the latency and
returns the rating lines the prompt asks for, with token usage set (as a provider's reply has it,
so mockllm does not count the prompt's tokens with tiktoken).

The harness is the `rate` task on EPITOME Reddit through `run_eval_set` (what `empathy-bench run`
runs for one judge): its task, solver, scorer, cache policy (cache on and cold: a fresh inspect
cache each run) and settings. It is timed twice:

- **with mockllm answering**, the same `mockllm/model` as the floor put in place of its judge's
  model: the same samples and model as the floor, so harness / floor is what the harness adds to
  inspect. This is the ratio the target is read on.
- **with the built-in judge**, `builtin/constant@<L>ms` through litellm, as `empathy-bench run`
  runs it: built-in judges reach litellm like any provider by design (../shared/DESIGN.md: "every
  code path is the same for local and remote judges"), so this adds litellm's transport.

Two configurations in between say where the rest goes: "floor + inspect's cache" is the floor
with `generate(cache=True)` (a cold cache: every sample fetches, misses and stores), which the
harness pays too; "floor + cache via litellm" is that with `litellm/builtin/constant@<L>ms` in
place of mockllm (the harness's inspect ModelAPI, `litellm.acompletion`, the built-in reply) and
still no harness task, solver or scorer: the floor under any harness that calls through inspect's
cache and litellm. Last, the "bare litellm loop": the same prompts to the built-in judge through
`litellm.acompletion` alone (asyncio, 50 at a time, no inspect): litellm's transport by itself, as
a share of the floor: a harness whose candidates reach their model through litellm pays about
that share on top of the floor (mockllm's own reply, which it replaces, costs far less), so where
it is over 0.15 the target cannot be met on that path.

All run in this one process with the same inspect settings (the harness's `eval_set_settings`:
no realtime log buffer, one task at a time, no running metrics without a display), 50 samples and
50 connections at a time, display none. Each configuration is first warmed up on 20 samples
(inspect and litellm import and compile parts of themselves on first use), then timed REPEATS
times, alternating the configurations (this machine's speed drifts by a third over minutes: only
configurations timed side by side compare); the fastest of the repeats is kept. Cost per sample =
wall / samples; the process CPU time per sample is printed beside it, and the ratio of both (the
CPU ratio is the one other work on a shared machine disturbs least; the load average is printed
before and after).

Target (issue 25): harness / floor <= 1.15 at 0 ms and at 200 ms.

Run: EMPATHY_BENCH_DATA=../shared/data uv run --frozen python benchmarks/inspect_floor.py [--samples N] [--repeats R]
(default 1,000 samples, 3 repeats: about 8 minutes on a 2-core machine.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio
from inspect_ai import Task, eval_set
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import pattern
from inspect_ai.solver import generate

CONCURRENCY = 50
LATENCIES_MS = (0, 200)
TARGET = 1.15
KINDS = (
    "floor",
    "floor + cache",
    "harness, mockllm",
    "floor + cache via litellm",
    "harness, built-in",
    "bare litellm loop",
)
DIMENSION_RE = re.compile(r'<rating dimension="([a-z0-9_]+)">N</rating>')


@dataclass
class Timed:
    wall: float
    cpu: float


def settings(log_dir: Path) -> dict[str, object]:
    """The inspect settings the harness runs with (a dict of inspect's own options; the floor
    passes them to inspect's eval_set itself, so no harness code runs in the floor)."""
    from empathy_bench.runs.execute import RunOptions, eval_set_settings

    options = RunOptions(log_dir=str(log_dir), max_connections=CONCURRENCY, display="none")
    return eval_set_settings(options) | {"max_samples": CONCURRENCY}


def mock_reply(latency_s: float) -> Callable[..., object]:
    """mockllm's custom_outputs: wait the provider latency, then rate every dimension asked (1)."""

    async def reply(
        input: list[ChatMessage], tools: object, tool_choice: object, config: GenerateConfig
    ) -> ModelOutput:
        if latency_s:
            await anyio.sleep(latency_s)
        dims = DIMENSION_RE.findall(input[-1].text)
        output = ModelOutput.from_content(
            "mockllm/model", "\n".join(f'<rating dimension="{d}">1</rating>' for d in dims)
        )
        output.usage = ModelUsage(input_tokens=1000, output_tokens=30, total_tokens=1030)
        return output

    return reply


def mockllm(latency_ms: int) -> Model:
    return get_model("mockllm/model", custom_outputs=mock_reply(latency_ms / 1000), memoize=False)


def builtin(latency_ms: int) -> Model:
    """The built-in constant judge with the latency, through the harness's litellm ModelAPI."""
    return get_model(f"litellm/builtin/constant@{latency_ms}ms", memoize=False)


def floor(
    samples: list[Sample], latency_ms: int, log_dir: Path, cache: bool = False, via_litellm: bool = False
) -> Timed:
    """inspect's `generate()` and `pattern()`: on mockllm, or on the built-in judge through litellm."""
    os.environ["INSPECT_CACHE_DIR"] = str(log_dir.parent / f"cache-{log_dir.name}")  # cold
    task = Task(
        name=f"floor_{latency_ms}ms{'_cache' if cache else ''}{'_litellm' if via_litellm else ''}",
        dataset=samples,
        solver=generate(cache=cache),
        scorer=pattern(r'<rating dimension="level_emotional_reactions">(\d)</rating>'),
        model=builtin(latency_ms) if via_litellm else mockllm(latency_ms),
    )
    return _timed(lambda: eval_set([task], **settings(log_dir)))  # type: ignore[arg-type]


def harness(n: int, latency_ms: int, log_dir: Path, on_mockllm: bool = False) -> Timed:
    """The rate task as `empathy-bench run` runs it, judged by the built-in constant judge, or
    (`on_mockllm`) with the floor's mockllm in place of that judge's model."""
    from empathy_bench.runs.execute import RunOptions, run_eval_set
    from empathy_bench.tasks.rate import rate

    judge = log_dir.parent / f"constant-{latency_ms}ms.yaml"
    judge.write_text(f"id: constant-{latency_ms}ms\nmodel: litellm/builtin/constant@{latency_ms}ms\noffline: true\n")
    task = rate(task="epitome_reddit", judge=str(judge))
    if on_mockllm:
        task.model = mockllm(latency_ms)
    options = RunOptions(log_dir=str(log_dir), limit=n, max_connections=CONCURRENCY, display="none")
    os.environ["INSPECT_CACHE_DIR"] = str(log_dir.parent / f"cache-{log_dir.name}")  # cold, as a first run is
    return _timed(lambda: run_eval_set([task], options, max_samples=CONCURRENCY))


def bare_litellm(samples: list[Sample], latency_ms: int) -> Timed:
    """The same prompts to the built-in judge through `litellm.acompletion` alone (harness_overhead.py's
    bare loop, 50 at a time, no inspect): what litellm's transport costs by itself."""
    from harness_overhead import bare

    def run() -> tuple[bool, list]:
        asyncio.run(bare([str(s.input) for s in samples], f"builtin/constant@{latency_ms}ms"))
        return True, []

    return _timed(run)


def epitome_samples(root: Path, n: int) -> list[Sample]:
    """The first n EPITOME Reddit samples as the harness renders them for an LLM judge."""
    from empathy_bench.tasks.rate import rate

    judge = root / "prompts.yaml"
    judge.write_text("id: prompts\nmodel: litellm/builtin/constant\noffline: true\n")
    return list(rate(task="epitome_reddit", judge=str(judge)).dataset[:n])


def floor_seconds_per_sample(n: int = 1000) -> float:
    """Inspect's floor at 0 ms latency, CPU seconds per sample, measured now on `n` EPITOME Reddit
    samples (after a 20-sample warm-up), for other benchmarks to set their figures beside."""
    with tempfile.TemporaryDirectory() as tmp:
        samples = epitome_samples(Path(tmp), n)
        floor(samples[:20], 0, Path(tmp) / "warm-up")
        return floor(samples, 0, Path(tmp) / "timed").cpu / len(samples)


def _timed(run: Callable[[], tuple[bool, list]]) -> Timed:
    wall, cpu = time.perf_counter(), time.process_time()
    ok, logs = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert ok and all(log.status == "success" for log in logs), "an eval set did not finish"
    return Timed(wall, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    started, load = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        samples = epitome_samples(root, args.samples)
        best: dict[tuple[str, int], Timed] = {}
        runs = 0
        for repeat in range(-1, args.repeats):  # repeat -1: the warm-up on 20 samples, not kept
            n = 20 if repeat < 0 else args.samples
            for latency in LATENCIES_MS:
                for kind in KINDS:
                    runs += 1
                    log_dir = root / f"logs-{runs}"
                    if kind == "bare litellm loop":
                        timed = bare_litellm(samples[:n], latency)
                    elif kind.startswith("harness"):
                        timed = harness(n, latency, log_dir, on_mockllm=kind == "harness, mockllm")
                    else:
                        timed = floor(
                            samples[:n], latency, log_dir, cache=kind != "floor", via_litellm="litellm" in kind
                        )
                    if repeat >= 0 and ((kind, latency) not in best or timed.wall < best[kind, latency].wall):
                        best[kind, latency] = timed
    report(best, args.samples, args.repeats, time.perf_counter() - started)
    print(f"load average (1 min): {load:.1f} before, {os.getloadavg()[0]:.1f} after; {os.cpu_count()} cores")


def report(best: dict[tuple[str, int], Timed], n: int, repeats: int, total: float) -> None:
    print(f"{n} EPITOME Reddit samples, concurrency {CONCURRENCY}, one process, fastest of {repeats} runs each")
    print("ms per sample, wall (CPU):")
    print(f"| provider latency | {' | '.join(KINDS)} |")
    print("|---|" + "---|" * len(KINDS))
    for latency in LATENCIES_MS:
        cells = [
            f"{1000 * best[kind, latency].wall / n:.2f} ({1000 * best[kind, latency].cpu / n:.2f})" for kind in KINDS
        ]
        print(f"| {latency} ms | {' | '.join(cells)} |")
    print("ratios, wall (CPU):")
    print(
        "| provider latency | harness / floor, both on mockllm (target) | harness, built-in / floor "
        "| floor + cache via litellm / floor | harness, built-in / floor + cache via litellm "
        "| bare litellm loop / floor |"
    )
    print("|---|---|---|---|---|---|")
    for latency in LATENCIES_MS:
        f, _, hm, t, hb, bare = (best[kind, latency] for kind in KINDS)
        pairs = ((hm, f), (hb, f), (t, f), (hb, t), (bare, f))
        cells = [f"{a.wall / b.wall:.2f} ({a.cpu / b.cpu:.2f})" for a, b in pairs]
        print(f"| {latency} ms | **{cells[0]}** | {' | '.join(cells[1:])} |")
    print(
        f"target: harness / floor <= {TARGET} at each latency; ideal wall at 200 ms: {200 / CONCURRENCY:.1f} ms/sample"
    )
    print(f"whole script {total:.0f} s")


if __name__ == "__main__":
    main()
