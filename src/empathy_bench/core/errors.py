"""Errors that name the input, the place in it, and the fix."""

from __future__ import annotations

from pathlib import Path


class EmpathyBenchError(Exception):
    """Base class: every error the harness raises on purpose."""


class InputError(EmpathyBenchError):
    """Bad input: says which file, which row or field, what is wrong and how to fix it."""

    def __init__(self, source: str | Path, problem: str, fix: str, where: str = "") -> None:
        self.source = str(source)
        self.where = where
        self.problem = problem
        self.fix = fix
        location = f"{self.source}, {where}" if where else self.source
        super().__init__(f"{location}: {problem}. Fix: {fix}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, str, str]]:
        # pickled by its fields (a worker process hands it back whole), not by the message
        return (type(self), (self.source, self.problem, self.fix, self.where))


class ChecksumError(EmpathyBenchError):
    """A data file's sha256 differs from the one pinned in its source card."""
