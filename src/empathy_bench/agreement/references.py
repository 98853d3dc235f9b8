"""The reference rows of a task, for every kind: the raters a task's table shows beside the
candidates before anyone pays for a model, all from the labels. One list, in row order:

- each recorded judge the label source publishes (as the source card lists them; a team's own
  labels: the raters of group `recorded`), with the caller's leave to include them;
- each human row the source card names (a crowd, the participants' self-report, a released label:
  `human_rows`);
- the expert ceiling (each expert against the others), which every kind measures its own way and
  leaves out where it has too few experts.

A rater that is the task's own reference is never a row of its own, whatever its group: it would
be scored against itself. A rater with no rating on the task's dimensions is no row either. The
kinds read each rater's ratings (`ratings`) as their measure needs them: a rate task as they are, a
compare task as the choices they give, a coach task as the profile they give, the length probe
against the supporter's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from empathy_bench.agreement.rater import CEILING_LABEL, RaterRole, RaterType, rater_table
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.labels import human_rows, recorded_raters
from empathy_bench.tasks.spec import TaskSpec

# The ceiling's entry: no one rater, the task's expert group.
CEILING_RATER = "expert"


@dataclass(frozen=True)
class ReferenceRater:
    """One reference row of a task, before its kind measures it."""

    rater: str  # the rater id in the labels (a named aggregate such as 'crowd'); the ceiling: CEILING_RATER
    label: str  # the row's name: a recorded judge's id, a human row's card label, CEILING_LABEL
    rater_type: RaterType  # recorded or human
    role: RaterRole  # rater (a recorded judge), the card's role of a human row, or ceiling
    # items x the task's dimensions: the rater's ratings (the dimensions it rated); the ceiling: empty,
    # since each kind builds it from the individual experts (`expert_panel`)
    ratings: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)


def reference_raters(spec: TaskSpec, labels: LabelSet, *, recorded: bool = True) -> list[ReferenceRater]:
    """The task's reference rows in row order (see the module docstring); `recorded`: with the
    source's recorded judges."""
    candidates: list[tuple[str, str, RaterType, RaterRole]] = [
        *((r, r, "recorded", "rater") for r in (recorded_raters(spec, labels) if recorded else [])),
        *((row.rater, row.label, "human", row.role) for row in human_rows(spec)),
    ]
    found = []
    for rater, label, rater_type, role in candidates:
        ratings = rater_table(spec, labels, rater)
        if rater != spec.reference and not ratings.empty:
            found.append(ReferenceRater(rater, label, rater_type, role, ratings))
    return [*found, ReferenceRater(CEILING_RATER, CEILING_LABEL, "human", "ceiling")]


def expert_panel(labels: LabelSet) -> list[str]:
    """The individual experts of the labels' ratings (group expert, not an aggregate), sorted: the
    raters a ceiling is made of."""
    ratings = labels.ratings
    individual = ratings[(ratings.rater_group == "expert") & (ratings["aggregate"] == "")]
    return sorted(individual.rater_id.unique())
