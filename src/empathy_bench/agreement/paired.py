"""Whether two raters of a task differ: the paired difference of their headline figures on the
same bootstrap draws, and each rater's rank interval.

Every rater of a task is scored on one set of seeded draws of the task's units (items; the
conversations of a compare task's cluster bootstrap): a draw that takes conversation 7 twice
takes it twice for every rater. The difference of two raters' figures on one draw is then a
draw of their difference, and its percentile interval carries their correlation: two judges that
stumble on the same hard items differ less than their own intervals overlapping suggests, or
more. A rater is "better" than another only where that interval excludes 0.

A rater's rank on each draw (1 = best; tied raters share the better rank; a figure undefined on a
draw ranks last there) gives its rank interval, from the 2.5th to the 97.5th percentile of its
ranks, read as observed ranks (the lower and the higher one), so the bounds are whole ranks.

Only the differences, their intervals, n and the ranks are kept, never the draws.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empathy_bench.agreement.rater import RaterRole, RaterType
from empathy_bench.agreement.stats import CONFIDENCE, Headline, percentile_ci
from empathy_bench.core.models import Record


class Entry(NamedTuple):
    """One row of a task to compare: who it is and its headline on the task's shared draws."""

    rater: str
    rater_type: RaterType
    role: RaterRole
    headline: Headline


class RankedRater(Record):
    """One rater's headline and where it ranks among the raters compared with it."""

    rater: str
    rater_type: RaterType
    role: RaterRole = "rater"
    value: float
    rank: int  # of the value itself among the compared raters (1 = best, ties share the better rank)
    rank_low: int  # the 2.5th percentile of its rank over the draws
    rank_high: int  # the 97.5th percentile


class PairedDifference(Record):
    """`rater`'s headline minus `other`'s, with the percentile interval of that difference over the
    shared draws (draws where either is undefined left out)."""

    rater: str
    other: str
    difference: float
    low: float
    high: float


class Comparison(Record):
    """Every rater of one task (and criterion) against every other, on one headline figure."""

    task: str
    criterion: str | None = None  # a compare task's criterion; None for the other kinds
    metric: str  # the row field compared (the one the task's table is sorted by)
    n: int  # units each draw resamples
    n_resamples: int
    seed: int
    confidence: float = CONFIDENCE
    raters: list[RankedRater]  # best first
    differences: list[PairedDifference]  # each pair once, `rater` listed before `other` in `raters`
    notes: list[str] = []


def compare_raters(
    task: str, entries: list[Entry], *, criterion: str | None = None, seed: int = 0
) -> Comparison | None:
    """The comparison of a task's raters (None with fewer than two that have a figure). All
    headlines must be the same metric on the same draws (same n and number of draws): a
    difference of figures drawn apart would not be paired."""
    usable = [e for e in entries if not np.isnan(e.headline.value)]
    notes = [f"{e.rater}: no {e.headline.metric}, not compared" for e in entries if np.isnan(e.headline.value)]
    if len(usable) < 2:
        return None
    _check_shared(usable)
    usable.sort(key=lambda e: (-e.headline.value, e.rater))
    values = np.array([e.headline.value for e in usable])
    draws = np.vstack([e.headline.draws for e in usable])
    rank_low, rank_high = rank_intervals(draws)
    return Comparison(
        task=task,
        criterion=criterion,
        metric=usable[0].headline.metric,
        n=usable[0].headline.n,
        n_resamples=draws.shape[1],
        seed=seed,
        raters=[
            RankedRater(
                rater=e.rater,
                rater_type=e.rater_type,
                role=e.role,
                value=v,
                rank=int(r),
                rank_low=int(lo),
                rank_high=int(hi),
            )
            for e, v, r, lo, hi in zip(usable, values, ranks(values[:, None])[:, 0], rank_low, rank_high, strict=True)
        ],
        differences=paired_differences([e.rater for e in usable], values, draws),
        notes=notes,
    )


def _check_shared(entries: list[Entry]) -> None:
    """Refuse headlines that are not one metric on one set of draws."""
    metrics = {e.headline.metric for e in entries}
    shapes = {(e.headline.n, e.headline.draws.shape) for e in entries}
    if len(metrics) > 1 or len(shapes) > 1:
        raise ValueError(f"raters are not on shared draws: metrics {sorted(metrics)}, (n, draws) {sorted(shapes)}")


def ranks(values: np.ndarray) -> np.ndarray:
    """Per column (a draw), each row's rank: 1 + how many rows are strictly higher, so ties share
    the better rank; NaN counts as lower than any number (undefined ranks last)."""
    filled = np.where(np.isnan(values), -np.inf, values)
    return 1 + (filled[None, :, :] > filled[:, None, :]).sum(axis=1)


def rank_intervals(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of draws (raters x draws), the 2.5th and 97.5th percentiles of its ranks over the
    draws, as ranks it actually took (lower and higher), so the bounds are whole ranks."""
    tail = (1 - CONFIDENCE) / 2 * 100
    per_draw = ranks(draws)
    return (
        np.percentile(per_draw, tail, axis=1, method="lower"),
        np.percentile(per_draw, 100 - tail, axis=1, method="higher"),
    )


def paired_differences(raters: list[str], values: np.ndarray, draws: np.ndarray) -> list[PairedDifference]:
    """Each pair once (i before j): value_i - value_j and the percentile interval of the per-draw
    differences. The other direction is the negation (the interval's bounds swap and negate)."""
    out = []
    for i in range(len(raters)):
        for j in range(i + 1, len(raters)):
            low, high = percentile_ci(draws[i] - draws[j])
            diff = float(values[i] - values[j])
            out.append(PairedDifference(rater=raters[i], other=raters[j], difference=diff, low=low, high=high))
    return out


def difference(comparison: Comparison, rater: str, other: str) -> PairedDifference | None:
    """`rater` minus `other` from a comparison, in either stored direction; None when one of them
    is not in it."""
    for d in comparison.differences:
        if (d.rater, d.other) == (rater, other):
            return d
        if (d.rater, d.other) == (other, rater):
            # + 0.0: a difference of 0 reads 0.00 both ways, never -0.00
            flipped = {"difference": -d.difference + 0.0, "low": -d.high + 0.0, "high": -d.low + 0.0}
            return PairedDifference(rater=rater, other=other, **flipped)
    return None


def excludes_zero(d: PairedDifference) -> bool:
    """Whether the interval of a difference excludes 0: the one case a rater is called better."""
    return bool(d.low > 0 or d.high < 0)
