"""The live QWK inspect shows while a rate task runs is the harness's kappa (core/kappa.py) with
the leaderboard's weights, value distance, worked out by hand here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from empathy_bench.tasks.scorer import _qwk


def test_whole_ratings_are_weighted_by_their_distance_on_the_scale() -> None:
    # a = 1, 2, 5, 5 and b = 1, 5, 5, 2: sum (a - b)^2 = 0 + 9 + 0 + 9 = 18
    # sum_i sum_j (a_i - b_j)^2 = 33 (a = 1) + 19 (a = 2) + 2 * 25 (a = 5) = 102, / 4 = 25.5
    # kappa = 1 - 18 / 25.5 = 5/17 (by rank, 1 < 2 < 5 one step apart, it would be 7/11)
    a, b = np.array([1.0, 2.0, 5.0, 5.0]), np.array([1.0, 5.0, 5.0, 2.0])
    assert _qwk(a, b) == pytest.approx(5 / 17, abs=1e-12)
    assert _qwk(a, b) == cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4, 5])


def test_a_reference_off_the_grid_takes_value_weights() -> None:
    # b: medians of two experts. sum (a - b)^2 = 0.5; (1/3) sum_i sum_j (a_i - b_j)^2 = 7.5 / 3 = 2.5
    # kappa = 1 - 0.5 / 2.5 = 0.8 (scikit-learn refuses these ratings as continuous)
    assert _qwk(np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.5])) == pytest.approx(0.8, abs=1e-12)


def test_no_variation_is_undefined() -> None:
    assert math.isnan(_qwk(np.array([3.0, 3.0]), np.array([3.0, 3.0])))
