"""The rate tasks' rows: the overall table (best first, like for like with the ceiling), per
dimension, the overall score, and where a trivial baseline wins an alt-test comparison."""

from __future__ import annotations

from typing import Any

from empathy_bench.agreement.alt_test import verdict
from empathy_bench.agreement.paired import Comparison
from empathy_bench.agreement.rater import ALT_TEST, ALT_TEST_CLUSTERED
from empathy_bench.agreement.statistics import Statistics
from empathy_bench.leaderboard.columns import OVERALL_COLUMNS, number
from empathy_bench.leaderboard.comparisons import with_ranks
from empathy_bench.leaderboard.fields import (
    Field,
    dimension_order,
    n_of,
    pivot,
    rank_key,
    rounded,
    spread_fields,
    table_rows,
    unscored_share,
)
from empathy_bench.leaderboard.record import RunRecord
from empathy_bench.sources.rubric import OVERALL_SCORE

ALT_TEST_COLUMN = next(c for c in OVERALL_COLUMNS if c.cell == "verdict")  # drawn the same per dimension

# the overall table's figures: means over dimensions; the headline (`qwk_loo`) against the
# leave-one-expert-out references the ceiling's experts face (like for like)
MEAN_FIELDS = (
    Field("qwk", interval=True),
    Field("alpha", interval=True),
    Field("alpha_shuffled"),
    Field("spearman", interval=True),
    Field("qwk_loo", interval=True),
)
DIMENSION_FIELDS = (
    Field("qwk", interval=True),
    Field("spearman", interval=True),
    Field("alpha"),
    Field("alpha_shuffled"),
)
OVERALL_SCORE_FIELDS = (Field("qwk", interval=True), Field("spearman", interval=True))


def rated(records: list[RunRecord]) -> list[tuple[RunRecord, Statistics]]:
    """The rate tasks' rows (their probes' rows are the bias table's)."""
    return table_rows(records, "overall")


def alt_test_fields(a: Statistics, prefix: str, criterion: str | None = None) -> dict[str, Any]:
    """An alt-test's verdict (`passed`) and winning rate, under the board's keys."""
    passed = a.value(f"{prefix}passed", criterion)
    return {"passed": passed, "winning_rate": rounded(a.value(f"{prefix}winning_rate", criterion))}


def overall_row(rec: RunRecord, ceiling_qwk: float | None) -> dict[str, Any]:
    """Every field of a row: what the CSV and JSON hold, and what the columns draw from."""
    a, run = rec.agreement, rec.run
    mean = pivot(a, MEAN_FIELDS)
    alt, clustered = alt_test_fields(a, ALT_TEST), alt_test_fields(a, ALT_TEST_CLUSTERED)
    loo = a.value("qwk_loo")
    return {
        "task": a.task,
        "rater": a.rater,
        "rater_type": a.rater_type,
        "role": a.role,
        "model": run.model if run else "",
        "n_items": a.value("n_items"),
        **mean,
        # against the same leave-one-expert-out references the ceiling's experts face
        "ceiling_fraction": rounded(loo / ceiling_qwk if isinstance(loo, float) and ceiling_qwk else None),
        # the authors' reference procedure decides; the clustered variant only warns
        "alt_test_passed": alt["passed"],
        "alt_test_winning_rate": alt["winning_rate"],
        "alt_test_verdict": verdict(alt["passed"], clustered["passed"]),
        "alt_test_clustered_passed": clustered["passed"],
        "alt_test_clustered_winning_rate": clustered["winning_rate"],
        **spread_fields(a),
        "fitted_on_task": bool(run and run.fitted_on_task),
        "parse_failure_rate": rounded(unscored_share(rec)),
        "usd_per_1k": rounded(run.per_1000(run.usage.cost_usd)) if run else None,
        # a run served entirely from the cache measured the cache, not the model: the last live run's
        "seconds_per_1k": rounded(run.per_1000(run.usage.live_seconds())) if run else None,
    }


def overall_rows(records: list[RunRecord], comparisons: list[Comparison] | None = None) -> list[dict[str, Any]]:
    """Every rate task's rows, best first by the kappa on the ceiling's references (like for like
    with the ceiling; the plain kappa where the task has no expert panel), with their ranks."""
    pairs = rated(records)
    ceilings = {a.task: a.value("qwk") for _, a in pairs if a.role == "ceiling" and a.stat("qwk") is not None}
    rows = with_ranks([overall_row(rec, ceilings.get(a.task)) for rec, a in pairs], comparisons or [])
    return sorted(rows, key=lambda r: rank_key(r | {"qwk": r["qwk_loo"] if r["qwk_loo"] is not None else r["qwk"]}))


def dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    rows = []
    for _, r in rated(records):
        for dim in r.criteria("qwk"):
            if dim == OVERALL_SCORE:
                continue
            alt = alt_test_fields(r, ALT_TEST, dim)
            rows.append(
                {
                    "task": r.task,
                    "rater": r.rater,
                    "rater_type": r.rater_type,
                    "dimension": dim,
                    "n": n_of(r, "qwk", dim),
                }
                | pivot(r, DIMENSION_FIELDS, dim)
                | {f"alt_test_{k}": v for k, v in alt.items()}
                | {"alt_test_verdict": verdict(alt["passed"], None)}
            )
    return sorted(rows, key=lambda r: (r["task"], r["rater"], r["dimension"]))


def overall_score_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    rows = [
        {"task": r.task, "rater": r.rater, "rater_type": r.rater_type, "n": n_of(r, "qwk", OVERALL_SCORE)}
        | pivot(r, OVERALL_SCORE_FIELDS, OVERALL_SCORE)
        for _, r in rated(records)
        if r.stat("qwk", OVERALL_SCORE) is not None
    ]
    return sorted(rows, key=lambda r: (r["task"], -(r["qwk"] if r["qwk"] is not None else -9), r["rater"]))


POOLED = "all dimensions (pooled)"  # the pooled alt-test, where a trivial rater's win is named


def trivial_win_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Where a trivial baseline (a run of a judge file with `baseline: true`) wins an alt-test
    comparison on a rate task. The criterion: on a dimension (its per-dimension test, BY over all
    of the baseline's dimensions and experts; or the pooled test) the baseline beats at least one
    expert, i.e. that expert's null hypothesis (the baseline is worse than the expert by more than
    epsilon) is rejected, so the dimension's winning rate is above 0; a pass (>= 0.5) is the
    extreme case. There the test cannot tell a rater that ignores the conversation from an
    expert, and any judge's result on that dimension says little. One row per (task, baseline,
    dimension), with the sentence every surface shows (`note`)."""
    rows = []
    for _, a in rated(records):
        if a.rater_type != "baseline":
            continue
        tests: list[tuple[str, str | None]] = [(d, d) for d in a.criteria(f"{ALT_TEST}passed")]  # then pooled
        tests += [(POOLED, None)] if a.stat(f"{ALT_TEST}passed") is not None else []
        for dimension, criterion in tests:
            if row := _trivial_win(a, dimension, criterion):
                rows.append(row)
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["rater"], place(r["task"], r["dimension"])))


def _trivial_win(a: Statistics, dimension: str, criterion: str | None) -> dict[str, Any] | None:
    """A baseline's win on one alt-test (per dimension, or pooled), None where it beats no expert."""
    beaten = [
        x for x in a.versus_of(f"{ALT_TEST}rejected", criterion) if a.value(f"{ALT_TEST}rejected", criterion, versus=x)
    ]
    if not beaten:
        return None
    n_experts, rate = a.value(f"{ALT_TEST}n_annotators", criterion), a.value(f"{ALT_TEST}winning_rate", criterion)
    passed = a.value(f"{ALT_TEST}passed", criterion)
    note = (
        f"{a.task}: the trivial baseline {a.rater} beats {len(beaten)} of {n_experts} experts "
        f"({', '.join(beaten)}) in the alt-test on {dimension} (winning rate {number(rate)}"
        f"{', a pass' if passed else ''}): there the test cannot tell it from an expert."
    )
    return (
        {"task": a.task, "rater": a.rater, "rater_type": a.rater_type, "dimension": dimension, "experts": beaten}
        | {"n_experts": n_experts, "winning_rate": rounded(rate), "passed": passed}
        | {"note": note}
    )


TRIVIAL_WINS_HEAD = (
    "A trivial rater wins an alt-test comparison: where a rater that ignores the conversation beats an expert, "
    "no judge's alt-test result shows that it could replace one."
)


def trivial_win_lines(board: dict, task: str) -> list[str]:
    """The notes of a task's trivial-rater wins (Markdown and the terminal)."""
    return [r["note"] for r in board.get("trivial_wins", []) if r["task"] == task]
