"""Plain-text tables of run summaries, printed by `empathy-bench run`."""

from __future__ import annotations

import pandas as pd

from empathy_bench.agreement.alt_test import verdict
from empathy_bench.agreement.rater import RunSummary


def overview(summaries: list[RunSummary]) -> pd.DataFrame:
    """One row per task and rater: means over dimensions with the kappa's CI, counts, cost
    and time (runs only: recorded and human rows have no calls)."""
    rows = []
    for s in summaries:
        u, o, ran = s.usage, s.overall, s.ran
        rows.append(
            {
                "task": s.task,
                "rater": s.rater + (" (fitted on these items)" if s.fitted_on_task else ""),
                "kind": s.kind,
                "qwk [95% CI]": f"{o.qwk:.2f} [{o.qwk_low:.2f}, {o.qwk_high:.2f}]" if o else "-",
                "spearman": o.spearman if o else None,
                "alpha+rater": o.alpha if o else None,
                "(shuffled)": o.alpha_shuffled if o else None,
                "alt-test (win rate)": f"{verdict(s.alt_test, s.alt_test_clustered)} ({s.alt_test.winning_rate:.2f})"
                if s.alt_test
                else "-",
                "scored": s.n_ratings - s.n_unscored,
                "unscored": s.n_unscored,
                "tokens": u.input_tokens + u.output_tokens if ran else None,
                "usd/1k": s.per_1000(u.cost_usd) if ran else None,
                "s/1k": s.per_1000(u.wall_seconds) if ran else None,
                "calls": u.provider_calls if ran else None,
                "cached": u.cached_calls if ran else None,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("tokens", "calls", "cached"):
        frame[column] = frame[column].astype("Int64")
    return frame


def per_dimension(summaries: list[RunSummary]) -> pd.DataFrame:
    """One row per task, rater and dimension, with the 95% intervals."""
    rows = [
        {
            "task": s.task,
            "rater": s.rater,
            **d.model_dump(
                include={
                    "dimension",
                    "n",
                    "qwk",
                    "qwk_low",
                    "qwk_high",
                    "spearman",
                    "spearman_low",
                    "spearman_high",
                    "alpha",
                    "alpha_low",
                    "alpha_high",
                    "alpha_experts",
                }
            ),
        }
        for s in summaries
        for d in s.dimensions
    ]
    return pd.DataFrame(rows)


def render(summaries: list[RunSummary]) -> str:
    fmt = {"float_format": lambda v: f"{v:.2f}", "index": False, "na_rep": "-"}
    over = overview(summaries)
    dims = per_dimension(summaries)
    if dims.empty:
        return "\n\n".join(["Agreement with the reference: nothing was scored", over.to_string(**fmt)])
    dims["qwk [95% CI]"] = dims.apply(lambda r: f"{r.qwk:.2f} [{r.qwk_low:.2f}, {r.qwk_high:.2f}]", axis=1)
    dims["spearman [95% CI]"] = dims.apply(
        lambda r: f"{r.spearman:.2f} [{r.spearman_low:.2f}, {r.spearman_high:.2f}]", axis=1
    )
    dims["alpha+rater [95% CI] (experts alone)"] = dims.apply(
        lambda r: f"{r.alpha:.2f} [{r.alpha_low:.2f}, {r.alpha_high:.2f}] ({r.alpha_experts:.2f})", axis=1
    )
    detail = dims[
        ["task", "rater", "dimension", "n", "qwk [95% CI]", "spearman [95% CI]", "alpha+rater [95% CI] (experts alone)"]
    ]
    unscored = [
        f"  {s.task} / {s.rater}: " + ", ".join(f"{k} {v}" for k, v in s.unscored_reasons.items())
        for s in summaries
        if s.unscored_reasons
    ]
    notes = [f"  {s.task} / {s.rater}: {note}" for s in summaries for note in s.notes if s.kind != "human"]
    parts = [
        "Agreement with the reference (mean over dimensions; qwk = quadratic-weighted kappa with its "
        "bootstrap 95% CI; alpha+rater = Krippendorff's alpha of the experts with the rater added, and beside it the "
        "same with the rater's ratings shuffled across items, what an uninformative rater scores; alt-test = the "
        "authors' reference procedure, flagged when the clustered variant disagrees)",
        over.to_string(**fmt),
        "Per dimension (bootstrap 95% CIs over items)",
        detail.to_string(index=False),
    ]
    if unscored:
        parts += ["Unscored ratings by reason (never counted as a score)", "\n".join(unscored)]
    if notes:
        parts += ["Notes", "\n".join(notes)]
    return "\n\n".join(parts)
