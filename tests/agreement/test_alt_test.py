"""The alt-test against values worked out by hand (arithmetic in the comments).

Notation (Calderon, Reichart & Dror 2025): for annotator j and item i, S(x) scores x against the
*other* humans' ratings of i (neg_rmse: -sqrt(mean (x - h_k)^2); accuracy: share of h_k == x);
W^f = 1[S(llm) >= S(h_j)], W^h = 1[S(h_j) >= S(llm)], d = W^h - W^f;
t = (mean(d) - epsilon) / (sd(d, ddof=1) / sqrt(n)), p = P(T_{n-1} <= t);
BY: p_adj(k) = min over l >= k of p_(l) * m * H_m / l (capped at 1), H_m = 1 + 1/2 + ... + 1/m.

P(T_5 <= t) has a closed form (Student's t, odd degrees of freedom): with
theta = atan(|t| / sqrt(5)), A = (2 / pi) (theta + sin(theta) cos(theta) (1 + (2/3) cos^2(theta)))
is P(|T| < |t|), so P(T <= t) = (1 - A) / 2 for t < 0. `t5_cdf` below is that formula.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t
from scipy.stats import ttest_1samp

from empathy_bench.agreement.alt_test import AltTestResult, alt_test, alt_test_by_aspect, fdr_by, verdict

H3 = 1 + 1 / 2 + 1 / 3  # 11/6, the BY harmonic factor for m = 3 annotators


def t5_cdf(t: float) -> float:
    """P(T <= t) for Student's t with 5 degrees of freedom, t < 0, in closed form."""
    theta = math.atan(abs(t) / math.sqrt(5))
    c, s = math.cos(theta), math.sin(theta)
    a = (2 / math.pi) * (theta + s * c * (1 + (2 / 3) * c * c))
    return (1 - a) / 2


def table(rows: dict[str, tuple], columns: str = "ABC") -> tuple[pd.DataFrame, pd.Series]:
    """rows: item -> (rating by each annotator in `columns`..., LLM rating); None = not rated."""
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[*columns, "llm"]).astype(float)
    return frame[list(columns)], frame["llm"]


def by_annotator(result: AltTestResult) -> dict:
    return {a.annotator: a for a in result.per_annotator}


# Every item's three ratings are a permutation of (1, 3, 5); each annotator holds the median 3
# on exactly two items. The LLM always says 3, the median.
MEDIAN_ROWS = {
    "i1": (1, 3, 5, 3),
    "i2": (5, 3, 1, 3),
    "i3": (3, 1, 5, 3),
    "i4": (3, 5, 1, 3),
    "i5": (1, 5, 3, 3),
    "i6": (5, 1, 3, 3),
}


def test_llm_at_the_median_beats_every_annotator():
    # j rates 1, others (3, 5): S(llm=3) = -sqrt((0 + 4)/2) = -sqrt(2) > S(1) = -sqrt((4 + 16)/2).
    # j rates 5, others (1, 3): S(llm) = -sqrt((4 + 0)/2) = -sqrt(2) > S(5) = -sqrt((16 + 4)/2).
    # j rates 3 (= llm): identical scores, a tie: W^f = W^h = 1, d = 0.
    # So for every j: d = (-1, -1, -1, -1, 0, 0); rho^f = 6/6 = 1, rho^h = 2/6 = 1/3.
    # mean(d) = -2/3; sd^2 = (4 (1/3)^2 + 2 (2/3)^2) / 5 = (4/9 + 8/9) / 5 = 4/15;
    # se = sqrt(4/15 / 6) = sqrt(2/45); t = (-2/3 - 1/5) / sqrt(2/45) = -13/sqrt(10) = -4.1110.
    humans, llm = table(MEDIAN_ROWS)
    result = alt_test(humans, llm, epsilon=0.2, min_items=6)
    p = t5_cdf(-13 / math.sqrt(10))  # 0.0046276
    for a in result.per_annotator:
        assert (a.n_items, a.rho_llm, a.rho_human) == (6, 1.0, pytest.approx(1 / 3, abs=1e-12))
        assert a.t_statistic == pytest.approx(-13 / math.sqrt(10), abs=1e-9)
        assert a.p_value == pytest.approx(p, abs=1e-9)
        # three equal p-values: p_adj = min over l of p * 3 * H3 / l = p * H3 = 0.0085 <= 0.05
        assert a.p_adjusted == pytest.approx(p * H3, abs=1e-9)
        assert a.rejected
    assert (result.winning_rate, result.passed, result.advantage_probability) == (1.0, True, 1.0)
    assert (result.n_annotators, result.n_items, result.n_items_dropped) == (3, 6, 0)


