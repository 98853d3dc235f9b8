"""The fields every board row shares: fixed rounding, an interval's keys, the spread column's
text, the unscored share, the sort key, a dimension's place in its rubric, and each task's facts
as its records carry them (the board reads no task file)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from empathy_bench.agreement.spread import spread_of_stats
from empathy_bench.agreement.statistics import Statistics, Value
from empathy_bench.core.kinds import kinds
from empathy_bench.leaderboard.columns import (
    Column,
    number,
)
from empathy_bench.leaderboard.facts import TaskFacts
from empathy_bench.leaderboard.record import RunRecord

DIGITS = 4


RATER_TYPE_ORDER = {"human": 0, "recorded": 1, "run": 2, "baseline": 3}


@dataclass(frozen=True)
class Field:
    """A board row's field over a statistic: the row's key, the metric it pivots (default: the
    key), whether its interval (`<key>_low`, `<key>_high`) and its n (`<n_key>`, default `<key>_n`)
    come with it, and whether it is taken as it is (a count, a decision, a registered kind's figure)
    rather than rounded to the board's digits."""

    key: str
    metric: str = ""
    interval: bool = False
    exact: bool = False
    n: bool = False
    n_key: str = ""


def pivot(
    found: Statistics,
    fields: Iterable[Field],
    criterion: str | None = None,
    condition: str | None = None,
) -> dict[str, Any]:
    """The fields of one row from its figures on `criterion` under `condition`: a figure the row
    lacks is None, as an undefined one is."""
    row: dict[str, Any] = {}
    for f in fields:
        stat = found.stat(f.metric or f.key, criterion, condition)
        shown = _as_is if f.exact else rounded
        row[f.key] = shown(stat.value) if stat else None
        if f.interval:
            row[f"{f.key}_low"] = shown(stat.low) if stat else None
            row[f"{f.key}_high"] = shown(stat.high) if stat else None
        if f.n:
            row[f.n_key or f"{f.key}_n"] = stat.n if stat else None
    return row


def n_of(found: Statistics, metric: str, criterion: str | None = None, condition: str | None = None) -> int | None:
    """The n of a figure, None where the row lacks it."""
    stat = found.stat(metric, criterion, condition)
    return stat.n if stat else None


def _as_is(value: Value) -> Value:
    return value


def table_rows(records: Iterable[RunRecord], table: str) -> list[tuple[RunRecord, Statistics]]:
    """The plain rows (a probe's are the bias table's) of the tasks whose kind draws its rows in
    `table` (core/kinds.py `Kind.table`)."""
    names = {k.name for k in kinds() if k.table == table}
    return [(r, r.agreement) for r in records if r.task.kind in names and r.agreement.probe is None]


def rounded(value: float | None) -> float | None:
    """Fixed rounding, NaN as null: the files must not change with float noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), DIGITS)


def unscored_share(rec: RunRecord) -> float | None:
    if rec.run is None:
        return 0.0  # recorded and human ratings are published numbers: none is unscored
    return rec.run.n_unscored / rec.run.n_ratings if rec.run.n_ratings else None


def spread_fields(found: Statistics) -> dict[str, Any]:
    """A row's spread of its headline over epochs or recorded runs: the text the SPREAD column
    shows ("0.48\u20130.61"; None without repeats) and its numbers."""
    spread = spread_of_stats(found)
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
    return (row["task"], -qwk, RATER_TYPE_ORDER[str(row["rater_type"])], row["rater"])


def dimension_order(records: list[RunRecord]) -> Callable[[str, str], int]:
    """(task, dimension) -> the dimension's place in its task's rubric, as the records say; the
    overall score (or anything else) last."""
    dims = {task: facts.dimensions for task, facts in task_facts(records).items()}

    def place(task: str, dimension: str) -> int:
        order = dims.get(task, [])
        return order.index(dimension) if dimension in order else len(order)

    return place


def mean_of(values: Iterable[object]) -> float | None:
    """The mean of the defined values (None and NaN are undefined), rounded; None when none is."""
    defined = [float(v) for v in values if isinstance(v, int | float) and not math.isnan(v)]
    return rounded(sum(defined) / len(defined)) if defined else None


def used_columns(columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> list[Column]:
    """The rater and its type, and every column with a figure in at least one of the rows."""
    return [c for c in columns if c.cell in ("rater", "text") or any(r.get(c.key) is not None for r in rows)]
