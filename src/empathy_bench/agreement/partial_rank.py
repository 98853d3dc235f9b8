"""The partial Spearman correlation and row means of the bias probes (agreement/probe.py,
agreement/length_bias.py), vectorised over bootstrap resamples: one row per resample, NaN marking
a missing value. Written here rather than taken from SciPy because the bootstrap needs them over
all resamples at once; `partial_spearman` is the point estimate on one row."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from empathy_bench.agreement.stats import resample_indices

# Below this, (1 - r_xz^2)(1 - r_yz^2) counts as 0: the control explains a variable entirely
# and the partial correlation is undefined (rounding would otherwise give any value).
TOLERANCE = 1e-12


def nanmean_rows(values: np.ndarray) -> np.ndarray:
    """Mean of each row over its non-NaN values; NaN for a row with none (without a warning)."""
    present = ~np.isnan(values)
    count = present.sum(axis=-1)
    total = np.where(present, values, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise Pearson correlation over the positions where both are present (NaN elsewhere);
    NaN where either row has no variation."""
    x, y = x - nanmean_rows(x)[:, None], y - nanmean_rows(y)[:, None]
    sxy, sxx, syy = (np.nansum(p, axis=1) for p in (x * y, x * x, y * y))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((sxx > 0) & (syy > 0), sxy / np.sqrt(sxx * syy), np.nan)


def partial_spearman_rows(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Per row (resample), the partial Spearman correlation of x and y given z, over the
    positions where all three are present (NaN marks a missing value): average ranks of the
    three within the row, then r_xy.z = (r_xy - r_xz r_yz) / sqrt((1 - r_xz^2)(1 - r_yz^2)) on
    the ranks' Pearson correlations. NaN where undefined: a variable without variation, or z
    explaining x or y entirely."""
    x, y, z = (np.atleast_2d(np.asarray(v, float)) for v in (x, y, z))
    missing = np.isnan(x) | np.isnan(y) | np.isnan(z)
    rx, ry, rz = (rankdata(np.where(missing, np.nan, v), axis=1, nan_policy="omit") for v in (x, y, z))
    r_xy, r_xz, r_yz = _pearson_rows(rx, ry), _pearson_rows(rx, rz), _pearson_rows(ry, rz)
    denominator = (1 - r_xz**2) * (1 - r_yz**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (r_xy - r_xz * r_yz) / np.sqrt(denominator)
    return np.where(denominator > TOLERANCE, np.clip(r, -1.0, 1.0), np.nan)


def partial_spearman(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series, z: np.ndarray | pd.Series) -> float:
    """Partial Spearman correlation of x and y given z over the positions where all three are
    present; NaN when undefined (see `partial_spearman_rows`)."""
    return float(partial_spearman_rows(np.asarray(x, float), np.asarray(y, float), np.asarray(z, float))[0])


def item_draws(n_items: int, n_resamples: int, seed: int) -> np.ndarray:
    """The shared item draws of a call (an empty table has none)."""
    return resample_indices(n_items, n_resamples, seed) if n_items else np.zeros((n_resamples, 0), dtype=int)
