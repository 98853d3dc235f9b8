"""Run summaries: what a judge's eval log says about its agreement with the human reference,
next to the recorded judges of the label source and the human ceiling.

Everything here is derived from inspect eval logs (every sample carries its reference and
human ratings) and the label source; nothing is typed by hand.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import numpy as np
import pandas as pd
from inspect_ai.log import EvalLog, EvalSample
from pydantic import BaseModel

from empathy_bench import agreement
from empathy_bench.agreement import N_RESAMPLES
from empathy_bench.labels import LabelSet, group_table, load_source, rater_values
from empathy_bench.task import TaskSpec, load_task


class DimensionAgreement(BaseModel):
    """A rater's agreement with the task's reference on one dimension, over n items."""

    dimension: str
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
    # Krippendorff's alpha of the expert group with this rater added (NaN where the source
    # has no individual experts), and of the experts alone for comparison.
    alpha: float = float("nan")
    alpha_low: float = float("nan")
    alpha_high: float = float("nan")
    alpha_experts: float = float("nan")


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None  # None: no price known for the model
    seconds: float = 0.0
    provider_calls: int = 0
    cached_calls: int = 0


class RunSummary(BaseModel):
    task: str
    rater: str  # judge id, recorded judge id, or human rater label
    kind: str  # "run" | "recorded" | "human"
    model: str = ""
    n_items: int
    n_ratings: int
    n_unscored: int = 0
    unscored_reasons: dict[str, int] = {}
    dimensions: list[DimensionAgreement]
    usage: Usage = Usage()
    log: str = ""

    def median(self, field: str) -> float:
        values = [getattr(d, field) for d in self.dimensions]
        return float(np.nanmedian(values)) if not np.isnan(values).all() else float("nan")

    def per_1000(self, value: float | None) -> float | None:
        return None if value is None or not self.n_items else value / self.n_items * 1000


def judge_ratings(log: EvalLog) -> tuple[pd.DataFrame, Counter[str]]:
    """Long table (item_id, dimension, epoch, value) of a log's scored ratings, and a count
    of the unscored ones by reason."""
    rows, reasons = [], Counter()
    for sample in log.samples or []:
        score = _score(sample)
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


def _score(sample: EvalSample):  # noqa: ANN202
    return next(iter((sample.scores or {}).values()), None) if sample.error is None else None


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
    values = ratings.groupby(["item_id", "dimension"])["value"].median().reset_index()
    dims = [_agreement(spec, labels, values[values.dimension == d].set_index("item_id")["value"], d, n_resamples, seed) for d in spec.dimension_ids if (values.dimension == d).any()]
    return RunSummary(
        task=spec.id,
        rater=meta.get("judge") or log.eval.model,
        kind="run",
        model=log.eval.model,
        n_items=len({s.metadata["item_id"] for s in log.samples or []}),
        n_ratings=len(values) + sum(reasons.values()),
        n_unscored=sum(reasons.values()),
        unscored_reasons=dict(sorted(reasons.items())),
        dimensions=dims,
        usage=usage_of(log),
        log=log.location.removeprefix("file://"),
    )


def _agreement(spec: TaskSpec, labels: LabelSet, judge: pd.Series, dim: str, n_resamples: int, seed: int) -> DimensionAgreement:
    reference = rater_values(labels.ratings, spec.reference, dim)
    stats = agreement.compare(judge, reference, "rank", n_resamples, seed)
    experts = group_table(labels.ratings, "expert", dim)
    alpha_fields = {}
    if experts.shape[1] >= 2:
        level = spec.rubric_model.scale_of(dim).level
        with_judge = experts.join(judge.rename("judge"), how="inner").T.to_numpy()  # raters x units
        low, high = agreement.alpha_ci(with_judge, level, agreement.resample_indices(with_judge.shape[1], n_resamples, seed))
        alpha_fields = {"alpha": agreement.alpha(with_judge, level), "alpha_low": low, "alpha_high": high, "alpha_experts": agreement.alpha(experts.T.to_numpy(), level)}
    return DimensionAgreement(dimension=dim, **stats.model_dump(), **alpha_fields)


def usage_of(log: EvalLog) -> Usage:
    """Tokens, dollars, seconds and provider-vs-cache calls of a run, from its log."""
    tokens_in = sum(u.input_tokens for u in log.stats.model_usage.values())
    tokens_out = sum(u.output_tokens for u in log.stats.model_usage.values())
    calls = Counter("cached" if getattr(e, "cache", None) == "read" else "provider" for s in log.samples or [] for e in s.events if e.event == "model")
    return Usage(
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cost_usd=price(log.eval.model, tokens_in, tokens_out),
        seconds=_seconds(log),
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
    try:
        cost_in, cost_out = litellm.cost_per_token(model=name, prompt_tokens=tokens_in, completion_tokens=tokens_out)
    except Exception:  # litellm raises a bare Exception for models missing from its price map
        return None
    return float(cost_in + cost_out)


def _seconds(log: EvalLog) -> float:
    if not log.stats.started_at or not log.stats.completed_at:
        return float("nan")
    return (datetime.fromisoformat(log.stats.completed_at) - datetime.fromisoformat(log.stats.started_at)).total_seconds()


def reference_rows(spec: TaskSpec, labels: LabelSet, recorded: list[str], n_resamples: int = N_RESAMPLES, seed: int = 0) -> list[RunSummary]:
    """The comparison rows of a task: each recorded judge of the source, and the human
    ceiling (each expert against the median of the others, pooled over experts)."""
    rows = []
    items = set(labels.items.item_id)
    for rater in recorded:
        per_dim = []
        for dim in spec.dimension_ids:
            try:
                per_dim.append(_agreement(spec, labels, rater_values(labels.ratings, rater, dim), dim, n_resamples, seed))
            except KeyError:
                continue
        if per_dim:
            rows.append(RunSummary(task=spec.id, rater=rater, kind="recorded", n_items=len(items), n_ratings=sum(d.n for d in per_dim), dimensions=per_dim))
    ceiling = expert_ceiling(spec, labels, n_resamples, seed)
    if ceiling:
        rows.append(RunSummary(task=spec.id, rater="human: expert (leave-one-out)", kind="human", n_items=len(items), n_ratings=sum(d.n for d in ceiling), dimensions=ceiling))
    return rows


def expert_ceiling(spec: TaskSpec, labels: LabelSet, n_resamples: int, seed: int) -> list[DimensionAgreement]:
    """Per dimension, the mean over experts of each expert's agreement with the median of
    the other experts (CI bounds averaged likewise): what a judge's numbers sit next to."""
    out = []
    for dim in spec.dimension_ids:
        experts = group_table(labels.ratings, "expert", dim)
        if experts.shape[1] < 3:
            continue
        loo = agreement.leave_one_out(experts, "rank", n_resamples=n_resamples, seed=seed)
        fields = pd.DataFrame([s.model_dump() for s in loo.values()]).mean()
        out.append(DimensionAgreement(dimension=dim, **{k: (int(v) if k == "n" else float(v)) for k, v in fields.items()}))
    return out
