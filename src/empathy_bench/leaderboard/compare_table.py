"""The compare tasks' rows: preference agreement per criterion and accuracy by the reference's gap."""

from __future__ import annotations

from typing import Any

from empathy_bench.agreement.paired import Comparison
from empathy_bench.agreement.preference import GAP
from empathy_bench.agreement.statistics import Statistics
from empathy_bench.leaderboard.comparisons import with_ranks
from empathy_bench.leaderboard.fields import (
    Field,
    fitted_on_items,
    n_of,
    pivot,
    rank_key,
    rounded,
    spread_fields,
    table_rows,
    unscored_share,
)
from empathy_bench.leaderboard.record import RunRecord

COUNTS = tuple(Field(k, exact=True) for k in ("n_pairs", "n_verdicts", "n_decisive", "n_decisive_verdicts"))
FIGURES = (
    Field("accuracy", interval=True),
    Field("kappa", interval=True),
    Field("accuracy_strict", interval=True),
    Field("accuracy_conservative"),
    Field("accuracy_loo"),
    Field("kappa_loo"),
)
POSITION = tuple(Field(k) for k in ("position_consistency", "preference_fairness", "flip_rate"))


def compared(records: list[RunRecord]) -> list[tuple[RunRecord, Statistics]]:
    """The compare tasks' rows (their probes' rows are the bias table's)."""
    return table_rows(records, "preference")


def preference_row(rec: RunRecord, a: Statistics) -> dict[str, Any]:
    """Every field of a compare task's row (CSV and JSON), what COMPARE_COLUMNS draw from."""
    run = rec.run
    return {
        "task": a.task,
        "criterion": a.criterion,
        "reference_derived": rec.task.derived_preferences,
        "rater": a.rater,
        "rater_type": a.rater_type,
        "role": a.role,
        "from_ratings": a.from_ratings,
        "model": run.model if run else "",
        # the accuracies' n: the pairs whose reference is a side, and the choices on them
        **pivot(a, COUNTS, a.criterion),
        **pivot(a, FIGURES, a.criterion),
        **spread_fields(a),
        **pivot(a, POSITION, a.criterion),
        "fitted_on_task": fitted_on_items(rec),
        "parse_failure_rate": rounded(unscored_share(rec)),
        "usd_per_1k": rounded(run.per_1000(run.usage.cost_usd)) if run else None,
        "seconds_per_1k": rounded(run.per_1000(run.usage.live_seconds())) if run else None,
    }


def preference_rows(records: list[RunRecord], comparisons: list[Comparison] | None = None) -> list[dict[str, Any]]:
    rows = with_ranks([preference_row(rec, a) for rec, a in compared(records)], comparisons or [])
    return sorted(rows, key=lambda r: (r["task"], r["criterion"], *rank_key(r | {"qwk": r["accuracy"]})[1:]))


def gap_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Accuracy by the reference's overall-score gap, one row per (rater, bin)."""
    rows: list[dict[str, Any]] = []
    for _, a in compared(records):
        for condition in a.conditions("gap_low", a.criterion):
            bounds = {k: a.value(f"gap_{k}", a.criterion, condition) for k in ("low", "high")}
            rows.append(
                {"task": a.task, "criterion": a.criterion, "rater": a.rater, "rater_type": a.rater_type, "role": a.role}
                | {"bin": condition.removeprefix(f"{GAP} "), **bounds, "n": n_of(a, "accuracy", a.criterion, condition)}
                | pivot(a, [Field("accuracy")], a.criterion, condition)
            )
    return sorted(rows, key=lambda r: (r["task"], r["criterion"], r["rater"], _number(r["low"])))


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else float("inf")  # a bin without bounds: last
