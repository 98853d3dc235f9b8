"""The "Recipient perspective" tables, where the person supported rated the conversation once (a
client's own CARE answers). An `agreement` table: each rater's Spearman with that person's score
and QWK per item. An `outcome` table: each rater's overall score on another rubric (Lend an Ear)
correlated with what the person reported (their CARE score, their readiness change). Both are
read against the yardsticks (the scale's Cronbach's alpha, its Spearman with the readiness
change, the supporter's word count) instead of a leave-one-out ceiling, which one rater per
conversation cannot give. Stored as results/recipient/<task>.json beside the run records."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from empathy_bench.core.files import write_text_atomic
from empathy_bench.leaderboard.columns import DASH, number, table

FOLDER = "recipient"
PARTIAL_FOLDER = "partial-recipient"
# `agreement`: with the person's own answers on the rubric the judges rated (mibot_care);
# `outcome`: a judge's overall score on another rubric correlated with what the person reported
TableKind = Literal["agreement", "outcome"]
YARDSTICK = "yardstick"  # the rater of the table's yardsticks (no row of their own)


class RecipientFigure(BaseModel):
    rater: str  # a judge, a baseline, `<supporter> word count` (a yardstick row) or `yardstick`
    rater_type: str  # run, baseline, yardstick
    # e.g. spearman_care, qwk:<item>, mean_qwk, spearman_week_readiness, cronbach_alpha, care_vs_week_readiness
    figure: str
    value: float | None
    low: float | None
    high: float | None
    n: int


class RecipientTable(BaseModel):
    task: str
    title: str  # the task file's title (an outcome task has no run records, so no entry in the board's tasks)
    table: TableKind
    about: str  # what the table's figures are, in one paragraph
    reference: str  # the reference row's name, e.g. "human: the client's own CARE answers"
    columns: list[str]  # the figures of each rater's row, in order
    labels: dict[str, str]  # figure -> its name on every surface (the columns' and the yardsticks')
    figures: list[RecipientFigure]
    notes: list[str] = []
    # False: from a partial run (a --limit, unfinished samples), written apart from the published table
    complete: bool = True


def finite(value: float | None) -> float | None:
    """NaN (undefined, e.g. a constant rater's Spearman) -> None, as the board's JSON holds it."""
    return None if value is None or math.isnan(value) else round(float(value), 4)


def write_recipient(tables: list[RecipientTable], results_dir: Path) -> list[Path]:
    """Each table as <results>/recipient/<task>.json, a partial run's as <results>/partial-recipient/
    <task>.json, where the leaderboard does not read (as partial run records are kept apart)."""
    paths = []
    for t in tables:
        path = results_dir / (FOLDER if t.complete else PARTIAL_FOLDER) / f"{t.task}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, t.model_dump_json(indent=1) + "\n")
        paths.append(path)
    return paths


def read_recipient(results_dir: Path) -> list[RecipientTable]:
    folder = results_dir / FOLDER
    if not folder.is_dir():
        return []
    return [RecipientTable.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def _cell(f: RecipientFigure | None) -> str:
    if f is None:
        return DASH
    if f.value is None:
        return f"not defined (n={f.n})"
    return f"{number(f.value, f.low, f.high)} (n={f.n})"


def recipient_lines(tables: list[dict] | list[RecipientTable]) -> list[str]:
    """Markdown (and terminal) lines of every task's recipient table: a row per rater (judges,
    baselines, and the supporter's word count as a yardstick row) with the table's columns, then
    the yardsticks and the notes."""
    parts: list[str] = []
    for raw in tables:
        t = raw if isinstance(raw, RecipientTable) else RecipientTable.model_validate(raw)
        parts += [f"## Recipient perspective: {t.title} ({t.task})", "", t.about, "", f"Reference: {t.reference}.", ""]
        raters = list(dict.fromkeys(f.rater for f in t.figures if f.rater != YARDSTICK))
        grid = {(f.rater, f.figure): f for f in t.figures}
        types = {f.rater: f.rater_type for f in t.figures}
        body = [[r, types[r], *(_cell(grid.get((r, c))) for c in t.columns)] for r in raters]
        parts += [table(["rater", "type", *(t.labels.get(c, c) for c in t.columns)], body), ""]
        yard = [[t.labels.get(f.figure, f.figure), _cell(f)] for f in t.figures if f.rater == YARDSTICK]
        parts += ["Yardsticks (no leave-one-out ceiling):", "", table(["yardstick", "value [95% CI] (n)"], yard), ""]
        parts += [f"- {note}" for note in t.notes] + [""]
    return parts
