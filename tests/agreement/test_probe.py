"""Bias-probe statistics against values worked out by hand (arithmetic in the comments).

Partial Spearman correlation: rank each variable (average ranks for ties), take the Pearson
correlations r of the ranks, then
    r_xy.z = (r_xy - r_xz r_yz) / sqrt((1 - r_xz^2)(1 - r_yz^2)).
For ranks 1..5 the centred ranks are -2 -1 0 1 2 (sum of squares 10), so r = (sum of products) / 10.

Quadratic-weighted kappa with value weights: kappa = 1 - O / E, O = sum (a - b)^2,
E = sum a^2 + sum b^2 - 2 (sum a)(sum b) / n.

Bootstrap intervals are checked against a plain loop over the same seeded item draws
(`resample_indices`), written independently of the vectorised code (residuals of a least-squares
fit on the ranks for the partial correlation, an explicit weighted mean for the cluster bootstrap).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import pearsonr, rankdata

from empathy_bench.agreement.length_bias import human_length_association, length_association
from empathy_bench.agreement.pair_bootstrap import cluster_weights
from empathy_bench.agreement.partial_rank import partial_spearman, partial_spearman_rows
from empathy_bench.agreement.probe import (
    Association,
    CompareShift,
    Effect,
    ProbeResult,
    Retest,
    compare_attribution,
    paired_effects,
    retest,
)
from empathy_bench.agreement.stats import alpha, percentile_ci, resample_indices
from empathy_bench.pipeline.probe_rows import polarity_signs
from empathy_bench.sources.labels import group_table, rater_wide
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.tasks.binding import supporter_words
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.spec import load_task

R = 300  # resamples for the loop cross-checks (kept small: the loops are slow)


def by_dimension(rows: list) -> dict:
    return {r.dimension: r for r in rows}


def loop_partial(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """Independent partial Spearman: correlation of the residuals of rank(x) and rank(y) after a
    least-squares fit on rank(z), over the complete positions."""
    keep = ~(np.isnan(x) | np.isnan(y) | np.isnan(z))
    rx, ry, rz = (rankdata(v[keep]) for v in (x, y, z))
    if len(rx) < 3 or min(np.ptp(rx), np.ptp(ry), np.ptp(rz)) == 0:
        return math.nan
    design = np.column_stack([np.ones_like(rz), rz])
    ex = rx - design @ np.linalg.lstsq(design, rx, rcond=None)[0]
    ey = ry - design @ np.linalg.lstsq(design, ry, rcond=None)[0]
    if min(np.sum(ex**2), np.sum(ey**2)) < 1e-9:
        return math.nan
    return float(pearsonr(ex, ey).statistic)


def assert_same(a: float, b: float) -> None:
    assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-9)


# ---------------------------------------------------------------- paired effects


def test_paired_effects_by_hand() -> None:
    control = pd.DataFrame({"d1": [1, 2, 3, 4], "d2": [3, np.nan, 1, 2]}, index=["i1", "i2", "i3", "i4"])
    treated = pd.DataFrame(
        {"d1": [2, 2, 5, 4, 1], "d2": [3, 4, 1, 1, 1], "extra": [1, 1, 1, 1, 1]},
        index=["i1", "i2", "i3", "i4", "i5"],  # i5 and 'extra' are not in control: left out
    )
    effects = by_dimension(paired_effects(control, treated, n_resamples=R, seed=3))
    assert list(effects) == ["d1", "d2"]
    # d1: differences 2-1, 2-2, 5-3, 4-4 = 1 0 2 0 -> mean 3/4; 2 of 4 changed
    assert effects["d1"].n == 4
    assert effects["d1"].mean_change == pytest.approx(0.75)
    assert effects["d1"].flip_rate == pytest.approx(0.5)
    # d2: i2 has no control rating; differences on i1 i3 i4 = 0 0 -1 -> mean -1/3; 1 of 3 changed
    assert effects["d2"].n == 3
    assert effects["d2"].mean_change == pytest.approx(-1 / 3)
    assert effects["d2"].flip_rate == pytest.approx(1 / 3)
    # bootstrap: one set of draws over the four items (i1..i4, sorted) shared by both dimensions;
    # a drawn item a dimension lacks (i2 for d2) is skipped in that resample's mean
    idx = resample_indices(4, R, 3)
    diffs = {"d1": np.array([1, 0, 2, 0.0]), "d2": np.array([0, np.nan, 0, -1.0])}
    for dim, d in diffs.items():
        draws = np.array([np.nanmean(d[row]) if (~np.isnan(d[row])).any() else np.nan for row in idx])
        assert (effects[dim].low, effects[dim].high) == pytest.approx(percentile_ci(draws))
    assert 0 <= effects["d1"].low <= 0.75 <= effects["d1"].high <= 2


def test_a_rater_identical_in_both_conditions_has_no_effect() -> None:
    rubric = load_rubric("lend_an_ear")
    rng = np.random.default_rng(1)
    control = pd.DataFrame(rng.integers(1, 6, size=(20, 6)), columns=rubric.dimension_ids)
    effects = paired_effects(control, control.copy(), rubric, n_resamples=R)
    assert [e.dimension for e in effects] == [*rubric.dimension_ids, "overall_score"]
    for e in effects:
        assert (e.n, e.mean_change, e.low, e.high, e.flip_rate) == (20, 0.0, 0.0, 0.0, 0.0)


def test_lowering_every_rating_by_one_point() -> None:
    rubric = load_rubric("lend_an_ear")  # 3 prescriptive then 3 proscriptive dimensions
    rng = np.random.default_rng(2)
    control = pd.DataFrame(rng.integers(2, 6, size=(15, 6)), columns=rubric.dimension_ids)
    effects = by_dimension(paired_effects(control, control - 1, rubric, n_resamples=R))
    for dim in rubric.dimension_ids:
        e = effects[dim]
        assert (e.n, e.mean_change, e.low, e.high, e.flip_rate) == (15, -1.0, -1.0, -1.0, 1.0)
    # overall = sum(prescriptive) - sum(proscriptive): (-1 -1 -1) - (-1 -1 -1) = -3 + 3 = 0 on
    # every item, so the overall score does not move and no item flips
    overall = effects["overall_score"]
    assert (overall.n, overall.mean_change, overall.low, overall.high, overall.flip_rate) == (15, 0, 0, 0, 0)


def test_overall_score_change_by_hand() -> None:
    rubric = load_rubric("lend_an_ear")
    ids = rubric.dimension_ids  # validating, encouraging, understanding | advising, dismissing, self-focus
    control = pd.DataFrame([[4, 3, 5, 1, 2, 1], [2, 2, 2, 2, 2, 2]], columns=ids, index=["x", "y"])
    treated = pd.DataFrame([[4, 3, 4, 1, 3, 1], [2, 2, 2, 2, 2, 2]], columns=ids, index=["x", "y"])
    overall = by_dimension(paired_effects(control, treated, rubric, n_resamples=R))["overall_score"]
    # x: control 12 - 4 = 8, treated 11 - 5 = 6 -> change -2; y: 6 - 6 = 0 both -> change 0
    # mean (-2 + 0) / 2 = -1; one of two items flips
    assert overall.n == 2
    assert overall.mean_change == pytest.approx(-1.0)
    assert overall.flip_rate == pytest.approx(0.5)
    assert -2 <= overall.low <= overall.high <= 0


def test_no_overall_score_without_every_dimension_or_an_overall_rubric() -> None:
    lend = load_rubric("lend_an_ear")
    table = pd.DataFrame(np.ones((3, 6)), columns=lend.dimension_ids)
    partial = table.drop(columns=lend.dimension_ids[-1])
    assert "overall_score" not in by_dimension(paired_effects(table, partial, lend, n_resamples=R))
    assert "overall_score" not in by_dimension(paired_effects(table, table, None, n_resamples=R))
    perceived = load_rubric("perceived_empathy")
    assert perceived.overall is None
    wide = pd.DataFrame(np.ones((3, len(perceived.dimension_ids))), columns=perceived.dimension_ids)
    assert "overall_score" not in by_dimension(paired_effects(wide, wide, perceived, n_resamples=R))


def test_a_dimension_without_a_shared_item_has_n_zero_and_nan() -> None:
    control = pd.DataFrame({"d1": [1.0, 2.0], "d2": [np.nan, np.nan]}, index=["a", "b"])
    effects = by_dimension(paired_effects(control, control + 1, n_resamples=R))
    assert (effects["d1"].mean_change, effects["d1"].flip_rate) == (1.0, 1.0)
    assert effects["d2"].n == 0
    assert all(math.isnan(v) for v in (effects["d2"].mean_change, effects["d2"].low, effects["d2"].flip_rate))


# ---------------------------------------------------------------- partial Spearman


def test_partial_spearman_by_hand() -> None:
    x, y, z = [1, 2, 3, 4, 5], [2, 1, 4, 3, 5], [3, 1, 2, 5, 4]
    # centred ranks x = -2 -1 0 1 2, y = -1 -2 1 0 2, z = 0 -2 -1 2 1 (each sum of squares 10)
    # r_xy = (2 + 2 + 0 + 0 + 4) / 10 = 0.8; r_xz = (0 + 2 + 0 + 2 + 2) / 10 = 0.6
    # r_yz = (0 + 4 - 1 + 0 + 2) / 10 = 0.5
    # r_xy.z = (0.8 - 0.6 * 0.5) / sqrt((1 - 0.36)(1 - 0.25)) = 0.5 / (0.8 * sqrt(3) / 2) = 1.25 / sqrt(3)
    expected = 1.25 / math.sqrt(3)
    assert partial_spearman(x, y, z) == pytest.approx(expected, abs=1e-12)
    # ranks only: any increasing transformation of each variable gives the same value
    assert partial_spearman(np.exp(x), np.array(y) * 40 + 7, np.array(z) ** 3) == pytest.approx(expected, abs=1e-12)
    assert partial_spearman(x, y, z) == pytest.approx(loop_partial(*(np.array(v, float) for v in (x, y, z))))


def test_partial_spearman_uses_average_ranks_for_ties() -> None:
    x, y, z = [1, 1, 2, 2], [1, 2, 3, 4], [1, 2, 2, 1]
    # ranks x = 1.5 1.5 3.5 3.5 (centred -1 -1 1 1, ss 4); y centred -1.5 -0.5 0.5 1.5 (ss 5);
    # z = 1.5 3.5 3.5 1.5 (centred -1 1 1 -1, ss 4)
    # r_xy = (1.5 + 0.5 + 0.5 + 1.5) / sqrt(4 * 5) = 2 / sqrt(5); r_xz = (1 - 1 + 1 - 1) / 4 = 0
    # r_yz = (1.5 - 0.5 + 0.5 - 1.5) / sqrt(20) = 0 -> r_xy.z = r_xy = 2 / sqrt(5)
    assert partial_spearman(x, y, z) == pytest.approx(2 / math.sqrt(5), abs=1e-12)


def test_partial_spearman_is_nan_when_undefined_and_skips_missing_values() -> None:
    x, y = [1, 2, 3, 4, 5], [2, 1, 4, 3, 5]
    assert math.isnan(partial_spearman(x, y, x))  # z explains x entirely: r_xz = 1, 0/0
    assert math.isnan(partial_spearman([3, 3, 3, 3, 3], y, [3, 1, 2, 5, 4]))  # constant x
    # a missing value drops that position from all three
    with_gap = partial_spearman([1, 2, 3, 4, 5, np.nan], [2, 1, 4, 3, 5, 9], [3, 1, 2, 5, 4, 1])
    assert with_gap == pytest.approx(1.25 / math.sqrt(3), abs=1e-12)
    # rows are independent resamples
    rows = partial_spearman_rows(np.array([x, x]), np.array([y, y]), np.array([[3, 1, 2, 5, 4], x]))
    assert rows[0] == pytest.approx(1.25 / math.sqrt(3)) and math.isnan(rows[1])


# ---------------------------------------------------------------- observational length association


def test_length_association_by_hand() -> None:
    items = ["a", "b", "c", "d", "e"]
    words = pd.Series([20, 10, 40, 30, 50], index=items)  # ranks 2 1 4 3 5
    ratings = pd.DataFrame({"d1": [1, 2, 3, 4, 5], "d2": [2, 1, 4, 3, 5]}, index=items)
    reference = pd.DataFrame({"d1": [3, 1, 2, 5, 4], "d2": [1, 2, 3, 4, 5]}, index=items)
    signs = {"d1": 1, "d2": -1}  # d2 proscriptive: the overall score is d1 - d2
    rows = by_dimension(length_association(ratings, words, reference, n_resamples=R, seed=5, signs=signs))
    assert list(rows) == ["d1", "d2", "magnitude", "overall_score"]
    # d1 is the hand example of test_partial_spearman_by_hand: 1.25 / sqrt(3)
    assert rows["d1"].partial_spearman == pytest.approx(1.25 / math.sqrt(3), abs=1e-12)
    # d2: the rating ranks equal the word ranks -> r_xy = 1; r_xz = r_yz = r(2 1 4 3 5, 1..5) = 0.8
    # r_xy.z = (1 - 0.64) / sqrt(0.36 * 0.36) = 1
    assert rows["d2"].partial_spearman == pytest.approx(1.0, abs=1e-12)
    # magnitude: the mean of |rho| whatever the polarity; the old signed mean would be (0.72 - 1) / 2 < 0
    assert rows["magnitude"].partial_spearman == pytest.approx((1.25 / math.sqrt(3) + 1) / 2, abs=1e-12)
    # direction: overall scores d1 - d2. rater x = -1 1 -1 1 0 -> ranks 1.5 4.5 1.5 4.5 3 (centred
    #   -1.5 1.5 -1.5 1.5 0, ss 9); reference z = 2 -1 -1 1 -1 -> ranks 5 2 2 4 2 (centred 2 -1 -1 1 -1,
    #   ss 8); words y ranks 2 1 4 3 5 (centred -1 -2 1 0 2, ss 10)
    #   r_xy = (1.5 - 3 - 1.5 + 0 + 0) / sqrt(90) = -1 / sqrt(10)
    #   r_xz = (-3 - 1.5 + 1.5 + 1.5 + 0) / sqrt(72) = -1.5 / sqrt(72); r_yz = (-2 + 2 - 1 + 0 - 2) / sqrt(80)
    #   r_xz r_yz = 4.5 / sqrt(5760) = 0.1875 / sqrt(10) -> numerator -1.1875 / sqrt(10) = -19 / (16 sqrt(10))
    #   (1 - 1/32)(1 - 9/80) = 2201 / 2560 -> sqrt = sqrt(2201) / (16 sqrt(10)) -> r = -19 / sqrt(2201)
    assert rows["overall_score"].partial_spearman == pytest.approx(-19 / math.sqrt(2201), abs=1e-12)
    assert rows["d1"].n == rows["d2"].n == rows["magnitude"].n == rows["overall_score"].n == 5


def test_length_association_intervals_share_one_set_of_item_draws() -> None:
    rng = np.random.default_rng(7)
    items = [f"i{k:02d}" for k in range(30)]
    words = pd.Series(rng.integers(10, 200, 30), index=items)
    reference = pd.DataFrame(rng.integers(1, 6, (30, 2)), index=items, columns=["d1", "d2"])
    ratings = reference + rng.integers(-1, 2, (30, 2))
    ratings.loc["i03", "d2"] = np.nan  # d2 lacks one item: it stays in the draws, skipped for d2
    rows = by_dimension(length_association(ratings, words, reference, n_resamples=R, seed=11))
    assert (rows["d1"].n, rows["d2"].n, rows["magnitude"].n) == (30, 29, 30)
    idx = resample_indices(30, R, 11)
    y = words.to_numpy(float)
    draws = {}
    for dim in ("d1", "d2"):
        x, z = ratings[dim].to_numpy(float), reference[dim].to_numpy(float)
        draws[dim] = np.array([loop_partial(x[row], y[row], z[row]) for row in idx])
        assert (rows[dim].low, rows[dim].high) == pytest.approx(percentile_ci(draws[dim]))
        assert_same(rows[dim].partial_spearman, loop_partial(x, y, z))
    # the magnitude's interval: the mean of |rho| per draw, on the same draws
    magnitude_draws = (np.abs(draws["d1"]) + np.abs(draws["d2"])) / 2
    assert (rows["magnitude"].low, rows["magnitude"].high) == pytest.approx(percentile_ci(magnitude_draws))
    # the direction's: the overall score (d1 + d2, both prescriptive here) on the same draws; i03
    # lacks d2, so it has no overall score (it stays in the draws, skipped)
    x, z = ratings.sum(axis=1, min_count=2).to_numpy(float), reference.sum(axis=1).to_numpy(float)
    overall = np.array([loop_partial(x[row], y[row], z[row]) for row in idx])
    assert rows["overall_score"].n == 29
    assert (rows["overall_score"].low, rows["overall_score"].high) == pytest.approx(percentile_ci(overall))


def test_a_rater_that_rates_by_length_has_a_clearly_positive_partial_correlation() -> None:
    rng = np.random.default_rng(0)
    items = [f"c{k}" for k in range(60)]
    words = pd.Series(rng.integers(20, 400, 60), index=items)
    reference = pd.DataFrame({"empathy": rng.integers(1, 6, 60)}, index=items)  # random, fixed seed
    by_length = np.digitize(words, [100, 180, 260, 340]) + 1  # 1..5, increasing in words only
    ratings = pd.DataFrame({"empathy": by_length}, index=items)
    rows = by_dimension(length_association(ratings, words, reference, n_resamples=R))
    assert rows["empathy"].partial_spearman > 0.8
    assert rows["empathy"].low > 0.5
    # a rater that copies the reference has no association left once the reference is held fixed
    copy = by_dimension(length_association(reference, words, reference, n_resamples=R))["empathy"]
    assert math.isnan(copy.partial_spearman)


def test_human_length_association_by_hand() -> None:
    items = ["a", "b", "c", "d", "e"]
    words = pd.Series([1, 2, 3, 4, 5], index=items)
    e1, e2 = [1, 2, 3, 4, 5], [3, 1, 2, 5, 4]
    panels = {
        "d": pd.DataFrame({"e1": e1, "e2": e2, "e3": e2}, index=items),
        "two_experts": pd.DataFrame({"e1": e1, "e2": e2}, index=items),  # < 3 experts: left out
    }
    rows = by_dimension(human_length_association(panels, words, n_resamples=R, seed=2))
    # expert 1: others' median = mean(e2, e3) = 3 1 2 5 4; x and y both rank 1..5 -> r_xy = 1,
    #   r_xz = r_yz = r(1..5, 3 1 2 5 4) = (0 + 2 + 0 + 2 + 2) / 10 = 0.6
    #   -> (1 - 0.36) / sqrt(0.64 * 0.64) = 1
    # expert 2 (and expert 3, identical): x = 3 1 2 5 4 (centred 0 -2 -1 2 1), y = 1..5,
    #   others' median = mean(e1, e3) = 2 1.5 2.5 4.5 4.5 -> ranks 2 1 3 4.5 4.5
    #   (centred -1 -2 0 1.5 1.5, ss 1 + 4 + 0 + 2.25 + 2.25 = 9.5)
    #   r_xy = (0 + 2 + 0 + 2 + 2) / 10 = 0.6
    #   r_xz = (0 + 4 + 0 + 3 + 1.5) / sqrt(95) = 8.5 / sqrt(95); r_yz = (2 + 2 + 0 + 1.5 + 3) / sqrt(95) = same
    #   r^2 = 72.25 / 95 -> (0.6 - r^2) / (1 - r^2) = (57 - 72.25) / 22.75 = -61/91
    # mean over experts: (1 - 2 * 61/91) / 3 = (91 - 122) / 273 = -31/273
    assert rows["d"].partial_spearman == pytest.approx(-31 / 273, abs=1e-12)
    assert rows["d"].n == 5
    assert list(rows) == ["d", "magnitude", "overall_score"]
    # magnitude: each expert's |rho| (one dimension), averaged: (1 + 2 * 61/91) / 3 = 213/273 = 71/91
    assert rows["magnitude"].partial_spearman == pytest.approx(71 / 91, abs=1e-12)
    # direction: with one dimension the overall score is that dimension: the same mean over experts
    assert rows["overall_score"].partial_spearman == pytest.approx(-31 / 273, abs=1e-12)
    # interval: the mean over experts of each expert's draws, on the same item draws
    idx = resample_indices(5, R, 2)
    panel, y = panels["d"], words.to_numpy(float)
    per_expert = []
    for j in panel.columns:
        x, z = panel[j].to_numpy(float), panel.drop(columns=j).median(axis=1).to_numpy(float)
        per_expert.append([loop_partial(x[row], y[row], z[row]) for row in idx])
    assert (rows["d"].low, rows["d"].high) == pytest.approx(percentile_ci(np.mean(per_expert, axis=0)))
    magnitude = (rows["magnitude"].low, rows["magnitude"].high)
    assert magnitude == pytest.approx(percentile_ci(np.mean(np.abs(per_expert), axis=0)))


def test_a_rater_that_rates_every_dimension_up_with_length_has_a_large_magnitude() -> None:
    """Lend an Ear's 50 conversations and the median of its three experts: a judge whose every
    rating follows the supporter's word count (the built-in length judge's scale: 5..300 words on a
    log scale, cut into five) scores a magnitude of at least 0.8. A signed mean with proscriptive
    dimensions negated would cancel to about 0; the direction (the overall score) is undefined,
    since prescriptive minus proscriptive is the same for every conversation."""
    spec = load_task("lend_an_ear")
    labels = task_labels(spec)
    words = pd.Series({i.item_id: supporter_words(i.turns, i.target) for i in labels.items.itertuples()}, dtype=float)
    reference = rater_wide(labels.ratings, spec.reference, spec.dimension_ids)
    position = (np.log(words.clip(lower=1)) - np.log(5)) / (np.log(300) - np.log(5))
    by_length = 1 + np.clip(np.floor(position * 5), 0, 4)
    ratings = pd.DataFrame({d: by_length for d in spec.dimension_ids})
    signs = polarity_signs(spec)
    rows = by_dimension(length_association(ratings, words, reference, n_resamples=R, signs=signs))
    assert set(signs.values()) == {1, -1}  # three of the six are proscriptive
    assert rows["magnitude"].partial_spearman >= 0.8 and rows["magnitude"].low >= 0.7
    assert rows["magnitude"].n == 50
    signed_mean = np.mean([signs[d] * rows[d].partial_spearman for d in spec.dimension_ids])
    assert abs(signed_mean) < 0.05  # what the old headline showed: it reads as unbiased
    assert math.isnan(rows["overall_score"].partial_spearman)
    # the yardstick: the experts, each given the median of the others, lean on length far less
    panels = {d: group_table(labels.ratings, "expert", d) for d in spec.dimension_ids}
    humans = by_dimension(human_length_association(panels, words, n_resamples=R, signs=signs))
    assert humans["magnitude"].partial_spearman < 0.3 < rows["magnitude"].low
    assert not math.isnan(humans["overall_score"].partial_spearman)


def test_human_length_association_needs_three_experts() -> None:
    words = pd.Series([1, 2, 3], index=["a", "b", "c"])
    assert human_length_association({"d": pd.DataFrame({"e1": [1, 2, 3], "e2": [1, 2, 2]})}, words) == []


# ---------------------------------------------------------------- test-retest


def long_ratings(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Items x epochs tables per dimension -> long rows (item_id, dimension, epoch, value)."""
    rows = []
    for dim, table in tables.items():
        stacked = table.rename_axis(index="item_id", columns="epoch").stack().rename("value").reset_index()
        rows.append(stacked.assign(dimension=dim))
    return pd.concat(rows, ignore_index=True)[["item_id", "dimension", "epoch", "value"]]


