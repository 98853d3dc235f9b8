"""The cluster bootstrap of a compare task: pairs weighted by how often each of their two
conversations was drawn, so that the conversations, not the pairs, are the resampled units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from empathy_bench.agreement.stats import N_RESAMPLES, resample_indices


def pair_weights(counts: pd.DataFrame, reference: pd.DataFrame) -> np.ndarray:
    """Weight of each pair of `reference` (columns, in its row order) in each resample (rows),
    given how many times each item was drawn (`counts`: resamples x item ids; an item not in
    it was not drawn): the product of its two items' multiplicities."""
    counts = counts.fillna(0)
    a = counts.reindex(columns=reference["item_a"].astype(str), fill_value=0).to_numpy(float)
    b = counts.reindex(columns=reference["item_b"].astype(str), fill_value=0).to_numpy(float)
    return a * b


def cluster_weights(reference: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0) -> np.ndarray:
    """Bootstrap weights of the pairs (n_resamples x pairs, in the row order of `reference`).

    A conversation appears in many pairs, so pairs (and the two verdicts of a pair) are not
    independent; resampling pairs would understate the uncertainty. The conversations are the
    units instead: each resample draws the items of the reference table with replacement
    (seeded, `resample_indices`), and a pair counts m(item_a) * m(item_b) times, m being how
    often each item was drawn, as if the drawn conversations were paired afresh; a pair whose
    items were not both drawn drops out. Every verdict on a pair carries its pair's weight. The
    draws depend only on the reference table and the seed, so every rater of a task is
    resampled alike."""
    items = np.unique(np.concatenate([reference["item_a"].astype(str), reference["item_b"].astype(str)]))
    if len(items) == 0:
        return np.zeros((n_resamples, 0))
    draws = resample_indices(len(items), n_resamples, seed)
    flat = (draws + len(items) * np.arange(n_resamples)[:, None]).ravel()  # one bincount for all rows
    counts = np.bincount(flat, minlength=n_resamples * len(items)).reshape(n_resamples, len(items))
    return pair_weights(pd.DataFrame(counts, columns=items), reference)
