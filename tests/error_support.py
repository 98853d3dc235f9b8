"""What the tests of malformed project files share: the error names the file, the field, the
problem and the fix."""

from __future__ import annotations

from pathlib import Path

from empathy_bench.core.errors import InputError


def assert_names_field(err: InputError, path: Path, field: str, problem: str, fix: str) -> None:
    message = str(err)
    assert str(path) in message
    assert f"field '{field}'" in message
    assert problem in message
    assert f"Fix: {fix}" in message
