"""The Alternative Annotator Test ("alt-test"): can an LLM judge replace one human annotator?

Sources
-------
- Calderon, Reichart & Dror (2025), "The Alternative Annotator Test for LLM-as-a-Judge: How to
  Statistically Justify Replacing Human Annotators with LLMs", ACL 2025 (arXiv 2501.10970).
- The authors' reference implementation: github.com/nitaytech/AltTest, `alt_test_example.ipynb`
  (functions `alt_test`, `ttest`, `by_procedure`, `accuracy`, `neg_rmse`; commit 13eada27) and
  its README / FAQ (epsilon guidance; at least 3 annotators; at least 30 items per annotator).

Procedure (as in the reference code, step by step)
--------------------------------------------------
1. Keep the items rated by at least two humans and by the LLM (reference:
   `min_humans_per_instance=2`, items without an LLM annotation dropped); so every kept item an
   annotator rated has at least one *other* human rating.
2. Leave one annotator j out. On each kept item i that j rated, score the LLM f and j against
   the other humans' ratings of i with an alignment function S:
     neg_rmse: S(x) = -sqrt(mean_k (x - h_k)^2)      (numeric / ordinal ratings)
     accuracy: S(x) = mean_k 1[x == h_k]              (categorical labels)
3. W^f_ij = 1[S(f) >= S(h_j)], W^h_ij = 1[S(h_j) >= S(f)]: a tie counts as a win for both.
   rho^f_j = mean_i W^f_ij, rho^h_j = mean_i W^h_ij.
4. H0_j: rho^f_j <= rho^h_j - epsilon  vs  H1_j: rho^f_j > rho^h_j - epsilon, as a one-sided
   one-sample t-test on d_i = W^h_ij - W^f_ij: H0: mean(d) >= epsilon (scipy `ttest_1samp`,
   `popmean=epsilon`, `alternative="less"`, exactly the reference's `ttest`).
5. Benjamini-Yekutieli FDR control over the m annotators' p-values at q = alpha (the paper's and
   the reference's choice: BY holds under arbitrary dependence, and the m tests share items).
   scipy's BY-adjusted p-value <= q rejects the set the reference's step-up loop rejects
   (the same inequality rearranged; they could differ only by rounding at the boundary).
6. Winning rate omega = share of annotators whose H0 is rejected; the LLM passes when
   omega >= 0.5. Average advantage probability rho = mean_j rho^f_j (for ranking judges).

Units of the t-test. The reference treats every instance as one unit; for a multi-aspect dataset
an instance is an (item, aspect) pair (their SummEval ids are document x system x aspect), so
Lend an Ear's 50 conversations x 6 dimensions are 300 units. That is the default here
(`procedure="reference"`). `procedure="clustered"` is a variant of ours: it averages d within each
cluster (e.g. conversation) and tests the cluster means. Clustering is not conservative in
general: it widens the interval when instances of a cluster are positively correlated and
*narrows* it when they are negatively correlated (as the Lend an Ear dimensions mostly are),
so callers report the variant beside the reference verdict, never instead of it.

Deviations from the reference code, each for a stated reason: fewer than 3 annotators is an
error (the paper/README recommend >= 3; the code would run with 2); an annotator with fewer than
`min_items` items is an error instead of being skipped with a print (skipping silently shrinks
the family the winning rate is a share of); a zero-variance d is decided explicitly (see
`one_sided_test`) with the same outcome scipy gives the reference.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel
from scipy.stats import false_discovery_control, ttest_1samp

from empathy_bench.agreement.statistics import Setting, Stat, figures

Metric = Literal["neg_rmse", "accuracy"]
Procedure = Literal["reference", "clustered"]

MIN_ANNOTATORS = 3  # paper / README FAQ: with two there is no consensus to compare against
MIN_ITEMS = 30  # reference default `min_instances_per_human`; FAQ: for the t-test's normality
PASS_WINNING_RATE = 0.5  # the paper's criterion: the LLM beats at least half of the humans


class AnnotatorTest(BaseModel):
    """The LLM against one left-out human annotator."""

    annotator: str
    n_items: int  # instances j rated that are kept (>= 2 human ratings and an LLM rating)
    n_units: int  # the t-test's units: instances (reference) or clusters (clustered variant)
    df: int  # degrees of freedom of the t-test, n_units - 1
    rho_llm: float  # rho^f_j: share of j's items where the LLM aligns at least as well as j
    rho_human: float  # rho^h_j: share where j aligns at least as well as the LLM
    t_statistic: float | None  # None when d has zero variance (the t statistic is undefined)
    p_value: float
    p_adjusted: float  # Benjamini-Yekutieli adjusted across the annotators
    rejected: bool  # H0_j rejected: the LLM "wins" against j


class AltTestResult(BaseModel):
    """The verdict (passed = winning_rate >= 0.5) and every number behind it."""

    procedure: Procedure = "reference"
    epsilon: float
    alpha: float
    metric: Metric
    n_annotators: int
    n_items: int  # items kept for the test
    n_items_dropped: int  # human-rated items with < 2 human ratings or no LLM rating
    winning_rate: float
    passed: bool
    advantage_probability: float
    per_annotator: list[AnnotatorTest]

    def stats(self, prefix: str, criterion: str | None = None) -> list[Stat]:
        """Its figures as Stats named `prefix` + field (`alt_test_winning_rate`), one set per
        annotator beside the verdict's (`versus` the annotator)."""
        found = figures(self, TEST_FIGURES, self.n_items, prefix, criterion=criterion)
        for t in self.per_annotator:
            found += figures(t, ANNOTATOR_FIGURES, t.n_items, prefix, criterion=criterion, versus=t.annotator)
        return found

    def settings(self, prefix: str) -> dict[str, Setting]:
        """Its parameters (not figures): the procedure, epsilon, the FDR level, the metric."""
        return {prefix + k: getattr(self, k) for k in ("procedure", "epsilon", "alpha", "metric")}


