"""The rating scorer: parses the judge's reply strictly into one rating per requested
dimension. A reply that cannot be parsed, or rates outside the scale, leaves the dimension
unscored (value None) with the reason; it is counted, never turned into a number.

Score.value is a mapping dimension -> rating | None in both sample layouts, so per-dimension
and all-dimensions runs are read the same way. The metrics inspect shows while a task runs
(core/kappa.py's kappa, SciPy's Spearman) are computed against the reference rating carried in
each sample's metadata; the published figures, with intervals, come from the agreement stage.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    Scorer,
    ScoreReducer,
    Target,
    metric,
    score_reducer,
    scorer,
)
from inspect_ai.solver import TaskState
from scipy.stats import spearmanr

from empathy_bench.candidates.reply import parse_reply
from empathy_bench.core.kappa import kappa
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.tasks.binding import reply_outcome
from empathy_bench.tasks.epochs import epoch_rating
from empathy_bench.tasks.metadata import RateSampleMetadata


def paired_ratings(scores: list[SampleScore]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per dimension: (judge ratings, reference ratings) over the scored samples."""
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for s in scores:
        meta = s.sample_metadata_as(RateSampleMetadata)
        reference = meta.reference if meta else {}
        for dim, value in (s.score.value or {}).items():  # type: ignore[union-attr]
            if value is not None and reference.get(dim) is not None:
                pairs[dim].append((float(value), float(reference[dim])))
    return {dim: (np.array([a for a, _ in p]), np.array([b for _, b in p])) for dim, p in sorted(pairs.items())}


def _qwk(a: np.ndarray, b: np.ndarray) -> float:
    """The harness's kappa (core/kappa.py) with the weights the leaderboard uses, value distance:
    for whole-number ratings every scale point between the lowest and highest is a label; a
    reference off the grid (a median of two experts, a mean) takes value weights directly
    (scikit-learn, used here before, refused such ratings as continuous)."""
    values = np.concatenate([a, b])
    if np.ptp(values) == 0:
        return float("nan")
    if not np.all(values == np.round(values)):
        return kappa(a, b, weights="value")
    return kappa(a, b, weights="quadratic", labels=np.arange(values.min(), values.max() + 1))


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


@metric
def qwk() -> Metric:
    """Quadratic-weighted kappa of the judge with the task's reference, per dimension."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return {f"qwk_{dim}": _qwk(a, b) for dim, (a, b) in paired_ratings(scores).items()}

    return compute


@metric
def spearman() -> Metric:
    """Spearman's rho of the judge with the task's reference, per dimension."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return {f"spearman_{dim}": _spearman(a, b) for dim, (a, b) in paired_ratings(scores).items()}

    return compute


@metric
def unscored() -> Metric:
    """How many requested ratings (or choices) could not be scored (unparseable, out of scale,
    empty); the metric of both scorers."""

    def compute(scores: list[SampleScore]) -> int:
        return sum(v is None for s in scores for v in (s.score.value or {}).values())  # type: ignore[union-attr]

    return compute


@score_reducer(name="median_rating")
def median_rating() -> ScoreReducer:
    """Across epochs: per dimension the median of the epochs that scored; unscored only when
    no epoch scored (the per-epoch ratings stay in the log for test-retest)."""

    def reduce(scores: list[Score]) -> Score:
        if len(scores) == 1:  # one epoch: nothing to reduce (inspect calls this per update)
            return scores[0]
        per_epoch: list[dict[str, float | None]] = [s.value if isinstance(s.value, dict) else {} for s in scores]
        value: dict[str, float | None] = {}
        for dim in sorted({d for v in per_epoch for d in v}):
            scored = [float(v[dim]) for v in per_epoch if v.get(dim) is not None]  # type: ignore[arg-type]
            value[dim] = epoch_rating(scored) if scored else None
        reasons = {
            d: r for s in scores for d, r in (s.metadata or {}).get("unscored", {}).items() if value.get(d) is None
        }
        return Score(value=value, answer=scores[0].answer, metadata={"unscored": reasons, "epochs": len(scores)})

    return reduce


@scorer(metrics=[qwk(), spearman(), unscored()])
def rubric_rating(rubric: str) -> Scorer:
    rubric_model = load_rubric(rubric)

    async def score(state: TaskState, target: Target) -> Score:
        dims = state.metadata_as(RateSampleMetadata).dimensions
        reply = state.output.completion
        parsed = parse_reply(reply, rubric_model, dims)
        values, why = reply_outcome(state.output, dims, parsed.values, parsed.unscored)
        return Score(
            value={d: values.get(d) for d in dims},
            answer=reply,
            explanation="; ".join(f"{d} unscored: {u.message}" for d, u in why.items()) or None,
            # codes for counting, messages for reading (inspect view shows the explanation)
            metadata={"unscored": {d: u.code for d, u in why.items()}},
        )

    return score
