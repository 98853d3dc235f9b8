"""Writing the board: leaderboard.csv, .json, .md, index.html and the README's excerpt, each
atomically and only when its text changed; CSV cells a spreadsheet would evaluate are neutralised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from empathy_bench.core.errors import InputError
from empathy_bench.core.files import refuse_link, write_text_atomic
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.markdown import README_START, markdown, with_readme_block
from empathy_bench.leaderboard.page import render_page


def write(results_dir: Path, board: dict[str, Any] | None = None) -> list[Path]:
    """Regenerate leaderboard.csv/.json/.md and index.html under `results_dir`, and the README's
    excerpt. Each file is written atomically, never through a link, and only when its text
    changed (an unchanged file keeps its bytes and mtime); README.md is listed only when its
    excerpt changed. `board`: one already built (`build(results_dir, verified_only=True)`, say)."""
    board = board if board is not None else build(results_dir)
    if not board["overall"] and not board["preference"] and not board["coach"] and not board.get("kind_tables"):
        raise InputError(
            results_dir / "runs",
            "no run records",
            "run `empathy-bench run` first (it writes results/runs/<task>/<rater>.json)",
        )
    files = {
        "leaderboard.csv": csv_text(board["overall"]),
        "preferences.csv": csv_text(board["preference"]),
        "coaches.csv": csv_text(board["coach"]),
        "leaderboard.json": json.dumps(board, indent=1, sort_keys=True) + "\n",
        "leaderboard.md": markdown(board),
        "index.html": render_page(board),
    }
    readme = results_dir.parent / "README.md"
    readme_text = None
    if readme.is_file() and README_START in (current := readme.read_text(encoding="utf-8")):
        readme_text = with_readme_block(current, board, readme)
        if readme_text == current:
            readme_text = None  # its excerpt is unchanged: README.md is not touched
    # every target is checked before any is written: a link stops the lot
    for target in [results_dir / name for name in files] + ([readme] if readme_text is not None else []):
        refuse_link(target)
    for name, text in files.items():
        write_text_atomic(results_dir / name, text)
    written = [results_dir / name for name in files]
    if readme_text is not None and write_text_atomic(readme, readme_text):
        written.append(readme)
    return written


# A cell a spreadsheet would read as a formula (OWASP, CSV injection): =, +, -, @, tab, CR, LF
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> object:
    """A text value a spreadsheet would evaluate gets a leading single quote ('=HYPERLINK(...)
    stays text); numbers, -0.12 included, and every other value stay as they are. A carriage
    return in a text is written as a line feed: the CSV writer quotes a cell holding a line feed
    (its line terminator) but not one holding a bare CR, which a reader would take for a new row."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV, every text cell neutralised (`csv_cell`)."""
    safe = [{key: csv_cell(value) for key, value in row.items()} for row in rows]
    return pd.DataFrame(safe).to_csv(index=False, lineterminator="\n")