def test_llm_far_off_fails_with_winning_rate_zero():
    # Humans rate 1 or 2, the LLM always 5. Against any others (each 1 or 2) the LLM is off by
    # 3 or 4, j by at most 1: W^f = 0, W^h = 1, d = 1 on every item. d has zero variance, so the
    # t statistic is undefined (None); mean(d) = 1 > epsilon: p = 1, never rejected.
    rows = {f"i{k}": (1 + k % 2, 2 - k % 3 // 2, 1 + k // 3 % 2, 5) for k in range(6)}
    humans, llm = table(rows)
    result = alt_test(humans, llm, epsilon=0.2, min_items=6)
    for a in result.per_annotator:
        assert (a.rho_llm, a.rho_human, a.t_statistic) == (0.0, 1.0, None)
        assert (a.p_value, a.rejected) == (1.0, False)
        assert a.p_adjusted == 1.0  # 1 * 3 * H3 / 3 = 1.83, capped at 1
    assert (result.winning_rate, result.passed, result.advantage_probability) == (0.0, False, 0.0)


# (A, B, C, LLM). Item i6 has a single other rating for A; i7 is not rated by A.
HAND_ROWS = {
    "i1": (2, 2, 3, 3),
    "i2": (4, 2, 2, 2),
    "i3": (3, 3, 3, 1),
    "i4": (1, 2, 4, 3),
    "i5": (5, 4, 5, 4),
    "i6": (2, None, 2, 3),
    "i7": (None, 3, 4, 3),
}


def test_one_annotator_by_hand():
    # Annotator A, others' ratings and scores (S = -RMSE against the others):
    #   i1 others (2, 3): S(A=2) = -sqrt((0 + 1)/2), S(llm=3) = -sqrt((1 + 0)/2): tie  W^f=1 W^h=1 d= 0
    #   i2 others (2, 2): S(A=4) = -2, S(llm=2) = 0                                 W^f=1 W^h=0 d=-1
    #   i3 others (3, 3): S(A=3) = 0, S(llm=1) = -2                                 W^f=0 W^h=1 d=+1
    #   i4 others (2, 4): S(A=1) = -sqrt((1 + 9)/2), S(llm=3) = -sqrt((1 + 1)/2)    W^f=1 W^h=0 d=-1
    #   i5 others (4, 5): S(A=5) = -sqrt(1/2), S(llm=4) = -sqrt(1/2): tie           W^f=1 W^h=1 d= 0
    #   i6 others (2):    S(A=2) = 0, S(llm=3) = -1                                 W^f=0 W^h=1 d=+1
    #   i7: A did not rate it: excluded for A (still used for B and C).
    # rho^f = 4/6, rho^h = 4/6; d = (0, -1, 1, -1, 0, 1): mean 0, sd^2 = 4/5, se = sqrt(4/5/6);
    # t = (0 - 0.2) / sqrt(2/15) = -sqrt(0.3) = -0.5477; p = P(T_5 <= -sqrt(0.3)) = 0.3037.
    humans, llm = table(HAND_ROWS)
    a = by_annotator(alt_test(humans, llm, epsilon=0.2, min_items=6))["A"]
    assert a.n_items == 6
    assert a.rho_llm == pytest.approx(4 / 6, abs=1e-9)
    assert a.rho_human == pytest.approx(4 / 6, abs=1e-9)
    assert a.t_statistic == pytest.approx(-math.sqrt(0.3), abs=1e-9)
    assert a.p_value == pytest.approx(t5_cdf(-math.sqrt(0.3)), abs=1e-9)
    assert not a.rejected


def test_items_without_two_humans_or_an_llm_rating_are_dropped():
    # Added: j1 rated by A only (one human), j2 with no LLM rating, j3 missing from the LLM series.
    # None of them can enter any comparison, so every per-annotator number stays the same.
    humans, llm = table(HAND_ROWS)
    base = alt_test(humans, llm, min_items=6)
    extra, extra_llm = table({**HAND_ROWS, "j1": (1, None, None, 3), "j2": (1, 2, 3, None), "j3": (2, 2, 2, 0)})
    result = alt_test(extra, extra_llm.drop("j3"), min_items=6)
    assert (result.n_items, result.n_items_dropped) == (7, 3)
    assert result.per_annotator == base.per_annotator


def test_zero_variance_ties_everywhere_is_a_win():
    # The LLM copies annotator A: on every item S(llm) = S(A), a tie, so d = 0 everywhere.
    # sd(d) = 0: t undefined (None); mean(d) = 0 < epsilon, so p = 0 (scipy's limit, -inf -> 0)
    # and H0 is rejected: the LLM is as good as A, within the margin.
    rows = {k: (*v[:3], v[0]) for k, v in MEDIAN_ROWS.items()}
    humans, llm = table(rows)
    a = by_annotator(alt_test(humans, llm, min_items=6))["A"]
    assert (a.rho_llm, a.rho_human, a.t_statistic) == (1.0, 1.0, None)
    assert (a.p_value, a.p_adjusted, a.rejected) == (0.0, 0.0, True)


def accuracy_rows() -> dict[str, tuple]:
    """38 categorical items: 2 where the three humans agree and the LLM does not, 2 per annotator
    where that annotator alone disagrees and the LLM sides with the other two, 30 unanimous."""
    rows = {f"llm_off{k}": ("a", "a", "a", "b") for k in range(2)}
    for j, name in enumerate("ABC"):
        for k in range(2):
            rows[f"{name}_off{k}"] = tuple("b" if c == j else "a" for c in range(3)) + ("a",)
    rows |= {f"all{k}": ("a", "a", "a", "a") for k in range(30)}
    return rows


@pytest.mark.parametrize("epsilon, passed", [(0.2, True), (0.0, False)])
def test_epsilon_changes_the_verdict(epsilon: float, passed: bool):
    # For annotator A (B, C by symmetry), accuracy against the two others:
    #   llm_off: A 2/2 vs llm 0/2        d = +1  (2 items)
    #   A_off:   A 0/2 vs llm 2/2        d = -1  (2 items)
    #   B_off, C_off: others (a, b): A 1/2 vs llm 1/2, tie; unanimous: tie  d = 0 (34 items)
    # rho^f = rho^h = 36/38. mean(d) = 0, sd^2 = 4/37, se = sqrt(4/37/38) = 1/sqrt(351.5).
    # epsilon 0.2: t = -0.2 sqrt(351.5) = -0.1 sqrt(1406) = -3.75, p = 0.0003, p_adj = 0.0006 < 0.05.
    # epsilon 0:   t = 0, p = 1/2, p_adj = 1/2 * H3 = 0.917: not rejected, winning rate 0.
    frame = pd.DataFrame.from_dict(accuracy_rows(), orient="index", columns=[*"ABC", "llm"])
    result = alt_test(frame[list("ABC")], frame["llm"], epsilon=epsilon, metric="accuracy")
    for a in result.per_annotator:
        assert (a.n_items, a.rho_llm, a.rho_human) == (38, 36 / 38, 36 / 38)
        assert a.t_statistic == pytest.approx(-epsilon * math.sqrt(351.5), abs=1e-9)
    if epsilon == 0.0:
        assert {a.p_value for a in result.per_annotator} == {0.5}
        assert all(a.p_adjusted == pytest.approx(0.5 * H3, abs=1e-12) for a in result.per_annotator)
    assert result.passed is passed
    assert result.winning_rate == (1.0 if passed else 0.0)
    assert result.advantage_probability == pytest.approx(36 / 38)


def test_by_adjustment_by_hand():
    # m = 3, m * H3 = 5.5. p = (0.01, 0.02, 0.04): raw 0.01*5.5/1 = 0.055, 0.02*5.5/2 = 0.055,
    # 0.04*5.5/3 = 0.07333; running minimum from the largest: unchanged. None <= 0.05, although
    # Benjamini-Hochberg (factor 3 instead of 5.5) would give 0.03, 0.03, 0.04 and reject all.
    adjusted, rejected = fdr_by(np.array([0.01, 0.02, 0.04]), 0.05)
    assert adjusted == pytest.approx([0.055, 0.055, 0.22 / 3], abs=1e-12)
    assert not rejected.any()
    # Step-up: p = (0.012, 0.011, 0.5); sorted raw 0.011*5.5 = 0.0605, 0.012*5.5/2 = 0.033,
    # 0.5*5.5/3 = 0.9167; running minimum from the largest gives 0.033 to the smallest too, so
    # both small ones are rejected (the reference's thresholds k q / (m H3) = 0.0091, 0.0182:
    # 0.011 > 0.0091 but 0.012 <= 0.0182, and the step-up rejects everything below it).
    adjusted, rejected = fdr_by(np.array([0.012, 0.011, 0.5]), 0.05)
    assert adjusted == pytest.approx([0.033, 0.033, 2.75 / 3], abs=1e-12)
    assert rejected.tolist() == [True, True, False]


def test_fewer_than_three_annotators_is_an_error():
    humans, llm = table(MEDIAN_ROWS)
    with pytest.raises(ValueError, match="at least 3 human annotators, got 2"):
        alt_test(humans[["A", "B"]], llm, min_items=6)


def test_annotator_with_too_few_items_is_an_error():
    humans, llm = table(MEDIAN_ROWS)
    with pytest.raises(ValueError, match=r"fewer than 30 usable items.*'A': 6, 'B': 6, 'C': 6"):
        alt_test(humans, llm)  # the reference's default minimum: 30 items per annotator
    humans.loc["i1", "C"] = np.nan  # C now has 5 items; i1 keeps two human ratings
    with pytest.raises(ValueError, match=r"\{'C': 5\}"):
        alt_test(humans, llm, min_items=6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"metric": "kappa"}, "unknown metric"),
        ({"epsilon": 1.5}, "outside"),
        ({"alpha": 0.0}, "strictly between"),
    ],
)
def test_bad_arguments_are_errors(kwargs: dict, message: str):
    humans, llm = table(MEDIAN_ROWS)
    with pytest.raises(ValueError, match=message):
        alt_test(humans, llm, min_items=6, **kwargs)


