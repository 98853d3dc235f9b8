"""Run summaries: what a judge's eval log says about its agreement with the human reference,
next to the recorded judges of the label source, the crowd and the human (expert) ceiling.

Everything here is derived from inspect eval logs (every sample carries its reference and
human ratings) and the label source; nothing is typed by hand.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime

import numpy as np
import pandas as pd
from inspect_ai.log import EvalLog
from pydantic import BaseModel

from empathy_bench.agreement import stats as agreement
from empathy_bench.agreement.alt_test import AltTestResult, alt_test, alt_test_by_aspect
from empathy_bench.agreement.stats import N_RESAMPLES, PairAgreement, Stats
from empathy_bench.sources.labels import LabelSet, group_table, load_source, rater_values
from empathy_bench.tasks.spec import TaskSpec, load_task

EPSILON = 0.2  # alternative annotator test margin (Calderon et al. use 0.1-0.2; 0.2 for experts)
NAN = float("nan")
# Kappa weights for judges against the reference: by value distance on the rubric's scale
# (the 'rank' option exists only to reproduce Kumar et al.'s table; it would let a judge that
# skips scale points look closer than it is).
CATEGORIES: agreement.Categories = "value"


class AlphaWithRater(Stats):
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


class Overall(AlphaWithRater):
    """Means over the task's dimensions; the CIs come from the same bootstrap draws of items
    for every dimension (one seed), so they carry the dimensions' correlation."""

    qwk: float
    qwk_low: float
    qwk_high: float
    spearman: float
    spearman_low: float = NAN
    spearman_high: float = NAN
    qwk_loo: float = NAN


class Usage(Stats):
    """Tokens of every call (cache hits included, so a cached re-run prices the same), the
    dollars they cost at list price and what was actually billed (provider calls only),
    and the run's wall time (tasks run one at a time, so it is this task's own)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None  # None: no price known for the model
    billed_cost_usd: float | None = None
    wall_seconds: float = 0.0
    provider_calls: int = 0
    cached_calls: int = 0


class RunSummary(BaseModel):
    task: str
    rater: str  # judge id, recorded judge id, or human rater label
    kind: str  # "run" | "baseline" | "recorded" | "human"
    model: str = ""
    n_items: int
    n_ratings: int
    n_unscored: int = 0
    unscored_reasons: dict[str, int] = {}
    overall: Overall | None = None
    dimensions: list[DimensionAgreement]
    overall_score: DimensionAgreement | None = None  # rubrics with an overall score (Lend an Ear)
    alt_test: AltTestResult | None = None  # the authors' reference procedure: the verdict shown
    alt_test_clustered: AltTestResult | None = None  # our variant (conversations as units), shown when it disagrees
    alt_test_by_dimension: dict[str, AltTestResult] = {}  # context: one test per dimension, BY over all of them
    usage: Usage = Usage()
    fitted_on_task: bool = False  # the judge file declares it was fitted on this task's items
    notes: list[str] = []  # what a reader must know about these numbers (skipped items, tests not run)
    log: str = ""

    @property
    def ran(self) -> bool:
        """A run of this harness (with calls, tokens and time), not a recorded or human row."""
        return self.kind in ("run", "baseline")

    def per_1000(self, value: float | None) -> float | None:
        return None if value is None or not self.n_items else value / self.n_items * 1000


# --- the judge's ratings in a log ----------------------------------------------------------


def judge_ratings(log: EvalLog) -> tuple[pd.DataFrame, Counter[str]]:
    """Long table (item_id, dimension, epoch, value) of a log's scored ratings, and the
    (item, dimension) pairs no epoch could score, counted by the first epoch's reason."""
    rows, why_not = [], {}
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()), None) if sample.error is None else None
        reasons = (score.metadata or {}).get("unscored", {}) if score else {}
        values = (score.value or {}) if score else {d: None for d in sample.metadata["dimensions"]}
        for dim, value in values.items():  # type: ignore[union-attr]
            key = (sample.metadata["item_id"], dim)
            if value is None:
                why_not.setdefault(
                    key, _reason_class(reasons.get(dim, "sample error" if score is None else "unscored"))
                )
            else:
                rows.append({"item_id": key[0], "dimension": dim, "epoch": sample.epoch, "value": float(value)})
    ratings = pd.DataFrame(rows, columns=["item_id", "dimension", "epoch", "value"])
    scored = set(zip(ratings.item_id, ratings.dimension))
    return ratings, Counter(why for key, why in why_not.items() if key not in scored)


