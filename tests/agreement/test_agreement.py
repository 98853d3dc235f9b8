"""Agreement statistics against values worked out by hand (arithmetic in the comments).

Notation for quadratic-weighted kappa (as scikit-learn computes it):
    kappa = 1 - O / E,  O = sum_i (a_i - b_i)^2,
    E = (1/n) sum_i sum_j (a_i - b_j)^2 = sum a^2 + sum b^2 - 2 (sum a)(sum b) / n
where a, b are category codes ("rank") or the values themselves ("value").
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from empathy_bench.agreement import stats as agreement
from empathy_bench.agreement.stats import (
    alpha,
    alpha_bootstrap,
    alpha_resamples,
    compare,
    leave_one_out,
    percentile_ci,
    qwk,
    qwk_ci,
    resample_indices,
    spearman,
)
from empathy_bench.core.kappa import value_kappa

# ---------------------------------------------------------------- quadratic-weighted kappa


def test_qwk_five_items_by_hand() -> None:
    # a = 1 2 3 4 5, b = 1 3 3 5 4: diffs 0 -1 0 -1 1 -> O = 3
    # sum a = 15, sum a^2 = 55; sum b = 16, sum b^2 = 1+9+9+25+16 = 60
    # E = 55 + 60 - 2*15*16/5 = 115 - 96 = 19 -> kappa = 1 - 3/19 = 16/19
    a, b = [1, 2, 3, 4, 5], [1, 3, 3, 5, 4]
    assert qwk(a, b) == pytest.approx(16 / 19, abs=1e-12)
    assert qwk(a, b, "value") == pytest.approx(16 / 19, abs=1e-12)  # consecutive integers: same codes
    assert qwk(a, b) == pytest.approx(cohen_kappa_score(a, b, weights="quadratic"), abs=1e-12)


def test_qwk_is_symmetric_and_perfect_agreement_is_one() -> None:
    a, b = [1, 2, 3, 4, 5], [1, 3, 3, 5, 4]
    assert qwk(a, b) == pytest.approx(qwk(b, a), abs=1e-12)
    assert qwk(a, a) == pytest.approx(1.0, abs=1e-12)


def test_qwk_rank_and_value_categories_differ_when_a_scale_point_is_skipped() -> None:
    a, b = [1, 2, 5, 5], [2, 1, 5, 2]
    # rank: distinct values {1, 2, 5} -> codes 0, 1, 2 (5 sits ONE category above 2)
    #   a = 0 1 2 2, b = 1 0 2 1: O = 1+1+0+1 = 3
    #   sum a = 5, sum a^2 = 9; sum b = 4, sum b^2 = 6; E = 9 + 6 - 2*5*4/4 = 5 -> 1 - 3/5 = 0.4
    assert qwk(a, b, "rank") == pytest.approx(0.4, abs=1e-12)
    # value: weights on value distance (5 sits THREE points above 2)
    #   O = 1+1+0+9 = 11; sum a = 13, sum a^2 = 55; sum b = 10, sum b^2 = 34
    #   E = 55 + 34 - 2*13*10/4 = 89 - 65 = 24 -> 1 - 11/24 = 13/24
    assert qwk(a, b, "value") == pytest.approx(13 / 24, abs=1e-12)
    # value = scikit-learn with every scale point as a label (integer ratings)
    assert qwk(a, b, "value") == pytest.approx(
        cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4, 5]), abs=1e-12
    )


def test_qwk_rank_treats_each_distinct_aggregate_as_its_own_category() -> None:
    # Crowd means such as 2.33 are ordered categories in "rank" mode: 2 < 2.33 < 3 are codes
    # 0, 1, 2. a = 2 2.33 3, b = 2.33 2.33 3 -> codes a = 0 1 2, b = 1 1 2: O = 1
    # sum a = 3, sum a^2 = 5; sum b = 4, sum b^2 = 6; E = 5 + 6 - 2*3*4/3 = 3 -> 1 - 1/3 = 2/3
    a, b = [2.0, 7 / 3, 3.0], [7 / 3, 7 / 3, 3.0]
    assert qwk(a, b, "rank") == pytest.approx(2 / 3, abs=1e-12)
    # value: O = (1/3)^2 = 1/9; sum a = 22/3, sum a^2 = 4 + 49/9 + 9 = 166/9;
    # sum b = 23/3, sum b^2 = 98/9 + 9 = 179/9; E = 345/9 - 2*(22/3)(23/3)/3 = (1035 - 1012)/27 = 23/27
    # kappa = 1 - (1/9)/(23/27) = 1 - 3/23 = 20/23
    assert qwk(a, b, "value") == pytest.approx(20 / 23, abs=1e-12)
    # scikit-learn refuses floats ("continuous"); as text labels it ranks them the same way
    assert qwk(a, b, "rank") == pytest.approx(
        cohen_kappa_score(np.array(a).astype(str), np.array(b).astype(str), weights="quadratic"), abs=1e-12
    )


def test_qwk_is_nan_without_any_variation() -> None:
    assert math.isnan(qwk([3, 3, 3], [3, 3, 3]))
    assert math.isnan(qwk([3, 3, 3], [3, 3, 3], "value"))
    # one rater constant, the other not: defined, and 0 (codes a = 1 1 1, b = 0 1 2:
    # O = 2, E = 3 + 5 - 2*3*3/3 = 2 -> 1 - 2/2 = 0)
    assert qwk([3, 3, 3], [2, 3, 4]) == pytest.approx(0.0, abs=1e-12)


def _rng_pair(n: int, seed: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two correlated raters over `values`: b is a, moved up or down one value sometimes."""
    rng = np.random.default_rng(seed)
    pos = rng.integers(0, len(values), n)
    moved = np.clip(pos + rng.choice([-1, 0, 0, 1], n), 0, len(values) - 1)
    return values[pos], values[moved]


