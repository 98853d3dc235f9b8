"""The rows of a compare task: each compare judge's run (both orders), each rate judge of the
same run on the same conversations with its choices derived from its own ratings (no new model
calls), the recorded judges and the crowd from their ratings, and the expert ceiling; each with its
accuracy on the criterion's shared draws of conversations (its headline)."""

from __future__ import annotations

from collections.abc import Callable
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
from empathy_bench.agreement.stats import Headline
from empathy_bench.pipeline.row import FROM_RATINGS, Row, judge_of, kind_of, rating_logs
from empathy_bench.runs.log import read_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.sources.preference import choices_from_ratings
from empathy_bench.tasks.labels import human_rows
from empathy_bench.tasks.preferences import TaskPreferences, task_preferences
from empathy_bench.tasks.spec import CompareTask


def compare_rows(
    spec: CompareTask, labels: LabelSet, mine: list[EvalLog], logs: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """Every row of a compare task, per criterion (see the module docstring)."""
    prefs = task_preferences(spec, labels)
    rows = []
    for criterion in spec.criteria:
        reference = prefs.reference(spec, criterion)
        experts = _expert_choices(prefs, criterion)
        # every rater is also scored against the references the ceiling's experts face (human=)
        measure = partial(
            preference_agreement,
            spec.id,
            reference=reference,
            criterion=criterion,
            n_resamples=n_resamples,
            human=experts,
        )
        score = partial(accuracy_headline, reference=reference, n_resamples=n_resamples)
        for log in mine:
            choices, summary = read_log(log)
            verdicts = choices[choices.criterion == criterion][["pair_id", "order", "choice"]]
            agreement = measure(summary.judge, kind_of(summary), verdicts)
            rows.append(Row(agreement, summary, log, summary.complete, headline=score(verdicts)))
        for log in sorted(rating_logs(spec, logs), key=judge_of):
            wide, summary = read_log(log)
            derived = choices_from_ratings(prefs.pairs, wide, spec.rubric_model, [criterion], summary.judge, "judge")
            verdicts = _from_ratings(derived)
            agreement = measure(summary.judge + FROM_RATINGS, kind_of(summary), verdicts, from_ratings=True)
            if missing := len(prefs.pairs) - len(derived):
                note = f"{missing} pairs have no choice: the rate run left a rating of one of their items unscored"
                agreement = agreement.model_copy(update={"notes": [*agreement.notes, note]})
            rows.append(Row(agreement, log=log, complete=summary.complete, headline=score(verdicts)))
        rows += reference_preference_rows(spec, prefs, criterion, recorded, measure, score)
        ceiling = preference_ceiling(spec.id, experts, reference, criterion, n_resamples, gaps=prefs.expert_gaps)
        if ceiling is not None and prefs.derived:  # the experts' choices come from their ratings
            ceiling = ceiling.model_copy(update={"rater": ceiling.rater + FROM_RATINGS})
        if ceiling is not None:
            rows.append(Row(ceiling, headline=ceiling_accuracy_headline(experts, reference, n_resamples)))
    return rows


def reference_preference_rows(
    spec: CompareTask,
    prefs: TaskPreferences,
    criterion: str,
    recorded: bool,
    measure: Callable[..., PreferenceAgreement],
    score: Callable[[pd.DataFrame], Headline],
) -> list[Row]:
    """The recorded judges' choices and those of each human row the source card names (the crowd,
    ...: `human_rows`), derived from their ratings where the task derives its preferences, against
    the reference."""
    if not prefs.derived:
        return []
    recorded_ids = sorted(set(prefs.choices[prefs.choices.rater_group == "recorded"].rater_id)) if recorded else []
    raters = [(r, "recorded", r + FROM_RATINGS) for r in recorded_ids]
    rows = []
    roles = {row.rater: row.role for row in human_rows(spec)}
    # every choice here is derived from ratings (prefs.derived): the human rows are marked as the judges are
    for rater, kind, label in raters + [(row.rater, "human", row.label + FROM_RATINGS) for row in human_rows(spec)]:
        choices = prefs.rater_choices(rater, criterion)
        if len(choices) and rater != spec.reference:
            verdicts = choices.assign(order=RATINGS_ORDER)
            agreement = measure(label, kind, verdicts, from_ratings=True)
            found = agreement.model_copy(update={"role": roles[rater]}) if rater in roles else agreement
            rows.append(Row(found, headline=score(verdicts)))
    return rows


def _from_ratings(choices: pd.DataFrame) -> pd.DataFrame:
    return choices[["pair_id", "choice"]].assign(order=RATINGS_ORDER)


def _expert_choices(prefs: TaskPreferences, criterion: str) -> pd.DataFrame:
    rows = prefs.choices[(prefs.choices.rater_group == "expert") & (prefs.choices.criterion == criterion)]
    return rows[["pair_id", "rater_id", "choice"]]
