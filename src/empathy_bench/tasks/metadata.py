"""The metadata a task writes into its inspect log and every later stage reads back, one pydantic
model per kind (inspect's "Typed Metadata"): the task's (`log.eval.metadata`) and each sample's.

A task module builds its model and passes `model_dump()` to inspect; a reader goes through
`task_metadata(log)` and `sample_metadata(log, sample, Model)` (a scorer through
`state.metadata_as(Model)`). A log whose metadata does not validate is refused, naming the log (and
the sample) and the fields that failed; nothing is guessed (a log without `kind` is not a rate
log). Pydantic models only, so the runs and pipeline stages import them without the task builders.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, TypeVar

from inspect_ai import Task
from inspect_ai.log import EvalLog, EvalSample
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from empathy_bench.candidates.prompt import Mode
from empathy_bench.core.errors import InputError
from empathy_bench.core.kinds import kind
from empathy_bench.sources.profile import ProfileThresholds

M = TypeVar("M", bound=BaseModel)

# How a candidate's tokens are priced (Judge.pricing): its file's own {input_per_million,
# output_per_million} in USD, `unknown` (a server at base_url without a price) or `list`
# (litellm's price table; also what a log written before prices were recorded means)
Pricing = dict[str, float] | str
ProbeChange = Literal["attribution", "length"]  # a probe file's `change:` (tasks/probe.py)
FIXED = ConfigDict(extra="forbid", frozen=True)
PROBE_KEYS = ("probe", "probe_change", "probe_sha256")


class TaskMetadata(BaseModel):
    """What every task writes, whatever its kind, and what the stages read of any log: the task
    file, the kind, the candidate, how its tokens are priced and the probe it ran."""

    # Extra keys are allowed here, on the model a registered kind's log is read with (core/kinds.py):
    # such a kind may write keys of its own, which its own hooks read (`model_extra`). The built-in
    # kinds' models below forbid them: their keys are fixed.
    model_config = ConfigDict(extra="allow", frozen=True)

    task: str  # the task file's id
    kind: str  # no default: a log that does not say its kind is refused, never read as a rate log
    judge: str | None  # the judge's (coach's) id; None: the eval's --model with the kind's default prompt
    baseline: bool = False
    fitted_on: list[str] = []
    price: Pricing = "list"
    # a probe task's probe (evals/probes/<probe>.yaml), its change and its file's sha256; a plain
    # run's log has none of the three
    probe: str | None = None
    # logs written before the rename say `probe_kind`: the same value under its old name
    probe_change: ProbeChange | None = Field(default=None, validation_alias=AliasChoices("probe_change", "probe_kind"))
    probe_sha256: str | None = None

    def written(self) -> dict[str, Any]:
        """The metadata as the log keeps it: `model_dump()`, less the (None) probe keys on a plain
        run's, which its log never had: its keys, task version and cache scope stay as they were."""
        return self.model_dump(exclude=None if self.probe else set(PROBE_KEYS))

    @model_validator(mode="after")
    def _whole_probe(self) -> TaskMetadata:
        named = [getattr(self, key) is not None for key in PROBE_KEYS]
        if any(named) and not all(named):
            raise ValueError("a probe task names its probe, probe_change and probe_sha256 together")
        return self


class JudgeTaskMetadata(TaskMetadata):
    """What every built-in kind writes (tasks/binding.py `provenance`): what the run depends on,
    hashed, so a record shows what produced each number."""

    model_config = FIXED

    task_version: int
    source: str
    framework: str
    reference: str
    judge_config_sha256: str
    rubric_sha256: str
    prompt_sha256: str
    label_files_sha256: str
    items_sha256: str


class RateTaskMetadata(JudgeTaskMetadata):
    kind: Literal["rate"]
    mode: Mode
    unrated_by_reference: int  # (item, dimension) pairs left out: the reference has no rating


class CompareTaskMetadata(JudgeTaskMetadata):
    kind: Literal["compare"]
    criteria: list[str]
    allow_tie: bool
    pairs_without_reference: int
    tie_references_not_answerable: int


class CoachTaskMetadata(JudgeTaskMetadata):
    kind: Literal["coach"]
    grader: str  # the judge file that re-rates the first rewrite
    grader_sha256: str  # its reply fingerprint: the cache scope of its calls
    grader_config_sha256: str
    grader_mode: Mode
    grader_price: Pricing = "list"
    scoring_sha256: str  # the code that scores a reply (candidates/feedback.py, sources/quote.py)
    profile: ProfileThresholds


class RateSampleMetadata(BaseModel):
    model_config = FIXED

    condition: str | None  # a probe's condition, else None
    item_id: str
    framework: str
    dimensions: list[str]  # the dimensions the sample asks
    reference: dict[str, float]  # dimension -> the reference's rating (empty on an outcome task)
    supporter_words: int


