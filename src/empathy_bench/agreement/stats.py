"""Agreement statistics between raters, per dimension, with bootstrap confidence intervals.

Point estimates come from SciPy and krippendorff, and kappa from the harness's one
implementation (core/kappa.py: the point estimate and the closed form vectorised over 1,000
resamples at once, both checked against scikit-learn's `cohen_kappa_score`). Alpha's resamples
likewise are computed all at once from krippendorff's formulas (`alpha_resamples`), held equal to
krippendorff on every draw by the tests.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import krippendorff
import numpy as np
import pandas as pd
from scipy.stats import pearsonr, rankdata
from sklearn.metrics import mean_absolute_error

from empathy_bench.core.kappa import kappa, value_kappa
from empathy_bench.core.models import Record

# "rank": every distinct value is its own ordered category and the quadratic weights follow
#   rank distance: exactly what Kumar et al. computed with scikit-learn (a crowd mean of 2.33
#   sits one category above 2.0, as far as 3.0 sits above 2.33). Use it to reproduce them.
# "value": the weights follow value distance (w = (x - y)^2), the principled choice for
#   non-integer aggregates. For integer ratings it equals scikit-learn with labels = every
#   scale point; in general it is Lin's concordance correlation coefficient.
Categories = Literal["rank", "value"]
Level = Literal["ordinal", "interval", "nominal", "ratio"]

N_RESAMPLES = 1000
CONFIDENCE = 0.95


class PairAgreement(Record):
    """Agreement of rater a with rater b on one dimension, over the n items both rated."""

    n: int
    qwk: float
    qwk_low: float
    qwk_high: float
    spearman: float
    spearman_low: float
    spearman_high: float
    exact: float
    adjacent: float
    mae: float


def _codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each value among the distinct values of a and b together."""
    labels = np.unique(np.concatenate([a.ravel(), b.ravel()]))
    return np.searchsorted(labels, a), np.searchsorted(labels, b)


def qwk(a: np.ndarray, b: np.ndarray, categories: Categories = "rank") -> float:
    """Quadratic-weighted Cohen's kappa with the weights `categories` names (core/kappa.py: "rank"
    is its "quadratic" on the distinct values, "value" its "value"); NaN when undefined (no
    variation at all)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return kappa(a, b, weights="value" if categories == "value" else "quadratic")


def _rank_codes_per_row(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per resample (row), re-index the values among the distinct values present in that
    row, as scikit-learn would when handed the resample."""
    ca, cb = _codes(a, b)
    rows = np.arange(a.shape[0])[:, None]
    present = np.zeros((a.shape[0], int(max(ca.max(), cb.max())) + 1), dtype=bool)
    present[rows, ca] = True
    present[rows, cb] = True
    dense = np.cumsum(present, axis=1) - 1
    return np.take_along_axis(dense, ca, axis=1), np.take_along_axis(dense, cb, axis=1)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho (Pearson on average ranks); NaN when either rater has no variation.

    Its interval is the item bootstrap (`spearman_resamples`), as for kappa: the Fisher-z
    interval assumes a bivariate normal that floor-heavy 1-5 ratings are far from (it covers
    about 82% at a nominal 95% with 70% of ratings at 1, n = 50)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(pearsonr(rankdata(a), rankdata(b)).statistic)


def resample_indices(n: int, n_resamples: int = N_RESAMPLES, seed: int = 0) -> np.ndarray:
    """Bootstrap draws of item positions, one row per resample; the same seed gives the
    same draws, so every pair and dimension is resampled alike."""
    return np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))


def resample_counts(n: int, n_resamples: int = N_RESAMPLES, seed: int = 0) -> np.ndarray:
    """The draws of `resample_indices` as how often each of the n units was drawn (n_resamples x
    n): a statistic weighted by these counts is the statistic on that resample, and a rater that
    lacks a unit gives it weight 0, so raters with different gaps still share one set of draws."""
    if n == 0:
        return np.zeros((n_resamples, 0))
    return _draw_counts(resample_indices(n, n_resamples, seed), n)


