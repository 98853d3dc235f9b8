"""The rows of a coach task: each coach's run (its feedback, quotes and graded rewrite against the
experts' profile of the same conversations), and the reference rows made from ratings alone, no
model call: every rate judge of the same run used as a coach (its ratings give its profile:
problems worst first, strengths praised), and the reference rows (`reference_raters`): each
recorded judge and human row the same way, and the expert ceiling (each expert's profile against
the median of the other experts). Rows from
ratings have no quotes and no rewrite: grounding, evidence and uplift are "–" for them. Each row
carries its headline (the targeting kappa on the ceiling's references) on the task's shared draws."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
from inspect_ai.log import EvalLog

from empathy_bench.agreement.coach import CoachAgreement, coach_agreement, feedback_from_ratings
from empathy_bench.agreement.coach_ceiling import (
    ceiling_kappa_headline,
    coach_ceiling,
    loo_kappa_headline,
    targeting_headline,
)
from empathy_bench.agreement.references import ReferenceRater, expert_panel, reference_raters
from empathy_bench.agreement.stats import Headline
from empathy_bench.pipeline.row import Row, judge_of, rater_type_of, rating_logs
from empathy_bench.runs.log import read_log
from empathy_bench.sources.labels import LabelSet, rater_wide
from empathy_bench.sources.quote import evidence_turns
from empathy_bench.tasks.spec import CoachTask

AS_COACH = " (as coach)"


def coach_rows(
    spec: CoachTask, labels: LabelSet, mine: list[EvalLog], logs: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """Every row of a coach task (see the module docstring)."""
    rubric, thresholds, dims = spec.rubric_model, spec.profile, spec.dimension_ids
    reference = rater_wide(labels.ratings, spec.reference, dims).dropna()
    measure = partial(
        coach_agreement,
        spec.id,
        reference=reference,
        rubric=rubric,
        thresholds=thresholds,
        n_resamples=n_resamples,
        word_budget=spec.word_budget,
    )
    evidence = evidence_turns(labels.ratings, labels.items, rubric, thresholds)
    panel = {e: rater_wide(labels.ratings, e, dims) for e in expert_panel(labels)}
    like_for_like = partial(_like_for_like, panel=panel, spec=spec, reference=reference, n_resamples=n_resamples)
    rows = []
    for log in mine:
        feedback, summary = read_log(log)
        found = measure(
            summary.judge, rater_type_of(summary), feedback, evidence=evidence, n_unscored=summary.n_unscored
        )
        row, headline = like_for_like(found, feedback)
        rows.append(Row(row, summary, log, summary.complete, headline=headline))
    for log in sorted(rating_logs(spec, logs), key=judge_of):
        wide, summary = read_log(log)
        # a profile needs every dimension: conversations with an unscored rating are counted, not scored
        rated = wide.reindex(columns=dims).dropna()
        profiled = feedback_from_ratings(rated, rubric, thresholds)
        found = measure(
            summary.judge + AS_COACH,
            rater_type_of(summary),
            profiled,
            from_ratings=True,
            n_unscored=len(wide) - len(rated),
        )
        row, headline = like_for_like(found, profiled)
        rows.append(Row(row, log=log, complete=summary.complete, headline=headline))
    for ref in reference_raters(spec, labels, recorded=recorded):
        if ref.role == "ceiling":
            rows += _ceiling_rows(spec, panel, n_resamples)
        else:
            rows += _reference_row(spec, ref, measure, like_for_like)
    return rows


def _reference_row(
    spec: CoachTask,
    ref: ReferenceRater,
    measure: Callable[..., CoachAgreement],
    like_for_like: Callable[..., tuple[CoachAgreement, Headline]],
) -> list[Row]:
    """A recorded judge's or human row's profile from its ratings as a coach's feedback; none
    without a conversation rated on every dimension (a profile needs them all)."""
    wide = ref.ratings.dropna()
    if wide.empty:
        return []
    profiled = feedback_from_ratings(wide, spec.rubric_model, spec.profile)
    # a recorded judge is marked as a coach made of a judge; a human row keeps its card's name
    label = ref.label + AS_COACH if ref.rater_type == "recorded" else ref.label
    found, headline = like_for_like(measure(label, ref.rater_type, profiled, from_ratings=True), profiled)
    return [Row(found.model_copy(update={"role": ref.role}), headline=headline)]


def _ceiling_rows(spec: CoachTask, panel: dict[str, pd.DataFrame], n_resamples: int) -> list[Row]:
    """The expert ceiling, against its own references by construction (none under three experts)."""
    rubric, thresholds = spec.rubric_model, spec.profile
    ceiling = coach_ceiling(spec.id, panel, rubric, thresholds, n_resamples)
    if ceiling is None:
        return []
    own = ceiling_kappa_headline(panel, rubric, thresholds, n_resamples)
    return [Row(ceiling.model_copy(update={"mean_kappa_loo": ceiling.mean_kappa}), headline=own)]


def _like_for_like(
    found: CoachAgreement,
    feedback: pd.DataFrame,
    *,
    panel: dict[str, pd.DataFrame],
    spec: CoachTask,
    reference: pd.DataFrame,
    n_resamples: int,
) -> tuple[CoachAgreement, Headline]:
    """The row with its kappa against the ceiling's own references (each expert left out in turn),
    and its headline on the task's shared draws: that kappa, or without an expert panel the plain
    kappa with the task's reference."""
    rubric, thresholds = spec.rubric_model, spec.profile
    headline = loo_kappa_headline(feedback, panel, rubric, thresholds, n_resamples)
    if headline is None:
        plain = reference.set_axis(reference.index.map(str))
        return found, targeting_headline([(feedback, plain)], rubric, thresholds, n_resamples, metric="mean_kappa")
    return found.model_copy(update={"mean_kappa_loo": headline.value}), headline
