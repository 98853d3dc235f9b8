"""The recipient perspective: agreement with the person supported, who rated the conversation
once (a client's own CARE answers), or, for a judge rating another rubric, the correlation of its
overall score with what that person reported (`outcome_correlations`). One rater per
conversation means no leave-one-out ceiling; the yardsticks are the scale's own reliability
(Cronbach's alpha over its items) and its correlation with an outcome (the client's readiness
change)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from empathy_bench.agreement.stats import (
    N_RESAMPLES,
    percentile_ci,
    qwk,
    resample_indices,
    spearman,
    spearman_resamples,
)

# CARE (Mercer et al. 2004): up to two "does not apply" answers are replaced by the mean of the
# answered items; with more missing the measure has no score. Replacing by the mean leaves the
# mean unchanged, so the CARE score here is the mean of the answered items (x10 gives CARE's total).
CARE_MAX_MISSING = 2
RULERS = ("Importance", "Confidence", "Readiness")
CHANGES = {"post": "PostRuler", "week": "WeekLaterRuler"}  # change = <when> - PreRuler


class Estimate(NamedTuple):
    """One figure with its 95% bootstrap interval over conversations and its n."""

    value: float
    low: float
    high: float
    n: int


def care_score(wide: pd.DataFrame, max_missing: int = CARE_MAX_MISSING) -> pd.Series:
    """Conversations x items -> the CARE score: the mean of the answered items where at most
    `max_missing` are missing (NaN), else NaN (no score)."""
    missing = wide.isna().sum(axis=1)
    return wide.mean(axis=1).where(missing <= max_missing)


def prorated(wide: pd.DataFrame, max_missing: int = CARE_MAX_MISSING) -> pd.DataFrame:
    """The rows with a CARE score, each missing answer replaced by the mean of that row's answered
    items (CARE's own rule)."""
    score = care_score(wide, max_missing)
    kept = wide[score.notna()]
    return kept.apply(lambda row: row.fillna(row.mean()), axis=1)


def cronbach_alpha(table: np.ndarray) -> float:
    """Cronbach's alpha of complete rows x items: k/(k-1) * (1 - sum of item variances /
    variance of the row totals), sample variances (ddof 1). NaN where the totals do not vary."""
    table = np.asarray(table, float)
    n, k = table.shape
    if n < 2 or k < 2:
        return float("nan")
    total_var = table.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - table.var(axis=0, ddof=1).sum() / total_var))


def alpha_estimate(wide: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0) -> Estimate:
    """Cronbach's alpha over the items of the prorated CARE answers, bootstrap over conversations."""
    table = prorated(wide).to_numpy(float)
    draws = np.array([cronbach_alpha(table[i]) for i in resample_indices(len(table), n_resamples, seed)])
    return Estimate(cronbach_alpha(table), *percentile_ci(draws), len(table))


def spearman_estimate(a: pd.Series, b: pd.Series, n_resamples: int = N_RESAMPLES, seed: int = 0) -> Estimate:
    """Spearman of two per-conversation series on the conversations both have, bootstrap interval."""
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).dropna()
    x, y = both["a"].to_numpy(float), both["b"].to_numpy(float)
    if len(x) < 2:
        return Estimate(float("nan"), float("nan"), float("nan"), len(x))
    draws = spearman_resamples(x, y, resample_indices(len(x), n_resamples, seed))
    return Estimate(spearman(x, y), *percentile_ci(draws), len(x))


def readiness_changes(metadata: pd.DataFrame) -> pd.DataFrame:
    """Conversations x '<post|week>_<ruler>' readiness changes (later minus before the conversation)."""
    return pd.DataFrame(
        {
            f"{when}_{ruler.lower()}": pd.to_numeric(metadata[f"{prefix}{ruler}"], errors="coerce")
            - pd.to_numeric(metadata[f"PreRuler{ruler}"], errors="coerce")
            for when, prefix in CHANGES.items()
            for ruler in RULERS
        },
        index=metadata.index,
    )


def change_correlations(
    score: pd.Series, metadata: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> dict[str, Estimate]:
    """'<post|week>_<ruler>' -> the Spearman of a per-conversation score with that readiness change."""
    return {
        name: spearman_estimate(score, change, n_resamples, seed)
        for name, change in readiness_changes(metadata).items()
    }


def yardsticks(
    client: pd.DataFrame, metadata: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> dict[str, Estimate]:
    """What a judge's figure is read against where the client alone rated: Cronbach's alpha of
    the client's CARE answers and the Spearman of the client's CARE score with each readiness
    change. `client`: conversations x CARE items; `metadata`: conversations x ruler columns."""
    found = change_correlations(care_score(client), metadata, n_resamples, seed)
    return {"cronbach_alpha": alpha_estimate(client, n_resamples, seed)} | {
        f"care_vs_{name}": e for name, e in found.items()
    }


def outcome_correlations(
    score: pd.Series, client: pd.DataFrame, metadata: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> dict[str, Estimate]:
    """A per-conversation score (a judge's overall score on another rubric, a word count) against
    what the client reported: `spearman_care` with the client's CARE score and `spearman_<change>`
    with each readiness change, each with its bootstrap interval over the conversations both have.
    Correlations with an outcome, not agreement: the score and the outcomes are different constructs."""
    found = change_correlations(score, metadata, n_resamples, seed)
    return {"spearman_care": spearman_estimate(score, care_score(client), n_resamples, seed)} | {
        f"spearman_{name}": e for name, e in found.items()
    }


def recipient_agreement(
    judge: pd.DataFrame, client: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> dict[str, Estimate]:
    """A judge against the client: `spearman_care` (the judge's mean over the items it rated vs the
    client's CARE score, bootstrap over conversations), `qwk:<item>` per item and `mean_qwk` (no
    interval)."""
    out = {"spearman_care": spearman_estimate(judge.mean(axis=1), care_score(client), n_resamples, seed)}
    for item in client.columns:
        if item not in judge.columns:
            continue
        both = pd.concat([judge[item].rename("j"), client[item].rename("c")], axis=1).dropna()
        value = qwk(both["j"].to_numpy(float), both["c"].to_numpy(float)) if len(both) > 1 else float("nan")
        out[f"qwk:{item}"] = Estimate(value, float("nan"), float("nan"), len(both))
    defined = [e for name, e in out.items() if name.startswith("qwk:") and not np.isnan(e.value)]
    mean = float(np.mean([e.value for e in defined])) if defined else float("nan")
    # over the items whose QWK is defined; n: the most conversations any of them has
    out["mean_qwk"] = Estimate(mean, float("nan"), float("nan"), max((e.n for e in defined), default=0))
    return out