def test_retest_by_hand() -> None:
    items = ["a", "b", "c", "d"]
    d1 = pd.DataFrame({1: [1, 2, 3, 4], 2: [1, 2, 3, 4], 3: [2, 2, 3, 4]}, index=items)
    reference = pd.DataFrame({"d1": [1, 2, 3, 4]}, index=items)
    (result,) = retest(long_ratings({"d1": d1}), reference, {"d1": "interval"})
    assert (result.dimension, result.n_items, result.epochs) == ("d1", 4, 3)
    # kappa(e1, e2) = 1; kappa(e1, e3) = kappa(e2, e3): O = 1; sum a = 10, sum a^2 = 30;
    # sum b = 11, sum b^2 = 4 + 4 + 9 + 16 = 33; E = 30 + 33 - 2 * 10 * 11 / 4 = 8 -> 1 - 1/8 = 7/8
    # mean over the three pairs: (1 + 7/8 + 7/8) / 3 = 11/12
    assert result.mean_pairwise_qwk == pytest.approx(11 / 12, abs=1e-12)
    # items b, c, d are the same in every epoch, a is not -> 3/4
    assert result.identical_share == pytest.approx(0.75)
    # interval alpha = 1 - D_o / D_e over units a {1,1,2}, b {2,2,2}, c {3,3,3}, d {4,4,4}, n = 12
    # D_o = (1/n) sum_u (1/(m_u - 1)) sum of ordered pairs (v - v')^2 = (1/12) * (4 / 2) = 1/6
    #   (unit a: 1-2 twice and 2-1 twice, each 1)
    # D_e = sum of ordered pairs over all values / (n (n - 1)) = 2 (n sum v^2 - (sum v)^2) / 132
    #   sum v = 2 + 8 + 9 + 12 = 31, sum v^2 = 2 + 16 + 27 + 48 = 93 -> 2 * (1116 - 961) / 132 = 155/66
    # alpha = 1 - (1/6) / (155/66) = 1 - 11/155 = 144/155
    assert result.alpha == pytest.approx(144 / 155, abs=1e-12)
    # against the reference 1 2 3 4: epochs 1 and 2 kappa 1, epoch 3 kappa 7/8
    assert result.qwk_reference_min == pytest.approx(7 / 8, abs=1e-12)
    assert result.qwk_reference_max == pytest.approx(1.0, abs=1e-12)


