"""The statistics of the bias probes (issue 12): what a judge's ratings do when nothing that
should matter changes.

- Paired effects (`paired_effects`): the same items rated under two conditions (attribution:
  the supporter labelled an AI minus labelled a person; length: lengthened minus original). Per
  dimension and on the rubric's overall score, the mean paired difference with a bootstrap
  interval over items, and the flip rate (share of items whose rating changes). A fair judge
  scores 0 and 0.
- Observational length association (`length_association`, `human_length_association`): the
  partial Spearman correlation of a rating with the supporter's word count, the reference rating
  held fixed, per dimension, for a rater and, like for like, for each human expert against the
  median of the other experts; summarised by a **magnitude** (mean over dimensions of |rho|: how
  much the ratings follow length, in whatever direction) and a **direction** (the same partial
  correlation on the overall score, prescriptive minus proscriptive, given the reference's overall
  score: whether longer support comes out better or worse overall). Never a signed mean over
  dimensions, which cancels: a rater that rates every dimension up with length, the worse ones
  included, would read as unbiased. A judge well above the humans leans on length beyond what
  the experts do.
- Test-retest (`retest`): the same judge on the same items in several epochs (or recorded
  runs): kappa between epochs, share of items rated identically, alpha with the epochs as
  raters, and the spread of the judge's kappa with the reference across epochs.
- Attribution on a compare task (`compare_attribution`): how often a verdict changes when one
  side is labelled AI and the other a person, and whether it turns against the AI side.

Every function takes plain pandas tables and returns Records (NaN where a statistic is
undefined, null in JSON). Items (conversations) are the bootstrap unit: one set of seeded draws
(`resample_indices`) serves every dimension of a call, so the means over dimensions have real
bootstrap intervals; an item a dimension lacks counts as missing in that dimension's resamples.
Point estimates use stats.py (kappa, alpha) and SciPy (ranks); the partial rank correlation and
the paired means are written here because the bootstrap needs them vectorised over resamples.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from itertools import combinations
from typing import Literal, cast, get_args

import numpy as np
import pandas as pd
from pydantic import BaseModel
from scipy.stats import rankdata

from empathy_bench.agreement.preference import cluster_weights
from empathy_bench.agreement.rater import MIN_EXPERTS, RaterKind, RaterRole
from empathy_bench.agreement.stats import N_RESAMPLES, Level, alpha, percentile_ci, qwk, resample_indices
from empathy_bench.core.models import NAN, Record
from empathy_bench.sources.preference import CHOICES
from empathy_bench.sources.rubric import Rubric

OVERALL_SCORE = "overall_score"  # the dimension name of the rubric's overall score (as in RaterAgreement)
# The length association's summaries, as Association rows after the dimensions: the mean of
# |partial rho| over dimensions, and the partial rho of the overall score (its direction).
MAGNITUDE = "magnitude"
DIRECTION = OVERALL_SCORE
# Below this, (1 - r_xz^2)(1 - r_yz^2) counts as 0: the control explains a variable entirely
# and the partial correlation is undefined (rounding would otherwise give any value).
TOLERANCE = 1e-12
UNLABELLED = "unlabelled"
# The item labelled AI under each labelled condition of a compare task (the other is labelled a person).
AI_ITEM = {"a_ai": "a", "a_person": "b"}
Probe = Literal["attribution", "length", "length_observed", "retest", "compare_attribution"]


class Effect(Record):
    """The paired change of one dimension from the control to the treated condition, over the
    n items rated in both: treated minus control (attribution: AI-labelled minus
    person-labelled; length: lengthened minus original)."""

    dimension: str
    n: int
    mean_change: float
    low: float  # bootstrap 95% interval of the mean change over items
    high: float
    flip_rate: float  # share of the n items whose value differs between the two conditions


class Association(Record):
    """Partial Spearman correlation of a rating with the supporter's word count, the reference
    rating held fixed, over n items, with its bootstrap 95% interval over items. Two summary
    rows follow the dimensions: `magnitude` (partial_spearman holds the mean of |rho| over the
    dimensions, n the items drawn) and `overall_score` (the direction: the overall score's
    partial rho given the reference's overall score, n the items with every dimension)."""

    dimension: str
    n: int
    partial_spearman: float
    low: float
    high: float


class Retest(Record):
    """A judge against itself across epochs (or recorded runs) on one dimension."""

    dimension: str
    n_items: int  # items rated in every epoch: the n of the pairwise kappa and the identical share
    epochs: int
    mean_pairwise_qwk: float  # mean over pairs of epochs of the quadratic-weighted kappa (value weights)
    identical_share: float  # share of the n_items rated identically in every epoch
    alpha: float  # Krippendorff's alpha with the epochs as raters (every rating, at the dimension's level)
    qwk_reference_min: float  # min over epochs of the epoch's kappa with the reference
    qwk_reference_max: float


class CompareShift(Record):
    """A compare judge's verdicts with one side labelled AI and the other a person, against its
    unlabelled verdicts on the same pair in the same order, with cluster-bootstrap intervals over
    conversations."""

    n: int  # labelled verdicts with an unlabelled counterpart
    shift_rate: float  # share of them whose choice differs from the unlabelled one
    shift_low: float
    shift_high: float
    # mean of [unlabelled chose the AI-labelled item] - [labelled verdict chose it]: positive when
    # the label turns the judge against the side labelled AI, negative when it favours it
    ai_penalty: float
    ai_penalty_low: float
    ai_penalty_high: float


class ProbeResult(BaseModel):
    """One probe of one rater (like RaterAgreement): the fields of its probe are filled, the
    others left empty."""

    task: str
    rater: str
    kind: RaterKind
    role: RaterRole = "rater"
    probe: Probe
    probe_id: str = ""  # the probe file it came from (several files may share a kind)
    effects: list[Effect] = []  # attribution, length (interventional)
    associations: list[Association] = []  # length_observed
    retest: list[Retest] = []
    compare_shift: CompareShift | None = None  # compare_attribution
    # retest: share of samples whose replies were byte-identical in every epoch (recorded runs:
    # share of run pairs whose files are byte-identical); repeats that cannot be independent
    identical_replies: float | None = None
    notes: list[str] = []


# --- helpers vectorised over resamples ------------------------------------------------------


def _nanmean_rows(values: np.ndarray) -> np.ndarray:
    """Mean of each row over its non-NaN values; NaN for a row with none (without a warning)."""
    present = ~np.isnan(values)
    count = present.sum(axis=-1)
    total = np.where(present, values, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise Pearson correlation over the positions where both are present (NaN elsewhere);
    NaN where either row has no variation."""
    x, y = x - _nanmean_rows(x)[:, None], y - _nanmean_rows(y)[:, None]
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


def _draws(n_items: int, n_resamples: int, seed: int) -> np.ndarray:
    """The shared item draws of a call (an empty table has none)."""
    return resample_indices(n_items, n_resamples, seed) if n_items else np.zeros((n_resamples, 0), dtype=int)


# --- paired effects -------------------------------------------------------------------------


def paired_effects(
    control: pd.DataFrame,
    treated: pd.DataFrame,
    rubric: Rubric | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> list[Effect]:
    """Per dimension (the columns of both tables, in control's order), the change from control
    to treated (items x dimensions tables, index item_id) on the items rated in both: the mean
    paired difference treated - control with its bootstrap interval over items, and the flip
    rate. When `rubric` has an overall score and both tables hold every rubric dimension, an
    `overall_score` Effect follows: the change of rubric.overall_score (items missing any
    dimension in either table have none). A dimension without an item rated in both has n = 0
    and NaN statistics. The items drawn are those with a pair on at least one dimension; one set
    of draws serves every dimension."""
    items = control.index.intersection(treated.index).sort_values()
    control, treated = control.loc[items], treated.loc[items]
    dims = [d for d in control.columns if d in treated.columns]
    diffs = {d: treated[d].astype(float) - control[d].astype(float) for d in dims}
    if rubric is not None and rubric.overall is not None and all(d in dims for d in rubric.dimension_ids):
        ids = rubric.dimension_ids
        diffs[OVERALL_SCORE] = rubric.overall_score(treated[ids].astype(float)) - rubric.overall_score(
            control[ids].astype(float)
        )
    table = pd.DataFrame(diffs, index=items)
    table = table[table.notna().any(axis=1)] if len(table.columns) else table.iloc[:0]
    idx = _draws(len(table), n_resamples, seed)
    effects = []
    for dim in table.columns:
        d = table[dim].to_numpy(float)
        rated = d[~np.isnan(d)]
        low, high = percentile_ci(_nanmean_rows(d[idx])) if len(rated) else (NAN, NAN)
        effects.append(
            Effect(
                dimension=str(dim),
                n=len(rated),
                mean_change=float(rated.mean()) if len(rated) else NAN,
                low=low,
                high=high,
                flip_rate=float(np.mean(rated != 0)) if len(rated) else NAN,
            )
        )
    return effects


# --- observational length association --------------------------------------------------------


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
    idx = _draws(int(used.sum()), n_resamples, seed)
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
    idx = _draws(len(items), n_resamples, seed)
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


# --- test-retest ------------------------------------------------------------------------------


def _mean_defined(values: list[float]) -> float:
    defined = [v for v in values if not np.isnan(v)]
    return float(np.mean(defined)) if defined else NAN


def retest(ratings: pd.DataFrame, reference: pd.DataFrame, levels: Mapping[str, str]) -> list[Retest]:
    """Per dimension (in order of appearance), a judge against itself across epochs: `ratings`
    is long (item_id, dimension, epoch, value), `reference` items x dimensions, `levels` maps a
    dimension to its measurement level ('ordinal' | 'interval') for alpha.

    - mean_pairwise_qwk: mean over pairs of epochs of the quadratic-weighted kappa (value
      weights), over the pairs where it is defined (it is not for two constant, equal epochs);
    - identical_share: share of items rated identically in every epoch;
    - alpha: Krippendorff's alpha with the epochs as raters, on every rating (alpha handles
      missing values);
    - qwk_reference_min / max: the spread over epochs of each epoch's kappa with the reference
      (on the items that epoch and the reference both rated; NaN without a reference).

    Items not rated in every epoch are left out of the identical share and the pairwise kappa
    (n_items counts the others). The epochs are those of the whole table. Raises ValueError
    with fewer than two epochs, with an item rated twice in one epoch, or without a level."""
    epochs = list(pd.unique(ratings["epoch"]))
    if len(epochs) < 2:
        raise ValueError(f"test-retest needs at least 2 epochs; got {len(epochs)}")
    if ratings.duplicated(["item_id", "dimension", "epoch"]).any():
        raise ValueError("an item has more than one rating on a dimension in one epoch")
    results = []
    for dim in pd.unique(ratings["dimension"]):
        level = levels.get(dim)
        if level not in get_args(Level):
            raise ValueError(f"no measurement level for '{dim}' (one of {get_args(Level)}); got {level!r}")
        mine = ratings[ratings["dimension"] == dim]
        table = mine.pivot(index="item_id", columns="epoch", values="value").reindex(columns=epochs).astype(float)
        complete = table.dropna()
        values = complete.to_numpy(float)
        pairs = combinations(range(len(epochs)), 2)
        pairwise = [qwk(values[:, i], values[:, j], "value") for i, j in pairs] if len(complete) else []
        to_reference = []
        if dim in reference.columns:
            for epoch in epochs:
                both = pd.concat([table[epoch], reference[dim]], axis=1, join="inner").dropna().to_numpy(float)
                to_reference.append(qwk(both[:, 0], both[:, 1], "value") if len(both) else NAN)
        defined = [v for v in to_reference if not np.isnan(v)]
        results.append(
            Retest(
                dimension=str(dim),
                n_items=len(complete),
                epochs=len(epochs),
                mean_pairwise_qwk=_mean_defined(pairwise),
                identical_share=float(np.mean(np.ptp(values, axis=1) == 0)) if len(complete) else NAN,
                alpha=alpha(table.T.to_numpy(float), cast(Level, level)),
                qwk_reference_min=float(min(defined)) if defined else NAN,
                qwk_reference_max=float(max(defined)) if defined else NAN,
            )
        )
    return results


# --- attribution on a compare task -----------------------------------------------------------


def compare_attribution(
    verdicts: pd.DataFrame,
    pairs: pd.DataFrame,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> CompareShift | None:
    """Label shift of a compare judge. `verdicts`: pair_id, order ('ab' | 'ba'), condition
    ('unlabelled'; 'a_ai': item_a labelled AI and item_b a person; 'a_person': the reverse),
    choice ('a' | 'b' | 'tie', in the pair's orientation). Each labelled verdict with an
    unlabelled verdict of the same pair and order counts once: shifted when its choice differs
    from the unlabelled one; its AI penalty is [unlabelled chose the AI-labelled item] -
    [labelled chose it], so a positive mean penalty means the label turns the judge against the
    side labelled AI. Both are means over those verdicts, with the cluster bootstrap over
    conversations of `cluster_weights` on `pairs` (pair_id, item_a, item_b; every verdict
    carries its pair's weight). None when no labelled verdict has a counterpart."""
    conditions = set(verdicts["condition"]) - {UNLABELLED, *AI_ITEM}
    choices = set(verdicts["choice"]) - set(CHOICES)
    if conditions or choices:
        raise ValueError(
            f"conditions must be {UNLABELLED!r}, 'a_ai' or 'a_person' and choices one of {CHOICES}; "
            f"got {sorted(map(str, conditions | choices))}"
        )
    if pairs["pair_id"].duplicated().any():
        raise ValueError("the pairs table lists a pair more than once")
    if verdicts.duplicated(["pair_id", "order", "condition"]).any():
        raise ValueError("more than one verdict for a pair in one order and condition")
    unlabelled = verdicts[verdicts["condition"] == UNLABELLED][["pair_id", "order", "choice"]]
    labelled = verdicts[verdicts["condition"] != UNLABELLED].merge(
        unlabelled, on=["pair_id", "order"], suffixes=("", "_unlabelled")
    )
    if labelled.empty:
        return None
    rows = labelled["pair_id"].map(pd.Series(np.arange(len(pairs)), index=pairs["pair_id"]))
    if rows.isna().any():
        raise ValueError(
            f"verdicts on pairs missing from the pairs table: {sorted(map(str, labelled['pair_id'][rows.isna()]))}"
        )
    ai_item = labelled["condition"].map(AI_ITEM)
    shifted = (labelled["choice"] != labelled["choice_unlabelled"]).to_numpy(float)
    penalty = (labelled["choice_unlabelled"] == ai_item).to_numpy(float) - (labelled["choice"] == ai_item).to_numpy(
        float
    )
    weights = cluster_weights(pairs, n_resamples, seed)[:, rows.to_numpy(int)]  # resamples x verdicts
    total = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shift_draws = np.where(total > 0, weights @ shifted / total, np.nan)
        penalty_draws = np.where(total > 0, weights @ penalty / total, np.nan)
    shift_low, shift_high = percentile_ci(shift_draws)
    penalty_low, penalty_high = percentile_ci(penalty_draws)
    return CompareShift(
        n=len(labelled),
        shift_rate=float(shifted.mean()),
        shift_low=shift_low,
        shift_high=shift_high,
        ai_penalty=float(penalty.mean()),
        ai_penalty_low=penalty_low,
        ai_penalty_high=penalty_high,
    )
