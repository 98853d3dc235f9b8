"""Run summaries: what a judge's eval log says about its agreement with the human reference,
next to the recorded judges of the label source, the crowd and the human (expert) ceiling.

Everything here is derived from inspect eval logs (every sample carries its reference and
human ratings) and the label source; nothing is typed by hand.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import numpy as np
import pandas as pd
from inspect_ai.log import EvalLog
from pydantic import BaseModel

from empathy_bench import agreement
from empathy_bench.agreement import N_RESAMPLES, PairAgreement
from empathy_bench.alt_test import MIN_ITEMS, AltTestResult, alt_test
from empathy_bench.labels import LabelSet, group_table, load_source, rater_values
from empathy_bench.task import TaskSpec, load_task

EPSILON = 0.2  # alternative annotator test margin (Calderon et al. use 0.1-0.2; 0.2 for experts)
NAN = float("nan")


class AlphaWithRater(BaseModel):
    """Krippendorff's alpha of the expert group with the rater added, with its bootstrap CI
    (NaN where the source has no individual experts)."""

    alpha: float = NAN
    alpha_low: float = NAN
    alpha_high: float = NAN


class DimensionAgreement(AlphaWithRater, PairAgreement):
    """A rater's agreement with the task's reference on one dimension, over n items."""

    dimension: str
    alpha_experts: float = NAN  # the experts alone, for comparison


class Overall(AlphaWithRater):
    """Means over the task's dimensions; the CIs come from the same bootstrap draws of items
    for every dimension (one seed), so they carry the dimensions' correlation."""

    qwk: float
    qwk_low: float
    qwk_high: float
    spearman: float


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None  # None: no price known for the model
    # Summed time of the model calls (what the judge takes at concurrency 1, independent of
    # how many tasks shared the run; ~0 for cache hits), and the run's wall time.
    seconds: float = 0.0
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
    alt_test: AltTestResult | None = None
    usage: Usage = Usage()
    log: str = ""

    def per_1000(self, value: float | None) -> float | None:
        return None if value is None or not self.n_items else value / self.n_items * 1000


# --- the judge's ratings in a log ----------------------------------------------------------


def judge_ratings(log: EvalLog) -> tuple[pd.DataFrame, Counter[str]]:
    """Long table (item_id, dimension, epoch, value) of a log's scored ratings, and a count
    of the unscored ones by reason."""
    rows, reasons = [], Counter()
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()), None) if sample.error is None else None
        if score is None:  # the sample errored: inspect retries it, it is never a rating
            reasons["sample error"] += len(sample.metadata["dimensions"])
            continue
        why = (score.metadata or {}).get("unscored", {})
        for dim, value in (score.value or {}).items():  # type: ignore[union-attr]
            if value is None:
                reasons[_reason_class(why.get(dim, "unscored"))] += 1
            else:
                rows.append({"item_id": sample.metadata["item_id"], "dimension": dim, "epoch": sample.epoch, "value": float(value)})
    return pd.DataFrame(rows, columns=["item_id", "dimension", "epoch", "value"]), reasons


def _reason_class(reason: str) -> str:
    """Group reasons for counting ('rating 7 is outside...' -> 'rating outside the scale')."""
    for key, label in (("outside the scale", "rating outside the scale"), ("no <rating", "no rating tag"), ("not a whole", "not a whole number"), ("conflicting", "conflicting ratings")):
        if key in reason:
            return label
    return reason