def test_vectorised_bootstrap_kappa_equals_sklearn_per_resample_rank() -> None:
    # Non-integer aggregates (crowd means): sklearn sees them as text labels, sorted in numeric
    # order here (one digit before the point), i.e. one category per distinct value.
    values = np.array([1.0, 2.0, 7 / 3, 8 / 3, 3.0, 4.5, 5.0])
    a, b = _rng_pair(25, 1, values)
    idx = resample_indices(len(a), 200, seed=3)
    ra, rb = agreement._rank_codes_per_row(a[idx], b[idx])
    ours = value_kappa(ra.astype(float), rb.astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = np.array([cohen_kappa_score(a[r].astype(str), b[r].astype(str), weights="quadratic") for r in idx])
    assert ours.shape == (200,)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    # and the CI is the percentile interval of exactly those per-resample kappas
    assert qwk_ci(a, b, "rank", idx) == pytest.approx(percentile_ci(theirs), abs=1e-12)


def test_vectorised_bootstrap_kappa_equals_sklearn_per_resample_value() -> None:
    a, b = _rng_pair(30, 2, np.arange(1.0, 6.0))
    idx = resample_indices(len(a), 200, seed=4)
    ours = value_kappa(a[idx], b[idx])
    theirs = np.array([cohen_kappa_score(a[r], b[r], weights="quadratic", labels=[1, 2, 3, 4, 5]) for r in idx])
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert qwk_ci(a, b, "value", idx) == pytest.approx(percentile_ci(theirs), abs=1e-12)


# ---------------------------------------------------------------- Spearman


def test_spearman_permutation_by_hand() -> None:
    # b = 2 1 4 3 5 against a = 1..5: d = -1 1 -1 1 0, sum d^2 = 4
    # rho = 1 - 6*4 / (5*(25-1)) = 1 - 24/120 = 0.8
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8, abs=1e-12)


def test_spearman_with_ties_uses_average_ranks() -> None:
    # b = 1 3 3 5 3 -> ranks 1, 3, 3, 5, 3 (the three 3s share ranks 2,3,4 -> 3)
    # deviations: a -2 -1 0 1 2, b -2 0 0 2 0; cov = 4 + 0 + 0 + 2 + 0 = 6
    # var a = 10, var b = 8 -> rho = 6 / sqrt(80) = 0.670820
    assert spearman([1, 2, 3, 4, 5], [1, 3, 3, 5, 3]) == pytest.approx(6 / math.sqrt(80), abs=1e-12)


def test_spearman_is_nan_when_undefined() -> None:
    assert math.isnan(spearman([1], [1]))  # one item
    assert math.isnan(spearman([2, 2, 2, 2], [1, 2, 3, 4]))  # a constant


