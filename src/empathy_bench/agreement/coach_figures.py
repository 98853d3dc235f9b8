"""A coach's figures from its per-conversation counts (agreement/coach_counts.py), vectorised
over bootstrap resamples: each figure is a ratio of weighted sums of the counts (or a mean over
dimensions of such ratios), so one matrix product per count gives it for all resamples at once;
weights all 1 give the point estimate. Also the per-dimension targeting and uplift rows."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from empathy_bench.agreement.coach_counts import RATIOS, Conversations
from empathy_bench.agreement.stats import percentile_ci, resample_indices
from empathy_bench.core.kappa import kappa_from_confusion
from empathy_bench.core.models import NAN, Record

HEADLINES = ("mean_kappa", "macro_f1", "f1_at_reference_count", "f1_word_budget", *RATIOS)


class DimensionTargeting(Record):
    """Whether the coach names a dimension as an improvement where the reference's profile has
    it as a problem, over n conversations (see the module docstring)."""

    dimension: str
    n: int
    base_rate: float = NAN  # share of conversations where the reference has it as a problem
    flag_rate: float = NAN  # share where the coach names it as an improvement
    precision: float = NAN
    recall: float = NAN
    f1: float = NAN
    kappa: float = NAN


class DimensionUplift(Record):
    """The oriented change (positive = better) of one dimension after the coach's rewrite: where
    the rewrite targeted it, and where it targeted another dimension (side effects)."""

    dimension: str
    n_targeted: int
    targeted_change: float = NAN
    n_other: int
    other_change: float = NAN


# --- figures, vectorised over resamples --------------------------------------------------------


def bootstrap_weights(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """How often each conversation was drawn in each resample (n_resamples x n), from the shared
    seeded draws `resample_indices`; an empty table has no draws."""
    if n == 0:
        return np.zeros((n_resamples, 0))
    idx = resample_indices(n, n_resamples, seed)
    offsets = idx + n * np.arange(n_resamples)[:, None]
    return np.bincount(offsets.ravel(), minlength=n_resamples * n).reshape(n_resamples, n).astype(float)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1), np.nan)


def mean_defined(values: np.ndarray) -> np.ndarray:
    """Mean over the last axis of the defined (non-NaN) values; NaN where none is (no warning)."""
    present = ~np.isnan(values)
    return _ratio(np.where(present, values, 0.0).sum(axis=-1), present.sum(axis=-1).astype(float))


def targeting(predicted: np.ndarray, actual: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and Cohen's kappa per resample and dimension (resamples x
    dimensions), from the confusion counts weighted by `weights` (resamples x conversations);
    kappa is core/kappa.py's of each 2 x 2 confusion matrix (reference's problem or not x named
    or not), NaN where undefined (both sides constant on the same answer)."""
    p, a = predicted.astype(float), actual.astype(float)
    tp, fp = weights @ (p * a), weights @ (p * (1 - a))
    fn, tn = weights @ ((1 - p) * a), weights @ ((1 - p) * (1 - a))
    confusion = np.stack([np.stack([tp, fn], axis=-1), np.stack([fp, tn], axis=-1)], axis=-2)
    return {
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "kappa": kappa_from_confusion(confusion),
    }


def figures(conv: Conversations, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Every headline figure (and macro precision and recall) on each row of `weights`
    (resamples x conversations); all ones gives the point estimates."""
    scores = targeting(conv.predicted, conv.actual, weights)
    out = {
        "mean_kappa": mean_defined(scores["kappa"]),
        "macro_f1": mean_defined(scores["f1"]),
        "macro_precision": mean_defined(scores["precision"]),
        "macro_recall": mean_defined(scores["recall"]),
        "f1_at_reference_count": mean_defined(targeting(conv.truncated, conv.actual, weights)["f1"]),
        "f1_word_budget": mean_defined(targeting(conv.budgeted, conv.actual, weights)["f1"])
        if conv.worded
        else np.full(len(weights), np.nan),
    }
    for name, (numerator, denominator) in RATIOS.items():
        out[name] = _ratio(weights @ conv.sums[numerator], weights @ conv.sums[denominator])
    return out


# --- one rater --------------------------------------------------------------------------------


class Scores(NamedTuple):
    values: dict[str, float]  # point estimates
    draws: dict[str, np.ndarray]  # bootstrap draws of each figure
    counts: dict[str, int]  # n_praised, n_prioritised, ...
    per_dimension: list[DimensionTargeting]
    uplift_by_dimension: list[DimensionUplift]


def per_dimension(conv: Conversations) -> list[DimensionTargeting]:
    """The targeting statistics of each dimension over all conversations."""
    n = len(conv.items)
    scores = targeting(conv.predicted, conv.actual, np.ones((1, n)))
    base, flag = _ratio(conv.actual.sum(axis=0), np.full(len(conv.dimensions), n)), conv.predicted.sum(axis=0)
    return [
        DimensionTargeting(
            dimension=dim,
            n=n,
            base_rate=float(base[j]),
            flag_rate=float(flag[j] / n) if n else NAN,
            **{name: float(values[0, j]) for name, values in scores.items()},
        )
        for j, dim in enumerate(conv.dimensions)
    ]


def uplift_by_dimension(conv: Conversations) -> list[DimensionUplift]:
    """Per dimension, the mean oriented change where the rewrite targeted it and where it
    targeted another dimension (conversations with an uplift that rated it before and after)."""
    rated = ~np.isnan(conv.change)
    rows = []
    for j, dim in enumerate(conv.dimensions):
        mine, other = rated[:, j] & conv.targeted[:, j], rated[:, j] & ~conv.targeted[:, j]
        rows.append(
            DimensionUplift(
                dimension=dim,
                n_targeted=int(mine.sum()),
                targeted_change=float(conv.change[mine, j].mean()) if mine.any() else NAN,
                n_other=int(other.sum()),
                other_change=float(conv.change[other, j].mean()) if other.any() else NAN,
            )
        )
    return rows


def scored(conv: Conversations, weights: np.ndarray) -> Scores:
    """Point estimates, bootstrap draws, counts and per-dimension rows of one rater."""
    point = figures(conv, np.ones((1, len(conv.items))))
    counts = {
        f"n_{name}": int(conv.sums[name].sum()) for name in ("praised", "prioritised", "quotes", "evidence", "uplift")
    }
    return Scores(
        values={name: float(v[0]) for name, v in point.items()},
        draws=figures(conv, weights),
        counts=counts,
        per_dimension=per_dimension(conv),
        uplift_by_dimension=uplift_by_dimension(conv) if counts["n_uplift"] else [],
    )


def fields_of(scores: Scores) -> dict[str, Any]:
    """The record fields of a rater's scores: each figure, its interval and the counts."""
    fields: dict[str, Any] = dict(scores.values) | dict(scores.counts)
    for name in HEADLINES:
        fields[f"{name}_low"], fields[f"{name}_high"] = percentile_ci(scores.draws[name])
    return fields | {"per_dimension": scores.per_dimension, "uplift_by_dimension": scores.uplift_by_dimension}
