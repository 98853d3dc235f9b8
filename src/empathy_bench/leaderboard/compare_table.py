"""The compare tasks' rows: preference agreement per criterion and accuracy by the reference's gap."""

from __future__ import annotations

from typing import Any

from empathy_bench.agreement.paired import Comparison
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.leaderboard.comparisons import with_ranks
from empathy_bench.leaderboard.fields import fitted_on_items, rank_key, rounded, spread_fields, unscored_share
from empathy_bench.leaderboard.record import RunRecord


def compared(records: list[RunRecord]) -> list[tuple[RunRecord, PreferenceAgreement]]:
    return [(r, r.agreement) for r in records if isinstance(r.agreement, PreferenceAgreement)]


def preference_row(rec: RunRecord, a: PreferenceAgreement) -> dict[str, Any]:
    """Every field of a compare task's row (CSV and JSON), what COMPARE_COLUMNS draw from."""
    run, pos = rec.run, a.position
    stats = ["accuracy", "accuracy_low", "accuracy_high", "kappa", "kappa_low", "kappa_high"]
    stats += ["accuracy_strict", "accuracy_strict_low", "accuracy_strict_high"]
    stats += ["accuracy_conservative", "accuracy_loo", "kappa_loo"]
    return {
        "task": a.task,
        "criterion": a.criterion,
        "reference_derived": rec.task.derived_preferences,
        "rater": a.rater,
        "kind": a.kind,
        "role": a.role,
        "from_ratings": a.from_ratings,
        "model": run.model if run else "",
        "n_pairs": a.n_pairs,
        "n_verdicts": a.n_verdicts,
        # the accuracies' n: the pairs whose reference is a side, and the choices on them
        "n_decisive": a.n_decisive,
        "n_decisive_verdicts": a.n_decisive_verdicts,
        **{k: rounded(getattr(a, k)) for k in stats},
        **spread_fields(a.spread),
        "position_consistency": rounded(pos.consistency) if pos else None,
        "preference_fairness": rounded(pos.fairness) if pos else None,
        "flip_rate": rounded(pos.flip_rate) if pos else None,
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
    rows: list[dict[str, Any]] = [
        {"task": a.task, "criterion": a.criterion, "rater": a.rater, "kind": a.kind, "role": a.role}
        | {"bin": b.label, "low": b.low, "high": b.high, "n": b.n, "accuracy": rounded(b.accuracy)}
        for _, a in compared(records)
        for b in a.by_gap
    ]
    return sorted(rows, key=lambda r: (r["task"], r["criterion"], r["rater"], r["low"]))