class Headline(NamedTuple):
    """A task's headline figure for one rater (the one its table is sorted by) and the same
    figure on each of the task's shared bootstrap draws of n units (NaN where undefined): what
    paired differences and rank intervals are computed from. Never stored."""

    metric: str  # the row field it is: qwk_loo, qwk, accuracy, mean_kappa_loo, mean_kappa
    value: float
    draws: np.ndarray
    n: int  # units each draw resamples (items, or conversations)


def percentile_ci(samples: np.ndarray) -> tuple[float, float]:
    """Percentile interval, ignoring resamples where the statistic is undefined."""
    tail = (1 - CONFIDENCE) / 2 * 100
    if np.isnan(samples).all():
        return float("nan"), float("nan")
    low, high = np.nanpercentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def qwk_resamples(a: np.ndarray, b: np.ndarray, categories: Categories, idx: np.ndarray) -> np.ndarray:
    """The kappa on each resample of items `idx` (one row per resample): with "rank" weights the
    values are first re-coded per resample, as scikit-learn would code that resample, and value
    weights on those codes are quadratic weights on the categories' positions."""
    ra, rb = a[idx], b[idx]
    if categories == "rank":
        ra, rb = _rank_codes_per_row(ra, rb)
    return value_kappa(ra.astype(float), rb.astype(float))


