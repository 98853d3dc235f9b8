"""The spread column of the main tables (rate, compare, coach): each row whose rater has repeats,
its headline in each repeat, computed by the row's own kind from that repeat alone.

Repeats are a judge's or coach's epochs (`--epochs K`: every epoch's ratings, choices or feedback
stay in its log) or a recorded judge's published runs (`runs:` in its source card, loaded as the
raters '<id>#<k>'). A row made from another rater's ratings follows that rater: a rate judge's
choices (compare) or profile (coach) from its ratings get one figure per epoch of its rate run,
a recorded judge's one per run. Human rows have no repeats. The figures are point estimates only
(no interval): the spread says how far a single repeat could have moved the headline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd
from inspect_ai.log import EvalLog

from empathy_bench.agreement.choice_scores import accuracy, judged
from empathy_bench.agreement.coach import CoachAgreement, feedback_from_ratings
from empathy_bench.agreement.coach_ceiling import leave_one_out_kappa, targeting_headline
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.rater import MIN_EXPERTS, RaterAgreement, headline
from empathy_bench.agreement.references import expert_panel
from empathy_bench.agreement.spread import Spread, Unit, spread_over
from empathy_bench.core.kinds import kind
from empathy_bench.core.models import NAN
from empathy_bench.pipeline.coach_rows import AS_COACH
from empathy_bench.pipeline.row import FROM_RATINGS, Row
from empathy_bench.runs.log import epoch_choices, judge_feedback, judge_ratings, rating_table
from empathy_bench.sources.label_columns import RUN_SEPARATOR
from empathy_bench.sources.labels import LabelSet, rater_runs, rater_wide
from empathy_bench.sources.preference import choices_from_ratings
from empathy_bench.tasks.metadata import task_metadata
from empathy_bench.tasks.preferences import TaskPreferences, task_preferences
from empathy_bench.tasks.spec import CoachTask, CompareTask, TaskSpec, as_kind


def with_spreads(spec: TaskSpec, labels: LabelSet, rows: list[Row]) -> list[Row]:
    """The rows, each main-table row of a rater with two or more repeats carrying its spread."""
    headlines = Headlines(spec, labels)
    return [_with_spread(row, headlines) for row in rows]


def _with_spread(row: Row, headlines: Headlines) -> Row:
    a = row.agreement
    if not isinstance(a, RaterAgreement | PreferenceAgreement | CoachAgreement) or a.rater_type == "human":
        return row
    found = None
    if row.log is not None and epochs_of(row.log) >= 2:
        found = _epoch_spread(a, row.log, headlines)
    elif a.rater_type == "recorded":
        runs = run_ratings(headlines.labels, own_rater(a.rater), headlines.spec.rubric_model.dimension_ids)
        found = spread_over(runs, headlines.of_ratings(a), "run")
    return row if found is None else replace(row, agreement=a.model_copy(update={"spread": found}))


def _epoch_spread(
    a: RaterAgreement | PreferenceAgreement | CoachAgreement, log: EvalLog, h: Headlines
) -> Spread | None:
    """The spread over the epochs of the row's own log: a judge's or coach's run, or the rate run
    a row from ratings is made of."""
    spread = kind(task_metadata(log).kind).spread
    return None if spread is None else spread(log, a, h)


# The kinds' `spread` hooks (core/kinds.py): the row's headline in each epoch of its log, the log
# being of that kind (a compare or coach row from ratings follows its rate log).
EPOCH: Unit = "epoch"


def rate_spread(log: EvalLog, a: RaterAgreement | PreferenceAgreement | CoachAgreement, h: Headlines) -> Spread | None:
    return spread_over(epoch_ratings(log), h.of_ratings(a), EPOCH)


def compare_spread(
    log: EvalLog, a: RaterAgreement | PreferenceAgreement | CoachAgreement, h: Headlines
) -> Spread | None:
    if not isinstance(a, PreferenceAgreement):
        return None
    return spread_over(epoch_verdicts(log, a.criterion), h.of_verdicts(a.criterion), EPOCH)


def coach_spread(log: EvalLog, a: RaterAgreement | PreferenceAgreement | CoachAgreement, h: Headlines) -> Spread | None:
    return spread_over(epoch_feedback(log), h.of_feedback, EPOCH)


def own_rater(label: str) -> str:
    """The recorded judge a row is of: its label without the mark of a row made from ratings."""
    for mark in (FROM_RATINGS, AS_COACH):
        label = label.removesuffix(mark)
    return label


def epochs_of(log: EvalLog) -> int:
    return int(log.eval.config.epochs or 1)


# --- each repeat's table ------------------------------------------------------------------


def epoch_ratings(log: EvalLog) -> dict[int, pd.DataFrame]:
    """A rate log's items x dimensions ratings of each epoch (its plain condition)."""
    ratings, _ = judge_ratings(log)
    plain = ratings[ratings["condition"] == ""]
    return {int(epoch): rating_table(group) for epoch, group in plain.groupby("epoch")}