TEST_FIGURES = ("winning_rate", "passed", "advantage_probability", "n_annotators", "n_items", "n_items_dropped")
ANNOTATOR_FIGURES = (
    "n_items",
    "n_units",
    "df",
    "rho_llm",
    "rho_human",
    "t_statistic",
    "p_value",
    "p_adjusted",
    "rejected",
)


def alignment(pred: pd.Series, others: pd.DataFrame, metric: Metric) -> pd.Series:
    """S(pred, i) against each item's other human ratings (NaN = not rated, skipped)."""
    if metric == "neg_rmse":
        # pandas' mean skips NaN, so each item averages over the humans who rated it.
        return -np.sqrt(others.sub(pred, axis=0).pow(2).mean(axis=1))
    agree = others.eq(pred, axis=0) & others.notna()
    return agree.sum(axis=1) / others.notna().sum(axis=1)


def one_sided_test(d: np.ndarray, epsilon: float) -> tuple[float | None, float]:
    """t statistic and p-value of H0: mean(d) >= epsilon against H1: mean(d) < epsilon.

    When every d_i is the same the t statistic is undefined (0 / 0 standard error). The
    reference passes such d straight to scipy, which returns t = -inf, p = 0 when the common
    value is below epsilon, t = +inf, p = 1 above it, and p = NaN (never rejected by its BY
    loop) when equal. We give the same decisions without the warnings: p = 0 below epsilon,
    p = 1 otherwise (1 rather than NaN, which scipy's FDR function refuses; same decision).
    """
    if np.ptp(d) == 0:
        return None, 0.0 if d[0] < epsilon else 1.0
    res = ttest_1samp(d, popmean=epsilon, alternative="less")
    return float(res.statistic), float(res.pvalue)


