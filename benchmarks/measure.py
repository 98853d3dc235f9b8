"""Shared by the benchmarks: run a command and measure its wall time and the peak resident memory
of its whole process tree (the command and every worker it forks, summed at each instant) and of
its largest process (issue 25's memory target is per process)."""

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
    peak_rss: int  # bytes, the tree's
    returncode: int
    output: str
    largest_rss: int = 0  # bytes, the largest single process's

    @property
    def peak_gib(self) -> float:
        return self.peak_rss / 2**30

    @property
    def largest_gb(self) -> float:
        return self.largest_rss / 1e9


def measured(command: list[str], env: dict[str, str], cwd: Path | None = None) -> Measured:
    """Run `command` to the end, polling the tree's summed RSS every POLL_SECONDS (its output goes
    to a file, not a pipe, so a chatty command never blocks on a full pipe)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True)
        root, peak, largest = psutil.Process(proc.pid), 0, 0
        while proc.poll() is None:
            each = _rss_each(root)
            peak, largest = max(peak, sum(each)), max(largest, *each, 0)
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - start
        out.seek(0)
        return Measured(wall, peak, proc.returncode, out.read(), largest)


def _rss_each(root: psutil.Process) -> list[int]:
    """The RSS of each process of the tree (those still there: a worker may just have exited)."""
    found = []
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return found
    for process in processes:
        try:
            found.append(process.memory_info().rss)
        except psutil.Error:
            pass
    return found
