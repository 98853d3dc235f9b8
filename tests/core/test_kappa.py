"""The harness's one kappa (core/kappa.py): hand-computed values, scikit-learn's
`cohen_kappa_score`, and the formulas it replaced (the choice kappa's and the coach's targeting
kappa's confusion-count forms and the count-weighted QWK by matrix products), each to 1e-12."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from empathy_bench.core.kappa import confusion_matrix, kappa, kappa_from_confusion, value_kappa


def test_unweighted_two_by_two_by_hand() -> None:
    # confusion (first rater x second): [[20, 5], [10, 15]], n = 50
    # observed agreement po = (20 + 15) / 50 = 0.7
    # marginals: first 25, 25; second 30, 20 -> chance pe = (25*30 + 25*20) / 50^2 = 0.5
    # kappa = (po - pe) / (1 - pe) = 0.2 / 0.5 = 0.4
    a = [1] * 25 + [0] * 25
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert confusion_matrix(a, b, [1, 0]).tolist() == [[20, 5], [10, 15]]
    assert kappa(a, b) == pytest.approx(0.4, abs=1e-12)
    assert kappa_from_confusion(np.array([[20, 5], [10, 15]])) == pytest.approx(0.4, abs=1e-12)


def test_quadratic_three_categories_by_hand() -> None:
    # pairs (0,0) (1,1) (2,2) (0,1) (1,2) (2,2): confusion O = [[1,1,0], [0,1,1], [0,0,2]], n = 6
    # weights w_ij = (i - j)^2: sum w O = 1 (cell 0,1) + 1 (cell 1,2) = 2
    # marginals: first [2, 2, 2], second [1, 2, 3]; chance E_ij = 2 * second_j / 6 = second_j / 3
    # sum w E = (1/3) * sum_j second_j * (column sum of w: 5, 2, 5) = (5 + 4 + 15) / 3 = 8
    # kappa = 1 - 2 / 8 = 0.75
    a, b = [0, 1, 2, 0, 1, 2], [0, 1, 2, 1, 2, 2]
    assert kappa(a, b, weights="quadratic") == pytest.approx(0.75, abs=1e-12)
    # value weights in closed form: sum (a - b)^2 = 2; (1/6) sum_i sum_j (a_i - b_j)^2 = 2 * (14 + 4 + 6) / 6
    # = 8 (each a value twice; 14, 4, 6: the sums for a = 0, 1, 2) -> 0.75 again, as on every integer scale
    assert kappa(a, b, weights="value") == pytest.approx(0.75, abs=1e-12)
    assert kappa(a, b, weights="quadratic") == pytest.approx(cohen_kappa_score(a, b, weights="quadratic"), abs=1e-12)


def test_value_weights_on_numbers_off_the_grid_by_hand() -> None:
    # a = 1, 2, 3; b = 1.5, 2, 2.5 (medians of two): sum (a - b)^2 = 0.25 + 0 + 0.25 = 0.5
    # (1/3) sum_i sum_j (a_i - b_j)^2 = (3.5 + 0.5 + 3.5) / 3 = 2.5 -> kappa = 1 - 0.5 / 2.5 = 0.8,
    # Lin's concordance correlation: 2 cov / (var a + var b + (mean a - mean b)^2) = (2/3) / (2/3 + 1/6)
    assert kappa([1, 2, 3], [1.5, 2, 2.5], weights="value") == pytest.approx(0.8, abs=1e-12)


def test_undefined_and_refused() -> None:
    assert math.isnan(kappa([3, 3, 3], [3, 3, 3], weights="quadratic"))  # both constant on one value
    assert math.isnan(kappa([3, 3], [3, 3], weights="value"))
    assert math.isnan(kappa([], [], labels=["a", "b", "tie"]))  # no pair
    assert math.isnan(kappa(["a", "a"], ["a", "a"], labels=["a", "b", "tie"]))  # other labels unused: still 0/0
    assert kappa(["a", "b"], ["a", "b"], labels=["a", "b", "tie"]) == 1
    with pytest.raises(ValueError, match="not among the labels"):
        kappa(["a", "c"], ["a", "b"], labels=["a", "b", "tie"])
    with pytest.raises(ValueError, match="paired values"):
        kappa([1, 2], [1])
    with pytest.raises(ValueError, match="give no labels"):
        kappa([1, 2], [1, 2], weights="value", labels=[1, 2])


@pytest.mark.parametrize("seed", range(5))
def test_point_kappa_equals_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(1, 6, 40).astype(float), rng.integers(1, 6, 40).astype(float)
    b[:20] = a[:20]  # some agreement
    scale = [1.0, 2.0, 3.0, 4.0, 5.0]
    for weights in (None, "quadratic"):
        ours, theirs = kappa(a, b, weights=weights), cohen_kappa_score(a, b, weights=weights)
        assert ours == pytest.approx(theirs, abs=1e-12)
        ours = kappa(a, b, weights=weights, labels=scale)
        assert ours == pytest.approx(cohen_kappa_score(a, b, weights=weights, labels=scale), abs=1e-12)
    # value weights on an integer scale: quadratic weights with every scale point a label
    quadratic = cohen_kappa_score(a, b, weights="quadratic", labels=scale)
    assert kappa(a, b, weights="value") == pytest.approx(quadratic, abs=1e-12)
    choices = np.array(["a", "b", "tie"])
    x, y = choices[rng.integers(0, 3, 30)], choices[rng.integers(0, 3, 30)]
    theirs = cohen_kappa_score(x, y, labels=["a", "b", "tie"])
    assert kappa(x, y, labels=["a", "b", "tie"]) == pytest.approx(theirs, abs=1e-12)


def test_vectorised_forms_equal_the_point_kappa_per_resample() -> None:
    rng = np.random.default_rng(7)
    a = rng.integers(0, 3, 30)
    b = np.where(rng.random(30) < 0.6, a, rng.integers(0, 3, 30))
    idx = rng.integers(0, 30, size=(50, 30))
    counts = np.stack([np.bincount(row, minlength=30) for row in idx])
    # a resample as counts: the confusion matrix weighted by how often each item was drawn
    cells = np.zeros((30, 3, 3))
    cells[np.arange(30), a, b] = 1
    confusion = np.einsum("ri,ijk->rjk", counts, cells)
    for weights in (None, "quadratic"):
        expected = [cohen_kappa_score(a[r], b[r], weights=weights, labels=[0, 1, 2]) for r in idx]
        np.testing.assert_allclose(kappa_from_confusion(confusion, weights), expected, rtol=0, atol=1e-12)
    expected = [kappa(a[r], b[r], weights="value") for r in idx]
    np.testing.assert_allclose(value_kappa(a, b, counts), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(value_kappa(a[idx], b[idx]), expected, rtol=0, atol=1e-12)  # rows of values


def test_value_kappa_counts_a_missing_item_zero_times() -> None:
    a, b = np.array([1.0, 2.0, np.nan, 4.0, 5.0]), np.array([1.0, 3.0, 2.0, 4.0, 4.0])
    keep = ~np.isnan(a)
    assert value_kappa(a, b) == pytest.approx(kappa(a[keep], b[keep], weights="value"), abs=1e-12)


# --- the formulas this module replaced, as they were written, on the same inputs ----------------


def _choice_kappa_before(confusion: np.ndarray) -> np.ndarray:
    """agreement/choice_scores.py's kappa_from_confusion before: 1 - (N - agreed) / (N - chance / N)."""
    total = confusion.sum(axis=(-2, -1))
    agreed = np.trace(confusion, axis1=-2, axis2=-1)
    chance = (confusion.sum(axis=-1) * confusion.sum(axis=-2)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = total - chance / total
        return np.where((total > 0) & (expected > 0), 1 - (total - agreed) / expected, np.nan)


def _targeting_kappa_before(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, tn: np.ndarray) -> np.ndarray:
    """agreement/coach_figures.py's before: (N (TP + TN) - S) / (N^2 - S), NaN where N^2 = S."""
    total = tp + fp + fn + tn
    chance = (tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)
    numerator, denominator = total * (tp + tn) - chance, total**2 - chance
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1), np.nan)


