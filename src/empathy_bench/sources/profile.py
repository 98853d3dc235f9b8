"""A conversation's profile: which rubric dimensions a rater's ratings mark as *problems* and which
as *strengths*, and which dimensions it rates worst. The profile is this project's construction
(the experts never flagged anything; they rated): a prescriptive dimension is a problem when rated
at most `problem_prescriptive_at_most` and a strength when at least
`strength_prescriptive_at_least`; a proscriptive one (a misattuned behaviour) is a problem when
rated at least `problem_proscriptive_at_least` and a strength when at most
`strength_proscriptive_at_most`. The thresholds are parameters of a coach task file.

The coach task checks a coach's feedback against the experts' profile of the same conversation,
and a rater's own ratings give that rater's profile (the human ceiling, the crowd, a judge used
as a coach)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from pydantic import model_validator

from empathy_bench.core.models import FileModel
from empathy_bench.sources.rubric import Rubric


class ProfileThresholds(FileModel):
    """Where a rating becomes a problem or a strength (on the rubric's own scale)."""

    problem_prescriptive_at_most: float = 2
    problem_proscriptive_at_least: float = 3
    strength_prescriptive_at_least: float = 4
    strength_proscriptive_at_most: float = 1

    @model_validator(mode="after")
    def _apart(self) -> ProfileThresholds:
        if self.problem_prescriptive_at_most >= self.strength_prescriptive_at_least:
            raise ValueError("problem_prescriptive_at_most must be below strength_prescriptive_at_least")
        if self.strength_proscriptive_at_most >= self.problem_proscriptive_at_least:
            raise ValueError("strength_proscriptive_at_most must be below problem_proscriptive_at_least")
        return self


@dataclass(frozen=True)
class Profile:
    problems: frozenset[str]
    strengths: frozenset[str]
    worst: frozenset[str]  # the dimensions rated worst (ties kept); empty without ratings


def badness(rubric: Rubric, dimension: str, value: float) -> float:
    """How far a rating is from the best end of its scale (0 = best): a prescriptive rating
    counted down from the top, a proscriptive one up from the bottom, so dimensions of both
    polarities compare."""
    scale = rubric.scale_of(dimension)
    prescriptive = rubric.dimension(dimension).polarity == "prescriptive"
    return float(scale.max - value) if prescriptive else float(value - scale.min)


def profile(values: Mapping[str, float], rubric: Rubric, thresholds: ProfileThresholds) -> Profile:
    """The profile of one rater's (or an aggregate's) ratings of one conversation; NaN ratings
    (a dimension not rated) are neither problems nor strengths."""
    rated = {d: float(v) for d, v in values.items() if not pd.isna(v)}
    problems, strengths = set(), set()
    for dim, value in rated.items():
        if rubric.dimension(dim).polarity == "prescriptive":
            problem = value <= thresholds.problem_prescriptive_at_most
            strength = value >= thresholds.strength_prescriptive_at_least
        else:
            problem = value >= thresholds.problem_proscriptive_at_least
            strength = value <= thresholds.strength_proscriptive_at_most
        if problem:
            problems.add(dim)
        if strength:
            strengths.add(dim)
    bad = {d: badness(rubric, d, v) for d, v in rated.items()}
    top = max(bad.values(), default=None)
    return Profile(frozenset(problems), frozenset(strengths), frozenset(d for d, b in bad.items() if b == top))


def profiles(wide: pd.DataFrame, rubric: Rubric, thresholds: ProfileThresholds) -> dict[str, Profile]:
    """item_id -> profile, from an items x dimensions table of one rater's ratings."""
    return {str(item): profile(row.to_dict(), rubric, thresholds) for item, row in wide.iterrows()}


def ranked_problems(values: Mapping[str, float], rubric: Rubric, thresholds: ProfileThresholds) -> list[str]:
    """The problems of a profile worst first (ties in the rubric's order): the improvements a
    rater's own ratings would give, in priority order (a judge used as a coach)."""
    found = profile(values, rubric, thresholds).problems
    order = {d: i for i, d in enumerate(rubric.dimension_ids)}
    return sorted(found, key=lambda d: (-badness(rubric, d, float(values[d])), order[d]))
