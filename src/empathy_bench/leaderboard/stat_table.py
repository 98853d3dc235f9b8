"""The board table of each registered kind that declares columns (core/kinds.py): a pivot of its
rows' statistics (agreement/statistics.py), one row per (task, rater), one cell per column (the
plain figure over every criterion), its interval and n beside it. The built-in kinds declare no
columns here: their tables (rate_table.py, compare_table.py, coach_table.py) pivot the same
statistics by their own fields, into the shapes the page and the files have always had. The same
sections reach leaderboard.md and the terminal (`kind_sections`); the page draws `kind_tables`
itself (assets/page.js)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from empathy_bench.agreement.statistics import Statistics
from empathy_bench.core.kinds import Kind, kinds
from empathy_bench.leaderboard.columns import REPORTED_MARK, markdown_cell, number, table
from empathy_bench.leaderboard.fields import Field, pivot
from empathy_bench.leaderboard.record import RunRecord


def kind_tables(records: list[RunRecord]) -> dict[str, Any]:
    """{kind name: its title, columns and rows} for every kind with columns and rows; {} when none
    has any, so a board without such kinds is unchanged."""
    out: dict[str, Any] = {}
    for kind in kinds():
        mine = [r.agreement for r in records if r.task.kind == kind.name and r.agreement.probe is None]
        if kind.columns and mine:
            out[kind.name] = {
                "title": kind.title or kind.name,
                "columns": [
                    {"metric": c.metric, "label": c.label, "lower_is_better": c.lower_is_better, "interval": c.interval}
                    for c in kind.columns
                ],
                "rows": [_row(a, kind) for a in sorted(mine, key=lambda a: (a.task, a.rater))],
            }
    return out


def _row(a: Statistics, kind: Kind) -> dict[str, Any]:
    """A row's plain figure over every criterion per column, with its n and, where the column has
    one, its interval; as the kind recorded them (its own precision)."""
    fields = [Field(c.metric, interval=c.interval, exact=True, n=True) for c in kind.columns]
    return {"task": a.task, "rater": a.rater, "rater_type": a.rater_type, "role": a.role} | pivot(a, fields)


# One kind table's part for one task: its title, header, cells as text and the rows they came from
Section = tuple[str, list[str], list[list[str]], list[dict[str, Any]]]


def kind_sections(tables: dict[str, Any], reported: Collection[tuple[str, str]] = ()) -> list[Section]:
    """Each kind table (`kind_tables`'s shape) per task, as text: "task (title, kind name)", then
    rater, rater type and value [low, high] (n) per column; a (task, rater) in `reported` has its
    rater marked as the other tables mark it. Markdown (`kind_markdown`) and the terminal print it."""
    sections: list[Section] = []
    for name, found in tables.items():
        columns = found["columns"]
        head = ["rater", "type", *(c["label"] + (" ↓" if c["lower_is_better"] else "") for c in columns)]
        for task in dict.fromkeys(r["task"] for r in found["rows"]):
            rows = [r for r in found["rows"] if r["task"] == task]
            body = [[_rater(r, reported), r["rater_type"], *(_cell(r, c) for c in columns)] for r in rows]
            sections.append((f"{task} ({found['title']}, kind {name})", head, body, rows))
    return sections


def kind_markdown(board: dict[str, Any]) -> list[str]:
    """Each kind table as a Markdown section per task (`kind_sections`)."""
    reported = {(p["task"], p["rater"]) for p in board.get("provenance", []) if p.get("status") == "reported"}
    parts: list[str] = []
    for title, head, body, _ in kind_sections(board.get("kind_tables", {}), reported):
        parts += [f"## {markdown_cell(title)}", "", table(head, body), ""]  # its title is a package's text
    return parts


def _rater(row: dict[str, Any], reported: Collection[tuple[str, str]]) -> str:
    return str(row["rater"]) + (REPORTED_MARK if (row["task"], row["rater"]) in reported else "")


def _cell(row: dict[str, Any], column: dict[str, Any]) -> str:
    metric = column["metric"]
    if row[metric] is None:
        return number(None)
    low, high = (row[f"{metric}_low"], row[f"{metric}_high"]) if column["interval"] else (None, None)
    return f"{number(row[metric], low, high)} ({row[f'{metric}_n']})"