def test_spearman_interval_is_the_item_bootstrap_of_scipy_spearman() -> None:
    # The interval is the percentile interval of rho over the same item draws as kappa's,
    # each draw's rho computed here by scipy (NaN draws, where a side is constant, skipped).
    a, b = _reasonable_pair(40)
    stats = compare(a, b, "value", n_resamples=200, seed=3)
    idx = resample_indices(40, 200, 3)
    x, y = a.to_numpy(), b.to_numpy()
    draws = np.array([spearmanr(x[r], y[r]).statistic if np.ptp(x[r]) and np.ptp(y[r]) else np.nan for r in idx])
    assert (stats.spearman_low, stats.spearman_high) == pytest.approx(
        tuple(np.nanpercentile(draws, [2.5, 97.5])), abs=1e-12
    )


# ---------------------------------------------------------------- compare (all pair statistics)


def test_compare_hand_computed_pair() -> None:
    a = pd.Series([1, 2, 3, 4, 5], index=["i1", "i2", "i3", "i4", "i5"], dtype=float)
    b = pd.Series([1, 3, 3, 5, 3], index=["i1", "i2", "i3", "i4", "i5"], dtype=float)
    stats = compare(a, b, n_resamples=50)
    # |a - b| = 0 1 0 1 2
    assert stats.n == 5
    assert stats.exact == pytest.approx(2 / 5)  # two zeros
    assert stats.adjacent == pytest.approx(4 / 5)  # all but the 2
    assert stats.mae == pytest.approx(4 / 5)  # (0+1+0+1+2)/5
    # kappa: O = 0+1+0+1+4 = 6; sum b = 15, sum b^2 = 53; E = 55 + 53 - 2*15*15/5 = 18 -> 1 - 6/18
    assert stats.qwk == pytest.approx(2 / 3, abs=1e-12)
    assert stats.spearman == pytest.approx(6 / math.sqrt(80), abs=1e-12)  # see the ties test


def test_compare_aligns_on_item_id_and_drops_unrated_items() -> None:
    a = pd.Series([1, 2, 3, 4, 5, np.nan], index=["i1", "i2", "i3", "i4", "i5", "i6"], dtype=float)
    # b in another order, with an item a lacks (i9) and one a left empty (i6)
    b = pd.Series([3, 5, 3, 3, 1, 4, 2], index=["i5", "i4", "i3", "i2", "i1", "i9", "i6"], dtype=float)
    stats = compare(a, b, n_resamples=50)
    # shared, both rated: i1..i5 with b = 1 3 3 5 3 as in the hand-computed pair above
    assert stats.n == 5
    assert stats.qwk == pytest.approx(2 / 3, abs=1e-12)
    assert stats.mae == pytest.approx(4 / 5)


def test_compare_refuses_raters_without_shared_items() -> None:
    with pytest.raises(ValueError, match="share no rated item"):
        compare(pd.Series([1.0, 2.0], index=["a", "b"]), pd.Series([1.0, 2.0], index=["c", "d"]))


# ---------------------------------------------------------------- bootstrap


def _reasonable_pair(n: int = 60) -> tuple[pd.Series, pd.Series]:
    a, b = _rng_pair(n, 7, np.arange(1.0, 6.0))
    index = [f"item{i}" for i in range(n)]
    return pd.Series(a, index=index), pd.Series(b, index=index)


def test_bootstrap_is_seeded_and_contains_the_point_estimate() -> None:
    a, b = _reasonable_pair()
    first = compare(a, b, n_resamples=300, seed=11)
    again = compare(a, b, n_resamples=300, seed=11)
    other = compare(a, b, n_resamples=300, seed=12)
    assert first == again  # same seed, same draws, same interval
    assert (other.qwk_low, other.qwk_high) != (first.qwk_low, first.qwk_high)
    assert other.qwk == first.qwk  # the point estimate does not depend on the seed
    assert first.qwk_low < first.qwk < first.qwk_high
    assert first.spearman_low < first.spearman < first.spearman_high
    assert first.qwk_high - first.qwk_low < 0.5  # 60 well-agreeing items: a usefully narrow interval


def test_resample_indices_are_seeded_draws_of_item_positions() -> None:
    idx = resample_indices(7, 40, seed=5)
    assert idx.shape == (40, 7)
    assert idx.min() >= 0 and idx.max() <= 6
    np.testing.assert_array_equal(idx, resample_indices(7, 40, seed=5))
    assert not np.array_equal(idx, resample_indices(7, 40, seed=6))


