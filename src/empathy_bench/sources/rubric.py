"""Rubrics: named, versioned sets of dimensions with a scale, a polarity and examples."""

from __future__ import annotations

from functools import cache
from typing import Literal

import pandas as pd
from pydantic import Field, model_validator

from empathy_bench.core.models import FileModel
from empathy_bench.core.project import load_named, project_files
from empathy_bench.sources.transcript import parse_transcript

Polarity = Literal["prescriptive", "proscriptive"]


class Scale(FileModel):
    min: int
    max: int
    labels: dict[int, str]
    level: Literal["ordinal", "interval", "nominal"] = "ordinal"

    @model_validator(mode="after")
    def _every_point_labelled(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"scale min ({self.min}) must be below max ({self.max})")
        missing = [p for p in self.points if p not in self.labels]
        if missing or set(self.labels) - set(self.points):
            raise ValueError(
                f"labels must name exactly the points {self.min}..{self.max}; check {missing or sorted(self.labels)}"
            )
        return self

    @property
    def points(self) -> list[int]:
        return list(range(self.min, self.max + 1))

    def contains(self, value: float) -> bool:
        """Within range: aggregates (means of ratings) may fall between the points."""
        return self.min <= value <= self.max

    def describe(self) -> str:
        return ", ".join(f"{p} = {self.labels[p]}" for p in self.points)


class Example(FileModel):
    text: str
    rating: int
    why: str

    @property
    def turns(self) -> list[tuple[str, str]]:
        """(label, text) per line; the last line's label is the side that is rated."""
        return parse_transcript(self.text, speakers=None)


# The names the figures give the rubric's overall score and the length association's magnitude
# over every dimension, beside each dimension's own (agreement/rater.py, agreement/probe.py): no
# dimension may be called so, or its figures would be taken for theirs.
OVERALL_SCORE = "overall_score"
MAGNITUDE = "magnitude"
RESERVED_IDS = (OVERALL_SCORE, MAGNITUDE)


class Dimension(FileModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    polarity: Polarity
    question: str
    examples: list[Example] = Field(min_length=1)
    scale: Scale | None = None  # None: the rubric's scale


class Overall(FileModel):
    method: Literal["prescriptive_minus_proscriptive"]


class Rubric(FileModel):
    id: str
    version: int
    title: str
    description: str
    source: str
    scale: Scale
    overall: Overall | None = None
    dimensions: list[Dimension] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        ids = [d.id for d in self.dimensions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"dimension ids must be unique, got {ids}")
        if reserved := sorted(set(ids) & set(RESERVED_IDS)):
            raise ValueError(f"dimension id {reserved[0]!r} is reserved for a figure over all dimensions; rename it")
        for dim in self.dimensions:
            scale = self.scale_of(dim.id)
            for ex in dim.examples:
                if ex.rating not in scale.points:
                    raise ValueError(f"example rating {ex.rating} of '{dim.id}' is outside {scale.min}..{scale.max}")
        return self

    def dimension(self, dimension_id: str) -> Dimension:
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(f"rubric '{self.id}' has no dimension '{dimension_id}'; it has {self.dimension_ids}")

    @property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    def scale_of(self, dimension_id: str) -> Scale:
        return self.dimension(dimension_id).scale or self.scale

    def overall_score(self, wide: pd.DataFrame) -> pd.Series:
        """Overall score per row of a wide table (one column per dimension): the sum of the
        prescriptive dimensions minus the sum of the proscriptive ones (Lend an Ear: -12..12).
        A row missing any dimension has no overall score (NaN) rather than a partial sum."""
        if self.overall is None:
            raise ValueError(f"rubric '{self.id}' defines no overall score")
        signs = pd.Series({d.id: 1 if d.polarity == "prescriptive" else -1 for d in self.dimensions})
        return (
            wide[signs.index].mul(signs).sum(axis=1, min_count=len(signs)).where(wide[signs.index].notna().all(axis=1))
        )


@cache
def load_rubric(name: str) -> Rubric:
    """A rubric by id (a file in rubrics/) or by path."""
    return load_named("rubrics", name, Rubric)[1]


@cache
def find_dimension(dimension_id: str) -> tuple[Rubric, Dimension] | None:
    """The first rubric of the project (by file name) that defines a dimension with this id,
    and the dimension; None when no rubric does."""
    for path in project_files("rubrics"):
        rubric = load_rubric(path.stem)
        for dim in rubric.dimensions:
            if dim.id == dimension_id:
                return rubric, dim
    return None