def _reason_class(reason: str) -> str:
    """Group reasons for counting ('rating 7 is outside...' -> 'rating outside the scale')."""
    for key, label in (
        ("truncated at max_tokens", "reply truncated at max_tokens"),
        ("outside the scale", "rating outside the scale"),
        ("no <rating", "no rating tag"),
        ("not a whole", "not a whole number"),
        ("conflicting", "conflicting ratings"),
    ):
        if key in reason:
            return label
    return reason


def summarize_log(
    log: EvalLog, labels: LabelSet | None = None, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> RunSummary:
    meta = log.eval.metadata or {}
    spec = load_task(meta.get("task", log.eval.task))
    labels = labels or load_source(spec.source, [spec.framework])
    ratings, reasons = judge_ratings(log)
    # Epochs: the lower median over repeats is the judge's rating (it stays on the scale);
    # every repeat stays in the log for test-retest.
    wide = ratings.groupby(["item_id", "dimension"])["value"].agg(statistics.median_low).unstack("dimension")
    n_scored = int(wide.notna().sum().sum())
    summary = rater_summary(
        spec,
        labels,
        wide,
        meta.get("judge") or log.eval.model,
        "baseline" if meta.get("baseline") else "run",
        n_resamples,
        seed,
    )
    notes = summary.notes + (
        [f"{meta['unrated_by_reference']} item-dimension pairs have no reference rating and were not judged"]
        if meta.get("unrated_by_reference")
        else []
    )
    if log.eval.config.limit:
        notes.append(
            f"run with --limit {log.eval.config.limit}: agreement covers only the judged items, the ceiling all items"
        )
    return summary.model_copy(
        update={
            "notes": notes,
            "model": log.eval.model,
            "n_items": len({s.metadata["item_id"] for s in log.samples or []}),
            "n_ratings": n_scored + sum(reasons.values()),
            "n_unscored": sum(reasons.values()),
            "unscored_reasons": dict(sorted(reasons.items())),
            "usage": usage_of(log),
            "fitted_on_task": spec.id in (meta.get("fitted_on") or []),
            "log": log.location.removeprefix("file://"),
        }
    )


# --- agreement of any rater with the reference --------------------------------------------


def rater_summary(
    spec: TaskSpec, labels: LabelSet, wide: pd.DataFrame, rater: str, kind: str, n_resamples: int, seed: int
) -> RunSummary:
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
    return RunSummary(
        task=spec.id,
        rater=rater,
        kind=kind,
        n_items=int(wide.notna().any(axis=1).sum()),
        n_ratings=int(wide.notna().sum().sum()),
        overall=_overall(dims, qwk_draws, alpha_draws) if dims and len(dims) == len(spec.dimension_ids) else None,
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
    alpha_draws = agreement.alpha_resamples(table, level, agreement.resample_indices(table.shape[1], n_resamples, seed))
    low, high = agreement.percentile_ci(alpha_draws)
    loo = _loo_qwk(values, experts, n_resamples, seed) if experts.shape[1] >= 3 else NAN
    shuffled = agreement.alpha_shuffled(table[:-1], table[-1], level, seed=seed)
    fields = {
        "alpha": agreement.alpha(table, level),
        "alpha_low": low,
        "alpha_high": high,
        "alpha_shuffled": shuffled,
        "alpha_experts": agreement.alpha(experts.T.to_numpy(), level),
        "qwk_loo": loo,
    }
    return DimensionAgreement(dimension=dim, **stats.model_dump(), **fields), qwk_draws, alpha_draws


def _loo_qwk(values: pd.Series, experts: pd.DataFrame, n_resamples: int, seed: int) -> float:
    """Mean over experts j of the rater's kappa with the median of the experts other than j."""
    stats, _ = agreement.leave_one_out_draws(experts, CATEGORIES, n_resamples, seed, rater=values)
    return float(np.mean([s.qwk for s in stats.values()]))


def _overall(dims: list[DimensionAgreement], draws: list[np.ndarray], alpha_draws: list[np.ndarray]) -> Overall:
    """Means over dimensions. `draws` holds per dimension the kappa draws (row 0) and
    Spearman draws (row 1); every dimension is resampled with the same seed, so dimensions
    rated on the same items share their item draws and the intervals carry their correlation."""
    mean_draws = np.mean(draws, axis=0)
    q_low, q_high = agreement.percentile_ci(mean_draws[0])
    s_low, s_high = agreement.percentile_ci(mean_draws[1])
    a_low, a_high = agreement.percentile_ci(np.vstack(alpha_draws).mean(axis=0))
    return Overall(
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
    loo = _loo_qwk(mine, experts, n_resamples, seed) if experts.shape[1] >= 3 else NAN
    return DimensionAgreement(dimension="overall_score", **stats.model_dump(), qwk_loo=loo)


def expert_overall_scores(spec: TaskSpec, labels: LabelSet) -> pd.DataFrame:
    """Items x experts table of each expert's overall score."""
    rubric = spec.rubric_model
    rows = labels.ratings[(labels.ratings.rater_group == "expert") & (labels.ratings["aggregate"] == "")]
    per_expert = {
        e: rubric.overall_score(
            g.pivot(index="item_id", columns="dimension", values="value").reindex(columns=rubric.dimension_ids)
        )
        for e, g in rows.groupby("rater_id")
    }
    return pd.DataFrame(per_expert).dropna(how="all")


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
    try:
        clustered = alt_test(experts, rater, epsilon=EPSILON, clusters=clusters)
    except ValueError as err:
        clustered, _ = None, notes.append(f"clustered alternative annotator test not run: {err}")
    try:
        by_dimension = alt_test_by_aspect(tables, {d: wide[d] for d in tables}, epsilon=EPSILON)
    except ValueError as err:
        by_dimension, _ = {}, notes.append(f"per-dimension alternative annotator test not run: {err}")
    return reference, clustered, by_dimension, "; ".join(notes) or None


# --- the comparison rows of a task ----------------------------------------------------------


def reference_rows(
    spec: TaskSpec, labels: LabelSet, recorded: list[str], n_resamples: int = N_RESAMPLES, seed: int = 0
) -> list[RunSummary]:
    """Each recorded judge of the source, the crowd, and the human ceiling (each expert
    against the median of the others)."""
    rows = []
    for rater, kind, label in [*((r, "recorded", r) for r in recorded), ("crowd", "human", "human: crowd")]:
        wide = rater_table(spec, labels, rater)
        if rater != spec.reference and not wide.empty:
            rows.append(rater_summary(spec, labels, wide, label, kind, n_resamples, seed))
    ceiling = expert_ceiling(spec, labels, n_resamples, seed)
    return rows + ([ceiling] if ceiling else [])


def rater_table(spec: TaskSpec, labels: LabelSet, rater: str) -> pd.DataFrame:
    columns = {}
    for dim in spec.dimension_ids:
        try:
            columns[dim] = rater_values(labels.ratings, rater, dim)
        except KeyError:
            continue
    return pd.DataFrame(columns)


def expert_ceiling(spec: TaskSpec, labels: LabelSet, n_resamples: int, seed: int) -> RunSummary | None:
    """The human ceiling: each expert against the median of the other experts, per
    dimension averaged over the experts (kappa's interval from the averaged bootstrap draws;
    Spearman's and the other fields are plain averages)."""
    dims, draws, alpha_draws = [], [], []
    for dim in spec.dimension_ids:
        experts = group_table(labels.ratings, "expert", dim)
        if experts.shape[1] < 3:
            return None
        ceiling, mean_draws = _ceiling(dim, experts, n_resamples, seed)
        level = spec.rubric_model.scale_of(dim).level
        table = experts.T.to_numpy()
        a_draws = agreement.alpha_resamples(table, level, agreement.resample_indices(table.shape[1], n_resamples, seed))
        a_low, a_high = agreement.percentile_ci(a_draws)
        alpha = agreement.alpha(table, level)
        dims.append(
            ceiling.model_copy(
                update={"alpha": alpha, "alpha_low": a_low, "alpha_high": a_high, "alpha_experts": alpha}
            )
        )
        draws.append(mean_draws)
        alpha_draws.append(a_draws)
    experts = expert_overall_scores(spec, labels) if spec.rubric_model.overall else pd.DataFrame()
    score = _ceiling("overall_score", experts, n_resamples, seed)[0] if experts.shape[1] >= 3 else None
    return RunSummary(
        task=spec.id,
        rater="human: expert (leave-one-out)",
        kind="human",
        n_items=int(labels.items.shape[0]),
        n_ratings=sum(d.n for d in dims),
        overall=_overall(dims, draws, alpha_draws),
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


# --- usage and cost --------------------------------------------------------------------------


def usage_of(log: EvalLog) -> Usage:
    """Tokens, dollars, wall time and provider-vs-cache calls of a run, from its log."""
    events = [e for s in log.samples or [] for e in s.events if e.event == "model"]
    calls = Counter("cached" if e.cache == "read" else "provider" for e in events)
    tokens_in = sum(e.output.usage.input_tokens for e in events if e.output.usage)
    tokens_out = sum(e.output.usage.output_tokens for e in events if e.output.usage)
    billed_in = sum(u.input_tokens for u in log.stats.model_usage.values())
    billed_out = sum(u.output_tokens for u in log.stats.model_usage.values())
    return Usage(
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cost_usd=price(log.eval.model, tokens_in, tokens_out),
        billed_cost_usd=price(log.eval.model, billed_in, billed_out),
        wall_seconds=_seconds(log),
        provider_calls=calls["provider"],
        cached_calls=calls["cached"],
    )


def price(model: str, tokens_in: int, tokens_out: int) -> float | None:
    """Dollars at the prices in the pinned litellm release's bundled price map (local, so
    the same log always prices the same); built-in judges are free; unknown models None."""
    import litellm

    import empathy_bench  # noqa: F401  (local price map before litellm loads)

    name = model.removeprefix("litellm/")
    if name.startswith("builtin/"):
        return 0.0
    if name not in litellm.model_cost and name.split("/", 1)[-1] not in litellm.model_cost:
        return None  # not in the price table: cost_per_token would silently say $0
    try:
        cost_in, cost_out = litellm.cost_per_token(model=name, prompt_tokens=tokens_in, completion_tokens=tokens_out)
    except Exception:  # litellm raises bare Exceptions for entries it cannot price
        return None
    return float(cost_in + cost_out)


def _seconds(log: EvalLog) -> float:
    """From the first sample's start to the last sample's end (microsecond timestamps; the
    log header's own times are whole seconds, too coarse for a quick task)."""
    starts = [datetime.fromisoformat(s.started_at) for s in log.samples or [] if s.started_at]
    ends = [datetime.fromisoformat(s.completed_at) for s in log.samples or [] if s.completed_at]
    if not starts or not ends:
        return NAN
    return (max(ends) - min(starts)).total_seconds()
