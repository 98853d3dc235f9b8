"""Task files (tasks/*.yaml): one benchmark slice = a label source + a rubric (+ dimensions) +
a reference rater + a kind. Data only: the inspect task that runs one is in rate_task.py."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from empathy_bench.candidates.prompt import Mode
from empathy_bench.core.errors import InputError
from empathy_bench.core.models import FileModel
from empathy_bench.core.project import load_named, project_files
from empathy_bench.sources.card import load_source_card
from empathy_bench.sources.labels import AGGREGATES
from empathy_bench.sources.rubric import Rubric, load_rubric


class TaskSpec(FileModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    title: str
    description: str = ""
    kind: Literal["rate"] = "rate"  # `compare` and `coach` tasks are not built yet
    source: str  # label source id (human_labels/<id>.yaml)
    framework: str  # the source's framework whose items and ratings are used
    rubric: str
    dimensions: list[str] | None = None  # None: every dimension of the rubric
    # The rater the judge is compared with: a rater id of the source or a named aggregate
    # (`experts` = median of the expert group, as in Kumar et al.).
    reference: str = "experts"
    mode: Mode = "per_dimension"  # one sample per (item, dimension), or one per item

    @model_validator(mode="after")
    def _known_dimensions(self) -> TaskSpec:
        rubric = load_rubric(self.rubric)
        unknown = [d for d in self.dimensions or [] if d not in rubric.dimension_ids]
        if unknown:
            raise ValueError(
                f"unknown dimension(s) {unknown} for rubric '{rubric.id}'; use some of {rubric.dimension_ids}"
            )
        return self

    @property
    def rubric_model(self) -> Rubric:
        return load_rubric(self.rubric)

    @property
    def dimension_ids(self) -> list[str]:
        return self.dimensions or self.rubric_model.dimension_ids


@cache
def load_task(name: str) -> TaskSpec:
    """A task by id (tasks/<id>.yaml) or path; checks that its source has the framework."""
    path, spec = load_named("tasks", name, TaskSpec)
    card = load_source_card(spec.source)
    framework = card.framework(spec.framework)
    if framework.items is None:
        raise InputError(
            path,
            f"{spec.source}/{spec.framework} releases no item text, so a judge cannot rate it",
            "choose a framework with text",
            where="field 'framework'",
        )
    known = sorted({r.id for r in framework.raters} | set(AGGREGATES))
    if spec.reference not in known:
        raise InputError(
            path,
            f"unknown reference '{spec.reference}'",
            f"use a rater of {spec.source}/{spec.framework} or a named aggregate: {', '.join(known)}",
            where="field 'reference'",
        )
    if framework.rubric != spec.rubric:
        raise InputError(
            path,
            f"the source rates {spec.framework} with rubric '{framework.rubric}'",
            f"set rubric: {framework.rubric}",
            where="field 'rubric'",
        )
    return spec


def task_ids() -> list[str]:
    return [p.stem for p in project_files("tasks")]
