"""No source module over 450 lines: a longer module holds more than one thing and is split by
what it does (one noun per module)."""

from __future__ import annotations

from pathlib import Path

import empathy_bench

MAX_LINES = 450
SOURCE = Path(empathy_bench.__file__).parent


def long_modules(root: Path, limit: int = MAX_LINES) -> dict[str, int]:
    """Each module under `root` longer than `limit` lines, by its path relative to `root`."""
    counts = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in sorted(root.rglob("*.py"))}
    return {path.relative_to(root).as_posix(): n for path, n in counts.items() if n > limit}


def test_no_source_module_is_over_the_limit() -> None:
    offenders = long_modules(SOURCE)
    assert not offenders, f"modules over {MAX_LINES} lines (split them by what they do): " + ", ".join(
        f"{path} ({n} lines)" for path, n in offenders.items()
    )


def test_the_count_is_lines_and_the_limit_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "at_limit.py").write_text("x = 1\n" * 450)
    (tmp_path / "pkg" / "over.py").write_text("x = 1\n" * 451)
    (tmp_path / "notes.txt").write_text("x\n" * 1000)  # not a module
    assert long_modules(tmp_path) == {"pkg/over.py": 451}
