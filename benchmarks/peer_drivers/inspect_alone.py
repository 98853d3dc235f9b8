"""Peer driver: inspect alone (inspect-ai, the project's release, run in its own throwaway
environment), the floor under any harness built on inspect, empathy-bench included.

The same prompts as one inspect task: a sample per prompt, inspect's `generate()` with its cache
on (`CachePolicy(expiry=None)`, as empathy-bench caches), inspect's `pattern()` scorer on the first
rating line, no code of a harness. The model is inspect's own OpenAI-compatible provider
(`openai-api/bench/bench-judge`, reaching the server through BENCH_BASE_URL); the project's
environment cannot load it (inspect asks for openai >= 3.4, litellm's pin keeps the project on 2.x),
hence the environment of its own. Run through `eval_set` with the settings empathy-bench gives
inspect (runs/execute.py `eval_set_settings`: no realtime log buffer, one task at a time, no
running metrics without a display, no task retries), `max_samples` and `max_connections` the
benchmark's concurrency. Each run writes a fresh log dir under WORKDIR; the cache is WORKDIR's,
so a second run with the same WORKDIR is the warm re-run, replayed from the cache into a new log.

Run by benchmarks/peers.py: python inspect_alone.py PROMPTS N BASE_URL CONCURRENCY RESULT WORKDIR"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

RATING = r'<rating dimension="[a-z0-9_]+">(\d)</rating>'


def main() -> None:
    prompts_file, n, base_url, concurrency, result, workdir = sys.argv[1:7]
    prompts = json.loads(Path(prompts_file).read_text())[: int(n)]
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    os.environ |= {"BENCH_BASE_URL": base_url, "BENCH_API_KEY": "none", "INSPECT_CACHE_DIR": str(work / "cache")}
    from inspect_ai import Task, eval_set
    from inspect_ai.dataset import Sample
    from inspect_ai.log import read_eval_log_sample_summaries
    from inspect_ai.model import CachePolicy, GenerateConfig, get_model
    from inspect_ai.scorer import pattern
    from inspect_ai.solver import generate

    task = Task(
        name="bench",
        dataset=[Sample(input=prompt, id=i) for i, prompt in enumerate(prompts, 1)],
        solver=generate(cache=CachePolicy(expiry=None)),
        scorer=pattern(RATING),
    )
    model = get_model("openai-api/bench/bench-judge", config=GenerateConfig(temperature=0, max_tokens=128))
    logs = work / f"logs-{time.time_ns()}"
    ok, done = eval_set(
        [task],
        model=model,
        log_dir=str(logs),
        max_connections=int(concurrency),
        max_samples=int(concurrency),
        max_tasks=1,
        display="none",
        log_realtime=False,
        score_display=False,
        retry_attempts=0,
        retry_immediate=False,
        retry_wait=1,
    )
    if not ok:
        sys.exit(f"inspect's eval_set did not finish: {[log.status for log in done]}")
    summaries = read_eval_log_sample_summaries(done[0].location)
    # the judging phase as peers.py times empathy-bench's: first sample's start to last one's end
    starts = [datetime.fromisoformat(str(s.started_at)) for s in summaries if s.started_at]
    ends = [datetime.fromisoformat(str(s.completed_at)) for s in summaries if s.completed_at]
    phase = (max(ends) - min(starts)).total_seconds()
    parsed = sum(1 for s in summaries if s.scores and next(iter(s.scores.values())).answer)
    Path(result).write_text(json.dumps({"phase": phase, "judged": len(summaries), "parsed": parsed}))


if __name__ == "__main__":
    main()
