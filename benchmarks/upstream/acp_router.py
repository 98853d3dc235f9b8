"""Upstream reproduction (inspect alone, no harness code): every sample opens a live ACP session and
attaches the ACP event router, whether or not any ACP client is connected.

`inspect_ai.log._samples.active_sample` enters `inspect_ai.agent._acp.transport.acp_session()` for
every sample. The first entry installs a `LiveAcpTransport`, whose `__aenter__` captures the
transcript, builds an `_AcpEventRouter` and subscribes it to the sample's transcript. From then on
every event of the sample (spans, the model event twice: pending and complete, scores, state and
store changes, ...) goes through `_AcpEventRouter._process`: a depth tracker, then `_map_event`,
which builds the ACP session notifications (pydantic models) for it, and `publish`, which hands
them to the session's subscribers: none, when no ACP client is attached (the usual batch run).

This script runs the same judge-shaped eval (benchmarks/upstream/inspect_only.py: N samples,
mockllm, generate, pattern scorer) three ways, in one process, after a warm-up:
  as is              inspect unchanged;
  no live session    `acp_session` replaced, in this process only and for this run, by the no-op
                     session inspect already installs for nested sessions (`NoOpAcpTransport`):
                     what the suggested change would do while no ACP client is connected;
  as is, timed       inspect unchanged, with the time spent inside `_AcpEventRouter._process` and
                     `LiveAcpTransport.__aenter__`/`__aexit__` added up (a wrapper; this run's wall
                     time is not compared).
Each of the first two is timed REPEATS times, alternating, and the fastest kept (process CPU time
per sample, which other work on a shared machine disturbs less than wall time; the wall time is
printed beside it). Nothing inside
inspect's files is changed. Target: none; the figures say what the upstream change would save.

Run: uv run --frozen python benchmarks/upstream/acp_router.py [N] [REPEATS]   (default 1,000 and 3)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import inspect_ai.agent._acp.transport as transport
from inspect_ai.agent._acp.event_mapping import _AcpEventRouter
from inspect_ai.agent._acp.transport_live import LiveAcpTransport
from inspect_only import judge_samples, run_eval

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
ORIGINAL = transport.acp_session


@asynccontextmanager
async def no_live_session() -> AsyncIterator[transport.AcpTransport]:
    """The branch `acp_session` already takes for a nested session, taken for every sample."""
    install = transport.NoOpAcpTransport()
    token = transport._acp_var.set(install)
    try:
        async with install:
            yield install
    finally:
        transport._acp_var.reset(token)


spent = {"router": 0.0, "session enter/exit": 0.0}
events = [0]


def add_up(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    if name == "router":

        @wraps(fn)
        def timed(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args)
            finally:
                spent[name] += time.perf_counter() - start
                events[0] += 1

        return timed

    @wraps(fn)
    async def timed_async(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return await fn(*args)
        finally:
            spent[name] += time.perf_counter() - start

    return timed_async


def main() -> None:
    samples = judge_samples(N)
    best: dict[str, tuple[float, float]] = {}  # variant -> (CPU, wall), the lowest CPU
    with tempfile.TemporaryDirectory() as tmp:
        run_eval(samples[:20], Path(tmp) / "warm-up")
        for repeat in range(REPEATS):
            for variant in ("as is", "no live session"):
                transport.acp_session = no_live_session if variant == "no live session" else ORIGINAL
                wall, cpu, _ = run_eval(samples, Path(tmp) / f"{variant}-{repeat}")
                best[variant] = min(best.get(variant, (cpu, wall)), (cpu, wall))
        transport.acp_session = ORIGINAL
        _AcpEventRouter._process = add_up("router", _AcpEventRouter._process)  # type: ignore[method-assign]
        LiveAcpTransport.__aenter__ = add_up("session enter/exit", LiveAcpTransport.__aenter__)  # type: ignore[method-assign]
        LiveAcpTransport.__aexit__ = add_up("session enter/exit", LiveAcpTransport.__aexit__)  # type: ignore[method-assign]
        run_eval(samples, Path(tmp) / "timed")
    ms = 1000 / N
    print(f"{N} samples, inspect alone (mockllm, generate, pattern), best of {REPEATS}; ms per sample, CPU (wall):")
    for variant in ("as is", "no live session"):
        print(f"  {variant:<24} {best[variant][0] * ms:6.2f} ({best[variant][1] * ms:.2f})")
    saved = best["as is"][0] - best["no live session"][0]
    print(f"  saved                    {saved * ms:6.2f}  ({100 * saved / best['as is'][0]:.1f}% of the sample's CPU)")
    print(
        f"inside the router ({events[0] / N:.0f} events a sample): {spent['router'] * ms:.2f} ms per sample; ", end=""
    )
    print(f"LiveAcpTransport enter and exit: {spent['session enter/exit'] * ms:.2f} ms per sample")


if __name__ == "__main__":
    main()
