"""Benchmark: harness overhead over a bare litellm loop, and the cached re-run.

2,000 judgements through the built-in `constant` judge with a fixed 200 ms latency
(`builtin/constant@200ms`), at concurrency 50:
  harness: the `rate` task on inspect's eval_set (what `empathy-bench run` does), cache on;
  bare:    asyncio.gather over litellm.acompletion with a semaphore of 50, same prompts;
  cached:  the harness again with a fresh log dir, every reply served from inspect's cache;
  floor:   inspect alone on the same samples: eval_set with the harness's settings, a solver that
           calls nothing and a constant scorer. No harness on inspect can run faster than this in
           one process, so floor/bare is the lowest harness/bare (or cached/bare) reachable here.
Targets (issue 13): harness / bare <= 1.3 at 200 ms and <= 1.1 at 1,000 ms; cached / bare <= 0.5
at 200 ms. Ideal bare time: 2000 / 50 x 0.2 s = 8 s. One task: the worker processes of
`empathy-bench run` share out tasks, not the samples of one, so this measures one process.

Run: EMPATHY_BENCH_DATA=../shared/data uv run python benchmarks/harness_overhead.py [LATENCY_MS]
(default 200; a slower provider, e.g. 1000, shows how the fixed per-sample cost of the runner
hides behind provider latency).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from inspect_ai import Task
from inspect_ai.dataset import Sample
from inspect_ai.model import ModelOutput
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

N, CONCURRENCY = 2000, 50


def harness(log_dir: Path, judge_file: Path) -> float:
    from empathy_bench.runs.execute import RunOptions, run_eval_set
    from empathy_bench.tasks.rate import rate

    task = rate(task="epitome_reddit", judge=str(judge_file))
    options = RunOptions(log_dir=str(log_dir), limit=N, max_connections=CONCURRENCY, display="none")
    start = time.perf_counter()
    ok, _ = run_eval_set([task], options, max_samples=CONCURRENCY)
    assert ok, "harness run failed"
    return time.perf_counter() - start


def floor(log_dir: Path, samples: list[Sample]) -> float:
    from empathy_bench.runs.execute import RunOptions, run_eval_set

    task = Task(name="floor", dataset=samples, solver=[no_call()], scorer=constant(), model="mockllm/model")
    options = RunOptions(log_dir=str(log_dir), max_connections=CONCURRENCY, display="none")
    start = time.perf_counter()
    ok, _ = run_eval_set([task], options, max_samples=CONCURRENCY)
    assert ok, "floor run failed"
    return time.perf_counter() - start


@solver
def no_call() -> Solver:
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.output = ModelOutput.from_content("mockllm/model", "{}")
        return state

    return solve


@scorer(metrics=[mean()])
def constant() -> Scorer:
    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=1.0)

    return score


async def bare(prompts: list[str], model: str) -> float:
    """Wall seconds for `prompts` sent to `model` (a litellm model string, e.g. a built-in one)
    through litellm.acompletion alone, CONCURRENCY at a time (also inspect_floor.py's bare loop)."""
    import litellm

    from empathy_bench.candidates.builtin import provider as builtin

    builtin.register()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(prompt: str) -> str:
        async with gate:
            reply = await litellm.acompletion(
                model=model, messages=[{"role": "user", "content": prompt}], num_retries=0
            )
            return reply.choices[0].message.content

    start = time.perf_counter()
    replies = await asyncio.gather(*(one(p) for p in prompts))
    assert len(replies) == len(prompts)
    return time.perf_counter() - start


def main() -> None:
    from empathy_bench.tasks.rate import rate

    latency_ms = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    model = f"builtin/constant@{latency_ms}ms"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["INSPECT_CACHE_DIR"] = str(Path(tmp) / "cache")  # a cold cache, then a warm one
        judge = Path(tmp) / "latency.yaml"
        judge.write_text(f"id: latency\nmodel: litellm/{model}\noffline: true\n")
        samples = list(rate(task="epitome_reddit", judge=str(judge)).dataset[:N])
        t_bare = asyncio.run(bare([str(s.input) for s in samples], model))
        t_harness = harness(Path(tmp) / "logs-1", judge)
        t_cached = harness(Path(tmp) / "logs-2", judge)
        t_floor = floor(Path(tmp) / "logs-3", samples)
    print(
        f"{N} judgements, concurrency {CONCURRENCY}, provider latency {latency_ms} ms "
        f"(ideal {N / CONCURRENCY * latency_ms / 1000:.1f} s)"
    )
    print(f"bare asyncio.gather over litellm.acompletion: {t_bare:.2f} s")
    print(
        f"harness (inspect eval_set, cache on):         {t_harness:.2f} s   "
        f"ratio harness/bare = {t_harness / t_bare:.3f}"
    )
    print(
        f"harness re-run served from cache:             {t_cached:.2f} s   ratio cached/bare = {t_cached / t_bare:.3f}"
    )
    print(f"inspect alone (no call, constant scorer):     {t_floor:.2f} s   ratio floor/bare = {t_floor / t_bare:.3f}")
    target = 1.3 if latency_ms <= 200 else 1.1
    print(f"targets: harness/bare <= {target}" + (", cached/bare <= 0.5" if latency_ms <= 200 else ""))


if __name__ == "__main__":
    main()