def test_labels_need_accuracy_and_ids_must_be_unique():
    frame = pd.DataFrame.from_dict(accuracy_rows(), orient="index", columns=[*"ABC", "llm"])
    with pytest.raises(ValueError, match="use metric='accuracy'"):
        alt_test(frame[list("ABC")], frame["llm"], metric="neg_rmse")
    humans, llm = table(MEDIAN_ROWS)
    with pytest.raises(ValueError, match="humans rows repeat ids"):
        alt_test(pd.concat([humans, humans.iloc[:1]]), llm, min_items=6)


def brute_force(humans: pd.DataFrame, llm: pd.Series, epsilon: float, metric: str) -> dict[str, tuple]:
    """The paper's definitions, one item and one annotator at a time (slow and obvious)."""

    def score(x: float, others: list[float]) -> float:
        if metric == "accuracy":
            return sum(x == o for o in others) / len(others)
        return -math.sqrt(sum((x - o) ** 2 for o in others) / len(others))

    out = {}
    for j in humans.columns:
        w_f, w_h = [], []
        for i in humans.index:
            others = [humans.at[i, k] for k in humans.columns if k != j]
            others = [o for o in others if not np.isnan(o)]
            if np.isnan(humans.at[i, j]) or np.isnan(llm[i]) or not others:
                continue
            s_f, s_h = score(llm[i], others), score(humans.at[i, j], others)
            w_f.append(float(s_f >= s_h))
            w_h.append(float(s_h >= s_f))
        d = np.array(w_h) - np.array(w_f)
        out[j] = (np.mean(w_f), np.mean(w_h), ttest_1samp(d, epsilon, alternative="less").pvalue)
    return out


