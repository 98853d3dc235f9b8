"""Task files (tasks/*.yaml): one benchmark slice = a label source + a rubric (+ dimensions) +
a reference rater + a kind. Data only: the inspect task of each kind is in its own module
(`rate.py`, `compare.py`, `coach.py`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from empathy_bench.candidates.prompt import Mode
from empathy_bench.core.errors import InputError
from empathy_bench.core.models import FileModel
from empathy_bench.core.paths import file_id, relative_path
from empathy_bench.core.project import load_named, project_files
from empathy_bench.sources.card import FrameworkSpec, load_source_card
from empathy_bench.sources.labels import AGGREGATES
from empathy_bench.sources.profile import ProfileThresholds
from empathy_bench.sources.rubric import Rubric, load_rubric
from empathy_bench.sources.user_labels import HUB_PREFIX, hub_address


class OwnLabels(FileModel):
    """A team's own labels in the canonical formats (see the README): each a CSV or JSONL path
    relative to the project folder, or a Hugging Face dataset `hf:<repo id>[@<revision>][:<split>]`."""

    items: str
    ratings: str | None = None
    preferences: str | None = None

    @field_validator("items", "ratings", "preferences")
    @classmethod
    def _inside_the_project(cls, name: str | None) -> str | None:
        """A local path stays inside the project folder (no absolute path, no '..'); so does a
        Hub address's repo part. Links out of the folder are refused when the files are read."""
        if name is None:
            return None
        if name.startswith(HUB_PREFIX):
            relative_path(hub_address(name)[0])
            return name
        return relative_path(name)