def test_percentile_ci_by_hand_and_ignores_undefined_resamples() -> None:
    # 0..100: the 2.5th and 97.5th percentiles (linear interpolation) are 2.5 and 97.5
    samples = np.arange(101, dtype=float)
    assert percentile_ci(samples) == pytest.approx((2.5, 97.5))
    assert percentile_ci(np.concatenate([samples, [np.nan, np.nan]])) == pytest.approx((2.5, 97.5))
    assert all(math.isnan(v) for v in percentile_ci(np.full(5, np.nan)))


# ---------------------------------------------------------------- Krippendorff's alpha

# Raters x units (what krippendorff wants): 2 raters, 4 units.
#   rater 1: 1 2 3 4
#   rater 2: 1 2 4 4
# n = 8 pairable values; value counts n_1 = 2, n_2 = 2, n_3 = 1, n_4 = 3.
# Only unit 3 disagrees (3 vs 4); with 2 values per unit the coincidences are o_34 = o_43 = 1.
# alpha = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_{c != k} n_c n_k d2_ck
TABLE = np.array([[1, 2, 3, 4], [1, 2, 4, 4]], dtype=float)


def test_alpha_interval_by_hand() -> None:
    # d2 = (c - k)^2. Numerator: 7 * (1 + 1) = 14.
    # Denominator: sum over ordered pairs of the 8 values = 2 n sum v^2 - 2 (sum v)^2
    #   sum v = 21, sum v^2 = 67 -> 2*8*67 - 2*441 = 1072 - 882 = 190
    # alpha = 1 - 14/190 = 88/95
    assert alpha(TABLE, "interval") == pytest.approx(88 / 95, abs=1e-12)


def test_alpha_ordinal_by_hand() -> None:
    # d_ck = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2
    #   (1,2): 4-2 = 2 -> 4      (1,3): 5-1.5 = 3.5 -> 12.25   (1,4): 8-2.5 = 5.5 -> 30.25
    #   (2,3): 3-1.5 = 1.5 -> 2.25  (2,4): 6-2.5 = 3.5 -> 12.25  (3,4): 4-2 = 2 -> 4
    # Numerator: 7 * (o_34 + o_43) * 4 = 56
    # Denominator: 2 * (2*2*4 + 2*1*12.25 + 2*3*30.25 + 2*1*2.25 + 2*3*12.25 + 1*3*4)
    #            = 2 * (16 + 24.5 + 181.5 + 4.5 + 73.5 + 12) = 2 * 312 = 624
    # alpha = 1 - 56/624 = 71/78
    assert alpha(TABLE, "ordinal") == pytest.approx(71 / 78, abs=1e-12)


def test_alpha_nominal_by_hand() -> None:
    # d = 0 if equal else 1. Numerator: 7 * 2 = 14.
    # Denominator: n^2 - sum n_c^2 = 64 - (4 + 4 + 1 + 9) = 46 -> alpha = 1 - 14/46 = 16/23
    assert alpha(TABLE, "nominal") == pytest.approx(16 / 23, abs=1e-12)


def test_alpha_default_level_is_ordinal_and_accepts_a_dataframe() -> None:
    frame = pd.DataFrame(TABLE, index=["r1", "r2"], columns=["u1", "u2", "u3", "u4"])
    assert alpha(frame) == pytest.approx(71 / 78, abs=1e-12)


def test_alpha_orientation_matters() -> None:
    # The same numbers read as 4 raters x 2 units are a different (and poor) reliability:
    # the units x raters mistake must not give the hand-computed value.
    assert alpha(TABLE.T, "ordinal") != pytest.approx(71 / 78, abs=1e-3)
    assert alpha(TABLE.T, "ordinal") < 0


def test_alpha_ignores_units_with_a_single_rating() -> None:
    # a fifth unit rated by one rater only is not pairable: alpha is unchanged
    table = np.column_stack([TABLE, [5.0, np.nan]])
    assert alpha(table, "interval") == pytest.approx(88 / 95, abs=1e-12)
    assert alpha(table, "ordinal") == pytest.approx(71 / 78, abs=1e-12)


def test_alpha_is_nan_when_every_value_is_identical() -> None:
    # 0/0 (krippendorff itself raises); missing cells do not count as a second value
    assert math.isnan(alpha(np.full((3, 4), 2.0)))
    assert math.isnan(alpha(np.array([[2.0, 2.0, np.nan], [2.0, np.nan, 2.0]]), "interval"))