def summarize_log(log: EvalLog, labels: LabelSet | None = None, n_resamples: int = N_RESAMPLES, seed: int = 0) -> RunSummary:
    meta = log.eval.metadata or {}
    spec = load_task(meta.get("task", log.eval.task))
    labels = labels or load_source(spec.source, [spec.framework])
    ratings, reasons = judge_ratings(log)
    # Epochs: the median over repeats is the judge's rating (test-retest stays in the log).
    wide = ratings.groupby(["item_id", "dimension"])["value"].median().unstack("dimension")
    n_scored = int(wide.notna().sum().sum())
    summary = rater_summary(spec, labels, wide, meta.get("judge") or log.eval.model, "baseline" if meta.get("baseline") else "run", n_resamples, seed)
    return summary.model_copy(
        update={
            "model": log.eval.model,
            "n_items": len({s.metadata["item_id"] for s in log.samples or []}),
            "n_ratings": n_scored + sum(reasons.values()),
            "n_unscored": sum(reasons.values()),
            "unscored_reasons": dict(sorted(reasons.items())),
            "usage": usage_of(log),
            "log": log.location.removeprefix("file://"),
        }
    )


# --- agreement of any rater with the reference --------------------------------------------


def rater_summary(spec: TaskSpec, labels: LabelSet, wide: pd.DataFrame, rater: str, kind: str, n_resamples: int, seed: int) -> RunSummary:
    """Agreement of a rater (an items x dimensions table of its ratings) with the task's
    reference: per dimension, the mean over dimensions, the overall score and the
    alternative annotator test against the experts."""
    dims, qwk_draws, alpha_draws = [], [], []
    for dim in (d for d in spec.dimension_ids if d in wide.columns and wide[d].notna().any()):
        stats, q, a = _dimension(spec, labels, wide[dim].dropna(), dim, n_resamples, seed)
        dims.append(stats)
        qwk_draws.append(q)
        alpha_draws.append(a)
    return RunSummary(
        task=spec.id,
        rater=rater,
        kind=kind,
        n_items=int(wide.notna().any(axis=1).sum()),
        n_ratings=int(wide.notna().sum().sum()),
        overall=_overall(dims, qwk_draws, alpha_draws) if dims else None,
        dimensions=dims,
        overall_score=_overall_score(spec, labels, wide, n_resamples, seed),
        alt_test=_alt_test(spec, labels, wide),
    )


def _dimension(spec: TaskSpec, labels: LabelSet, values: pd.Series, dim: str, n_resamples: int, seed: int) -> tuple[DimensionAgreement, np.ndarray, np.ndarray]:
    reference = rater_values(labels.ratings, spec.reference, dim)
    stats = agreement.compare(values, reference, "rank", n_resamples, seed)
    both = pd.concat([values, reference], axis=1, join="inner").dropna().to_numpy(float)
    idx = agreement.resample_indices(len(both), n_resamples, seed)
    qwk_draws = agreement.qwk_resamples(both[:, 0], both[:, 1], "rank", idx)
    experts = group_table(labels.ratings, "expert", dim)
    if experts.shape[1] < 2:
        return DimensionAgreement(dimension=dim, **stats.model_dump()), qwk_draws, np.full(n_resamples, NAN)
    level = spec.rubric_model.scale_of(dim).level
    table = experts.join(values.rename("_rater"), how="inner").T.to_numpy()  # raters x units
    alpha_draws = agreement.alpha_resamples(table, level, agreement.resample_indices(table.shape[1], n_resamples, seed))
    low, high = agreement.percentile_ci(alpha_draws)
    fields = {"alpha": agreement.alpha(table, level), "alpha_low": low, "alpha_high": high, "alpha_experts": agreement.alpha(experts.T.to_numpy(), level)}
    return DimensionAgreement(dimension=dim, **stats.model_dump(), **fields), qwk_draws, alpha_draws


def _overall(dims: list[DimensionAgreement], qwk_draws: list[np.ndarray], alpha_draws: list[np.ndarray]) -> Overall:
    q_low, q_high = agreement.percentile_ci(np.vstack(qwk_draws).mean(axis=0))
    a_low, a_high = agreement.percentile_ci(np.vstack(alpha_draws).mean(axis=0))
    return Overall(
        qwk=float(np.mean([d.qwk for d in dims])),
        qwk_low=q_low,
        qwk_high=q_high,
        spearman=float(np.mean([d.spearman for d in dims])),
        alpha=float(np.mean([d.alpha for d in dims])),
        alpha_low=a_low,
        alpha_high=a_high,
    )


