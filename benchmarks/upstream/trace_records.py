"""Upstream reproduction (inspect alone, no harness code): trace records are created and formatted
even where no destination takes them.

inspect's `init_logger` sets the `inspect_ai` logger's level to `min(TRACE, display level,
transcript level)`: TRACE whatever the trace file's level is. So every `trace_message` (the model
cache logs one per fetch and one per store: "[Cache] Fetching from cache: <path>") and every
`trace_action` enter/exit creates a LogRecord and hands it to inspect's `LogHandler`. Before the
handler's `emit` looks at any level, its `SampleContextFilter` formats the message
(`record.getMessage()`) and prefixes the sample's id, for every record. Then `emit` writes the
record as JSON to the trace file when the record reaches the trace level (`INSPECT_TRACE_LEVEL`,
TRACE by default), and drops it otherwise. So with the trace file turned down
(`INSPECT_TRACE_LEVEL=warning`) each record is still created and formatted, then discarded.

This script runs the judge-shaped eval (benchmarks/upstream/inspect_only.py) with inspect's model
cache on (a fresh cache each run, so every sample fetches and stores once), counts the TRACE
records a sample produces, and times three configurations, alternating, REPEATS times each, keeping
the lowest process CPU time:
  default                trace file at TRACE (as inspect runs by default);
  trace file at WARNING  what INSPECT_TRACE_LEVEL=warning sets (the handler's trace level), the
                         records still created and formatted;
  records skipped        the trace file at WARNING and the `inspect_ai` logger's level at INFO (the
                         lowest level any destination still takes: display WARNING, transcript
                         INFO): what the suggested capture level would give, no TRACE record made.
The levels are set at run time on inspect's own handler and logger; nothing inside inspect's files
is changed. Target: none; the figures say what the upstream change would save.

Run: uv run --frozen python benchmarks/upstream/trace_records.py [N] [REPEATS]   (default 1,000 and 3)
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from inspect_ai._util.constants import TRACE
from inspect_ai._util.logger import _logHandler
from inspect_only import judge_samples, run_eval

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
VARIANTS = ("default", "trace file at WARNING", "records skipped")


class Count(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == TRACE:
            category = re.search(r"\[([\w ]+)\]", str(record.msg))  # "[Cache] ...", after the sample prefix
            self.seen[getattr(record, "action", None) or (category[1] if category else "other")] += 1
        return True


def configure(variant: str, default_level: int, default_trace: int) -> None:
    handler = _logHandler["handler"]
    assert handler is not None
    handler.trace_logger_level = default_trace if variant == "default" else logging.WARNING
    logging.getLogger("inspect_ai").setLevel(logging.INFO if variant == "records skipped" else default_level)


def main() -> None:
    samples = judge_samples(N)
    best: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["INSPECT_CACHE_DIR"] = str(root / "cache-warm-up")
        run_eval(samples[:20], root / "warm-up", cache=True)  # initialises inspect's logger
        handler = _logHandler["handler"]
        assert handler is not None
        default_level, default_trace = logging.getLogger("inspect_ai").level, handler.trace_logger_level
        count = Count()
        handler.addFilter(count)  # added after SampleContextFilter: it sees what the trace file would
        os.environ["INSPECT_CACHE_DIR"] = str(root / "cache-count")
        run_eval(samples, root / "count", cache=True)
        handler.removeFilter(count)
        for repeat in range(REPEATS):
            for variant in VARIANTS:
                configure(variant, default_level, default_trace)
                os.environ["INSPECT_CACHE_DIR"] = str(root / f"cache-{variant}-{repeat}")
                wall, cpu, _ = run_eval(samples, root / f"{variant}-{repeat}", cache=True)
                best[variant] = min(best.get(variant, (cpu, wall)), (cpu, wall))
        configure("default", default_level, default_trace)
    per_sample = ", ".join(f"{k} {v / N:g}" for k, v in count.seen.most_common())
    print(f"TRACE records per sample (cache on, every sample a miss): {sum(count.seen.values()) / N:g} ({per_sample})")
    ms = 1000 / N
    print(
        f"{N} samples, inspect alone (mockllm, generate(cache=True), pattern), best of {REPEATS}; "
        "ms per sample, CPU (wall):"
    )
    for variant in VARIANTS:
        print(f"  {variant:<24} {best[variant][0] * ms:6.2f} ({best[variant][1] * ms:.2f})")
    off, skipped = best["trace file at WARNING"][0], best["records skipped"][0]
    print(f"with the trace file off, creating and formatting the records costs {(off - skipped) * ms:.2f} ms a sample")
    print(f"the trace file at its default costs {(best['default'][0] - skipped) * ms:.2f} ms a sample in all")


if __name__ == "__main__":
    main()