def test_retest_with_identical_epochs_is_perfect() -> None:
    rng = np.random.default_rng(4)
    items = [f"i{k}" for k in range(12)]
    values = rng.integers(1, 6, 12)
    tables = {dim: pd.DataFrame({e: values for e in ("run-1", "run-2", "run-3")}, index=items) for dim in ("x", "y")}
    reference = pd.DataFrame({"x": rng.integers(1, 6, 12)}, index=items)  # no reference for 'y'
    results = {r.dimension: r for r in retest(long_ratings(tables), reference, {"x": "ordinal", "y": "interval"})}
    for r in results.values():
        assert (r.n_items, r.epochs) == (12, 3)
        assert r.mean_pairwise_qwk == pytest.approx(1.0, abs=1e-12)
        assert r.identical_share == 1.0
        assert r.alpha == pytest.approx(1.0, abs=1e-12)
    assert results["x"].qwk_reference_min == results["x"].qwk_reference_max  # the same ratings every epoch
    assert math.isnan(results["y"].qwk_reference_min) and math.isnan(results["y"].qwk_reference_max)


def test_retest_leaves_items_missing_an_epoch_out_of_kappa_and_identical_share() -> None:
    items = ["a", "b", "c", "d", "e"]
    d1 = pd.DataFrame({1: [1, 2, 3, 4, 5], 2: [1, 2, 3, 4, np.nan]}, index=items)
    ratings = long_ratings({"d1": d1}).dropna()
    (result,) = retest(ratings, pd.DataFrame({"d1": [1, 2, 3, 4, 1]}, index=items), {"d1": "ordinal"})
    assert result.n_items == 4
    assert result.mean_pairwise_qwk == pytest.approx(1.0) and result.identical_share == 1.0
    # alpha uses every rating, item e's single rating included (it is not pairable: no effect here)
    assert result.alpha == pytest.approx(alpha(d1.T.to_numpy(float), "ordinal"))
    # epoch 1 against the reference on a..e: O = (5 - 1)^2 = 16; sum a = 15, sum a^2 = 55; sum b = 11,
    # sum b^2 = 31; E = 55 + 31 - 2 * 15 * 11 / 5 = 20 -> 1 - 16/20 = 1/5; epoch 2 on a..d: kappa 1
    assert result.qwk_reference_min == pytest.approx(0.2, abs=1e-12)
    assert result.qwk_reference_max == pytest.approx(1.0, abs=1e-12)


