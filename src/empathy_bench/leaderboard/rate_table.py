"""The rate tasks' rows: the overall table (best first, like for like with the ceiling), per
dimension, the overall score, and where a trivial baseline wins an alt-test comparison."""

from __future__ import annotations

from typing import Any

from empathy_bench.agreement.alt_test import verdict
from empathy_bench.agreement.paired import Comparison
from empathy_bench.agreement.rater import RaterAgreement
from empathy_bench.leaderboard.columns import (
    OVERALL_COLUMNS,
)
from empathy_bench.leaderboard.comparisons import with_ranks
from empathy_bench.leaderboard.fields import dimension_order, rank_key, rounded, spread_fields, unscored_share
from empathy_bench.leaderboard.record import RunRecord

ALT_TEST = next(c for c in OVERALL_COLUMNS if c.cell == "verdict")  # drawn the same per dimension


def rated(records: list[RunRecord]) -> list[tuple[RunRecord, RaterAgreement]]:
    return [(r, r.agreement) for r in records if isinstance(r.agreement, RaterAgreement)]


def overall_row(rec: RunRecord, ceiling_qwk: float | None) -> dict[str, Any]:
    """Every field of a row: what the CSV and JSON hold, and what the columns draw from."""
    assert isinstance(rec.agreement, RaterAgreement)
    a, run, m = rec.agreement, rec.run, rec.agreement.mean
    alt, clustered = a.alt_test, a.alt_test_clustered
    mean = {k: rounded(getattr(m, k) if m else None) for k in ("qwk", "qwk_low", "qwk_high", "alpha", "alpha_low")}
    mean |= {k: rounded(getattr(m, k) if m else None) for k in ("alpha_high", "alpha_shuffled")}
    mean |= {k: rounded(getattr(m, k) if m else None) for k in ("spearman", "spearman_low", "spearman_high")}
    # the headline: against the leave-one-expert-out references the ceiling faces (like for like)
    mean |= {k: rounded(getattr(m, k) if m else None) for k in ("qwk_loo", "qwk_loo_low", "qwk_loo_high")}
    return {
        "task": a.task,
        "rater": a.rater,
        "kind": a.kind,
        "role": a.role,
        "model": run.model if run else "",
        "n_items": a.n_items,
        **mean,
        # against the same leave-one-expert-out references the ceiling's experts face
        "ceiling_fraction": rounded(m.qwk_loo / ceiling_qwk if m and ceiling_qwk else None),
        # the authors' reference procedure decides; the clustered variant only warns
        "alt_test_passed": alt.passed if alt else None,
        "alt_test_winning_rate": rounded(alt.winning_rate if alt else None),
        "alt_test_verdict": verdict(alt, clustered),
        "alt_test_clustered_passed": clustered.passed if clustered else None,
        "alt_test_clustered_winning_rate": rounded(clustered.winning_rate if clustered else None),
        **spread_fields(a.spread),
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
    ceilings = {a.task: a.mean.qwk for _, a in pairs if a.role == "ceiling" and a.mean}
    rows = with_ranks([overall_row(rec, ceilings.get(a.task)) for rec, a in pairs], comparisons or [])
    return sorted(rows, key=lambda r: rank_key(r | {"qwk": r["qwk_loo"] if r["qwk_loo"] is not None else r["qwk"]}))


def dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    stats = ("qwk", "qwk_low", "qwk_high", "spearman", "spearman_low", "spearman_high", "alpha", "alpha_shuffled")
    rows = [
        {
            "task": r.task,
            "rater": r.rater,
            "kind": r.kind,
            "dimension": d.dimension,
            "n": d.n,
            **{k: rounded(getattr(d, k)) for k in stats},
            "alt_test_passed": a.passed if (a := r.alt_test_by_dimension.get(d.dimension)) else None,
            "alt_test_winning_rate": rounded(a.winning_rate) if a else None,
            "alt_test_verdict": verdict(a, None),
        }
        for _, r in rated(records)
        for d in r.dimensions
    ]
    return sorted(rows, key=lambda r: (r["task"], r["rater"], r["dimension"]))


def overall_score_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    stats = ("qwk", "qwk_low", "qwk_high", "spearman", "spearman_low", "spearman_high")
    rows = [
        {"task": r.task, "rater": r.rater, "kind": r.kind, "n": d.n} | {k: rounded(getattr(d, k)) for k in stats}
        for _, r in rated(records)
        if (d := r.overall_score) is not None
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
        if a.kind != "baseline":
            continue
        tests = [*a.alt_test_by_dimension.items(), *([(POOLED, a.alt_test)] if a.alt_test else [])]
        for dimension, test in tests:
            beaten = [t.annotator for t in test.per_annotator if t.rejected]
            if not beaten:
                continue
            note = (
                f"{a.task}: the trivial baseline {a.rater} beats {len(beaten)} of {test.n_annotators} experts "
                f"({', '.join(beaten)}) in the alt-test on {dimension} (winning rate {test.winning_rate:.2f}"
                f"{', a pass' if test.passed else ''}): there the test cannot tell it from an expert."
            )
            rows.append(
                {"task": a.task, "rater": a.rater, "kind": a.kind, "dimension": dimension, "experts": beaten}
                | {"n_experts": test.n_annotators, "winning_rate": rounded(test.winning_rate), "passed": test.passed}
                | {"note": note}
            )
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["rater"], place(r["task"], r["dimension"])))


TRIVIAL_WINS_HEAD = (
    "A trivial rater wins an alt-test comparison: where a rater that ignores the conversation beats an expert, "
    "no judge's alt-test result shows that it could replace one."
)


def trivial_win_lines(board: dict, task: str) -> list[str]:
    """The notes of a task's trivial-rater wins (Markdown and the terminal)."""
    return [r["note"] for r in board.get("trivial_wins", []) if r["task"] == task]
