"""A rater's agreement with a task's reference: any rater given as an items x dimensions
table of ratings (a judge's run, a recorded judge, the crowd), and the human ceiling (each
expert against the median of the other experts). Per dimension, the mean over dimensions, the
rubric's overall score and the alternative annotator test against the experts.

Everything is computed from the rater's table and the label source; nothing is typed by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel

from empathy_bench.agreement import stats as agreement
from empathy_bench.agreement.alt_test import AltTestResult, alt_test, alt_test_by_aspect
from empathy_bench.agreement.spread import Spread
from empathy_bench.agreement.statistics import RaterRole, RaterType, Setting, Statistics, figure, figures
from empathy_bench.agreement.stats import N_RESAMPLES, Headline, PairAgreement, resample_counts
from empathy_bench.core.kappa import value_kappa
from empathy_bench.core.models import NAN, Record
from empathy_bench.sources.labels import LabelSet, group_table, overall_scores, rater_values, rater_wide
from empathy_bench.sources.rubric import OVERALL_SCORE
from empathy_bench.tasks.spec import TaskSpec

EPSILON = 0.2  # alternative annotator test margin (Calderon et al. use 0.1-0.2; 0.2 for experts)
# Kappa weights for judges against the reference: by value distance on the rubric's scale
# (the 'rank' option exists only to reproduce Kumar et al.'s table; it would let a judge that
# skips scale points look closer than it is).
CATEGORIES: agreement.Categories = "value"


class AlphaWithRater(Record):
    """Krippendorff's alpha of the expert group with the rater added, with its bootstrap CI
    (NaN where the source has no individual experts), and the same with the rater's ratings
    shuffled across items: what an uninformative rater with its distribution scores (a
    constant rater's alpha equals it)."""

    alpha: float = NAN
    alpha_low: float = NAN
    alpha_high: float = NAN
    alpha_shuffled: float = NAN


class DimensionAgreement(AlphaWithRater, PairAgreement):
    """A rater's agreement with the task's reference on one dimension, over n items."""

    dimension: str
    alpha_experts: float = NAN  # the experts alone, for comparison
    # Mean over experts j of the kappa with the median of the experts other than j: the same
    # reference each expert faces in the ceiling row, so rater and ceiling compare like for like.
    qwk_loo: float = NAN


class DimensionMean(AlphaWithRater):
    """Means over the task's dimensions; the CIs come from the same bootstrap draws of items
    for every dimension (one seed), so they carry the dimensions' correlation."""

    qwk: float
    qwk_low: float
    qwk_high: float
    spearman: float
    spearman_low: float = NAN
    spearman_high: float = NAN
    # like for like with the ceiling (see DimensionAgreement), the headline every rate table is
    # sorted by; its interval from the task's shared draws (`headline`)
    qwk_loo: float = NAN
    qwk_loo_low: float = NAN
    qwk_loo_high: float = NAN


CEILING_LABEL = "human: expert (leave-one-out)"
# The ceiling (each expert against the median of the others) and every leave-one-out reference
# need at least three experts: two others to take a median of.
MIN_EXPERTS = 3


class RaterAgreement(BaseModel):
    """One rater against the task's reference."""

    task: str
    rater: str  # judge id, recorded judge id, or human rater label
    rater_type: RaterType  # run: a judge run by the harness; baseline: a trivial one; recorded: published ratings
    # the expert ceiling (each expert against the median of the other experts) and the crowd are
    # the reference lines every plot and table marks
    role: RaterRole = "rater"
    n_items: int
    n_ratings: int
    mean: DimensionMean | None = None  # means over the task's dimensions (None unless every one has ratings)
    dimensions: list[DimensionAgreement]
    overall_score: DimensionAgreement | None = None  # the rubric's overall score (Lend an Ear)
    alt_test: AltTestResult | None = None  # the authors' reference procedure: the verdict shown
    alt_test_clustered: AltTestResult | None = None  # our variant (conversations as units), flagged when it disagrees
    alt_test_by_dimension: dict[str, AltTestResult] = {}  # context: one test per dimension, BY over all of them
    # the headline in each epoch (a judge run with --epochs) or recorded run (agreement/spread.py)
    spread: Spread | None = None
    notes: list[str] = []  # what a reader must know about these numbers (dimensions without ratings, tests not run)

    def statistics(self) -> Statistics:
        """Every figure as a Stat: the means over dimensions (criterion None), each dimension's
        and the overall score's (criterion: its name), the alt-tests (`alt_test_*`, the clustered
        variant `alt_test_clustered_*`, per dimension under its criterion) and the spread."""
        n = self.n_items
        stats = [figure("n_items", n, n), figure("n_ratings", self.n_ratings, n)]
        stats += figures(self.mean, MEAN_FIGURES, n) if self.mean else []
        for d in [*self.dimensions, *([self.overall_score] if self.overall_score else [])]:
            stats += figures(d, DIMENSION_FIGURES, d.n, criterion=d.dimension)
        tests: list[tuple[str, str | None, AltTestResult | None]] = [
            (ALT_TEST, None, self.alt_test),
            (ALT_TEST_CLUSTERED, None, self.alt_test_clustered),
        ]
        tests += [(ALT_TEST, dim, test) for dim, test in self.alt_test_by_dimension.items()]
        settings: dict[str, Setting] = {}
        for prefix, criterion, test in tests:
            if test is not None:
                stats += test.stats(prefix, criterion)
                settings |= test.settings(prefix)  # one procedure per prefix: the per-dimension tests share it
        stats += self.spread.stats(n) if self.spread else []
        header = self.model_dump(include={"task", "rater", "rater_type", "role", "notes"})
        return Statistics(**header, stats=stats, settings=settings)


MEAN_FIGURES = ("qwk", "qwk_loo", "spearman", "alpha", "alpha_shuffled")
DIMENSION_FIGURES = (
    "qwk",
    "qwk_loo",
    "spearman",
    "alpha",
    "alpha_shuffled",
    "alpha_experts",
    "exact",
    "adjacent",
    "mae",
)
ALT_TEST, ALT_TEST_CLUSTERED = "alt_test_", "alt_test_clustered_"  # the authors' procedure; our variant


# --- agreement of any rater with the reference --------------------------------------------


def rater_agreement(
    spec: TaskSpec,
    labels: LabelSet,
    wide: pd.DataFrame,
    rater: str,
    rater_type: RaterType,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> RaterAgreement:
    """Agreement of a rater (an items x dimensions table of its ratings) with the task's
    reference: per dimension, the mean over dimensions (only when every dimension of the
    task has ratings, so means stay comparable), the overall score and the alternative
    annotator test against the experts."""
    dims, qwk_draws, alpha_draws, notes = [], [], [], []
    wide = wide.sort_index()  # one item order whatever order the log's samples finished in
    for dim in spec.dimension_ids:
        if dim not in wide.columns or wide[dim].notna().sum() == 0:
            notes.append(f"no scored rating on '{dim}': no agreement and no overall mean")
            continue
        stats, q, a = _dimension(spec, labels, wide[dim].dropna(), dim, n_resamples, seed)
        dims.append(stats)
        qwk_draws.append(q)
        alpha_draws.append(a)
    alt, clustered, by_dimension, why_not = alt_tests(spec, labels, wide)
    mean = _mean(dims, qwk_draws, alpha_draws) if dims and len(dims) == len(spec.dimension_ids) else None
    return RaterAgreement(
        task=spec.id,
        rater=rater,
        rater_type=rater_type,
        n_items=int(wide.notna().any(axis=1).sum()),
        n_ratings=int(wide.notna().sum().sum()),
        mean=_with_loo_interval(mean, headline(spec, labels, wide, n_resamples, seed)),
        dimensions=dims,
        overall_score=_overall_score(spec, labels, wide, n_resamples, seed),
        alt_test=alt,
        alt_test_clustered=clustered,
        alt_test_by_dimension=by_dimension,
        notes=notes + ([why_not] if why_not else []),
    )


def _dimension(
    spec: TaskSpec, labels: LabelSet, values: pd.Series, dim: str, n_resamples: int, seed: int
) -> tuple[DimensionAgreement, np.ndarray, np.ndarray]:
    reference = rater_values(labels.ratings, spec.reference, dim)
    stats = agreement.compare(values, reference, CATEGORIES, n_resamples, seed)
    both = pd.concat([values, reference], axis=1, join="inner").dropna().to_numpy(float)
    idx = agreement.resample_indices(len(both), n_resamples, seed)
    qwk_draws = np.vstack(
        [
            agreement.qwk_resamples(both[:, 0], both[:, 1], CATEGORIES, idx),
            agreement.spearman_resamples(both[:, 0], both[:, 1], idx),
        ]
    )
    experts = group_table(labels.ratings, "expert", dim)
    if experts.shape[1] < 2:
        return DimensionAgreement(dimension=dim, **stats.model_dump()), qwk_draws, np.full(n_resamples, NAN)
    level = spec.rubric_model.scale_of(dim).level
    table = experts.join(values.rename("_rater"), how="inner").T.to_numpy()  # raters x units
    with_rater = agreement.alpha_bootstrap(table, level, n_resamples, seed)
    loo = _loo_qwk(values, experts, n_resamples, seed) if experts.shape[1] >= MIN_EXPERTS else NAN
    shuffled = agreement.alpha_shuffled(table[:-1], table[-1], level, seed=seed)
    fields = {
        "alpha": with_rater.value,
        "alpha_low": with_rater.low,
        "alpha_high": with_rater.high,
        "alpha_shuffled": shuffled,
        "alpha_experts": agreement.alpha(experts.T.to_numpy(), level),
        "qwk_loo": loo,
    }
    return DimensionAgreement(dimension=dim, **stats.model_dump(), **fields), qwk_draws, with_rater.draws


def _loo_qwk(values: pd.Series, experts: pd.DataFrame, n_resamples: int, seed: int) -> float:
    """Mean over experts j of the rater's kappa with the median of the experts other than j."""
    stats, _ = agreement.leave_one_out_draws(experts, CATEGORIES, n_resamples, seed, rater=values)
    return float(np.mean([s.qwk for s in stats.values()]))


def _mean(dims: list[DimensionAgreement], draws: list[np.ndarray], alpha_draws: list[np.ndarray]) -> DimensionMean:
    """Means over dimensions. `draws` holds per dimension the kappa draws (row 0) and
    Spearman draws (row 1); every dimension is resampled with the same seed, so dimensions
    rated on the same items share their item draws and the intervals carry their correlation."""
    mean_draws = np.mean(draws, axis=0)
    q_low, q_high = agreement.percentile_ci(mean_draws[0])
    s_low, s_high = agreement.percentile_ci(mean_draws[1])
    a_low, a_high = agreement.percentile_ci(np.vstack(alpha_draws).mean(axis=0))
    return DimensionMean(
        qwk=float(np.mean([d.qwk for d in dims])),
        qwk_low=q_low,
        qwk_high=q_high,
        qwk_loo=float(np.mean([d.qwk_loo for d in dims])),
        spearman=float(np.mean([d.spearman for d in dims])),
        spearman_low=s_low,
        spearman_high=s_high,
        alpha=float(np.mean([d.alpha for d in dims])),
        alpha_low=a_low,
        alpha_high=a_high,
        alpha_shuffled=float(np.mean([d.alpha_shuffled for d in dims])),
    )


def _overall_score(
    spec: TaskSpec, labels: LabelSet, wide: pd.DataFrame, n_resamples: int, seed: int
) -> DimensionAgreement | None:
    """The rubric's overall score (Lend an Ear: prescriptive minus proscriptive, -12..12) of
    the rater against the median of the experts' own overall scores."""
    rubric = spec.rubric_model
    if rubric.overall is None or not set(rubric.dimension_ids) <= set(wide.columns):
        return None
    mine = rubric.overall_score(wide[rubric.dimension_ids]).dropna()
    experts = expert_overall_scores(spec, labels)
    if mine.empty or experts.empty:
        return None
    stats = agreement.compare(mine, experts.median(axis=1), CATEGORIES, n_resamples, seed)
    loo = _loo_qwk(mine, experts, n_resamples, seed) if experts.shape[1] >= MIN_EXPERTS else NAN
    return DimensionAgreement(dimension=OVERALL_SCORE, **stats.model_dump(), qwk_loo=loo)


def expert_overall_scores(spec: TaskSpec, labels: LabelSet) -> pd.DataFrame:
    """Items x experts table of each expert's overall score."""
    return overall_scores(labels.ratings, spec.rubric_model, "expert")


def alt_tests(
    spec: TaskSpec, labels: LabelSet, wide: pd.DataFrame
) -> tuple[AltTestResult | None, AltTestResult | None, dict[str, AltTestResult], str | None]:
    """Can this rater replace one of the experts? The authors' reference procedure: every
    (item, dimension) pair of the task is one instance and one unit of the t-test (all
    dimensions share one scale). Beside it, our clustered variant (conversations as the units)
    and one test per dimension (BY over all of them). Returns the three results, or Nones and
    why the test was not run."""
    tables = {d: group_table(labels.ratings, "expert", d) for d in spec.dimension_ids if d in wide.columns}
    if not tables or min(t.shape[1] for t in tables.values()) < 3:
        return None, None, {}, None  # no expert panel: the test does not apply
    experts = pd.concat(tables, names=["dimension", "item_id"])
    rater = wide.stack().rename("rater").swaplevel().rename_axis(["dimension", "item_id"]).reindex(experts.index)
    clusters = pd.Series(experts.index.get_level_values("item_id"), index=experts.index)
    try:
        reference = alt_test(experts, rater, epsilon=EPSILON)
    except ValueError as err:  # too few usable items for the test's t approximation
        return None, None, {}, f"alternative annotator test not run: {err}"
    notes = []
    clustered: AltTestResult | None = None
    by_dimension: dict[str, AltTestResult] = {}
    try:
        clustered = alt_test(experts, rater, epsilon=EPSILON, clusters=clusters)
    except ValueError as err:
        notes.append(f"clustered alternative annotator test not run: {err}")
    try:
        by_dimension = alt_test_by_aspect(tables, {d: wide[d] for d in tables}, epsilon=EPSILON)
    except ValueError as err:
        notes.append(f"per-dimension alternative annotator test not run: {err}")
    return reference, clustered, by_dimension, "; ".join(notes) or None


# --- the human ceiling (the reference rows themselves: agreement/references.py) ---------------


def rater_table(spec: TaskSpec, labels: LabelSet, rater: str) -> pd.DataFrame:
    return rater_wide(labels.ratings, rater, spec.dimension_ids)


def expert_ceiling(spec: TaskSpec, labels: LabelSet, n_resamples: int, seed: int) -> RaterAgreement | None:
    """The human ceiling: each expert against the median of the other experts, per
    dimension averaged over the experts (kappa's interval from the averaged bootstrap draws;
    Spearman's and the other fields are plain averages)."""
    dims, draws, alpha_draws = [], [], []
    for dim in spec.dimension_ids:
        experts = group_table(labels.ratings, "expert", dim)
        if experts.shape[1] < MIN_EXPERTS:
            return None
        ceiling, mean_draws = _ceiling(dim, experts, n_resamples, seed)
        level = spec.rubric_model.scale_of(dim).level
        own = agreement.alpha_bootstrap(experts.T.to_numpy(), level, n_resamples, seed)
        fields = {"alpha": own.value, "alpha_low": own.low, "alpha_high": own.high, "alpha_experts": own.value}
        dims.append(ceiling.model_copy(update=fields))
        draws.append(mean_draws)
        alpha_draws.append(own.draws)
    experts = expert_overall_scores(spec, labels) if spec.rubric_model.overall else pd.DataFrame()
    score = _ceiling(OVERALL_SCORE, experts, n_resamples, seed)[0] if experts.shape[1] >= MIN_EXPERTS else None
    return RaterAgreement(
        task=spec.id,
        rater=CEILING_LABEL,
        rater_type="human",
        role="ceiling",
        n_items=int(labels.items.shape[0]),
        n_ratings=sum(d.n for d in dims),
        mean=_with_loo_interval(_mean(dims, draws, alpha_draws), headline(spec, labels, None, n_resamples, seed)),
        dimensions=dims,
        overall_score=score,
        notes=["each expert against the median of the other experts; alpha is the experts' own"],
    )


def _ceiling(
    dimension: str, experts: pd.DataFrame, n_resamples: int, seed: int
) -> tuple[DimensionAgreement, np.ndarray]:
    """One dimension of the ceiling: the leave-one-out statistics averaged over experts (the
    kappa and Spearman intervals from the averaged draws)."""
    stats, mean_draws = agreement.leave_one_out_draws(experts, CATEGORIES, n_resamples, seed)
    averaged = pd.DataFrame([s.model_dump() for s in stats.values()]).mean()
    mean_qwk = float(averaged["qwk"])
    low, high = agreement.percentile_ci(mean_draws[0])
    s_low, s_high = agreement.percentile_ci(mean_draws[1])
    fields = {k: float(v) for k, v in averaged.items() if k != "n"} | {
        "n": int(averaged["n"]),
        "qwk": mean_qwk,
        "qwk_low": low,
        "qwk_high": high,
        "spearman_low": s_low,
        "spearman_high": s_high,
        "qwk_loo": mean_qwk,
    }
    return DimensionAgreement(dimension=dimension, **fields), mean_draws


# --- the headline on the task's shared draws ------------------------------------------------


def headline(
    spec: TaskSpec, labels: LabelSet, wide: pd.DataFrame | None, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> Headline | None:
    """The figure a rate task ranks its raters by, with its value on each of the task's shared
    bootstrap draws of items. With an expert panel (three or more experts on every dimension):
    the kappa with the median of the other experts, averaged over left-out experts and then
    dimensions (`qwk_loo`): the references the ceiling faces, so humans and judges compare like
    for like, where the full median would hand judges an easier reference than the ceiling's.
    Without one: the kappa with the task's reference (`qwk`). `wide` None is the ceiling itself
    (each expert against the others). None where the rater lacks a dimension (no mean) or there
    is no ceiling."""
    dims = spec.dimension_ids
    if wide is not None and not all(d in wide.columns and wide[d].notna().any() for d in dims):
        return None
    panels = {d: group_table(labels.ratings, "expert", d) for d in dims}
    if min(p.shape[1] for p in panels.values()) >= MIN_EXPERTS:
        pairs = {d: _loo_pairs(panels[d], None if wide is None else wide[d]) for d in dims}
        return _mean_kappa("qwk_loo", pairs, n_resamples, seed)
    if wide is None:
        return None
    pairs = {d: [(wide[d], rater_values(labels.ratings, spec.reference, d))] for d in dims}
    return _mean_kappa("qwk", pairs, n_resamples, seed)


def _loo_pairs(experts: pd.DataFrame, rater: pd.Series | None) -> list[tuple[pd.Series, pd.Series]]:
    """Per left-out expert j: (the rater, or expert j for the ceiling; the median of the experts
    other than j), on the items every expert rated, as `leave_one_out_draws` has them."""
    complete = experts.dropna()
    return [(complete[j] if rater is None else rater, complete.drop(columns=j).median(axis=1)) for j in experts.columns]


def _mean_kappa(
    metric: str, pairs: dict[str, list[tuple[pd.Series, pd.Series]]], n_resamples: int, seed: int
) -> Headline:
    """The mean over dimensions of the mean kappa of each (rated, reference) pair, with every
    pair weighted by one set of draws over the items the references cover: the units depend on
    the labels alone, so every rater of the task is resampled alike (an item a rater did not
    rate counts 0 times for it, never shifts another item's draws)."""
    units = sorted(set().union(*(set(ref.dropna().index) for dim in pairs.values() for _, ref in dim)))
    weights = np.vstack([np.ones(len(units)), resample_counts(len(units), n_resamples, seed)])
    per_dim = [
        np.mean([value_kappa(_on(x, units), _on(ref, units), weights) for x, ref in dim], axis=0)
        for dim in pairs.values()
    ]
    mean = np.mean(per_dim, axis=0)
    return Headline(metric, float(mean[0]), mean[1:], len(units))


def _on(values: pd.Series, units: list[object]) -> np.ndarray:
    return values.reindex(units).to_numpy(float)


def _with_loo_interval(mean: DimensionMean | None, found: Headline | None) -> DimensionMean | None:
    """The mean with the like-for-like kappa's interval from the shared draws (none without a
    panel: qwk_loo is then NaN and the headline is the plain kappa)."""
    if mean is None or found is None or found.metric != "qwk_loo":
        return mean
    low, high = agreement.percentile_ci(found.draws)
    return mean.model_copy(update={"qwk_loo_low": low, "qwk_loo_high": high})