class CompareSampleMetadata(BaseModel):
    model_config = FIXED

    condition: str | None
    pair_id: str
    item_a: str
    item_b: str
    order: Literal["ab", "ba"]  # ab: item_a is shown as conversation A
    criteria: list[str]
    reference: dict[str, str]  # criterion -> the reference's choice (a, b or tie)
    gap: float | None  # the reference's overall-score gap (None where the source has none)
    supporter_words: dict[Literal["A", "B"], int]


class CoachSampleMetadata(BaseModel):
    model_config = FIXED

    item_id: str
    framework: str
    dimensions: list[str]
    reference: dict[str, float]
    turns: list[dict[str, str]]
    target: str
    supporter_words: int
    # Not written with the sample: the grader's solver (tasks/coach.py `grade_rewrite`) adds it
    # during the run, when it graded a rewrite, and the scorer reads it back. A field of the model
    # (rather than a key beside it) so the scorer reads it typed like the rest; a plain dict, as
    # the grader's ratings are stored as they came (their shape is the grader's, not the log's).
    grading: dict[str, Any] | None = None


def task_metadata(of: EvalLog | Task) -> TaskMetadata:
    """The task metadata of a log (or of a task about to run) as its kind's model (a registered
    kind's: `TaskMetadata`); an InputError naming the log and the fields that failed when it does
    not validate."""
    if isinstance(of, Task):
        raw, source, fix = of.metadata or {}, f"task {of.name}", BUILD_FIX
    else:
        raw, source, fix = of.eval.metadata or {}, _log_name(of), LOG_FIX
    # inspect's EvalSpec has no metadata_as: validated here, whole (a built-in kind's extra key
    # is refused too), in two steps: the kind first, which says which model the rest is
    found = _validated(TaskMetadata, raw, source, "its task metadata", fix)
    model = _registered_model(found.kind, source)
    return found if model is None else _validated(model, raw, source, f"its {found.kind} task metadata", fix)


def _registered_model(name: str, source: str) -> type[TaskMetadata] | None:
    """The task metadata model the kind registered (core/kinds.py); a kind nobody registered is
    refused: its log cannot be measured here."""
    try:
        return kind(name).task_metadata
    except KeyError as err:
        fix = (
            f"install the package that declares the task kind '{name}' (its entry point in the group "
            "empathy_bench.kinds), then measure the log again"
        )
        raise InputError(source, f"its kind '{name}' is not a registered task kind ({err.args[0]})", fix) from None


def sample_metadata(log: EvalLog, sample: EvalSample, model: type[M]) -> M:
    """A sample's metadata as `model`, through inspect's `metadata_as`; an InputError naming the
    log, the sample and the fields that failed when it does not validate."""
    try:
        return sample.metadata_as(model)
    except ValueError as err:
        # inspect raises ValueError from the ValidationError (kept as the context): its fields
        cause = err.__context__ if isinstance(err.__context__, ValidationError) else err
        what = f"the metadata of sample {sample.id} (epoch {sample.epoch})"
        raise _refused(_log_name(log), what, cause) from None


def sample_unit(log: EvalLog, sample: EvalSample, unit: str) -> str | int:
    """The unit a sample of any kind is of (`item_id`, `pair_id`: the kind's `read` hook names the
    key), read as one-field metadata, so a registered kind's samples are read the same way."""
    return getattr(sample_metadata(log, sample, _unit_model(unit)), unit)


@cache
def _unit_model(unit: str) -> type[BaseModel]:
    fields: dict[str, Any] = {unit: (str | int, ...)}
    return create_model(f"SampleUnit_{unit}", __config__=ConfigDict(frozen=True), **fields)


def _validated(model: type[M], raw: dict[str, Any], source: str, what: str, fix: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise _refused(source, what, err, fix) from None


LOG_FIX = (
    "this log was not written by empathy-bench's tasks, or by an older version: re-run it "
    "(`empathy-bench run`) and measure the new log"
)
BUILD_FIX = "build the task with its kind's metadata model (empathy_bench.tasks.metadata)"


def _log_name(log: EvalLog) -> str:
    return log.location.removeprefix("file://") or f"the log of task {log.eval.task}"


def _refused(source: str, what: str, err: Exception, fix: str = LOG_FIX) -> InputError:
    """The refusal of metadata that does not validate: where it is, the fields and why."""
    if isinstance(err, ValidationError):
        fields = "; ".join(f"'{'.'.join(map(str, e['loc'])) or '(all)'}': {e['msg']}" for e in err.errors())
    else:
        fields = str(err)
    return InputError(source, f"{what} does not validate ({fields})", fix)
