"""The paired comparisons of a task's raters (agreement/paired.py) on disk and on the board.

On disk: results/runs/<task>/_comparisons.json (`COMPARISONS_FILE`), one per task the run
measured: every comparison of the task (one per criterion on a compare task), measured from the
same run's rows, since a paired difference needs both raters' draws and the draws are not kept.
A rater whose record comes from another run is in no comparison: its rank is "–".

On the board: each main table's rank column (`with_ranks`), the comparisons as JSON rows
(`comparison_rows`) and, in leaderboard.md, one matrix per task: row minus column with its
interval, bold where the interval excludes 0 (`matrix_markdown`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from empathy_bench.agreement.paired import Comparison, difference, excludes_zero
from empathy_bench.core.errors import InputError
from empathy_bench.core.files import make_folder, refuse_link, write_text_atomic
from empathy_bench.leaderboard.columns import DASH, number, table
from empathy_bench.leaderboard.record import COMPARISONS_FILE, _load_json, _rounded

# 2: a compared rater's type (run, baseline, recorded, human) is `rater_type` (was `kind`)
COMPARISONS_SCHEMA_VERSION = 2
DIGITS = 4  # as the board rounds every figure
# What each compared figure is called in the tables (the column it is the headline of).
METRIC_LABELS = {
    "qwk_loo": "QWK, ceiling's references",
    "qwk": "QWK",
    "accuracy": "accuracy",
    "mean_kappa_loo": "targeting kappa, ceiling's references",
    "mean_kappa": "targeting kappa",
}


class ComparisonFile(BaseModel):
    """results/runs/<task>/_comparisons.json: every comparison of one task's raters."""

    schema_version: int = COMPARISONS_SCHEMA_VERSION
    task: str
    comparisons: list[Comparison]


def write_comparisons(by_task: dict[str, list[Comparison]], runs_dir: Path) -> list[Path]:
    """One file per task measured (an empty list where it had fewer than two raters to compare,
    so no older comparison outlives the rows it was made from); written atomically, never
    through a link, and only when its content changed. Returns the files."""
    planned = {}
    for task, comparisons in sorted(by_task.items()):
        data = _rounded(json.loads(ComparisonFile(task=task, comparisons=comparisons).model_dump_json()))
        path = runs_dir / task / COMPARISONS_FILE
        refuse_link(path)
        planned[path] = (data, json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n")
    for path, (data, text) in planned.items():
        if _load_json(path) != data:
            make_folder(path.parent)
            write_text_atomic(path, text)
    return list(planned)


def read_comparisons(runs_dir: Path) -> list[tuple[Path, Comparison]]:
    """Every comparison under runs_dir, with the file it is in; a file that is not a comparison
    file is an InputError."""
    found = []
    for path in sorted(runs_dir.glob(f"*/{COMPARISONS_FILE}")):
        refuse_link(path)
        try:
            found += [(path, c) for c in ComparisonFile.model_validate_json(path.read_bytes()).comparisons]
        except ValidationError as err:
            where = ".".join(str(part) for part in err.errors()[0]["loc"]) or "the file"
            fix = "delete it, or re-run the task to write it again (`empathy-bench run`)"
            raise InputError(path, f"is not a valid comparison file ({where}: {err.errors()[0]['msg']})", fix) from None
    return found


def _r(value: float) -> float | None:
    return None if value != value else round(float(value), DIGITS) + 0.0  # NaN -> null; no -0.0


def with_ranks(rows: list[dict[str, Any]], comparisons: list[Comparison]) -> list[dict[str, Any]]:
    """The rows with each rater's rank and rank interval from its task's comparison (a compare
    task's rows by criterion); None where the rater was not compared."""
    ranked = {(c.task, c.criterion, r.rater): r for c in comparisons for r in c.raters}
    out = []
    for row in rows:
        found = ranked.get((row["task"], row.get("criterion"), row["rater"]))
        ranks = {k: getattr(found, k) if found else None for k in ("rank", "rank_low", "rank_high")}
        out.append(row | ranks)
    return out


def comparison_rows(comparisons: list[Comparison]) -> list[dict[str, Any]]:
    """The comparisons as the board's JSON holds them (and the page reads): per task and
    criterion, the raters best first and every ordered pair's difference, marked where its
    interval excludes 0."""
    rows = []
    for c in sorted(comparisons, key=lambda c: (c.task, c.criterion or "")):
        raters = [r.model_dump() | {"value": _r(r.value)} for r in c.raters]
        pairs = [difference(c, a.rater, b.rater) for a in c.raters for b in c.raters if a.rater != b.rater]
        rows.append(
            {
                "task": c.task,
                "criterion": c.criterion,
                "metric": c.metric,
                "label": METRIC_LABELS.get(c.metric, c.metric),
                "n": c.n,
                "n_resamples": c.n_resamples,
                "seed": c.seed,
                "confidence": c.confidence,
                "raters": raters,
                "differences": [_difference_row(d) for d in pairs if d is not None],
                "notes": c.notes,
            }
        )
    return rows


def _difference_row(d: Any) -> dict[str, Any]:
    return {
        "rater": d.rater,
        "other": d.other,
        "difference": _r(d.difference),
        "low": _r(d.low),
        "high": _r(d.high),
        "excludes_zero": excludes_zero(d),
    }


MATRIX_NOTE = (
    "Paired differences in {label} (row minus column, with the 95% interval of the difference over the same "
    "{draws:,} bootstrap draws of {n} {units} for every rater; **bold**: the interval excludes 0, the only case a "
    "row is called better or worse than a column). The rank interval in the table above is the 2.5th to 97.5th "
    "percentile of the rater's rank (1 = best) over the same draws."
)


def matrix_markdown(board: dict[str, Any], task: str, criterion: str | None = None) -> list[str]:
    """A task's difference matrix (row minus column) under its note; nothing where the task has no
    comparison."""
    found = [c for c in board.get("comparisons", []) if c["task"] == task and c["criterion"] == criterion]
    if not found:
        return []
    c = found[0]
    names = [r["rater"] for r in c["raters"]]
    cells = {(d["rater"], d["other"]): d for d in c["differences"]}
    body = [[a, *(_matrix_cell(cells.get((a, b))) if a != b else DASH for b in names)] for a in names]
    units = "items" if board["tasks"].get(task, {}).get("kind") == "rate" else "conversations"
    note = MATRIX_NOTE.format(label=c["label"], draws=c["n_resamples"], n=c["n"], units=units)
    return [note, "", table(["row minus column", *names], body), ""]


def _matrix_cell(d: dict[str, Any] | None) -> str:
    if d is None:
        return DASH
    text = number(d["difference"], d["low"], d["high"])
    return f"**{text}**" if d["excludes_zero"] else text
