"""The fields every board row shares: fixed rounding, an interval's keys, the spread column's
text, the unscored share, the sort key, a dimension's place in its rubric, and each task's facts
as its records carry them (the board reads no task file)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from empathy_bench.agreement.spread import Spread
from empathy_bench.leaderboard.columns import (
    Column,
    number,
)
from empathy_bench.leaderboard.facts import TaskFacts
from empathy_bench.leaderboard.record import RunRecord

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
    """Whether the candidate was fitted on this task's items (record.fitted_on_items resolved it
    when the record was written)."""
    return rec.candidate.get("fitted_on_items") is True


def task_facts(records: Iterable[RunRecord]) -> dict[str, TaskFacts]:
    """Each task's facts as its records carry them. Records of one task written by different runs
    may disagree (a title edited between them): a row from the labels alone wins, since every run
    of the task rewrites those and a submission's are never on the board; then the higher task
    version; then the first record."""
    best: dict[str, tuple[tuple[bool, int], TaskFacts]] = {}
    for rec in records:
        rank = (rec.run is None, rec.task.version)
        held = best.get(rec.agreement.task)
        if held is None or rank > held[0]:
            best[rec.agreement.task] = (rank, rec.task)
    return {task: facts for task, (_, facts) in best.items()}


def rank_key(row: dict[str, Any]) -> tuple[str, float, int, str]:
    qwk = row["qwk"] if isinstance(row["qwk"], float) else -9.0
    return (row["task"], -qwk, KIND_ORDER[str(row["kind"])], row["rater"])


def dimension_order(records: list[RunRecord]) -> Callable[[str, str], int]:
    """(task, dimension) -> the dimension's place in its task's rubric, as the records say; the
    overall score (or anything else) last."""
    dims = {task: facts.dimensions for task, facts in task_facts(records).items()}

    def place(task: str, dimension: str) -> int:
        order = dims.get(task, [])
        return order.index(dimension) if dimension in order else len(order)

    return place


def with_interval(key: str, value: float, low: float, high: float) -> dict[str, float | None]:
    """A figure with its interval under the keys a `ci` column reads."""
    return {key: rounded(value), f"{key}_low": rounded(low), f"{key}_high": rounded(high)}


def mean_of(values: list[float]) -> float | None:
    defined = [v for v in values if not math.isnan(v)]
    return rounded(sum(defined) / len(defined)) if defined else None


def used_columns(columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> list[Column]:
    """The rater and kind, and every column with a figure in at least one of the rows."""
    return [c for c in columns if c.cell in ("rater", "text") or any(r.get(c.key) is not None for r in rows)]