def fdr_by(p_values: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Yekutieli adjusted p-values and which hypotheses are rejected at level alpha."""
    adjusted = false_discovery_control(np.asarray(p_values, float), method="by")
    return adjusted, adjusted <= alpha


def _check_inputs(humans: pd.DataFrame, llm: pd.Series, epsilon: float, alpha: float, metric: str) -> None:
    if not isinstance(humans, pd.DataFrame) or not isinstance(llm, pd.Series):
        raise ValueError("alt_test needs humans as a DataFrame (items x annotators), llm as a Series by item")
    if metric not in ("neg_rmse", "accuracy"):
        raise ValueError(f"unknown metric {metric!r}: use 'neg_rmse' (numeric ratings) or 'accuracy' (labels)")
    if not 0 <= epsilon <= 1:
        raise ValueError(f"epsilon={epsilon} is outside [0, 1]: it is a difference of two probabilities")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha} must lie strictly between 0 and 1 (the paper uses 0.05)")
    indexes = {"humans rows": humans.index, "humans columns": humans.columns, "llm index": llm.index}
    for name, index in indexes.items():
        if index.has_duplicates:
            repeated = list(index[index.duplicated()].unique())[:5]
            raise ValueError(f"{name} repeat ids {repeated}: give each id once")
    if humans.shape[1] < MIN_ANNOTATORS:
        raise ValueError(
            f"the alt-test needs at least {MIN_ANNOTATORS} human annotators, got {humans.shape[1]}: "
            "with fewer there is no group consensus to leave one annotator out of; add annotators"
        )


def _as_numeric(humans: pd.DataFrame, llm: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """neg_rmse needs numbers; say so instead of failing deep inside the arithmetic."""
    try:
        return humans.apply(pd.to_numeric).astype(float), pd.to_numeric(llm).astype(float)
    except (ValueError, TypeError) as err:
        raise ValueError(f"metric 'neg_rmse' needs numeric ratings ({err}); for labels use metric='accuracy'") from err


def _kept_items(humans: pd.DataFrame, llm: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Items with >= 2 human ratings and an LLM rating, as in the reference code."""
    llm = llm.reindex(humans.index)
    keep = (humans.notna().sum(axis=1) >= 2) & llm.notna()
    return humans[keep], llm[keep]


def _indicators(humans: pd.DataFrame, llm: pd.Series, j: object, metric: Metric) -> tuple[pd.Series, pd.Series]:
    """W^f and W^h over the items annotator j rated (ties count for both)."""
    rated = humans[j].notna()
    others = humans.loc[rated].drop(columns=j)
    s_llm = alignment(llm[rated], others, metric)
    s_human = alignment(humans.loc[rated, j], others, metric)
    return (s_llm >= s_human).astype(float), (s_human >= s_llm).astype(float)


def _paired_differences(w_llm: pd.Series, w_human: pd.Series, clusters: pd.Series | None) -> np.ndarray:
    """d = W^h - W^f per instance (the reference), or averaged within each cluster (the
    clustered variant, see the module docstring for what that does and does not protect)."""
    d = w_human - w_llm
    if clusters is None:
        return d.to_numpy(float)
    return d.groupby(clusters.reindex(d.index).to_numpy()).mean().to_numpy(float)


def annotator_tests(
    humans: pd.DataFrame, llm: pd.Series, metric: Metric, epsilon: float, min_items: int, clusters: pd.Series | None
) -> tuple[list[dict[str, object]], int, int]:
    """Steps 1-4 for every annotator (unadjusted p-values), the number of kept instances and of
    dropped ones. Callers adjust the p-values together (step 5): one family per test."""
    if metric == "neg_rmse":
        humans, llm = _as_numeric(humans, llm)
    n_rated = int(humans.notna().any(axis=1).sum())
    kept, kept_llm = _kept_items(humans, llm)
    units = kept.notna() if clusters is None else kept.notna().groupby(clusters.reindex(kept.index).to_numpy()).any()
    short = {str(j): int(n) for j, n in units.sum(axis=0).items() if n < min_items}
    if short:
        raise ValueError(
            f"annotators with fewer than {min_items} usable items (rated by them, another human and the "
            f"LLM): {short}; drop them from `humans`, collect more ratings, or lower min_items knowingly"
        )
    tests = []
    for j in kept.columns:
        w_llm, w_human = _indicators(kept, kept_llm, j, metric)
        d = _paired_differences(w_llm, w_human, clusters)
        t, p = one_sided_test(d, epsilon)
        tests.append(
            dict(
                annotator=str(j),
                n_items=len(w_llm),
                n_units=len(d),
                df=len(d) - 1,
                rho_llm=float(w_llm.mean()),
                rho_human=float(w_human.mean()),
                t_statistic=t,
                p_value=p,
            )
        )
    return tests, len(kept), n_rated - len(kept)


def _adjusted(tests: list[dict[str, object]], adjusted: np.ndarray, rejected: np.ndarray) -> list[AnnotatorTest]:
    return [
        AnnotatorTest(**t, p_adjusted=float(a), rejected=bool(r))
        for t, a, r in zip(tests, adjusted, rejected, strict=True)
    ]


def _result(
    per_annotator: list[AnnotatorTest],
    procedure: Procedure,
    epsilon: float,
    alpha: float,
    metric: Metric,
    kept: int,
    dropped: int,
) -> AltTestResult:
    """Step 6: the winning rate and the verdict."""
    winning_rate = float(np.mean([a.rejected for a in per_annotator]))
    return AltTestResult(
        procedure=procedure,
        epsilon=epsilon,
        alpha=alpha,
        metric=metric,
        n_annotators=len(per_annotator),
        n_items=kept,
        n_items_dropped=dropped,
        winning_rate=winning_rate,
        passed=winning_rate >= PASS_WINNING_RATE,
        advantage_probability=float(np.mean([a.rho_llm for a in per_annotator])),
        per_annotator=per_annotator,
    )


def alt_test(
    humans: pd.DataFrame,
    llm: pd.Series,
    epsilon: float = 0.2,
    alpha: float = 0.05,
    metric: Metric = "neg_rmse",
    *,
    min_items: int = MIN_ITEMS,
    clusters: pd.Series | None = None,
) -> AltTestResult:
    """Run the alt-test. humans: instances x annotators (NaN = not rated); llm: ratings by instance.

    epsilon: cost-benefit margin (README: 0.2 experts, 0.15 skilled, 0.1 crowd workers);
    alpha: the FDR level q; min_items: fewest kept units an annotator may have (reference: 30;
    lower it only knowingly: below 30 the FAQ recommends a non-parametric test instead);
    clusters: None (the reference procedure: every instance is a unit) or a cluster id per
    instance (same index as `humans`) for the clustered variant, where clusters are the units
    and min_items counts clusters."""
    _check_inputs(humans, llm, epsilon, alpha, metric)
    tests, kept, dropped = annotator_tests(humans, llm, metric, epsilon, min_items, clusters)
    adjusted, rejected = fdr_by(np.array([t["p_value"] for t in tests]), alpha)
    procedure: Procedure = "reference" if clusters is None else "clustered"
    return _result(_adjusted(tests, adjusted, rejected), procedure, epsilon, alpha, metric, kept, dropped)


def alt_test_by_aspect(
    humans: dict[str, pd.DataFrame],
    llm: dict[str, pd.Series],
    epsilon: float = 0.2,
    alpha: float = 0.05,
    metric: Metric = "neg_rmse",
    *,
    min_items: int = MIN_ITEMS,
) -> dict[str, AltTestResult]:
    """One alt-test per aspect (rubric dimension), each on its own items, with the
    Benjamini-Yekutieli adjustment over *all* the aspects' p-values together (aspects x
    annotators hypotheses), so testing six dimensions instead of one pooled test does not buy
    six chances to pass. Context beside the pooled verdict: pooling can hide an aspect where the
    LLM fails."""
    runs = {}
    for aspect, table in humans.items():
        _check_inputs(table, llm[aspect], epsilon, alpha, metric)
        runs[aspect] = annotator_tests(table, llm[aspect], metric, epsilon, min_items, None)
    p_values = np.array([t["p_value"] for tests, _, _ in runs.values() for t in tests])
    adjusted, rejected = fdr_by(p_values, alpha)
    out, start = {}, 0
    for aspect, (tests, kept, dropped) in runs.items():
        stop = start + len(tests)
        out[aspect] = _result(
            _adjusted(tests, adjusted[start:stop], rejected[start:stop]),
            "reference",
            epsilon,
            alpha,
            metric,
            kept,
            dropped,
        )
        start = stop
    return out


def verdict(reference: bool | None, clustered: bool | None) -> str | None:
    """The verdict as shown on every surface from whether each test passed: the reference
    procedure's, with a warning when the clustered variant disagrees (None when a test was not
    run)."""
    if reference is None:
        return None
    shown = "pass" if reference else "fail"
    if clustered is None or clustered == reference:
        return shown
    return f"{shown}, not robust to clustering" if reference else f"{shown}, passes when clustered"
