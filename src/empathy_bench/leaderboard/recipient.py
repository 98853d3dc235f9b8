"""The "Recipient perspective" table: where the person supported rated the conversation once (a
client's own CARE answers), each rater's Spearman with that person's score and QWK per item, read
against the yardsticks (the scale's Cronbach's alpha, its Spearman with the client's readiness
change) instead of a leave-one-out ceiling, which one rater per conversation cannot give.
Stored as results/recipient/<task>.json beside the run records (which it does not change)."""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import BaseModel

from empathy_bench.core.files import write_text_atomic
from empathy_bench.leaderboard.columns import number, table

FOLDER = "recipient"


class RecipientFigure(BaseModel):
    rater: str  # a judge, a baseline, or `yardstick`
    kind: str  # run, baseline, yardstick
    figure: str  # e.g. spearman_care, qwk:<item>, cronbach_alpha, care_vs_week_readiness
    value: float | None
    low: float | None
    high: float | None
    n: int


class RecipientTable(BaseModel):
    task: str
    reference: str  # the reference row's name, e.g. "human: the client's own CARE answers"
    figures: list[RecipientFigure]
    notes: list[str] = []


def finite(value: float | None) -> float | None:
    """NaN (undefined, e.g. a constant rater's Spearman) -> None, as the board's JSON holds it."""
    return None if value is None or math.isnan(value) else round(float(value), 4)


def write_recipient(tables: list[RecipientTable], results_dir: Path) -> list[Path]:
    paths = []
    for t in tables:
        path = results_dir / FOLDER / f"{t.task}.json"
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
        return "–"
    if f.value is None:
        return f"not defined (n={f.n})"
    return f"{number(f.value, f.low, f.high)} (n={f.n})"


def recipient_lines(tables: list[dict] | list[RecipientTable]) -> list[str]:
    """Markdown (and terminal) lines of every task's recipient table."""
    parts: list[str] = []
    for raw in tables:
        t = raw if isinstance(raw, RecipientTable) else RecipientTable.model_validate(raw)
        parts += [f"## Recipient perspective: {t.task}", "", f"Reference: {t.reference}.", ""]
        raters = list(dict.fromkeys(f.rater for f in t.figures if f.kind != "yardstick"))
        items = list(dict.fromkeys(f.figure for f in t.figures if f.figure.startswith("qwk:")))
        grid = {(f.rater, f.figure): f for f in t.figures}
        header = ["rater", "kind", "Spearman with the client's CARE score [95% CI]", "mean QWK per item"]
        body = []
        for r in raters:
            qwks = [v for i in items if (f := grid.get((r, i))) is not None and (v := f.value) is not None]
            kind = next(f.kind for f in t.figures if f.rater == r)
            body.append(
                [r, kind, _cell(grid.get((r, "spearman_care"))), number(sum(qwks) / len(qwks)) if qwks else "–"]
            )
        parts += [table(header, body), ""]
        yard = [f for f in t.figures if f.kind == "yardstick"]
        parts += ["Yardsticks (no leave-one-out ceiling):", ""]
        parts += [table(["yardstick", "value [95% CI] (n)"], [[f.figure, _cell(f)] for f in yard]), ""]
        parts += [f"- {note}" for note in t.notes] + [""]
    return parts