@pytest.mark.parametrize("metric", ["neg_rmse", "accuracy"])
def test_matches_an_item_by_item_computation(metric: str):
    # Random 1-5 ratings from 4 annotators with 20% missing, against the definitions above.
    rng = np.random.default_rng(7)
    for _ in range(5):
        truth = rng.integers(1, 6, 60)
        ratings = np.where(rng.random((60, 4)) < 0.4, rng.integers(1, 6, (60, 4)), truth[:, None]).astype(float)
        ratings[rng.random((60, 4)) < 0.2] = np.nan
        humans = pd.DataFrame(ratings, columns=list("ABCD"))
        llm = pd.Series(np.where(rng.random(60) < 0.3, rng.integers(1, 6, 60), truth).astype(float))
        result = alt_test(humans, llm, epsilon=0.15, metric=metric)
        expected = brute_force(humans, llm, 0.15, metric)
        for a in result.per_annotator:
            assert (a.rho_llm, a.rho_human, a.p_value) == pytest.approx(expected[a.annotator], abs=1e-12)
        assert result.advantage_probability == pytest.approx(np.mean([e[0] for e in expected.values()]))


def test_result_serialises_to_json():
    humans, llm = table(MEDIAN_ROWS)
    result = alt_test(humans, llm, min_items=6)
    assert AltTestResult.model_validate_json(result.model_dump_json()) == result