def spearman_resamples(a: np.ndarray, b: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Spearman's rho on each resample of items `idx` (Pearson on per-row average ranks);
    NaN where a resample has no variation."""
    ra, rb = rankdata(a[idx], axis=1), rankdata(b[idx], axis=1)
    ra, rb = ra - ra.mean(axis=1, keepdims=True), rb - rb.mean(axis=1, keepdims=True)
    denominator = np.sqrt((ra**2).sum(axis=1) * (rb**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (ra * rb).sum(axis=1) / denominator, np.nan)


def qwk_ci(a: np.ndarray, b: np.ndarray, categories: Categories, idx: np.ndarray) -> tuple[float, float]:
    """Bootstrap percentile CI of the kappa over the resampled items `idx`."""
    return percentile_ci(qwk_resamples(a, b, categories, idx))


def compare(
    a: pd.Series, b: pd.Series, categories: Categories = "rank", n_resamples: int = N_RESAMPLES, seed: int = 0
) -> PairAgreement:
    """All pairwise statistics for two raters (Series indexed by item id) on the items
    both rated."""
    both = pd.concat([a, b], axis=1, join="inner").dropna()
    x, y = both.iloc[:, 0].to_numpy(float), both.iloc[:, 1].to_numpy(float)
    if len(x) == 0:
        raise ValueError("the two raters share no rated item")
    idx = resample_indices(len(x), n_resamples, seed)
    low, high = qwk_ci(x, y, categories, idx)
    rho_low, rho_high = percentile_ci(spearman_resamples(x, y, idx))
    return PairAgreement(
        n=len(x),
        qwk=qwk(x, y, categories),
        qwk_low=low,
        qwk_high=high,
        spearman=spearman(x, y),
        spearman_low=rho_low,
        spearman_high=rho_high,
        exact=float(np.mean(x == y)),
        adjacent=float(np.mean(np.abs(x - y) <= 1)),
        mae=float(mean_absolute_error(x, y)),
    )


def alpha(table: pd.DataFrame | np.ndarray, level: Level = "ordinal") -> float:
    """Krippendorff's alpha of a raters x units table (NaN = not rated). NaN when every value
    is the same: alpha is 0/0 there, and the krippendorff package raises."""
    data = np.asarray(table, dtype=float)
    if np.unique(data[~np.isnan(data)]).size < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def alpha_resamples(table: pd.DataFrame | np.ndarray, level: Level, idx: np.ndarray) -> np.ndarray:
    """Alpha of a raters x units table on each resample of units (columns) `idx`: what `alpha`
    (krippendorff) gives on `table[:, row]` for each row of `idx`, NaN where alpha is undefined on
    that draw (fewer than two distinct values; no unit rated twice, where krippendorff raises; one
    pairable value, its 0/0). tests/agreement hold the two equal, draw by draw.

    Computed for all resamples at once: one krippendorff call per draw (1,000 per dimension and
    rater) took 40% of the reliability table's time. A resample's coincidence matrix is the sum of its
    units' own (each drawn unit counted as often as it was drawn), so each unit's is computed once
    and the resamples' are one product with the draw counts; the expected coincidences and the
    distances (ordinal distances depend on the resample's value counts) follow krippendorff's
    formulas per resample, over the values the resample holds (krippendorff's value domain)."""
    data, idx = np.asarray(table, dtype=float), np.asarray(idx)
    domain = np.unique(data[~np.isnan(data)])
    if domain.size < 2 or idx.size == 0:
        return np.full(len(idx), np.nan)
    if idx.min() < 0 or idx.max() >= data.shape[1]:
        raise IndexError(f"resampled unit positions must lie in 0..{data.shape[1] - 1}")
    counts = (data[:, :, None] == domain).sum(axis=0).astype(float)  # units x values: raters giving each
    pairable = np.maximum(counts.sum(axis=1), 2)
    eye = np.eye(len(domain))
    per_unit = (counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * eye) / (pairable - 1)[:, None, None]
    # a few resamples at a time where the values are many (a 0-100 slider): each step holds
    # resamples x values x values arrays
    step = max(1, CHUNK_ELEMENTS // len(domain) ** 2)
    draws = [_alpha_draws(level, domain, counts, per_unit, idx[i : i + step]) for i in range(0, len(idx), step)]
    return np.concatenate(draws)


# Elements of one resamples x values x values array (float64: 32 MB) alpha_resamples holds at once.
CHUNK_ELEMENTS = 2**22


def _alpha_draws(
    level: Level, domain: np.ndarray, counts: np.ndarray, per_unit: np.ndarray, idx: np.ndarray
) -> np.ndarray:
    """alpha_resamples on the resamples `idx`, given each unit's value counts and coincidences."""
    v = len(domain)
    drawn = _draw_counts(idx, len(counts))  # resamples x units
    present = (drawn @ (counts > 0)) > 0  # resamples x values: the values the resample's data hold
    o = (drawn @ per_unit.reshape(len(counts), -1)).reshape(len(idx), v, v)
    n_v = o.sum(axis=1)
    e = (n_v[:, :, None] * n_v[:, None, :] - n_v[:, :, None] * np.eye(v)) / (n_v.sum(axis=1) - 1)[:, None, None]
    # krippendorff's domain is the resample's own values: a value it lacks has no distance (where
    # a distance is infinite, 0 x inf would otherwise turn the draw into NaN)
    d = np.where(present[:, :, None] & present[:, None, :], _distances(level, domain, n_v), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        alphas = 1 - (o * d).sum(axis=(1, 2)) / (e * d).sum(axis=(1, 2))
    return np.where(present.sum(axis=1) >= 2, alphas, np.nan)


def _draw_counts(idx: np.ndarray, n: int) -> np.ndarray:
    """How often each of the n units is drawn in each resample of `idx` (resamples x n)."""
    offsets = idx + n * np.arange(len(idx))[:, None]
    return np.bincount(offsets.ravel(), minlength=len(idx) * n).reshape(len(idx), n).astype(float)


def _distances(level: Level, domain: np.ndarray, n_v: np.ndarray) -> np.ndarray:
    """krippendorff's squared distance between every two values of `domain`, for each resample
    (n_v: its pairable values' counts, resamples x values; the ordinal distance depends on them)."""
    c, k = domain[:, None], domain[None, :]
    if level == "nominal":
        fixed = (c != k).astype(float)
    elif level == "interval":
        fixed = (c - k) ** 2
    elif level == "ratio":
        total = c + k
        fixed = np.divide(c - k, total, out=np.zeros_like(total), where=total != 0) ** 2
    elif level == "ordinal":  # (the counts from c to k, both included, less half of c's and k's) squared
        cumulative = np.cumsum(n_v, axis=1)
        i = np.arange(len(domain))
        low, high = np.minimum.outer(i, i), np.maximum.outer(i, i)
        between = cumulative[:, high] - cumulative[:, low] + n_v[:, low]
        return (between - (n_v[:, low] + n_v[:, high]) / 2) ** 2
    else:
        raise ValueError(f"unknown level of measurement '{level}': ordinal, interval, nominal or ratio")
    return np.broadcast_to(fixed, (len(n_v), *fixed.shape))


N_SHUFFLES = 100


def alpha_shuffled(
    panel: np.ndarray, rater: np.ndarray, level: Level, n_shuffles: int = N_SHUFFLES, seed: int = 0
) -> float:
    """What an uninformative rater with this rater's own ratings scores on "alpha + rater":
    the mean alpha of the panel (raters x units) with the rater's values shuffled across the
    units (seeded; the shuffles keep the rater's distribution and destroy its information).
    A constant rater scores exactly its observed value, since shuffling changes nothing; a
    rater that carries information scores above it. Adding any rater pulls alpha toward the
    share of the panel's disagreement it explains, so this, not 0, is the floor to compare with."""
    panel, rater = np.asarray(panel, float), np.asarray(rater, float)
    rng = np.random.default_rng(seed)
    return float(np.nanmean([alpha(np.vstack([panel, rng.permutation(rater)]), level) for _ in range(n_shuffles)]))


class AlphaEstimate(NamedTuple):
    value: float
    low: float
    high: float
    draws: np.ndarray  # one alpha per resample, for means over dimensions drawn alike


def alpha_bootstrap(
    table: pd.DataFrame | np.ndarray, level: Level, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> AlphaEstimate:
    """Alpha of a raters x units table with its percentile interval over resampled units (the
    seeded draws every statistic of the harness shares)."""
    data = np.asarray(table, dtype=float)
    draws = alpha_resamples(data, level, resample_indices(data.shape[1], n_resamples, seed))
    low, high = percentile_ci(draws)
    return AlphaEstimate(alpha(data, level), low, high, draws)


def leave_one_out(wide: pd.DataFrame, categories: Categories = "rank", **kwargs: int) -> dict[str, PairAgreement]:
    """Human ceiling: each rater (column of an items x raters table) against the median of
    the other raters in the group."""
    return leave_one_out_draws(wide, categories, **kwargs)[0]


def leave_one_out_draws(
    wide: pd.DataFrame,
    categories: Categories = "rank",
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
    rater: pd.Series | None = None,
) -> tuple[dict[str, PairAgreement], np.ndarray]:
    """For each column j of an items x raters table, the agreement of `rater` (or, when None,
    of column j itself: the human ceiling) with the median of the columns other than j, on
    the items every column (and `rater`) rated. Also returns the mean over j of the bootstrap
    draws of kappa (row 0) and Spearman (row 1); one set of item draws serves every j, so the
    mean's percentile interval is a real bootstrap interval."""
    table = (wide if rater is None else wide.join(rater.rename("_rater"), how="inner")).dropna()
    idx = resample_indices(len(table), n_resamples, seed)
    stats, draws = {}, []
    for j in wide.columns:
        mine = table[j] if rater is None else table["_rater"]
        reference = table[wide.columns.drop(j)].median(axis=1)
        stats[j] = compare(mine, reference, categories, n_resamples, seed)
        x, y = mine.to_numpy(float), reference.to_numpy(float)
        draws.append(np.vstack([qwk_resamples(x, y, categories, idx), spearman_resamples(x, y, idx)]))
    return stats, np.mean(draws, axis=0)
