"""The observational length association of the bias probes (see agreement/probe.py): the
partial Spearman correlation of a rating with the supporter's word count, the reference rating
held fixed, per dimension, for a rater (`length_association`) and, like for like, for each human
expert against the median of the other experts (`human_length_association`); summarised by a
**magnitude** (mean over dimensions of |rho|: how much the ratings follow length, in whatever
direction) and a **direction** (the same partial correlation on the overall score, prescriptive
minus proscriptive, given the reference's overall score: whether longer support comes out better
or worse overall). Never a signed mean over dimensions, which cancels: a rater that rates every
dimension up with length, the worse ones included, would read as unbiased. A judge well above
the humans leans on length beyond what the experts do.

Items are the bootstrap unit: one set of seeded draws serves every dimension of a call, so the
summaries have real bootstrap intervals."""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce

import numpy as np
import pandas as pd

from empathy_bench.agreement.partial_rank import item_draws, partial_spearman, partial_spearman_rows
from empathy_bench.agreement.probe import DIRECTION, Association
from empathy_bench.agreement.rater import MIN_EXPERTS
from empathy_bench.agreement.stats import N_RESAMPLES, percentile_ci
from empathy_bench.core.models import NAN
from empathy_bench.sources.rubric import MAGNITUDE


def _association(dim: str, n: int, value: float, draws: np.ndarray) -> Association:
    low, high = percentile_ci(draws)
    return Association(dimension=dim, n=n, partial_spearman=value, low=low, high=high)


def _magnitude(rows: list[Association], draws: list[np.ndarray], n_items: int) -> Association:
    """Mean over dimensions of |partial rho|, its interval from the mean of |rho| per draw (the
    same item draws for every dimension). Dimensions whose point value is undefined (a rater
    constant on one) are left out of both; none defined: NaN."""
    defined = [k for k, r in enumerate(rows) if not np.isnan(r.partial_spearman)]
    if not defined:
        return Association(dimension=MAGNITUDE, n=n_items, partial_spearman=NAN, low=NAN, high=NAN)
    value = float(np.mean([abs(rows[k].partial_spearman) for k in defined]))
    return _association(MAGNITUDE, n_items, value, np.mean(np.abs(np.vstack([draws[k] for k in defined])), axis=0))