def _overall_score(spec: TaskSpec, labels: LabelSet, wide: pd.DataFrame, n_resamples: int, seed: int) -> DimensionAgreement | None:
    """The rubric's overall score (Lend an Ear: prescriptive minus proscriptive, -12..12) of
    the rater against the median of the experts' own overall scores."""
    rubric = spec.rubric_model
    if rubric.overall is None or not set(rubric.dimension_ids) <= set(wide.columns):
        return None
    mine = rubric.overall_score(wide[rubric.dimension_ids]).dropna()
    experts = expert_overall_scores(spec, labels)
    if mine.empty or experts.empty:
        return None
    stats = agreement.compare(mine, experts.median(axis=1), "rank", n_resamples, seed)
    return DimensionAgreement(dimension="overall_score", **stats.model_dump())


def expert_overall_scores(spec: TaskSpec, labels: LabelSet) -> pd.DataFrame:
    """Items x experts table of each expert's overall score."""
    rubric = spec.rubric_model
    rows = labels.ratings[(labels.ratings.rater_group == "expert") & (labels.ratings["aggregate"] == "")]
    per_expert = {e: rubric.overall_score(g.pivot(index="item_id", columns="dimension", values="value").reindex(columns=rubric.dimension_ids)) for e, g in rows.groupby("rater_id")}
    return pd.DataFrame(per_expert).dropna(how="all")


def _alt_test(spec: TaskSpec, labels: LabelSet, wide: pd.DataFrame) -> AltTestResult | None:
    """Can this rater replace one of the experts? Instances are (item, dimension) pairs of
    the task, pooled over its dimensions (all share one scale); the test's independent units
    are the items (conversations), so six ratings of one conversation count once."""
    experts = pd.concat({d: group_table(labels.ratings, "expert", d) for d in spec.dimension_ids if d in wide.columns}, names=["dimension", "item_id"])
    if experts.empty or experts.shape[1] < 3:
        return None
    rater = wide.stack().rename("rater").swaplevel().rename_axis(["dimension", "item_id"]).reindex(experts.index)
    clusters = pd.Series(experts.index.get_level_values("item_id"), index=experts.index)
    if clusters[rater.notna()].nunique() < MIN_ITEMS:  # too few items for the t approximation: not run
        return None
    return alt_test(experts, rater, epsilon=EPSILON, clusters=clusters)


# --- the comparison rows of a task ----------------------------------------------------------


def reference_rows(spec: TaskSpec, labels: LabelSet, recorded: list[str], n_resamples: int = N_RESAMPLES, seed: int = 0) -> list[RunSummary]:
    """Each recorded judge of the source, the crowd, and the human ceiling (each expert
    against the median of the others)."""
    rows = []
    for rater, kind, label in [*((r, "recorded", r) for r in recorded), ("crowd", "human", "human: crowd")]:
        wide = _rater_table(spec, labels, rater)
        if rater != spec.reference and not wide.empty:
            rows.append(rater_summary(spec, labels, wide, label, kind, n_resamples, seed))
    ceiling = expert_ceiling(spec, labels, n_resamples, seed)
    return rows + ([ceiling] if ceiling else [])


def _rater_table(spec: TaskSpec, labels: LabelSet, rater: str) -> pd.DataFrame:
    columns = {}
    for dim in spec.dimension_ids:
        try:
            columns[dim] = rater_values(labels.ratings, rater, dim)
        except KeyError:
            continue
    return pd.DataFrame(columns)


