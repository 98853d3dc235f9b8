"""Shared by the benchmarks: run a command and measure its wall time and the peak resident memory
of its whole process tree (the command and every worker it forks, summed at each instant)."""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

POLL_SECONDS = 0.1


@dataclass
class Measured:
    wall: float
    peak_rss: int  # bytes
    returncode: int
    output: str

    @property
    def peak_gib(self) -> float:
        return self.peak_rss / 2**30


def measured(command: list[str], env: dict[str, str], cwd: Path | None = None) -> Measured:
    """Run `command` to the end, polling the tree's summed RSS every POLL_SECONDS (its output goes
    to a file, not a pipe, so a chatty command never blocks on a full pipe)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True)
        root, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(root))
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - start
        out.seek(0)
        return Measured(wall, peak, proc.returncode, out.read())


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    try:
        for process in [root, *root.children(recursive=True)]:
            total += process.memory_info().rss
    except psutil.Error:  # a worker that just exited
        pass
    return total
