"""The coach tasks' rows: the coach table, and targeting and the grader's change per dimension."""

from __future__ import annotations

from typing import Any

from empathy_bench.agreement.paired import Comparison
from empathy_bench.agreement.statistics import Statistics
from empathy_bench.leaderboard.comparisons import with_ranks
from empathy_bench.leaderboard.fields import (
    Field,
    dimension_order,
    fitted_on_items,
    n_of,
    pivot,
    rank_key,
    rounded,
    spread_fields,
    table_rows,
    unscored_share,
)
from empathy_bench.leaderboard.rate_table import rated
from empathy_bench.leaderboard.record import RunRecord


def coached(records: list[RunRecord]) -> list[tuple[RunRecord, Statistics]]:
    return table_rows(records, "coach")


COACH_FIGURES = (
    "mean_kappa",
    "macro_f1",
    "f1_at_reference_count",
    "f1_word_budget",
    "praise_accuracy",
    "false_praise_rate",
    "prioritisation",
    "grounding",
    "evidence_agreement",
    "uplift_target",
    "uplift_other",
    "harm_rate",
    "words",
)
COUNTS = tuple(Field(k, exact=True) for k in ("n_praised", "n_prioritised", "n_quotes", "n_evidence", "n_uplift"))
TARGETING = tuple(Field(k) for k in ("base_rate", "flag_rate", "precision", "recall", "f1", "kappa"))
UPLIFT = (Field("targeted_change"), Field("other_change"))


def coach_row(rec: RunRecord, a: Statistics, graders: dict[tuple[str, ...], float | None]) -> dict[str, Any]:
    """Every field of a coach task's row (CSV and JSON), what COACH_COLUMNS draw from. The
    grader's QWK is its own row on a rate task of the same conversations, by the same judge file
    rating the same way (config hash and mode); none that matches: no figure."""
    run, c = rec.run, rec.candidate
    grader = c.get("grader")
    here = tuple(str(x) for x in (grader, rec.task.source, rec.task.framework))
    here += (str(c.get("grader_config_sha256")), str(c.get("grader_mode")))
    both = pivot(a, (Field(k, interval=True) for k in COACH_FIGURES))
    # every figure, then every interval: the files' column order
    figures = {k: both[k] for k in COACH_FIGURES} | {k: v for k, v in both.items() if k not in COACH_FIGURES}
    grading = run.grader_usage if run else None
    return {
        "task": a.task,
        "rater": a.rater,
        "rater_type": a.rater_type,
        "role": a.role,
        "from_ratings": a.from_ratings,
        "model": run.model if run else "",
        "n_items": a.value("n_items"),
        **figures,
        **pivot(a, COUNTS),
        "mean_kappa_loo": rounded(a.value("mean_kappa_loo")),
        **spread_fields(a),
        "grader": grader,
        "grader_qwk": graders.get(here) if grader else None,
        "fitted_on_task": fitted_on_items(rec),
        "parse_failure_rate": rounded(unscored_share(rec)),
        "usd_per_1k": rounded(run.per_1000(run.usage.cost_usd)) if run else None,
        "grader_usd_per_1k": rounded(run.per_1000(grading.cost_usd)) if run and grading else None,
        "seconds_per_1k": rounded(run.per_1000(run.usage.live_seconds())) if run else None,
    }


def coach_rows(records: list[RunRecord], comparisons: list[Comparison] | None = None) -> list[dict[str, Any]]:
    """Every coach task's rows, best first by the kappa on the ceiling's references (like for
    like with the ceiling; the plain kappa where there is none), with their ranks."""
    graders: dict[tuple[str, ...], float | None] = {
        (a.rater, rec.task.source, rec.task.framework)
        + (str(rec.candidate.get("config_sha256")), str(rec.task.mode)): rounded(a.value("qwk"))
        for rec, a in rated(records)
        if a.rater_type in ("run", "baseline")
    }
    rows = with_ranks([coach_row(rec, a, graders) for rec, a in coached(records)], comparisons or [])
    key = "mean_kappa_loo"
    return sorted(rows, key=lambda r: rank_key(r | {"qwk": r[key] if r[key] is not None else r["mean_kappa"]}))


def coach_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Targeting per dimension, and the grader's change per dimension (the JSON and Markdown)."""
    rows = []
    for _, a in coached(records):
        for dim in a.criteria("kappa"):
            rows.append(
                {
                    "task": a.task,
                    "rater": a.rater,
                    "rater_type": a.rater_type,
                    "dimension": dim,
                    "n": n_of(a, "kappa", dim),
                }
                | pivot(a, TARGETING, dim)
                | pivot(a, UPLIFT, dim)
            )
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["rater"], place(r["task"], r["dimension"])))
