"""The human ceiling of a coach task, and scoring any rater on the ceiling's own references: each
expert's ratings read as feedback (problems worst first, strengths praised) against the profile of
the median of the other experts' ratings, averaged over the experts. The median of two experts is
a half point where they disagree, which the thresholds read as neither a problem nor a strength,
so the ceiling's references flag less than the three experts' median does; `leave_one_out_kappa`
scores any rater on those same references, like for like."""

from __future__ import annotations

import numpy as np
import pandas as pd

from empathy_bench.agreement.coach import CoachAgreement, feedback_from_ratings, task_dimensions
from empathy_bench.agreement.coach_counts import conversations
from empathy_bench.agreement.coach_figures import (
    DimensionTargeting,
    Scores,
    bootstrap_weights,
    fields_of,
    figures,
    scored,
)
from empathy_bench.agreement.rater import CEILING_LABEL, MIN_EXPERTS
from empathy_bench.agreement.stats import N_RESAMPLES, Headline
from empathy_bench.core.models import NAN
from empathy_bench.sources.profile import ProfileThresholds, profiles
from empathy_bench.sources.rubric import Rubric


def _mean_scores(per_expert: list[Scores]) -> Scores:
    """Figures and draws averaged over experts (a figure undefined for one expert is undefined for
    the mean, and a draw where it is undefined for one is left out of the interval); per-dimension
    rows averaged over the experts where defined (one expert's reference may lack a rare problem);
    counts summed over experts."""
    names = per_expert[0].values
    rows = [pd.DataFrame([r.model_dump() for r in s.per_dimension]) for s in per_expert]
    mean_rows = pd.concat(rows).groupby("dimension", sort=False).mean()
    return Scores(
        values={name: float(np.mean([s.values[name] for s in per_expert])) for name in names},
        draws={name: np.mean([s.draws[name] for s in per_expert], axis=0) for name in names},
        counts={name: sum(s.counts[name] for s in per_expert) for name in per_expert[0].counts},
        per_dimension=[
            DimensionTargeting(dimension=str(dim), **(row.to_dict() | {"n": int(row["n"])}))
            for dim, row in mean_rows.iterrows()
        ],
        uplift_by_dimension=[],
    )


def leave_one_out_panels(panel: dict[str, pd.DataFrame], rubric: Rubric) -> dict[str, pd.DataFrame]:
    """expert -> the median of the other experts' ratings, over the conversations and dimensions
    every expert rated: the references the ceiling's experts are scored against."""
    experts = sorted(panel)
    tables = {e: panel[e].set_axis(panel[e].index.map(str)).dropna(how="all") for e in experts}
    dims = [d for d in task_dimensions(tables[experts[0]], rubric) if all(d in t.columns for t in tables.values())]
    items = sorted(set.intersection(*(set(t.index) for t in tables.values())))
    return {
        e: pd.concat([tables[o].loc[items, dims] for o in experts if o != e])
        .groupby(level=0)
        .median()
        .reindex(index=items, columns=dims)
        for e in experts
    }


def leave_one_out_kappa(
    feedback: pd.DataFrame, panel: dict[str, pd.DataFrame], rubric: Rubric, thresholds: ProfileThresholds
) -> float:
    """A rater's mean targeting kappa against each leave-one-expert-out reference, averaged over
    the left-out experts: scored on the references the ceiling faces (NaN with under 3 experts)."""
    found = loo_kappa_headline(feedback, panel, rubric, thresholds, n_resamples=1)
    return found.value if found else NAN


def loo_kappa_headline(
    feedback: pd.DataFrame,
    panel: dict[str, pd.DataFrame],
    rubric: Rubric,
    thresholds: ProfileThresholds,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> Headline | None:
    """`leave_one_out_kappa` (the figure a coach table ranks by) with its value on each of the
    task's shared draws of conversations; None with under 3 experts."""
    if len(panel) < MIN_EXPERTS:
        return None
    references = leave_one_out_panels(panel, rubric).values()
    return targeting_headline([(feedback, r) for r in references], rubric, thresholds, n_resamples, seed)


def ceiling_kappa_headline(
    panel: dict[str, pd.DataFrame],
    rubric: Rubric,
    thresholds: ProfileThresholds,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> Headline | None:
    """The ceiling's targeting kappa (each expert's profile against the median of the others,
    as `coach_ceiling`) on the same draws as `loo_kappa_headline`; None with under 3 experts."""
    if len(panel) < MIN_EXPERTS:
        return None
    pairs = []
    for expert, reference in leave_one_out_panels(panel, rubric).items():
        own = panel[expert].set_axis(panel[expert].index.map(str))
        pairs.append(
            (feedback_from_ratings(own.loc[reference.index, reference.columns], rubric, thresholds), reference)
        )
    return targeting_headline(pairs, rubric, thresholds, n_resamples, seed)


def targeting_headline(
    pairs: list[tuple[pd.DataFrame, pd.DataFrame]],
    rubric: Rubric,
    thresholds: ProfileThresholds,
    n_resamples: int,
    seed: int = 0,
    metric: str = "mean_kappa_loo",
) -> Headline:
    """The mean over (feedback, reference ratings) pairs of the mean targeting kappa, on one set of
    draws over the references' conversations (every reference covers the same ones): a
    conversation without feedback counts 0 times for that rater and shifts no other draw, so every
    rater of the task is resampled alike."""
    units = list(pairs[0][1].index)
    weights = np.vstack([np.ones(len(units)), bootstrap_weights(len(units), n_resamples, seed)])
    position = {item: i for i, item in enumerate(units)}
    per_pair = []
    for feedback, reference in pairs:
        conv = conversations(feedback, profiles(reference, rubric, thresholds), list(reference.columns), rubric, {})
        per_pair.append(figures(conv, weights[:, [position[i] for i in conv.items]])["mean_kappa"])
    mean = np.mean(per_pair, axis=0)
    return Headline(metric, float(mean[0]), mean[1:], len(units))


def coach_ceiling(
    task: str,
    panel: dict[str, pd.DataFrame],
    rubric: Rubric,
    thresholds: ProfileThresholds,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> CoachAgreement | None:
    """The human ceiling: each expert's ratings read as feedback (`feedback_from_ratings`)
    against the profile of the median of the other experts' ratings, over the conversations
    every expert rated; figures and each bootstrap draw averaged over the experts (the same
    draws for all of them), counts summed. `panel` maps expert id -> items x dimensions. No
    words, quotes or rewrites, so grounding, evidence and uplift are NaN. None with fewer than
    three experts."""
    if len(panel) < MIN_EXPERTS:
        return None
    references = leave_one_out_panels(panel, rubric)
    first = next(iter(references.values()))
    items, dims = list(first.index), list(first.columns)
    weights = bootstrap_weights(len(items), n_resamples, seed)
    per_expert = []
    for expert, reference in references.items():
        own = panel[expert].set_axis(panel[expert].index.map(str))
        feedback = feedback_from_ratings(own.loc[items, dims], rubric, thresholds)
        conv = conversations(feedback, profiles(reference, rubric, thresholds), dims, rubric, {})
        per_expert.append(scored(conv, weights))
    return CoachAgreement(
        task=task,
        rater=CEILING_LABEL,
        rater_type="human",
        role="ceiling",
        from_ratings=True,
        n_items=len(items),
        n_unscored=0,
        **fields_of(_mean_scores(per_expert)),
        thresholds=thresholds.model_dump(),
        notes=[
            "each expert's profile against the profile of the median of the other experts; figures averaged "
            "over experts, counts summed"
        ],
    )