def test_retest_refuses_a_single_epoch_and_a_missing_level() -> None:
    one = long_ratings({"d1": pd.DataFrame({1: [1, 2]}, index=["a", "b"])})
    with pytest.raises(ValueError, match="at least 2 epochs"):
        retest(one, pd.DataFrame(), {"d1": "ordinal"})
    two = long_ratings({"d1": pd.DataFrame({1: [1, 2], 2: [1, 2]}, index=["a", "b"])})
    with pytest.raises(ValueError, match="level"):
        retest(two, pd.DataFrame(), {})


# ---------------------------------------------------------------- attribution on a compare task


PAIRS = pd.DataFrame({"pair_id": ["p1", "p2", "p3"], "item_a": ["c1", "c2", "c3"], "item_b": ["c2", "c3", "c4"]})


def verdict_table(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["pair_id", "order", "condition", "choice"])


def test_compare_attribution_by_hand() -> None:
    verdicts = verdict_table(
        [
            ("p1", "ab", "unlabelled", "a"),
            ("p1", "ab", "a_ai", "b"),  # shifted; AI item a: unlabelled chose it (1), labelled not (0) -> +1
            ("p1", "ab", "a_person", "a"),  # same; AI item b: 0 - 0 = 0
            ("p1", "ba", "unlabelled", "a"),
            ("p1", "ba", "a_ai", "a"),  # same; AI item a: 1 - 1 = 0
            ("p1", "ba", "a_person", "tie"),  # shifted; AI item b: 0 - 0 = 0
            ("p2", "ab", "unlabelled", "b"),
            ("p2", "ab", "a_person", "a"),  # shifted; AI item b: 1 - 0 = +1
            ("p2", "ab", "a_ai", "b"),  # same; AI item a: 0 - 0 = 0
            ("p3", "ab", "a_ai", "a"),  # no unlabelled verdict of p3 in order ab: left out
            ("p3", "ba", "unlabelled", "tie"),
            ("p3", "ba", "a_person", "b"),  # shifted; AI item b: 0 - 1 = -1
        ]
    )
    shift = compare_attribution(verdicts, PAIRS, n_resamples=R, seed=9)
    assert shift is not None
    # 7 labelled verdicts with a counterpart; 4 shifted -> 4/7; penalties 1 0 0 0 1 0 -1 -> 1/7
    assert shift.n == 7
    assert shift.shift_rate == pytest.approx(4 / 7)
    assert shift.ai_penalty == pytest.approx(1 / 7)
    # cluster bootstrap: each verdict weighs its pair's weight m(item_a) * m(item_b) in a resample
    weights = cluster_weights(PAIRS, R, 9)
    pair_row = [0, 0, 0, 0, 1, 1, 2]  # the seven counted verdicts' pairs, in table order
    shifted = np.array([1, 0, 0, 1, 1, 0, 1.0])
    penalty = np.array([1, 0, 0, 0, 1, 0, -1.0])
    shift_draws, penalty_draws = [], []
    for w in weights:
        v = w[pair_row]
        shift_draws.append(np.sum(v * shifted) / v.sum() if v.sum() else np.nan)
        penalty_draws.append(np.sum(v * penalty) / v.sum() if v.sum() else np.nan)
    assert (shift.shift_low, shift.shift_high) == pytest.approx(percentile_ci(np.array(shift_draws)))
    assert (shift.ai_penalty_low, shift.ai_penalty_high) == pytest.approx(percentile_ci(np.array(penalty_draws)))