def test_clusters_make_dependent_instances_count_once() -> None:
    # Two identical copies of every item (as if two dimensions of one conversation agreed
    # exactly): clustered by item, the test must equal the test on the items alone; treated
    # as independent, the same evidence would look twice as strong (smaller p-values).
    rng = np.random.default_rng(7)
    humans = pd.DataFrame(
        rng.integers(1, 6, size=(40, 3)), columns=["a", "b", "c"], index=[f"i{k}" for k in range(40)]
    ).astype(float)
    llm = humans.median(axis=1).where(rng.random(40) < 0.7, 3.0)
    single = alt_test(humans, llm)
    copies = pd.concat({0: humans, 1: humans}, names=["copy", "item"]).swaplevel()
    copies_llm = pd.concat({0: llm, 1: llm}, names=["copy", "item"]).swaplevel()
    clusters = pd.Series(copies.index.get_level_values("item"), index=copies.index)
    clustered = alt_test(copies, copies_llm, clusters=clusters)
    naive = alt_test(copies, copies_llm)
    for one, two, three in zip(single.per_annotator, clustered.per_annotator, naive.per_annotator, strict=True):
        assert two.p_value == pytest.approx(one.p_value, abs=1e-12)
        assert two.rho_llm == pytest.approx(one.rho_llm) and two.n_items == 2 * one.n_items
        if one.t_statistic is not None:
            assert three.p_value < one.p_value


# --- units: the reference procedure (instances) against the clustered variant ----------------
#
# Three kinds of instance give every annotator the same d (humans -> the LLM's rating):
#   W: humans (1, 1, 3), LLM 2. For j = a 1: others (1, 3), S(j) = -sqrt((0 + 4)/2) = -1.414,
#      S(llm) = -sqrt((1 + 1)/2) = -1; for j = the 3: others (1, 1), S(j) = -2, S(llm) = -1.
#      The LLM is strictly closer for every j: d = W^h - W^f = 0 - 1 = -1.
#   T: humans (2, 2, 2), LLM 2: all scores 0, a tie: d = 1 - 1 = 0.
#   F: humans (2, 2, 2), LLM 5: S(j) = 0 > S(llm) = -3: d = 1 - 0 = +1.
KINDS = {"W": (1, 1, 3, 2), "T": (2, 2, 2, 2), "F": (2, 2, 2, 5)}