def expert_ceiling(spec: TaskSpec, labels: LabelSet, n_resamples: int, seed: int) -> RunSummary | None:
    """The human ceiling: every statistic of each expert against the median of the other
    experts, averaged over the experts (the bootstrap draws too, for the overall CI)."""
    experts = sorted(labels.ratings[labels.ratings.rater_group == "expert"].rater_id.unique())
    if len(experts) < 3:
        return None
    per_expert = []
    for expert in experts:
        others = labels.ratings[(labels.ratings.rater_group == "expert") & (labels.ratings.rater_id != expert)]
        loo = LabelSet(labels.items, pd.concat([others, _as_reference(labels.ratings, experts, expert)]))
        mine = _rater_table(spec, labels, expert)
        per_expert.append(rater_summary(spec.model_copy(update={"reference": "_others"}), loo, mine, expert, "human", n_resamples, seed))
    return _mean_summary(spec, per_expert)


def _as_reference(ratings: pd.DataFrame, experts: list[str], left_out: str) -> pd.DataFrame:
    """The median of the experts other than `left_out`, as rater `_others` (not an expert)."""
    others = ratings[ratings.rater_id.isin(set(experts) - {left_out}) & (ratings["aggregate"] == "")]
    median = others.groupby(["item_id", "framework", "dimension"])["value"].median().reset_index()
    return median.assign(rater_id="_others", rater_group="reference", aggregate="median", evidence=None)


def _mean_summary(spec: TaskSpec, parts: list[RunSummary]) -> RunSummary:
    def mean_of(models: list[BaseModel]) -> dict[str, object]:
        frame = pd.DataFrame([m.model_dump(exclude={"dimension"}) for m in models])
        return {k: (int(v) if k == "n" else float(v)) for k, v in frame.mean().items()}

    dims = [DimensionAgreement(dimension=d.dimension, **mean_of([p.dimensions[i] for p in parts])) for i, d in enumerate(parts[0].dimensions)]
    score = [p.overall_score for p in parts if p.overall_score]
    return RunSummary(
        task=spec.id,
        rater="human: expert (leave-one-out)",
        kind="human",
        n_items=parts[0].n_items,
        n_ratings=parts[0].n_ratings,
        overall=Overall(**mean_of([p.overall for p in parts if p.overall])),
        dimensions=dims,
        overall_score=DimensionAgreement(dimension="overall_score", **mean_of(score)) if len(score) == len(parts) else None,
    )


# --- usage and cost --------------------------------------------------------------------------


def usage_of(log: EvalLog) -> Usage:
    """Tokens, dollars, seconds and provider-vs-cache calls of a run, from its log."""
    tokens_in = sum(u.input_tokens for u in log.stats.model_usage.values())
    tokens_out = sum(u.output_tokens for u in log.stats.model_usage.values())
    events = [e for s in log.samples or [] for e in s.events if e.event == "model"]
    calls = Counter("cached" if e.cache == "read" else "provider" for e in events)
    return Usage(
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cost_usd=price(log.eval.model, tokens_in, tokens_out),
        seconds=float(sum(e.working_time or 0.0 for e in events)),
        wall_seconds=_seconds(log),
        provider_calls=calls["provider"],
        cached_calls=calls["cached"],
    )


def price(model: str, tokens_in: int, tokens_out: int) -> float | None:
    """Dollars at the prices in the pinned litellm release's bundled price map (local, so
    the same log always prices the same); built-in judges are free; unknown models None."""
    import empathy_bench  # noqa: F401  (local price map before litellm loads)
    import litellm

    name = model.removeprefix("litellm/")
    if name.startswith("builtin/"):
        return 0.0
    if name not in litellm.model_cost and name.split("/", 1)[-1] not in litellm.model_cost:
        return None  # not in the price table: cost_per_token would silently say $0
    try:
        cost_in, cost_out = litellm.cost_per_token(model=name, prompt_tokens=tokens_in, completion_tokens=tokens_out)
    except Exception:  # litellm raises a bare Exception for models missing from its price map
        return None
    return float(cost_in + cost_out)


def _seconds(log: EvalLog) -> float:
    if not log.stats.started_at or not log.stats.completed_at:
        return NAN
    return (datetime.fromisoformat(log.stats.completed_at) - datetime.fromisoformat(log.stats.started_at)).total_seconds()