def test_alpha_ci_resamples_units() -> None:
    # every resample = the original units -> the interval collapses onto the point estimate
    same = np.tile(np.arange(4), (5, 1))
    assert percentile_ci(alpha_resamples(TABLE, "ordinal", same)) == pytest.approx((71 / 78, 71 / 78), abs=1e-12)
    # a reasonable table: 3 raters x 40 units, seeded, containing the point estimate
    a, b = _rng_pair(40, 8, np.arange(1.0, 6.0))
    c = np.clip(a + np.random.default_rng(9).choice([-1, 0, 1], 40), 1, 5)
    table = np.vstack([a, b, c])
    estimate = alpha_bootstrap(table, "ordinal", n_resamples=200, seed=1)
    assert estimate.value == alpha(table, "ordinal") and estimate.low < estimate.value < estimate.high
    # the interval is the 2.5th and 97.5th percentile of alpha over the seeded unit draws
    draws = [alpha(table[:, row], "ordinal") for row in resample_indices(40, 200, seed=1)]
    assert (estimate.low, estimate.high) == pytest.approx(tuple(np.percentile(draws, [2.5, 97.5])), abs=1e-12)


@pytest.mark.parametrize("level", ["ordinal", "interval", "nominal", "ratio"])
def test_alpha_resamples_equal_krippendorff_on_every_draw(level: str) -> None:
    # the resamples are computed all at once from each unit's coincidences: on every draw they
    # must equal krippendorff on that draw's columns (NaN where it has no value or raises), with
    # missing cells, units rated once, off-grid values and a zero (the ratio distance's 0/0)
    rng = np.random.default_rng(4)
    scales = [np.arange(1.0, 6.0), np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 1.5, 2.0, 2.33, 3.0])]
    checked = 0
    for trial in range(30):
        raters, units = int(rng.integers(2, 6)), int(rng.integers(2, 30))
        table = rng.choice(scales[trial % 3], size=(raters, units))
        table[rng.random(table.shape) < (0.0, 0.2, 0.5)[trial % 3]] = np.nan
        idx = resample_indices(units, 40, seed=trial)
        fast = alpha_resamples(table, level, idx)  # type: ignore[arg-type]
        for row, value in zip(idx, fast, strict=True):
            try:
                with np.errstate(invalid="ignore"):  # krippendorff's own 0/0 (one pairable value)
                    expected = alpha(table[:, row], level)  # type: ignore[arg-type]
            except ValueError:  # krippendorff: no unit rated by two raters
                expected = float("nan")
            assert value == pytest.approx(expected, abs=1e-12, nan_ok=True)
            checked += 1
    assert checked == 1200


def test_alpha_resamples_are_nan_where_a_draw_holds_one_value_or_no_pair() -> None:
    # unit 0 is rated 1 by both raters; units 1 and 2 by one rater each (2 and 3)
    table = np.array([[1.0, 2.0, np.nan], [1.0, np.nan, 3.0]])
    idx = np.array([[0, 0, 0], [1, 2, 2], [0, 1, 2]])
    draws = alpha_resamples(table, "ordinal", idx)
    # [0, 0, 0]: only the value 1; [1, 2, 2]: two values but no unit with two ratings (krippendorff
    # raises); [0, 1, 2]: the one pairable unit agrees and its value is the only pairable one: 0/0
    assert np.isnan(draws).all()
    # a drawn unit counts as often as it is drawn: units 0 (1, 1) and 3 (1, 2), each twice:
    # o_11 = 2 * 2 = 4, o_12 = o_21 = 2 * 1 = 2; n_1 = 6, n_2 = 2, n = 8
    # ordinal d_12 = (n_1 + n_2 - (n_1 + n_2) / 2)^2 = 16; e_12 = e_21 = 6 * 2 / 7 = 12/7
    # alpha = 1 - (2 * 2 * 16) / (2 * 12/7 * 16) = 1 - 7/6 = -1/6
    table = np.array([[1.0, 2.0, np.nan, 1.0], [1.0, np.nan, 3.0, 2.0]])
    assert alpha_resamples(table, "ordinal", np.array([[0, 3, 0, 3]])) == pytest.approx([-1 / 6], abs=1e-12)