def test_a_judge_that_ignores_labels_and_one_that_turns_against_the_ai_side() -> None:
    base = [("p1", "ab", "a"), ("p1", "ba", "b"), ("p2", "ab", "tie"), ("p3", "ab", "a")]
    rows = [(p, o, "unlabelled", c) for p, o, c in base]
    fair = rows + [(p, o, cond, c) for p, o, c in base for cond in ("a_ai", "a_person")]
    shift = compare_attribution(verdict_table(fair), PAIRS, n_resamples=R)
    assert shift is not None
    assert (shift.n, shift.shift_rate, shift.shift_low, shift.shift_high) == (8, 0, 0, 0)
    assert (shift.ai_penalty, shift.ai_penalty_low, shift.ai_penalty_high) == (0, 0, 0)
    # always choosing the side labelled a person: under a_ai that is b, under a_person a
    biased = rows + [(p, o, "a_ai", "b") for p, o, _ in base] + [(p, o, "a_person", "a") for p, o, _ in base]
    shift = compare_attribution(verdict_table(biased), PAIRS, n_resamples=R)
    assert shift is not None
    # a_ai: unlabelled a b tie a -> penalties 1 0 0 1, shifted 1 0 1 1
    # a_person (AI item b): unlabelled a b tie a -> penalties 0 1 0 0, shifted 0 1 1 0
    # shift (3 + 2) / 8 = 5/8; penalty (2 + 1) / 8 = 3/8 (the label turns the judge against the AI side)
    assert shift.shift_rate == pytest.approx(5 / 8)
    assert shift.ai_penalty == pytest.approx(3 / 8)


