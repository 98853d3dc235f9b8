"""The statistics of the bias probes (issue 12): what a judge's ratings do when nothing that
should matter changes.

- Paired effects (`paired_effects`): the same items rated under two conditions (attribution:
  the supporter labelled an AI minus labelled a person; length: lengthened minus original). Per
  dimension and on the rubric's overall score, the mean paired difference with a bootstrap
  interval over items, and the flip rate (share of items whose rating changes). A fair judge
  scores 0 and 0.
- Observational length association (`length_association`, `human_length_association`, in
  agreement/length_bias.py): the partial Spearman correlation of a rating with the supporter's
  word count, the reference rating held fixed, per dimension, summarised by a magnitude and a
  direction.
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
the paired means are written in agreement/partial_rank.py because the bootstrap needs them
vectorised over resamples.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Literal, cast, get_args

import numpy as np
import pandas as pd
from pydantic import BaseModel

from empathy_bench.agreement.pair_bootstrap import cluster_weights
from empathy_bench.agreement.partial_rank import item_draws, nanmean_rows
from empathy_bench.agreement.statistics import RaterRole, RaterType, Statistics, figure, figures, probe_condition
from empathy_bench.agreement.stats import N_RESAMPLES, Level, alpha, percentile_ci, qwk
from empathy_bench.core.models import NAN, Record
from empathy_bench.sources.preference import CHOICES
from empathy_bench.sources.rubric import OVERALL_SCORE, Rubric

# The length association's summaries, as Association rows after the dimensions: the mean of
# |partial rho| over dimensions, and the partial rho of the overall score (its direction).
DIRECTION = OVERALL_SCORE
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
    rater_type: RaterType
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

    def statistics(self) -> Statistics:
        """Every figure as a Stat under the probe's condition (its file's id): per dimension (and
        the overall score) the effect or the length association, the test-retest figures, the
        compare shift, the identical replies."""
        under = probe_condition(self.probe, self.probe_id)
        stats = []
        for e in self.effects:
            stats += [figure("mean_change", e.mean_change, e.n, e.low, e.high, criterion=e.dimension, condition=under)]
            stats += [figure("flip_rate", e.flip_rate, e.n, criterion=e.dimension, condition=under)]
        for a in self.associations:
            stats += [
                figure(
                    "partial_spearman", a.partial_spearman, a.n, a.low, a.high, criterion=a.dimension, condition=under
                )
            ]
        for r in self.retest:
            stats += figures(r, RETEST_FIGURES, r.n_items, criterion=r.dimension, condition=under)
        if (c := self.compare_shift) is not None:
            stats += [figure("shift_rate", c.shift_rate, c.n, c.shift_low, c.shift_high, condition=under)]
            stats += [figure("ai_penalty", c.ai_penalty, c.n, c.ai_penalty_low, c.ai_penalty_high, condition=under)]
        if self.identical_replies is not None:
            # a share of samples (of a recorded judge's pairs of runs) whose count the result does not keep: n 0
            stats += [figure("identical_replies", self.identical_replies, 0, condition=under)]
        header = self.model_dump(include={"task", "rater", "rater_type", "role", "probe", "probe_id", "notes"})
        return Statistics(**header, stats=stats)


RETEST_FIGURES = ("epochs", "mean_pairwise_qwk", "identical_share", "alpha", "qwk_reference_min", "qwk_reference_max")


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
    idx = item_draws(len(table), n_resamples, seed)
    effects = []
    for dim in table.columns:
        d = table[dim].to_numpy(float)
        rated = d[~np.isnan(d)]
        low, high = percentile_ci(nanmean_rows(d[idx])) if len(rated) else (NAN, NAN)
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
