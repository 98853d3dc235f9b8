"""The rows of a compare task: each compare judge's run (both orders), each rate judge of the
same run on the same conversations with its choices derived from its own ratings (no new model
calls), and the reference rows (`reference_raters`: the recorded judges and the human rows from
their ratings, and the expert ceiling); each with its accuracy on the criterion's shared draws of
conversations (its headline)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd
from inspect_ai.log import EvalLog

from empathy_bench.agreement.preference import (
    RATINGS_ORDER,
    PreferenceAgreement,
    accuracy_headline,
    ceiling_accuracy_headline,
    preference_agreement,
    preference_ceiling,
)
from empathy_bench.agreement.references import reference_raters
from empathy_bench.agreement.stats import Headline
from empathy_bench.pipeline.row import FROM_RATINGS, Row, judge_of, rater_type_of, rating_logs
from empathy_bench.runs.log import read_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.sources.preference import choices_from_ratings
from empathy_bench.tasks.preferences import TaskPreferences, task_preferences
from empathy_bench.tasks.spec import CompareTask


@dataclass(frozen=True)
class Criterion:
    """What every row of one criterion is scored with."""

    name: str
    reference: pd.DataFrame  # per pair the reference choice (`TaskPreferences.reference`)
    experts: pd.DataFrame  # each expert's own choices: the ceiling's, and its leave-one-out references
    measure: Callable[..., PreferenceAgreement]  # (rater, rater type, verdicts, from_ratings=) -> its agreement
    score: Callable[[pd.DataFrame], Headline]  # verdicts -> its headline on the shared draws


def compare_rows(
    spec: CompareTask, labels: LabelSet, mine: list[EvalLog], logs: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """Every row of a compare task, per criterion (see the module docstring)."""
    prefs = task_preferences(spec, labels)
    rows = []
    for name in spec.criteria:
        criterion = _criterion(spec, prefs, name, n_resamples)
        for log in mine:
            choices, summary = read_log(log)
            verdicts = choices[choices.criterion == name][["pair_id", "order", "choice"]]
            agreement = criterion.measure(summary.judge, rater_type_of(summary), verdicts)
            rows.append(Row(agreement, summary, log, summary.complete, headline=criterion.score(verdicts)))
        for log in sorted(rating_logs(spec, logs), key=judge_of):
            rows.append(_rate_judge_row(spec, prefs, criterion, log))
        rows += reference_preference_rows(spec, labels, prefs, criterion, recorded, n_resamples)
    return rows


def _criterion(spec: CompareTask, prefs: TaskPreferences, name: str, n_resamples: int) -> Criterion:
    reference = prefs.reference(spec, name)
    experts = _expert_choices(prefs, name)
    # every rater is also scored against the references the ceiling's experts face (human=)
    measure = partial(
        preference_agreement, spec.id, reference=reference, criterion=name, n_resamples=n_resamples, human=experts
    )
    score = partial(accuracy_headline, reference=reference, n_resamples=n_resamples)
    return Criterion(name, reference, experts, measure, score)


def _rate_judge_row(spec: CompareTask, prefs: TaskPreferences, criterion: Criterion, log: EvalLog) -> Row:
    """A rate judge's row: its choices derived from its own ratings in its rate run."""
    wide, summary = read_log(log)
    derived = choices_from_ratings(prefs.pairs, wide, spec.rubric_model, [criterion.name], summary.judge, "judge")
    verdicts = _from_ratings(derived)
    agreement = criterion.measure(summary.judge + FROM_RATINGS, rater_type_of(summary), verdicts, from_ratings=True)
    if missing := len(prefs.pairs) - len(derived):
        note = f"{missing} pairs have no choice: the rate run left a rating of one of their items unscored"
        agreement = agreement.model_copy(update={"notes": [*agreement.notes, note]})
    return Row(agreement, log=log, complete=summary.complete, headline=criterion.score(verdicts))


def reference_preference_rows(
    spec: CompareTask,
    labels: LabelSet,
    prefs: TaskPreferences,
    criterion: Criterion,
    recorded: bool,
    n_resamples: int,
) -> list[Row]:
    """The task's reference rows (`reference_raters`) on one criterion: each recorded judge's and
    human row's choices against the reference where the task derives its preferences from ratings
    (a source's released choices are its reference's alone), and the ceiling."""
    rows = []
    for ref in reference_raters(spec, labels, recorded=recorded):
        if ref.role == "ceiling":
            rows += _ceiling_rows(spec, prefs, criterion, n_resamples)
            continue
        choices = prefs.rater_choices(ref.rater, criterion.name) if prefs.derived else pd.DataFrame()
        if len(choices):
            verdicts = choices.assign(order=RATINGS_ORDER)
            # every choice here is derived from ratings: the human rows are marked as the judges are
            agreement = criterion.measure(ref.label + FROM_RATINGS, ref.rater_type, verdicts, from_ratings=True)
            rows.append(Row(agreement.model_copy(update={"role": ref.role}), headline=criterion.score(verdicts)))
    return rows


def _ceiling_rows(spec: CompareTask, prefs: TaskPreferences, criterion: Criterion, n_resamples: int) -> list[Row]:
    """The expert ceiling on one criterion (none with fewer than three experts)."""
    experts, reference = criterion.experts, criterion.reference
    ceiling = preference_ceiling(spec.id, experts, reference, criterion.name, n_resamples, gaps=prefs.expert_gaps)
    if ceiling is None:
        return []
    if prefs.derived:  # the experts' choices come from their ratings
        ceiling = ceiling.model_copy(update={"rater": ceiling.rater + FROM_RATINGS})
    return [Row(ceiling, headline=ceiling_accuracy_headline(experts, reference, n_resamples))]


def _from_ratings(choices: pd.DataFrame) -> pd.DataFrame:
    return choices[["pair_id", "choice"]].assign(order=RATINGS_ORDER)


def _expert_choices(prefs: TaskPreferences, criterion: str) -> pd.DataFrame:
    rows = prefs.choices[(prefs.choices.rater_group == "expert") & (prefs.choices.criterion == criterion)]
    return rows[["pair_id", "rater_id", "choice"]]