def conversations(pairs: list[str]) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Two dimensions per conversation, kinds given as e.g. "WF": humans, LLM and clusters."""
    rows = {f"c{k}:{dim}": KINDS[kind] for k, pair in enumerate(pairs) for dim, kind in enumerate(pair)}
    humans, llm = table(rows)
    return humans, llm, pd.Series([i.split(":")[0] for i in humans.index], index=humans.index)


# Both designs have the same 12 instances: six W, four F, two T (d: six -1, four +1, two 0), so
# the reference test is the same: mean(d) = -2/12 = -1/6; squared deviations 6 (5/6)^2 +
# 4 (7/6)^2 + 2 (1/6)^2 = 348/36 = 29/3, s^2 = 29/33, se = sqrt(29/33/12) = sqrt(29/396);
# t = (-1/6 - 0.2) / se = (-11/30) / sqrt(29/396) = -1.35494, 11 df, p = 0.10130.
T_REFERENCE = (-11 / 30) / math.sqrt(29 / 396)
# Negatively correlated dimensions (a W beside an F in four conversations, a W beside a T in
# two): conversation means 0, 0, 0, 0, -1/2, -1/2; mean -1/6, squared deviations 4 (1/6)^2 +
# 2 (1/3)^2 = 1/3, s^2 = 1/15, se = sqrt(1/90); t = (-11/30) / sqrt(1/90) = -3.47851, 5 df,
# p = 0.0088435: clustering *shrinks* the p-value.
NEGATIVE = ["WF", "WF", "WF", "WF", "WT", "WT"]
T_NEGATIVE = (-11 / 30) / math.sqrt(1 / 90)
# Positively correlated (duplicated) dimensions: WW three times, FF twice, TT once: means -1,
# -1, -1, 1, 1, 0; mean -1/6, squared deviations 3 (5/6)^2 + 2 (7/6)^2 + (1/6)^2 = 29/6,
# s^2 = 29/30, se = sqrt(29/180); t = (-11/30) / sqrt(29/180) = -0.91350, 5 df, p = 0.20144:
# clustering *widens* it.
POSITIVE = ["WW", "WW", "WW", "FF", "FF", "TT"]
T_POSITIVE = (-11 / 30) / math.sqrt(29 / 180)


@pytest.mark.parametrize(
    ("design", "t_clustered", "p_clustered"),
    [(NEGATIVE, T_NEGATIVE, t5_cdf(T_NEGATIVE)), (POSITIVE, T_POSITIVE, t5_cdf(T_POSITIVE))],
    ids=["negative", "positive"],
)
def test_reference_units_are_instances_and_clustering_moves_p_either_way(
    design: list[str], t_clustered: float, p_clustered: float
) -> None:
    humans, llm, clusters = conversations(design)
    reference = alt_test(humans, llm, min_items=6)
    clustered = alt_test(humans, llm, min_items=6, clusters=clusters)
    assert (reference.procedure, clustered.procedure) == ("reference", "clustered")
    for a in reference.per_annotator:
        assert (a.n_items, a.n_units, a.df) == (12, 12, 11)
        assert a.t_statistic == pytest.approx(T_REFERENCE, abs=1e-9)
        assert a.p_value == pytest.approx(student_t.cdf(T_REFERENCE, 11), abs=1e-12)
        assert a.p_value == pytest.approx(0.10130, abs=1e-5)
    for a in clustered.per_annotator:
        assert (a.n_items, a.n_units, a.df) == (12, 6, 5)
        assert a.t_statistic == pytest.approx(t_clustered, abs=1e-9)
        assert a.p_value == pytest.approx(p_clustered, abs=1e-9)
        # three equal p-values: BY-adjusted p = p * H3
        assert a.p_adjusted == pytest.approx(p_clustered * H3, abs=1e-9)
    # reference: 0.1013 * 11/6 = 0.186 > 0.05 -> fail. Clustered, negative: 0.00884 * 11/6 =
    # 0.0162 <= 0.05 -> pass (winning rate 1); positive: 0.201 * 11/6 > 0.05 -> fail.
    assert (reference.passed, reference.winning_rate) == (False, 0.0)
    negative = design is NEGATIVE
    assert (clustered.passed, clustered.winning_rate) == ((True, 1.0) if negative else (False, 0.0))
    assert verdict(reference.passed, clustered.passed) == ("fail, passes when clustered" if negative else "fail")


def test_verdict_says_when_the_clustered_variant_disagrees() -> None:
    humans, llm = table(MEDIAN_ROWS)
    passing = alt_test(humans, llm, min_items=6)
    failing = passing.model_copy(update={"passed": False})
    assert verdict(passing.passed, passing.passed) == "pass"
    assert verdict(passing.passed, failing.passed) == "pass, not robust to clustering"
    assert verdict(failing.passed, passing.passed) == "fail, passes when clustered"
    assert verdict(passing.passed, None) == "pass" and verdict(None, passing.passed) is None


def test_per_aspect_tests_share_one_by_family() -> None:
    # Aspect "good": MEDIAN_ROWS, each annotator's p = t5_cdf(-13/sqrt(10)) = 0.0046276 (see the
    # first test). Aspect "bad": F instances only, d = +1 everywhere: zero variance above
    # epsilon, p = 1. BY over all six p-values (m = 6, H6 = 49/20): the smallest three get
    # min over l >= k of p_(l) * 6 * H6 / l = p * 6 * 2.45 / 3 = 4.9 p = 0.022675 (l = 3; from
    # l = 4 on the p-values are 1) <= 0.05: rejected. Alone, aspect "good" would get p * H3.
    good_humans, good_llm = table(MEDIAN_ROWS)
    bad_humans, bad_llm = table({f"f{k}": KINDS["F"] for k in range(6)})
    result = alt_test_by_aspect(
        {"good": good_humans, "bad": bad_humans}, {"good": good_llm, "bad": bad_llm}, min_items=6
    )
    p = t5_cdf(-13 / math.sqrt(10))
    for a in result["good"].per_annotator:
        assert a.p_adjusted == pytest.approx(4.9 * p, abs=1e-9) and a.rejected
    for a in result["bad"].per_annotator:
        assert (a.p_value, a.p_adjusted, a.rejected) == (1.0, 1.0, False)
    assert (result["good"].winning_rate, result["good"].passed) == (1.0, True)
    assert (result["bad"].winning_rate, result["bad"].passed) == (0.0, False)
    assert alt_test(good_humans, good_llm, min_items=6).per_annotator[0].p_adjusted == pytest.approx(p * H3, abs=1e-9)


# --- Lend an Ear: the verdicts of the authors' own procedure -----------------------------------
#
# Computed independently with the authors' `alt_test` (nitaytech/AltTest, alt_test_example.ipynb,
# copied verbatim and run on the mirror): 3 experts, 300 (conversation, dimension) instances,
# neg_rmse, epsilon 0.2, BY at 0.05. Winning rate, advantage probability, and each expert's
# unadjusted p-value (expert1, expert2, expert3) as printed to 3-4 significant digits.
AUTHORS = {
    "gpt-4o": (0.0, 0.696, (0.0455, 0.271, 0.0181)),
    "claude-3.7-sonnet": (0.0, 0.693, (0.185, 0.198, 0.0281)),
    "gemini-2.5-pro": (2 / 3, 0.756, (0.00037, 0.0468, 0.00027)),
    "crowd": (0.0, 0.358, (1.0, 1.0, 1.0)),
}


@pytest.mark.parametrize("rater", list(AUTHORS))
def test_lend_an_ear_verdicts_equal_the_authors_procedure(kumar, rater: str) -> None:  # noqa: ANN001
    from empathy_bench.agreement.rater import alt_tests, rater_table
    from empathy_bench.tasks.spec import load_task

    spec = load_task("lend_an_ear")
    reference, clustered, by_dimension, why_not = alt_tests(spec, kumar, rater_table(spec, kumar, rater))
    winning_rate, advantage, p_values = AUTHORS[rater]
    assert why_not is None and reference is not None
    assert reference.procedure == "reference" and reference.n_items == 300
    assert reference.winning_rate == pytest.approx(winning_rate) and reference.passed == (winning_rate >= 0.5)
    assert reference.advantage_probability == pytest.approx(advantage, abs=5e-4)
    for test, p in zip(reference.per_annotator, p_values, strict=True):
        assert (test.n_units, test.df) == (300, 299)
        assert test.p_value == pytest.approx(p, rel=0.02, abs=1e-4)
    assert clustered is not None and {t.n_units for t in clustered.per_annotator} == {50}
    assert set(by_dimension) == set(spec.dimension_ids)


def test_gpt_4o_passes_only_when_clustered(kumar) -> None:  # noqa: ANN001
    # The verdict the leaderboard published before it followed the reference procedure: with
    # conversations as units gpt-4o passes (p = 0.0178 for expert1 against a BY threshold of
    # 0.0182), by the authors' procedure it fails. The leaderboard shows both.
    from empathy_bench.agreement.rater import alt_tests, rater_table
    from empathy_bench.tasks.spec import load_task

    spec = load_task("lend_an_ear")
    reference, clustered, _, _ = alt_tests(spec, kumar, rater_table(spec, kumar, "gpt-4o"))
    assert clustered is not None and clustered.passed and clustered.winning_rate == pytest.approx(2 / 3)
    assert clustered.per_annotator[0].p_value == pytest.approx(0.0178, abs=1e-4)
    assert verdict(reference.passed, clustered.passed) == "fail, passes when clustered"
