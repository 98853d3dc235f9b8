"""The preference labels of a compare task: its pairs, every rater's choices on its criteria and
the reference choice of each pair, with the reference's overall-score gap.

Two ways, chosen by the task file:
- `pairs_within` set (Lend an Ear): every pair of items in the same group (same opener), and each
  rater's choices DERIVED from its own ratings (our construction, not the source's): every
  individual expert, the crowd (from its mean ratings) and each recorded judge. The reference
  `experts` is the strict majority of the experts' choices; pairs without one are left out.
- otherwise (AnnoMI): the source's released preferences, and the reference is the rater the
  task names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from empathy_bench.sources.labels import AGGREGATES, LabelSet, overall_scores, rater_wide
from empathy_bench.sources.preference import (
    OVERALL,
    PREFERENCE_COLUMNS,
    choices_from_ratings,
    majority_reference,
    pairs_within,
    score_gaps,
)
from empathy_bench.tasks.labels import recorded_raters
from empathy_bench.tasks.spec import CompareTask, TaskSpec


@dataclass
class TaskPreferences:
    pairs: pd.DataFrame  # pair_id, item_a, item_b, framework
    choices: pd.DataFrame  # canonical long table: every rater's choices on the task's criteria
    derived: bool  # choices derived from ratings (our construction), or released as choices
    # pair_id -> the median over experts of each expert's own overall score(item_a) - score(item_b)
    # (its sign always agrees with the experts' strict majority); NaN without scores
    gaps: pd.Series
    expert_gaps: pd.DataFrame  # pairs x experts: each expert's own difference (the ceiling's bins)

    def reference(self, spec: CompareTask, criterion: str) -> pd.DataFrame:
        """Per pair: pair_id, item_a, item_b, choice (None: no reference), gap."""
        if spec.reference in AGGREGATES:
            group = AGGREGATES[spec.reference][0]
            ref = majority_reference(self.choices, group, criterion)
        else:
            rows = self.choices[(self.choices.rater_id == spec.reference) & (self.choices.criterion == criterion)]
            ref = rows[["pair_id", "item_a", "item_b", "choice"]]
        # every pair of the task: one the reference did not choose on has no reference (counted)
        ref = self.pairs[["pair_id", "item_a", "item_b"]].merge(ref[["pair_id", "choice"]], on="pair_id", how="left")
        ref["choice"] = ref["choice"].astype(object).where(ref["choice"].notna(), None)  # a pair with no majority
        ref["gap"] = self.gaps.reindex(ref["pair_id"]).to_numpy(float)
        return ref.reset_index(drop=True)

    def rater_choices(self, rater_id: str, criterion: str) -> pd.DataFrame:
        rows = self.choices[(self.choices.rater_id == rater_id) & (self.choices.criterion == criterion)]
        return rows[["pair_id", "choice"]].reset_index(drop=True)


def task_preferences(spec: CompareTask, labels: LabelSet) -> TaskPreferences:
    rubric = spec.rubric_model
    if spec.pairs_within is None:
        choices = labels.preferences[labels.preferences.criterion.isin(spec.criteria)].reset_index(drop=True)
        pairs = choices[["pair_id", "item_a", "item_b", "framework"]].drop_duplicates("pair_id", ignore_index=True)
        no_gap = pd.Series(np.nan, index=pairs["pair_id"].to_numpy())
        return TaskPreferences(pairs, choices, False, no_gap, pd.DataFrame(index=no_gap.index))
    where = f"tasks/{spec.id}.yaml (its items)"
    pairs = pairs_within(labels.items, spec.pairs_within, where)[["pair_id", "item_a", "item_b", "framework"]]
    parts = [
        choices_from_ratings(
            pairs, rater_wide(labels.ratings, rater, rubric.dimension_ids), rubric, spec.criteria, rater, group
        )
        for rater, group in derived_raters(spec, labels)
    ]
    choices = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PREFERENCE_COLUMNS)
    expert_gaps = pd.DataFrame(index=pairs["pair_id"].to_numpy())
    if rubric.overall is not None and OVERALL in spec.criteria:
        experts = overall_scores(labels.ratings, rubric, "expert")
        expert_gaps = pd.DataFrame({e: score_gaps(pairs, experts[e]) for e in experts.columns})
    gaps = expert_gaps.median(axis=1) if expert_gaps.shape[1] else pd.Series(np.nan, index=expert_gaps.index)
    return TaskPreferences(pairs, choices, True, gaps, expert_gaps)


def derived_raters(spec: TaskSpec, labels: LabelSet) -> list[tuple[str, str]]:
    """(rater id, group) of every rater whose choices are derived from ratings: each individual
    expert, the crowd's mean (the named aggregate) and the source's recorded judges."""
    individual = labels.ratings[(labels.ratings.rater_group == "expert") & (labels.ratings["aggregate"] == "")]
    raters = [(str(r), "expert") for r in sorted(individual.rater_id.unique())]
    if (labels.ratings.rater_group == "crowd").any():
        raters.append(("crowd", "crowd"))
    return raters + [(r, "recorded") for r in recorded_raters(spec, labels)]