def test_compare_attribution_none_without_counterparts_and_refuses_bad_rows() -> None:
    only_labelled = verdict_table([("p1", "ab", "a_ai", "a"), ("p2", "ba", "a_person", "b")])
    assert compare_attribution(only_labelled, PAIRS) is None
    with pytest.raises(ValueError, match="conditions"):
        compare_attribution(verdict_table([("p1", "ab", "ai", "a")]), PAIRS)
    outside = verdict_table([("p9", "ab", "unlabelled", "a"), ("p9", "ab", "a_ai", "b")])
    with pytest.raises(ValueError, match="p9"):
        compare_attribution(outside, PAIRS)


# ---------------------------------------------------------------- the record


def test_probe_result_round_trips_through_json_with_nan_as_null() -> None:
    nan = math.nan
    result = ProbeResult(
        task="lend_an_ear",
        rater="mock",
        rater_type="run",
        probe="attribution",
        effects=[Effect(dimension="d1", n=0, mean_change=nan, low=nan, high=nan, flip_rate=nan)],
        associations=[Association(dimension="mean", n=3, partial_spearman=0.5, low=nan, high=1.0)],
        retest=[
            Retest(
                dimension="d1",
                n_items=4,
                epochs=2,
                mean_pairwise_qwk=nan,
                identical_share=1.0,
                alpha=nan,
                qwk_reference_min=0.2,
                qwk_reference_max=nan,
            )
        ],
        compare_shift=CompareShift(
            n=2, shift_rate=0.5, shift_low=nan, shift_high=nan, ai_penalty=0.0, ai_penalty_low=0, ai_penalty_high=0
        ),
        notes=["mock"],
    )
    text = result.model_dump_json()
    assert "NaN" not in text
    data = json.loads(text)
    assert data["effects"][0]["mean_change"] is None and data["compare_shift"]["shift_low"] is None
    assert data["role"] == "rater"
    back = ProbeResult.model_validate_json(text)
    assert math.isnan(back.effects[0].mean_change) and math.isnan(back.associations[0].low)
    assert math.isnan(back.retest[0].alpha) and back.retest[0].qwk_reference_min == 0.2
    assert back.compare_shift is not None and math.isnan(back.compare_shift.shift_high)
    assert back.model_dump_json() == text
