"""Cohen's kappa: the harness's one implementation, for every figure that is a kappa (a rate
judge's QWK and its intervals, the live metric inspect shows while a task runs, a compare rater's
kappa over a / b / tie, a coach's targeting kappa, test-retest between epochs).

It lives in core, the lowest layer, because two stages need it and the lower of them is the tasks
stage (the scorer's live metric, tasks/scorer.py), which may not import the agreement stage
(pyproject.toml's layer contract); it depends on nothing of the project.

kappa = 1 - sum_ij w_ij O_ij / sum_ij w_ij E_ij, where O is the confusion matrix (first rater's
category i, second rater's j), E the matrix the two marginals give by chance, and w the
disagreement weights:
- None: 1 off the diagonal, 0 on it (Cohen's unweighted kappa);
- "quadratic": (i - j)^2 on the categories' positions in `labels` (scikit-learn's weights: with
  every point of an integer scale as a label, the squared distance on the scale);
- "value": (x - y)^2 on the numbers themselves, no categories, for ratings that are not on a grid
  (a crowd mean of 2.33, a median of 2.5). Then sum w O = sum_i (a_i - b_i)^2 and
  sum w E = (1/n) sum_i sum_j (a_i - b_j)^2, computed in that closed form (`value_kappa`); on
  integer ratings it equals "quadratic" with every scale point a label, and in general it is
  Lin's concordance correlation coefficient.

The categorical forms follow scikit-learn's `cohen_kappa_score` operation for operation (the
chance matrix included), so point estimates equal it; tests check both forms against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Weights = Literal["quadratic", "value"] | None


def kappa(
    a: Sequence[object] | np.ndarray,
    b: Sequence[object] | np.ndarray,
    *,
    weights: Weights = None,
    labels: Sequence[object] | np.ndarray | None = None,
) -> float:
    """Cohen's kappa of two raters' paired values (see the module docstring for `weights`).
    `labels`: the categories in order (default: the distinct values of a and b, sorted); a value
    outside them is an error, never silently dropped. NaN where kappa is undefined (no pair, or
    both raters constant on the same value)."""
    if len(a) != len(b):
        raise ValueError(f"kappa needs paired values; got {len(a)} and {len(b)}")
    if weights == "value":
        if labels is not None:
            raise ValueError("value weights use the numbers themselves: give no labels")
        return float(value_kappa(np.asarray(a, float), np.asarray(b, float)))
    return float(kappa_from_confusion(confusion_matrix(a, b, labels), weights))


def confusion_matrix(
    a: Sequence[object] | np.ndarray, b: Sequence[object] | np.ndarray, labels: Sequence[object] | np.ndarray | None
) -> np.ndarray:
    """Counts of (a's category, b's category) over the pairs, categories in `labels` order."""
    values = np.concatenate([np.asarray(a, object), np.asarray(b, object)])
    categories = list(np.unique(values) if labels is None else labels)
    position = {category: i for i, category in enumerate(categories)}
    unknown = {v for v in values if v not in position}
    if unknown:
        raise ValueError(f"values {sorted(map(str, unknown))} are not among the labels {categories}")
    codes = np.array([position[v] for v in values], dtype=int).reshape(2, -1)
    k = len(categories)
    return np.bincount(codes[0] * k + codes[1], minlength=k * k).reshape(k, k)


def kappa_from_confusion(confusion: np.ndarray, weights: Literal["quadratic"] | None = None) -> np.ndarray:
    """Kappa of each confusion matrix (... x k x k; counts, or counts weighted by a bootstrap
    resample), as scikit-learn computes it from one; NaN where undefined (no weight, or both
    raters constant on the same category)."""
    confusion = np.asarray(confusion, float)
    k = confusion.shape[-1]
    positions = np.arange(k)
    w = (positions[:, None] - positions[None, :]) ** 2 if weights == "quadratic" else 1 - np.eye(k)
    second, first = confusion.sum(axis=-2), confusion.sum(axis=-1)  # the two raters' marginals
    total = second.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        # scikit-learn's chance matrix, outer(second, first) / n: its order kept, so sums round alike
        chance = second[..., :, None] * first[..., None, :] / total[..., None, None]
        expected = (w * chance).sum(axis=(-2, -1))
        observed = (w * confusion).sum(axis=(-2, -1))
        return np.where((total > 0) & (expected > 0), 1 - observed / expected, np.nan)


def value_kappa(a: np.ndarray, b: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Kappa with value weights (x - y)^2 over the last axis, in closed form: 1 - sum (a_i - b_i)^2
    / ((1/n) sum_i sum_j (a_i - b_j)^2). `counts` (broadcast against a and b; default all 1) says
    how often each item counts in each row: the counts of a bootstrap resample give the kappa on
    that resample, and a rater's missing item (NaN in a or b) counts 0 times, so raters with
    different gaps share one set of draws. NaN where undefined (no variation)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    shape = np.broadcast_shapes(a.shape, b.shape) if counts is None else np.shape(counts)
    w = np.ones(shape) if counts is None else np.asarray(counts, float)
    w = w * ~(np.isnan(a) | np.isnan(b))
    a, b = np.nan_to_num(a), np.nan_to_num(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = w.sum(axis=-1)
        observed = (w * (a - b) ** 2).sum(axis=-1)
        expected = (
            (w * a**2).sum(axis=-1) + (w * b**2).sum(axis=-1) - 2 * (w * a).sum(axis=-1) * (w * b).sum(axis=-1) / n
        )
        return np.where(expected > 0, 1 - observed / np.where(expected > 0, expected, 1), np.nan)