def _signed_sum(table: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Per row (item) of an items x dimensions array, the sum of the ratings with proscriptive
    dimensions subtracted (the overall score); NaN where any dimension is missing."""
    return table @ signs if table.shape[1] else np.full(table.shape[0], np.nan)


def _sign_vector(dims: list[str], signs: Mapping[str, int] | None) -> np.ndarray:
    return np.array([(signs or {}).get(d, 1) for d in dims], dtype=float)


def length_association(
    ratings: pd.DataFrame,
    words: pd.Series,
    reference: pd.DataFrame,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
    signs: Mapping[str, int] | None = None,
) -> list[Association]:
    """Per dimension (the columns of `ratings` that `reference` has), the partial Spearman
    correlation of the rater's rating with the supporter's word count given the reference
    rating, over the items where all three are known, with a bootstrap interval over items; then
    the magnitude (mean over dimensions of |rho|, its interval from the mean of |rho| per draw)
    and the direction (`overall_score`: the partial rho of the rater's overall score, the sum of
    the dimensions with those `signs` maps to -1 subtracted, given the reference's overall score,
    on the items with every dimension rated by both). ratings and reference are items x
    dimensions, words is indexed by item id. One set of draws over the items complete on at least
    one dimension serves every dimension and both summaries (that count is the magnitude's n). A
    positive value: longer support is rated higher than the reference rating accounts for."""
    items = ratings.index.intersection(reference.index).intersection(words.dropna().index).sort_values()
    dims = [d for d in ratings.columns if d in reference.columns]
    y = words.loc[items].to_numpy(float)
    columns = {}
    for dim in dims:
        x, z = ratings.loc[items, dim].to_numpy(float), reference.loc[items, dim].to_numpy(float)
        columns[dim] = (x, z, ~(np.isnan(x) | np.isnan(z)))
    if not dims:
        return []
    used = np.any([complete for _, _, complete in columns.values()], axis=0)
    idx = item_draws(int(used.sum()), n_resamples, seed)
    rows, draws = [], []
    yy = y[used]
    for dim, (x, z, complete) in columns.items():
        x, z = x[used], z[used]
        draws.append(partial_spearman_rows(x[idx], yy[idx], z[idx]))
        rows.append(_association(str(dim), int(complete.sum()), partial_spearman(x, yy, z), draws[-1]))
    sign = _sign_vector(dims, signs)
    x_all = _signed_sum(ratings.loc[items, dims].to_numpy(float)[used], sign)
    z_all = _signed_sum(reference.loc[items, dims].to_numpy(float)[used], sign)
    n_all = int((~(np.isnan(x_all) | np.isnan(z_all))).sum())
    direction = _association(
        DIRECTION, n_all, partial_spearman(x_all, yy, z_all), partial_spearman_rows(x_all[idx], yy[idx], z_all[idx])
    )
    return [*rows, _magnitude(rows, draws, int(used.sum())), direction]


def human_length_association(
    panels: dict[str, pd.DataFrame],
    words: pd.Series,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
    signs: Mapping[str, int] | None = None,
) -> list[Association]:
    """The same statistics for the human raters themselves: `panels` maps a dimension to its
    items x experts table; per dimension, the mean over experts j of the partial Spearman
    correlation of expert j's rating with the word count given the median of the other experts,
    on the items every expert of the panel rated and whose word count is known (as the ceiling's
    leave-one-out does), its interval from the mean of the experts' draws. Then, like for like
    with one rater's: the magnitude, the mean over experts of each expert's mean |rho| over the
    dimensions (per draw the same), and the direction, the mean over experts of the partial rho
    of expert j's overall score given the overall score of the other experts' medians. One set of
    draws over the items of every kept dimension serves all experts and dimensions. A dimension
    with fewer than three experts is left out; the summaries use the experts present in every
    kept dimension."""
    known = words.dropna()
    complete = {
        dim: panel.loc[panel.index.intersection(known.index)].dropna()
        for dim, panel in panels.items()
        if panel.shape[1] >= MIN_EXPERTS
    }
    complete = {dim: table for dim, table in complete.items() if len(table)}
    if not complete:
        return []
    items = reduce(pd.Index.union, [t.index for t in complete.values()], pd.Index([])).sort_values()
    idx = item_draws(len(items), n_resamples, seed)
    y = known.reindex(items).to_numpy(float)
    tables = {dim: table.reindex(items) for dim, table in complete.items()}  # NaN on the items a dimension lacks
    everywhere = [j for j in next(iter(tables.values())).columns if all(j in t.columns for t in tables.values())]
    rows, draws = [], []
    # per expert j and dimension: |rho| and its draws, for the magnitude
    absolute: dict[object, list[tuple[float, np.ndarray]]] = {j: [] for j in everywhere}
    for dim, table in tables.items():
        values, expert_draws = [], []
        for j in table.columns:
            x = table[j].to_numpy(float)
            z = table.drop(columns=j).median(axis=1, skipna=False).to_numpy(float)
            values.append(partial_spearman(x, y, z))
            expert_draws.append(partial_spearman_rows(x[idx], y[idx], z[idx]))
            if j in absolute:
                absolute[j].append((abs(values[-1]), np.abs(expert_draws[-1])))
        draws.append(np.mean(expert_draws, axis=0))
        rows.append(_association(str(dim), int(table.notna().all(axis=1).sum()), float(np.mean(values)), draws[-1]))
    if not everywhere:
        return rows
    magnitudes = [_defined_mean(pairs) for pairs in absolute.values()]
    magnitude = _association(
        MAGNITUDE, len(items), float(np.mean([m for m, _ in magnitudes])), np.mean([d for _, d in magnitudes], axis=0)
    )
    sign = _sign_vector(list(tables), signs)
    directions, direction_draws, n_all = [], [], 0
    for j in everywhere:
        x = _signed_sum(np.column_stack([t[j].to_numpy(float) for t in tables.values()]), sign)
        others = [t.drop(columns=j).median(axis=1, skipna=False).to_numpy(float) for t in tables.values()]
        z = _signed_sum(np.column_stack(others), sign)
        directions.append(partial_spearman(x, y, z))
        direction_draws.append(partial_spearman_rows(x[idx], y[idx], z[idx]))
        n_all = max(n_all, int((~(np.isnan(x) | np.isnan(z))).sum()))
    direction = _association(DIRECTION, n_all, float(np.mean(directions)), np.mean(direction_draws, axis=0))
    return [*rows, magnitude, direction]


def _defined_mean(pairs: list[tuple[float, np.ndarray]]) -> tuple[float, np.ndarray]:
    """One expert's magnitude: the mean of |rho| over the dimensions where it is defined, and
    the mean of the same dimensions' |rho| per draw (NaN when none is defined)."""
    kept = [(v, d) for v, d in pairs if not np.isnan(v)]
    if not kept:
        return NAN, np.full(len(pairs[0][1]) if pairs else 0, np.nan)
    return float(np.mean([v for v, _ in kept])), np.mean([d for _, d in kept], axis=0)
