"""Upstream reproduction (inspect alone, no harness code): `condense_sample` dumps every sample
whole and walks the dump twice, even where nothing needs it.

When a sample is logged (`inspect_ai._eval.task.run` -> `condense_sample(eval_sample, log_images)`,
`inspect_ai/log/_condense.py`), after the attachment walk (events, input and messages: text over
100 characters pooled as attachments) it runs `condensed_sample.model_dump(mode="python")` of the
whole sample (every event, message and model call), then
  - `exceeds_max_depth(dumped, 250)`: a walk of the whole dump, to refuse a sample nested too deeply
    to serialise, and
  - `attachment_refs_from_value(dumped)`: a second walk, collecting the attachment references, used
    only to drop attachments that were *rewritten* during this call and are no longer referenced.
A sample fresh from a run has no attachments yet, so nothing is rewritten and the second walk's
result is never used; and the depth walk can run on the sample's models directly
(`exceeds_max_depth` descends into pydantic models), without the dump.

This script runs the judge-shaped eval (benchmarks/upstream/inspect_only.py, N samples) with
inspect's own call to `condense_sample` wrapped (at run time, in this process) to time every call
and keep the samples it was given, then times, on those samples, `condense_sample` and its parts:
the dump, the depth walk on the dump, the reference walk, and the suggested replacement (the depth
walk on the condensed model itself, no dump, no reference walk when nothing was rewritten); it
checks the suggestion's verdict and kept attachments equal inspect's. Nothing inside inspect's files
is changed. Target: none; the figures say what the upstream change would save.

Run: uv run --frozen python benchmarks/upstream/condense_sample.py [N]   (default 1,000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import inspect_ai._eval.task.run as task_run
import inspect_ai.log._condense as condense_module
from inspect_ai._util.json import exceeds_max_depth
from inspect_ai.log import EvalSample
from inspect_ai.log._condense import (
    MAX_SAMPLE_DUMP_DEPTH,
    attachment_refs_from_value,
    condense_sample,
    existing_attachments_content_fn,
)
from inspect_only import judge_samples, run_eval

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
kept: list[EvalSample] = []
in_run = [0.0]


def timed_condense(sample: EvalSample, *args: Any, **kwargs: Any) -> EvalSample:
    start = time.perf_counter()
    try:
        return condense_sample(sample, *args, **kwargs)
    finally:
        in_run[0] += time.perf_counter() - start
        kept.append(sample)


def clock(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_eval(judge_samples(20), Path(tmp) / "warm-up")
        kept.clear()
        in_run[0] = 0.0
        task_run.condense_sample = timed_condense
        _, cpu, _ = run_eval(judge_samples(N), Path(tmp) / "run")
        task_run.condense_sample = condense_sample
    report(cpu)


def report(cpu: float) -> None:
    ms = 1000 / len(kept)
    print(f"{N} samples, inspect alone (mockllm, generate, pattern): {1000 * cpu / N:.2f} ms CPU a sample in the eval")
    print(f"condense_sample as the eval called it: {in_run[0] * ms:.2f} ms a sample")
    rewritten: list[set[str]] = []
    condense_module.existing_attachments_content_fn = watching(rewritten)
    whole, condensed_samples = clock(lambda: [condense_sample(s) for s in kept])
    condense_module.existing_attachments_content_fn = existing_attachments_content_fn
    dump = depth = refs = on_models = 0.0
    for condensed in condensed_samples:
        t, dumped = clock(condensed.model_dump, mode="python", exclude={"attachments"})
        dump += t
        t, deep = clock(exceeds_max_depth, dumped, MAX_SAMPLE_DUMP_DEPTH)
        depth += t
        refs += clock(attachment_refs_from_value, dumped)[0]
        t, deep_model = clock(
            exceeds_max_depth, condensed.model_copy(update={"attachments": {}}), MAX_SAMPLE_DUMP_DEPTH
        )
        on_models += t
        assert deep == deep_model, "the depth walk on the models decides differently"
    with_rewrites = sum(1 for r in rewritten if r) // 2  # two content functions per sample share one set
    print(f"on the same samples afterwards, ms a sample: condense_sample {whole * ms:.3f}, of which")
    print(f"  the attachment walk (the rest)       {(whole - dump - depth - refs) * ms:.3f}")
    print(f"  model_dump of the whole sample       {dump * ms:.3f}")
    print(f"  depth walk of the dump               {depth * ms:.3f}")
    print(
        f"  reference walk of the dump           {refs * ms:.3f}   (samples with a rewritten attachment: "
        f"{with_rewrites})"
    )
    print(
        f"suggested: the depth walk on the condensed models, no dump: {on_models * ms:.3f} "
        "(same verdict on every sample);"
    )
    saved = dump + depth + (refs if with_rewrites == 0 else 0.0) - on_models
    print(f"with the reference walk skipped where nothing was rewritten: {saved * ms:.3f} ms a sample saved")


def watching(rewritten: list[set[str]]) -> Any:
    """inspect's own existing_attachments_content_fn, noting the set of rewritten attachments it fills."""

    def fn(existing: Any, rewritten_attachments: set[str], content_fn: Any) -> Any:
        rewritten.append(rewritten_attachments)
        return existing_attachments_content_fn(existing, rewritten_attachments, content_fn)

    return fn


if __name__ == "__main__":
    main()