def test_alpha_resamples_in_steps_and_with_extreme_values_still_equal_krippendorff(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # many distinct values (a 0-100 slider) are computed a few resamples at a time: force small
    # steps and check every draw; and a value too large to square (its distance is infinite)
    # drawn in no resample must not turn the draws without it into NaN (krippendorff leaves a
    # value a resample lacks out of its domain)
    monkeypatch.setattr(agreement, "CHUNK_ELEMENTS", 3 * 60**2)
    rng = np.random.default_rng(8)
    slider = rng.integers(0, 101, size=(3, 60)).astype(float)
    idx = resample_indices(60, 25, seed=3)
    assert np.unique(slider).size > 50
    expected = [alpha(slider[:, row], "interval") for row in idx]
    assert alpha_resamples(slider, "interval", idx) == pytest.approx(expected, abs=1e-12)
    huge = np.array([[1, 2, 3, 1, 2, 1e160], [1, 3, 3, 2, 2, 1e160]])
    without = np.array([[0, 1, 2, 3, 4, 0]])
    with np.errstate(over="ignore"):  # 1e160 squared, in the distances of the whole table
        assert alpha_resamples(huge, "interval", without)[0] == pytest.approx(alpha(huge[:, without[0]], "interval"))


def test_alpha_resamples_refuse_positions_outside_the_table_and_unknown_levels() -> None:
    with pytest.raises(IndexError, match="0..2"):
        alpha_resamples(TABLE[:, :3], "ordinal", np.array([[0, 1, 3], [0, 1, 2]]))
    with pytest.raises(ValueError, match="unknown level"):
        alpha_resamples(TABLE, "Ordinal", np.array([[0, 1, 2, 3]]))  # type: ignore[arg-type]
    assert alpha_resamples(TABLE, "ordinal", np.zeros((0, 4))).shape == (0,)


# ---------------------------------------------------------------- human ceiling (leave-one-out)


def test_leave_one_out_compares_each_rater_with_the_median_of_the_others() -> None:
    wide = pd.DataFrame(
        {
            "A": [1, 2, 3, 4, 5],
            "B": [1, 3, 3, 5, 3],
            "C": [2, 2, 4, 4, 4],
            "D": [1, 2, 2, 5, 5],
        },
        index=["i1", "i2", "i3", "i4", "i5"],
        dtype=float,
    )
    ceiling = leave_one_out(wide, n_resamples=50)
    assert set(ceiling) == {"A", "B", "C", "D"}
    assert all(stats.n == 5 for stats in ceiling.values())
    # A vs median(B, C, D) per item: (1,2,1)->1 (3,2,2)->2 (3,4,2)->3 (5,4,5)->5 (3,4,5)->4
    # A = 1 2 3 4 5 vs 1 2 3 5 4: |d| = 0 0 0 1 1 -> exact 3/5, adjacent 1, MAE 2/5
    # kappa: O = 2, E = 55 + 55 - 2*15*15/5 = 20 -> 1 - 2/20 = 0.9
    assert ceiling["A"].qwk == pytest.approx(0.9, abs=1e-12)
    assert (ceiling["A"].exact, ceiling["A"].adjacent, ceiling["A"].mae) == pytest.approx((0.6, 1.0, 0.4))
    # B vs median(A, C, D): (1,2,1)->1 (2,2,2)->2 (3,4,2)->3 (4,4,5)->4 (5,4,5)->5 = 1 2 3 4 5
    # B = 1 3 3 5 3: the hand-computed pair of test_compare_hand_computed_pair
    assert ceiling["B"].qwk == pytest.approx(2 / 3, abs=1e-12)
    assert (ceiling["B"].exact, ceiling["B"].adjacent, ceiling["B"].mae) == pytest.approx((0.4, 0.8, 0.8))


def test_spearman_resamples_match_scipy_per_resample() -> None:
    from scipy.stats import spearmanr

    from empathy_bench.agreement.stats import spearman_resamples

    a = np.array([1, 2, 2, 3, 5, 4, 1, 3], float)
    b = np.array([2, 2, 3, 3, 4, 5, 1, 1], float)
    idx = resample_indices(len(a), 50, seed=3)
    ours = spearman_resamples(a, b, idx)
    for row, value in zip(idx, ours, strict=True):
        theirs = spearmanr(a[row], b[row]).statistic
        assert (np.isnan(value) and np.isnan(theirs)) or value == pytest.approx(theirs, abs=1e-12)
    # no variation in a resample: undefined, not a number
    assert np.isnan(spearman_resamples(a, b, np.zeros((1, 8), int)))[0]
