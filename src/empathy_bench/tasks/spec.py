"""Task files (tasks/*.yaml): one benchmark slice = a label source + a rubric (+ dimensions) +
a reference rater + a kind. Data only: the inspect task of each kind is in its own module
(`rate.py`, `compare.py`, `coach.py`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import ClassVar, Literal, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from empathy_bench.candidates.judge import CandidateKind, Judge, load_coach, load_judge
from empathy_bench.candidates.prompt import Mode
from empathy_bench.core.errors import InputError
from empathy_bench.core.kinds import kinds
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
    """What every task file holds, whatever its kind. Each kind's file model is a subclass with
    `kind: Literal[<its name>]` and its own fields (`RateTask`, `CompareTask`, `CoachTask`, or a
    registered kind's: core/kinds.py), so a task carries only the fields its kind reads;
    `load_task` picks the model by the file's `kind` (rate when it names none)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    title: str
    description: str = ""
    kind: str = "rate"
    source: str | None = None  # label source id (human_labels/<id>.yaml) ...
    labels: OwnLabels | None = None  # ... or a team's own label files
    framework: str  # the source's framework whose items and ratings are used
    rubric: str
    dimensions: list[str] | None = None  # None: every dimension of the rubric
    # The rater the judge is compared with: a rater id of the source or a named aggregate
    # (`experts` = median of the expert group, as in Kumar et al.).
    reference: str = "experts"
    # whether `empathy-bench run` without --task runs it (false: only by name, `--task <id>`)
    default_run: bool = True

    @model_validator(mode="before")
    @classmethod
    def _fields_of_its_kind(cls, data: object, info: ValidationInfo) -> object:
        """A field of another kind (a rate task's `grader`) is refused with the kind it belongs
        to, rather than pydantic's bare "extra inputs are not permitted"."""
        if not isinstance(data, dict) or cls is TaskSpec:
            return data
        for name in data:
            owners = [k.name for k in kinds() if name in k.spec.model_fields and name not in cls.model_fields]
            if owners:
                what = f"'{name}' is a field for {' and '.join(owners)} tasks, not for {data.get('kind', 'rate')} tasks"
                fix = f"remove it, or set kind: {owners[0]}"
                if info.context and "path" in info.context:
                    raise InputError(info.context["path"], what, fix, where=f"field '{name}'")
                raise ValueError(f"{what}: {fix}")
        return data

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
        if self.labels and not self.labels_enough(self.labels):
            raise ValueError(self.labels_needed)
        return self

    # what a task of this kind on a team's own labels needs (the kinds override both)
    labels_needed: ClassVar[str] = "a task on your own labels needs labels.ratings"

    def labels_enough(self, labels: OwnLabels) -> bool:
        return labels.ratings is not None

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
        return self

    @property
    def rubric_model(self) -> Rubric:
        return load_rubric(self.rubric)

    @property
    def dimension_ids(self) -> list[str]:
        return self.dimensions or self.rubric_model.dimension_ids

    # --- what differs by kind and needs only the task file (each kind's model overrides) ---

    @property
    def is_outcome(self) -> bool:
        """Whether its figures are correlations with an outcome, not agreement (rate tasks only)."""
        return False

    def probe_applies(self, change: str) -> bool:
        """Whether a probe making that change (ProbeSpec.change: attribution, length) is measured
        on this task."""
        return False

    def record_fields(self, meta: dict[str, object]) -> dict[str, object]:
        """What a run record's `task` holds beyond the fields every kind has (`meta`: the log's
        task metadata)."""
        return {"mode": None}

    @property
    def derived_preferences(self) -> bool:
        """Whether its reference choices are this project's, derived from ratings (compare tasks)."""
        return False

    def board_fields(self) -> dict[str, object]:
        """What the leaderboard's `tasks` entry holds beyond the fields every kind has."""
        return {}

    def check_source(self, path: Path, framework: FrameworkSpec) -> None:
        """Checks of the task against its source's framework that depend on the kind."""

    # which candidate files run it: judges of its kind (`--judge`), or coaches (`--coach`)
    candidate_option: ClassVar[str] = "judge"

    def load_candidate(self, name: str) -> Judge:
        """A candidate of this task's kind by id, path or model string."""
        return load_judge(name, cast(CandidateKind, self.kind))

    @property
    def judges_pairs(self) -> bool:
        """Whether a sample shows two items (a probe's conditions label both)."""
        return False


class RateTask(TaskSpec):
    # a rating per item and dimension
    kind: Literal["rate"] = "rate"
    # one sample per (item, dimension), or one per item
    mode: Mode = "per_dimension"
    # --- outcome tasks ---
    # `client_care`: the judge rates the task's rubric, a construct other than the one the reference
    # answered (e.g. Lend an Ear on conversations whose clients answered CARE); the figures are the
    # Spearman of the judge's overall score with the reference's own score (the client's CARE score)
    # and readiness changes, never agreement (no QWK, no ceiling): pipeline/recipient_rows.py
    outcome: Literal["client_care"] | None = None

    labels_needed: ClassVar[str] = "a rate task on your own labels needs labels.ratings"

    @model_validator(mode="after")
    def _outcome_needs(self) -> RateTask:
        if self.outcome and self.source is None:
            raise ValueError("'outcome' is for rate tasks on a label source card (kind: rate, source: <id>)")
        rubric = load_rubric(self.rubric)
        # an outcome task correlates the overall score, which needs every dimension of the rubric
        if self.outcome and (
            rubric.overall is None or set(self.dimensions or rubric.dimension_ids) != set(rubric.dimension_ids)
        ):
            raise ValueError(f"'outcome' needs a rubric with an overall score, every dimension rated ('{rubric.id}')")
        return self

    @property
    def is_outcome(self) -> bool:
        return self.outcome is not None

    def probe_applies(self, change: str) -> bool:
        return not self.outcome  # no probe is measured against an outcome

    def record_fields(self, meta: dict[str, object]) -> dict[str, object]:
        return {"mode": meta.get("mode", self.mode)}


class CompareTask(TaskSpec):
    # a choice between two items per criterion, every pair in both orders
    kind: Literal["compare"]
    # what the judge chooses on: `overall` (the rubric's overall score) or rubric dimensions
    criteria: list[str] = ["overall"]
    allow_tie: bool = True  # whether `tie` is an answer the judge may give
    # Form the pairs within groups of items (an item metadata field, or `opener`: the text of
    # the first turn) and derive every rater's choices from its own ratings (our construction).
    # Unset: the pairs and choices are the source's released preferences.
    pairs_within: str | None = None
    # how the criterion is put to the judge, when the rubric's own words do not fit the items
    criterion_question: str | None = None

    labels_needed: ClassVar[str] = (
        "a compare task on your own labels needs labels.preferences, or pairs_within with ratings"
    )

    def labels_enough(self, labels: OwnLabels) -> bool:
        return bool(labels.preferences or self.pairs_within)

    @model_validator(mode="after")
    def _known_criteria(self) -> CompareTask:
        rubric = load_rubric(self.rubric)
        allowed = rubric.dimension_ids + (["overall"] if rubric.overall else [])
        bad = [c for c in self.criteria if c not in allowed]
        if bad or not self.criteria:
            raise ValueError(f"unknown criteria {bad}: use some of {allowed}")
        return self

    def probe_applies(self, change: str) -> bool:
        return change == "attribution"  # a pair has no single supporter to lengthen

    @property
    def judges_pairs(self) -> bool:
        return True

    @property
    def derived_preferences(self) -> bool:
        return self.pairs_within is not None

    def check_source(self, path: Path, framework: FrameworkSpec) -> None:
        if self.pairs_within is None and not framework.preferences:
            raise InputError(
                path,
                f"{self.source}/{self.framework} releases no preferences",
                "set pairs_within (pairs within a group, choices derived from ratings) or choose a source with "
                "preferences",
                where="field 'pairs_within'",
            )


class CoachTask(TaskSpec):
    # feedback on each item, checked against the reference's profile
    kind: Literal["coach"]
    # how the grader rates (one sample per (item, dimension) or per item), where its judge file does not say
    mode: Mode = "per_dimension"
    # where a reference rating makes a dimension a problem or a strength (our construction)
    profile: ProfileThresholds = ProfileThresholds()
    # the words of improvements (quote, rewrite, why) a coach may spend in the length-matched F1
    word_budget: int = Field(100, ge=1)
    # the judge (evals/judges) that re-rates a conversation after a coach's rewrite; its own
    # agreement with the humans is on the rate task's leaderboard (`--grader` overrides it)
    grader: str = "builtin-lexicon"

    labels_needed: ClassVar[str] = "a coach task on your own labels needs labels.ratings (the experts' profile)"
    candidate_option: ClassVar[str] = "coach"

    def load_candidate(self, name: str) -> Judge:
        return load_coach(name)

    def record_fields(self, meta: dict[str, object]) -> dict[str, object]:
        return {"mode": None, "profile": self.profile.model_dump(), "grader": self.grader}

    def board_fields(self) -> dict[str, object]:
        return {"grader": self.grader, "profile": self.profile.model_dump()}


K = TypeVar("K", bound=TaskSpec)


@cache
def load_task(name: str) -> TaskSpec:
    """A task by id (tasks/<id>.yaml) or path; checks that its source has the framework."""
    path, spec = load_named("tasks", name, _task_model(name))
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
    spec.check_source(path, framework)
    known = sorted(set(framework.rater_ids) | set(AGGREGATES))
    if spec.reference not in known:
        raise InputError(
            path,
            f"unknown reference '{spec.reference}'",
            f"use a rater of {spec.source}/{spec.framework} or a named aggregate: {', '.join(known)}",
            where="field 'reference'",
        )
    if isinstance(spec, RateTask) and spec.outcome is not None:
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


def as_kind(spec: TaskSpec, model: type[K]) -> K:
    """The task as its kind's model. A task of another kind here is the caller's bug (a kind's
    code runs only on its own tasks; a user's mismatch is refused before, naming the file)."""
    if not isinstance(spec, model):
        raise TypeError(f"task {spec.id} is a {spec.kind} task, not a {model.__name__}")
    return spec


def _task_model(name: str) -> type[TaskSpec]:
    """The file model of a task file's kind (`kind` unset: rate), from the registry."""
    path, head = load_named("tasks", name, _KindOnly)
    registered = {k.name: k.spec for k in kinds()}
    if head.kind not in registered:
        raise InputError(
            path, f"unknown kind '{head.kind}'", f"use one of: {', '.join(registered)}", where="field 'kind'"
        )
    model = registered[head.kind]
    assert issubclass(model, TaskSpec), f"kind {head.kind}'s spec must be a TaskSpec"
    return model


class _KindOnly(BaseModel):
    """A task file read for its kind alone (the rest is read by the kind's model)."""

    model_config = ConfigDict(extra="allow")
    kind: str = "rate"


def _outcome_checked(path: Path, spec: RateTask, framework: FrameworkSpec) -> TaskSpec:
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