def _weighted_qwk_before(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """agreement/stats.py's qwk_weighted before: the closed form by matrix products."""
    w = weights * ~(np.isnan(a) | np.isnan(b))
    a, b = np.nan_to_num(a), np.nan_to_num(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = w.sum(axis=-1)
        observed = w @ (a - b) ** 2
        expected = w @ a**2 + w @ b**2 - 2 * (w @ a) * (w @ b) / n
        return np.where(expected > 0, 1 - observed / np.where(expected > 0, expected, 1), np.nan)


def test_the_replaced_formulas_give_the_same_figures() -> None:
    rng = np.random.default_rng(11)
    counts = rng.integers(0, 4, size=(200, 40)).astype(float)
    counts[0] = 0  # an empty resample: undefined in both
    cells = rng.multinomial(2, [0.4, 0.1, 0.05, 0.1, 0.2, 0.05, 0.02, 0.03, 0.05], size=40).astype(float)
    three = (counts @ cells).reshape(-1, 3, 3)
    np.testing.assert_allclose(kappa_from_confusion(three), _choice_kappa_before(three), rtol=0, atol=1e-12)
    predicted, actual = rng.integers(0, 2, size=(40, 6)), rng.integers(0, 2, size=(40, 6))
    actual[:, 0] = 0  # a dimension the reference never flags: NaN where the coach never names it either
    p, q = predicted.astype(float), actual.astype(float)
    tp, fp, fn, tn = counts @ (p * q), counts @ (p * (1 - q)), counts @ ((1 - p) * q), counts @ ((1 - p) * (1 - q))
    two = np.stack([np.stack([tp, fn], axis=-1), np.stack([fp, tn], axis=-1)], axis=-2)
    before = _targeting_kappa_before(tp, fp, fn, tn)
    np.testing.assert_allclose(kappa_from_confusion(two), before, rtol=0, atol=1e-12)
    a = rng.integers(1, 6, 40).astype(float)
    b = np.where(rng.random(40) < 0.5, a, rng.integers(1, 6, 40)).astype(float)
    a[3], b[8] = np.nan, np.nan
    np.testing.assert_allclose(value_kappa(a, b, counts), _weighted_qwk_before(a, b, counts), rtol=0, atol=1e-12)
