"""What a run record says of its task (`RunRecord.task`) and of its candidate's fitting on the
task's items: resolved from the task files when the record is written, and the only source the
board has for them (it reads no task file, so an edited title reaches the board through a run)."""

from __future__ import annotations

from pydantic import BaseModel

from empathy_bench.tasks.labels import human_rows
from empathy_bench.tasks.spec import TaskSpec, load_task


class HumanRowFacts(BaseModel):
    """A human row of the task as its source card names and explains it (the board's legend)."""

    label: str
    role: str
    about: str


class TaskFacts(BaseModel):
    """What the board says about a task, as the task file said when the record was written: the
    board reads these, never the task file, so editing a title changes the board only by a run."""

    id: str
    version: int
    title: str
    description: str
    kind: str
    source: str  # the label source's id, or `own` for a team's own labels
    framework: str
    reference: str
    dimensions: list[str]  # the dimension ids the task rates, in its rubric's order (or its own list's)
    derived_preferences: bool  # a compare task's reference choices are this project's, derived from ratings
    human_rows: list[
        HumanRowFacts
    ]  # the task's human rows other than the ceiling (those without a record are not shown)
    mode: str | None = None  # how a rate task's judge was asked (per dimension or per item); None for other kinds
    kind_fields: dict[str, object] = {}  # what the kind records beyond these (TaskSpec.record_fields: a coach's grader)
    board_fields: dict[str, object] = {}  # what the kind adds to the board's task entry (TaskSpec.board_fields)


def facts_of(spec: TaskSpec, meta: dict[str, object]) -> TaskFacts:
    """The task's facts for its records (`meta`: the log's task metadata, or {} for a row with no run)."""
    recorded = spec.record_fields(meta)
    return TaskFacts(
        id=spec.id,
        version=spec.version,
        title=spec.title,
        description=spec.description,
        kind=spec.kind,
        source=spec.source_name,
        framework=spec.framework,
        reference=spec.reference,
        dimensions=spec.dimension_ids,
        derived_preferences=spec.derived_preferences,
        human_rows=[HumanRowFacts(label=h.label, role=h.role, about=h.about) for h in human_rows(spec)],
        mode=_text_or_none(recorded.get("mode")),
        kind_fields={k: v for k, v in recorded.items() if k != "mode"},
        board_fields=spec.board_fields(),
    )


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def fitted_on_its_items(spec: TaskSpec, fitted: object) -> bool:
    """Whether a candidate fitted on the tasks `fitted` (its judge file's `fitted_on`) was fitted on
    this task's items: the task itself, or any task on the same source and framework (a rate judge
    fitted on Lend an Ear's conversations is fitted on the pairs made of them too). Resolved when
    the record is written, as the task files say then."""
    if not isinstance(fitted, list):
        return False
    here = (spec.source_name, spec.framework)
    return any(t == spec.id or _items_of(str(t)) == here for t in fitted)


def _items_of(task: str) -> tuple[str, str]:
    spec = load_task(task)
    return spec.source_name, spec.framework