class TaskSpec(FileModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    title: str
    description: str = ""
    # rate: a rating per item and dimension; compare: a choice between two items per criterion,
    # every pair in both orders; coach: feedback on each item, checked against the reference's profile
    kind: Literal["rate", "compare", "coach"] = "rate"
    source: str | None = None  # label source id (human_labels/<id>.yaml) ...
    labels: OwnLabels | None = None  # ... or a team's own label files
    framework: str  # the source's framework whose items and ratings are used
    rubric: str
    dimensions: list[str] | None = None  # None: every dimension of the rubric
    # The rater the judge is compared with: a rater id of the source or a named aggregate
    # (`experts` = median of the expert group, as in Kumar et al.).
    reference: str = "experts"
    # one sample per (item, dimension), or one per item (coach tasks: how the grader rates, where
    # its judge file does not say)
    mode: Mode = "per_dimension"
    # --- compare tasks ---
    # what the judge chooses on: `overall` (the rubric's overall score) or rubric dimensions
    criteria: list[str] = ["overall"]
    allow_tie: bool = True  # whether `tie` is an answer the judge may give
    # Form the pairs within groups of items (an item metadata field, or `opener`: the text of
    # the first turn) and derive every rater's choices from its own ratings (our construction).
    # Unset: the pairs and choices are the source's released preferences.
    pairs_within: str | None = None
    # how the criterion is put to the judge, when the rubric's own words do not fit the items
    criterion_question: str | None = None
    # --- coach tasks ---
    # where a reference rating makes a dimension a problem or a strength (our construction)
    profile: ProfileThresholds = ProfileThresholds()
    # the words of improvements (quote, rewrite, why) a coach may spend in the length-matched F1
    word_budget: int = Field(100, ge=1)
    # the judge (evals/judges) that re-rates a conversation after a coach's rewrite; its own
    # agreement with the humans is on the rate task's leaderboard (`--grader` overrides it)
    grader: str = "builtin-lexicon"
    # whether `empathy-bench run` without --task runs it (false: only by name, `--task <id>`)
    default_run: bool = True
    # --- outcome tasks (kind rate) ---
    # `client_care`: the judge rates the task's rubric, a construct other than the one the reference
    # answered (e.g. Lend an Ear on conversations whose clients answered CARE); the figures are the
    # Spearman of the judge's overall score with the reference's own score (the client's CARE score)
    # and readiness changes, never agreement (no QWK, no ceiling): pipeline/recipient_rows.py
    outcome: Literal["client_care"] | None = None

    @field_validator("source", "rubric")
    @classmethod
    def _ids_in_a_file(cls, name: str | None, info: ValidationInfo) -> str | None:
        """A task file names its source and rubric by id, never by a path (which would load any
        YAML file, inside the project or not); Python callers may still pass a path."""
        if name is not None and info.context and "path" in info.context:  # read from a file (load_model)
            file_id(name)
        return name

    @model_validator(mode="after")
    def _one_source(self) -> TaskSpec:
        if (self.source is None) == (self.labels is None):
            raise ValueError("give either 'source' (a label source card) or 'labels' (your own files), not both")
        if self.labels and self.kind == "rate" and not self.labels.ratings:
            raise ValueError("a rate task on your own labels needs labels.ratings")
        if self.labels and self.kind == "coach" and not self.labels.ratings:
            raise ValueError("a coach task on your own labels needs labels.ratings (the experts' profile)")
        if self.labels and self.kind == "compare" and not (self.labels.preferences or self.pairs_within):
            raise ValueError("a compare task on your own labels needs labels.preferences, or pairs_within with ratings")
        if self.outcome and (self.kind != "rate" or self.source is None):
            raise ValueError("'outcome' is for rate tasks on a label source card (kind: rate, source: <id>)")
        return self

    @property
    def source_name(self) -> str:
        """The label source's id, or `own` for a team's own labels."""
        return self.source or "own"

    @model_validator(mode="after")
    def _known_dimensions(self) -> TaskSpec:
        rubric = load_rubric(self.rubric)
        unknown = [d for d in self.dimensions or [] if d not in rubric.dimension_ids]
        if unknown:
            raise ValueError(
                f"unknown dimension(s) {unknown} for rubric '{rubric.id}'; use some of {rubric.dimension_ids}"
            )
        allowed = rubric.dimension_ids + (["overall"] if rubric.overall else [])
        bad = [c for c in self.criteria if c not in allowed]
        if self.kind == "compare" and (bad or not self.criteria):
            raise ValueError(f"unknown criteria {bad}: use some of {allowed}")
        # an outcome task correlates the overall score, which needs every dimension of the rubric
        if self.outcome and (
            rubric.overall is None or set(self.dimensions or rubric.dimension_ids) != set(rubric.dimension_ids)
        ):
            raise ValueError(f"'outcome' needs a rubric with an overall score, every dimension rated ('{rubric.id}')")
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
    if spec.source is None:  # own labels: their files are checked when read (and by `validate`)
        return spec
    card = load_source_card(spec.source)
    framework = card.framework(spec.framework)
    if framework.items is None:
        raise InputError(
            path,
            f"{spec.source}/{spec.framework} releases no item text, so a judge cannot rate it",
            "choose a framework with text",
            where="field 'framework'",
        )
    if spec.kind == "compare" and spec.pairs_within is None and not framework.preferences:
        raise InputError(
            path,
            f"{spec.source}/{spec.framework} releases no preferences",
            "set pairs_within (pairs within a group, choices derived from ratings) or choose a source with preferences",
            where="field 'pairs_within'",
        )
    known = sorted(set(framework.rater_ids) | set(AGGREGATES))
    if spec.reference not in known:
        raise InputError(
            path,
            f"unknown reference '{spec.reference}'",
            f"use a rater of {spec.source}/{spec.framework} or a named aggregate: {', '.join(known)}",
            where="field 'reference'",
        )
    if spec.outcome is not None:
        return _outcome_checked(path, spec, framework)
    if framework.rubric != spec.rubric:
        raise InputError(
            path,
            f"the source rates {spec.framework} with rubric '{framework.rubric}'",
            f"set rubric: {framework.rubric} (or, to correlate another rubric's overall score with what the "
            "person supported reported, outcome: client_care)",
            where="field 'rubric'",
        )
    return spec


def _outcome_checked(path: Path, spec: TaskSpec, framework: FrameworkSpec) -> TaskSpec:
    """An outcome task's reference is the person supported (a rater of group `self`), whose own
    score and readiness change the judge's overall score is correlated with."""
    if not any(r.id == spec.reference and r.group == "self" for r in framework.raters):
        raise InputError(
            path,
            f"outcome: {spec.outcome} correlates with the person supported's own answers; '{spec.reference}' is not "
            f"a rater of group self of {spec.source}/{spec.framework}",
            "set reference to the self-report rater (e.g. client), or remove 'outcome'",
            where="field 'reference'",
        )
    return spec


def task_ids() -> list[str]:
    return [p.stem for p in project_files("tasks")]


def default_task_ids() -> list[str]:
    """The tasks a run without --task runs: every task but those with `default_run: false`."""
    return [t for t in task_ids() if load_task(t).default_run]
