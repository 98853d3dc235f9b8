"""The fields every board row shares: fixed rounding, an interval's keys, the spread column's
text, the unscored share, the sort key, and a dimension's place in its rubric."""

from __future__ import annotations

import math
from typing import Any

from empathy_bench.agreement.spread import Spread
from empathy_bench.leaderboard.columns import (
    Column,
    number,
)
from empathy_bench.leaderboard.record import RunRecord
from empathy_bench.tasks.spec import load_task

DIGITS = 4


KIND_ORDER = {"human": 0, "recorded": 1, "run": 2, "baseline": 3}


def rounded(value: float | None) -> float | None:
    """Fixed rounding, NaN as null: the files must not change with float noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), DIGITS)


def unscored_share(rec: RunRecord) -> float | None:
    if rec.run is None:
        return 0.0  # recorded and human ratings are published numbers: none is unscored
    return rec.run.n_unscored / rec.run.n_ratings if rec.run.n_ratings else None


def spread_fields(spread: Spread | None) -> dict[str, Any]:
    """A row's spread of its headline over epochs or recorded runs: the text the SPREAD column
    shows ("0.48\u20130.61"; None without repeats) and its numbers."""
    if spread is None:
        return {"spread": None, "spread_low": None, "spread_high": None, "spread_n": None, "spread_unit": None}
    low, high = rounded(spread.low), rounded(spread.high)
    text = f"{number(low)}\u2013{number(high)}" if low is not None and high is not None else None
    return {"spread": text, "spread_low": low, "spread_high": high, "spread_n": spread.n, "spread_unit": spread.unit}


def fitted_on_items(rec: RunRecord) -> bool:
    """Whether the candidate was fitted on this compare task's items: the task itself, or any
    task on the same source and framework (a rate judge fitted on Lend an Ear's conversations
    is fitted on the pairs made of them too)."""
    fitted = rec.candidate.get("fitted_on")
    if not isinstance(fitted, list):
        return False
    here = (rec.task.get("source"), rec.task.get("framework"))
    return any(t == rec.task.get("id") or (load_task(t).source_name, load_task(t).framework) == here for t in fitted)


def rank_key(row: dict[str, Any]) -> tuple[str, float, int, str]:
    qwk = row["qwk"] if isinstance(row["qwk"], float) else -9.0
    return (row["task"], -qwk, KIND_ORDER[str(row["kind"])], row["rater"])


def dimension_order(task: str, dimension: str) -> int:
    """A dimension's place in its task's rubric; the overall score (or anything else) last."""
    dims = load_task(task).dimension_ids
    return dims.index(dimension) if dimension in dims else len(dims)


def with_interval(key: str, value: float, low: float, high: float) -> dict[str, float | None]:
    """A figure with its interval under the keys a `ci` column reads."""
    return {key: rounded(value), f"{key}_low": rounded(low), f"{key}_high": rounded(high)}


def mean_of(values: list[float]) -> float | None:
    defined = [v for v in values if not math.isnan(v)]
    return rounded(sum(defined) / len(defined)) if defined else None


def used_columns(columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> list[Column]:
    """The rater and kind, and every column with a figure in at least one of the rows."""
    return [c for c in columns if c.cell in ("rater", "text") or any(r.get(c.key) is not None for r in rows)]