def run_ratings(labels: LabelSet, rater: str, dimensions: list[str]) -> dict[int, pd.DataFrame]:
    """A recorded judge's items x dimensions ratings of each published run (none without runs)."""
    runs = sorted(int(k) for k in rater_runs(labels.ratings, rater)["epoch"].unique())
    return {k: rater_wide(labels.ratings, f"{rater}{RUN_SEPARATOR}{k}", dimensions) for k in runs}


def epoch_verdicts(log: EvalLog, criterion: str) -> dict[int, pd.DataFrame]:
    """A compare log's verdicts (pair_id, order, choice) on one criterion in each epoch."""
    choices = epoch_choices(log)
    mine = choices[(choices["criterion"] == criterion) & (choices["condition"] == "")]
    return {int(e): group[["pair_id", "order", "choice"]] for e, group in mine.groupby("epoch")}


def epoch_feedback(log: EvalLog) -> dict[int, pd.DataFrame]:
    """A coach log's scored feedback of each epoch."""
    epochs = sorted({s.epoch for s in log.samples or []})
    return {e: judge_feedback(log, e)[0] for e in epochs}


# --- each kind's headline of one repeat ---------------------------------------------------


class Headlines:
    """The task's headline as a function of one repeat's table, for each kind of row: what the
    task's own table ranks by (rate: `headline`; compare: the accuracy with a tie counted half;
    coach: the targeting kappa on the ceiling's references, or with the task's reference)."""

    def __init__(self, spec: TaskSpec, labels: LabelSet) -> None:
        self.spec, self.labels = spec, labels
        self._prefs: TaskPreferences | None = None  # built on first use: a rate task needs none
        self._references: dict[str, pd.DataFrame] = {}

    def of_ratings(self, a: RaterAgreement | PreferenceAgreement | CoachAgreement) -> Callable[[pd.DataFrame], float]:
        """The headline of one repeat's ratings, read as the row reads them: ratings (rate),
        choices from ratings (compare) or a profile (coach)."""
        if isinstance(a, PreferenceAgreement):
            criterion = a.criterion
            return lambda wide: self.of_verdicts(criterion)(self._choices(wide, criterion))
        if isinstance(a, CoachAgreement):
            rubric, thresholds = self.spec.rubric_model, as_kind(self.spec, CoachTask).profile
            dims = self.spec.dimension_ids
            return lambda wide: self.of_feedback(
                feedback_from_ratings(wide.reindex(columns=dims).dropna(), rubric, thresholds)
            )
        return self._rating_headline

    def _rating_headline(self, wide: pd.DataFrame) -> float:
        found = headline(self.spec, self.labels, wide.sort_index(), 0)
        return NAN if found is None else found.value

    def _choices(self, wide: pd.DataFrame, criterion: str) -> pd.DataFrame:
        derived = choices_from_ratings(self.prefs().pairs, wide, self.spec.rubric_model, [criterion], "r", "judge")
        return derived[["pair_id", "choice"]]

    def of_verdicts(self, criterion: str) -> Callable[[pd.DataFrame], float]:
        if criterion not in self._references:
            self._references[criterion] = self.prefs().reference(as_kind(self.spec, CompareTask), criterion)
        reference = self._references[criterion]

        def score(verdicts: pd.DataFrame) -> float:
            rows = judged(reference, verdicts)
            return accuracy(rows["reference"], rows["choice"])

        return score

    def of_feedback(self, feedback: pd.DataFrame) -> float:
        rubric, thresholds, dims = (
            self.spec.rubric_model,
            as_kind(self.spec, CoachTask).profile,
            self.spec.dimension_ids,
        )
        ratings = self.labels.ratings
        experts = expert_panel(self.labels)  # the panel every kind's ceiling is made of
        if len(experts) >= MIN_EXPERTS:  # as coach_rows.py scores its rows
            panel = {e: rater_wide(ratings, e, dims) for e in experts}
            return leave_one_out_kappa(feedback, panel, rubric, thresholds)
        reference = rater_wide(self.labels.ratings, self.spec.reference, dims).dropna()
        plain = reference.set_axis(reference.index.map(str))
        return targeting_headline([(feedback, plain)], rubric, thresholds, 0, metric="mean_kappa").value

    def prefs(self) -> TaskPreferences:
        if self._prefs is None:
            self._prefs = task_preferences(as_kind(self.spec, CompareTask), self.labels)
        return self._prefs
