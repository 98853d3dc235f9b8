"""Typed task and sample metadata (tasks/metadata.py): what the built-in tasks write, a round trip
through real inspect logs (mockllm, offline), and the refusals, each naming the log (and the
sample) and the field: a log without `kind` is no longer read as a rate log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog, EvalSpec, read_eval_log
from inspect_ai.model import ModelOutput, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver

from empathy_bench.core import kinds as registry
from empathy_bench.core.errors import InputError
from empathy_bench.core.kinds import Kind
from empathy_bench.pipeline.row import probe_of, task_of
from empathy_bench.runs.log import read_log
from empathy_bench.runs.pool import run_key
from empathy_bench.tasks.coach import coach
from empathy_bench.tasks.compare import compare
from empathy_bench.tasks.metadata import (
    CoachSampleMetadata,
    CoachTaskMetadata,
    CompareSampleMetadata,
    CompareTaskMetadata,
    RateSampleMetadata,
    RateTaskMetadata,
    TaskMetadata,
    sample_metadata,
    task_metadata,
)
from empathy_bench.tasks.rate import rate
from metadata_support import task_meta

# the keys every built-in task wrote before the metadata was typed (docs/architecture.md, "The log
# contract"): the typed models write the same, so older logs and the records' provenance still read
PROVENANCE = {
    "task",
    "task_version",
    "kind",
    "source",
    "framework",
    "reference",
    "judge",
    "judge_config_sha256",
    "baseline",
    "fitted_on",
    "price",
    "rubric_sha256",
    "prompt_sha256",
    "label_files_sha256",
    "items_sha256",
}
PROBE = {"probe", "probe_change", "probe_sha256"}

RATE = RateSampleMetadata(
    condition="ai",
    item_id="lae/7",
    framework="lend_an_ear",
    dimensions=["advice_giving", "self_oriented"],
    reference={"advice_giving": 2.0, "self_oriented": 4.5},
    supporter_words=17,
)
COMPARE = CompareSampleMetadata(
    condition=None,
    pair_id="p3",
    item_a="lae/1",
    item_b="lae/2",
    order="ba",
    criteria=["overall", "validation"],
    reference={"overall": "a", "validation": "tie"},
    gap=1.5,
    supporter_words={"A": 12, "B": 30},
)
TURNS = [{"speaker": "Seeker", "text": "I lost my job."}, {"speaker": "Supporter", "text": "That is hard."}]
COACH = CoachSampleMetadata(
    item_id="lae/9",
    framework="lend_an_ear",
    dimensions=["advice_giving"],
    reference={"advice_giving": 3.0},
    turns=TURNS,
    target="Supporter",
    supporter_words=3,
)
GRADING = {"targeted": "advice_giving", "turn": 1, "before": {"advice_giving": 2}, "after": {"advice_giving": 4}}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))


def _run(tmp_path: Path, *tasks: Task) -> list[EvalLog]:
    """The tasks run on mockllm, each log read back from its file (as the pipeline reads it)."""
    logs = eval(list(tasks), model=get_model("mockllm/model"), display="none", log_dir=str(tmp_path / "logs"))
    assert [log.status for log in logs] == ["success"] * len(tasks)
    return [read_eval_log(log.location) for log in logs]


def _task(name: str, meta: dict[str, Any], *samples: tuple[str, dict[str, Any]], then: Solver | None = None) -> Task:
    return Task(
        name=name,
        dataset=[Sample(id=sid, input="x", metadata=m) for sid, m in samples],
        solver=[answer()] + ([then] if then else []),
        metadata=meta,
    )


@solver
def answer() -> Solver:
    """A reply without a model call (offline: mockllm would count its tokens with a download)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.output = ModelOutput.from_content("mockllm/model", "ok")
        return state

    return solve


@solver
def grade() -> Solver:
    """What the coach task's grader does to the sample's metadata: adds `grading` during the run."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.metadata["grading"] = GRADING
        return state

    return solve


def test_every_kind_round_trips_through_a_real_log(tmp_path: Path) -> None:
    rate_meta = RateTaskMetadata(**task_meta("lend_an_ear"))
    compare_meta = CompareTaskMetadata(**task_meta("lend_an_ear_compare", "compare", probe="attribution"))
    coach_meta = CoachTaskMetadata(**task_meta("lend_an_ear_coach", "coach"))
    # the coach sample is written without `grading`: the grader's solver adds it (to one sample here)
    coach_written = COACH.model_dump(exclude={"grading"})
    assert "grading" not in coach_written
    logs = _run(
        tmp_path,
        _task("r", rate_meta.written(), ("s1", RATE.model_dump())),
        _task("c", compare_meta.written(), ("s1", COMPARE.model_dump())),
        _task("k", coach_meta.written(), ("graded", coach_written), then=grade()),
        _task("k2", coach_meta.written(), ("ungraded", coach_written)),
    )
    assert [task_metadata(log) for log in logs] == [rate_meta, compare_meta, coach_meta, coach_meta]
    assert [type(task_metadata(log)) for log in logs] == [
        RateTaskMetadata,
        CompareTaskMetadata,
        CoachTaskMetadata,
        CoachTaskMetadata,
    ]
    [r], [c], [graded], [ungraded] = (log.samples or [] for log in logs)
    assert sample_metadata(logs[0], r, RateSampleMetadata) == RATE
    assert sample_metadata(logs[1], c, CompareSampleMetadata) == COMPARE
    assert sample_metadata(logs[3], ungraded, CoachSampleMetadata) == COACH
    assert sample_metadata(logs[2], graded, CoachSampleMetadata) == COACH.model_copy(update={"grading": GRADING})
    # the probe's keys on the probe task's log, none on a plain run's
    assert PROBE <= set(logs[1].eval.metadata or {}) and not PROBE & set(logs[0].eval.metadata or {})
    assert (probe_of(logs[1]), probe_of(logs[0]), task_of(logs[2])) == ("attribution", "", "lend_an_ear_coach")


def test_the_built_in_tasks_write_the_keys_they_wrote_before() -> None:
    rated = rate(task="epitome", judge="builtin-lexicon", mode="per_dimension")
    probed = rate(task="lend_an_ear", judge="builtin-lexicon", probe="attribution")
    compared = compare(task="lend_an_ear_compare", judge="builtin-lexicon-compare")
    coached = coach(task="lend_an_ear_coach", coach="builtin-lexicon-coach")
    assert set(rated.metadata or {}) == PROVENANCE | {"mode", "unrated_by_reference"}
    assert set(probed.metadata or {}) == PROVENANCE | {"mode", "unrated_by_reference"} | PROBE
    compare_keys = {"criteria", "allow_tie", "pairs_without_reference", "tie_references_not_answerable"}
    assert set(compared.metadata or {}) == PROVENANCE | compare_keys
    coach_keys = {"grader", "grader_sha256", "grader_config_sha256", "grader_mode", "grader_price"}
    assert set(coached.metadata or {}) == PROVENANCE | coach_keys | {"scoring_sha256", "profile"}
    meta = task_metadata(rated)
    assert isinstance(meta, RateTaskMetadata)
    assert (meta.task, meta.kind, meta.judge, meta.mode, meta.probe) == (
        "epitome",
        "rate",
        "builtin-lexicon",
        "per_dimension",
        None,
    )
    assert (meta.task_version, meta.source, meta.framework, meta.price) == (1, "kumar2025", "epitome", "list")
    probe_meta = task_metadata(probed)
    assert (probe_meta.probe, probe_meta.probe_change, probed.name) == (
        "attribution",
        "attribution",
        "lend_an_ear_probe_attribution",
    )
    # the sample metadata is the kind's model's, key for key
    first = next(iter(rated.dataset))
    assert set(first.metadata or {}) == set(RateSampleMetadata.model_fields)
    assert first.metadata_as(RateSampleMetadata).framework == "epitome"


@pytest.fixture
def refused_logs(tmp_path: Path) -> tuple[EvalLog, EvalLog]:
    """Two real logs: one whose task metadata names no kind (as logs before `kind` was written),
    one of a rate task whose second sample's metadata lacks its item_id."""
    no_kind = {key: value for key, value in task_meta("epitome").items() if key != "kind"}
    broken = RATE.model_dump()
    del broken["item_id"]
    return tuple(  # type: ignore[return-value]
        _run(
            tmp_path,
            _task("no_kind", no_kind, ("s1", RATE.model_dump())),
            _task("bad_sample", task_meta("epitome"), ("fine", RATE.model_dump()), ("broken", broken)),
        )
    )


def test_a_log_without_kind_is_refused_naming_the_log(refused_logs: tuple[EvalLog, EvalLog]) -> None:
    log, _ = refused_logs
    path = log.location.removeprefix("file://")
    for read in (read_log, task_of, task_metadata):
        with pytest.raises(InputError) as err:
            read(log)
        assert err.value.source == path  # the log file, not a guess that it is a rate log
        assert "'kind': Field required" in err.value.problem
        assert "re-run it" in err.value.fix


def test_a_sample_missing_a_field_is_refused_naming_the_log_and_the_sample(
    refused_logs: tuple[EvalLog, EvalLog],
) -> None:
    _, log = refused_logs
    assert task_of(log) == "epitome"  # the task metadata is fine
    with pytest.raises(InputError) as err:
        read_log(log)
    assert err.value.source == log.location.removeprefix("file://")
    assert "sample broken (epoch 1)" in err.value.problem and "'item_id': Field required" in err.value.problem


def _header(meta: dict[str, Any]) -> EvalLog:
    spec = EvalSpec.model_construct(task="t", model="m", metadata=meta)
    return EvalLog.model_construct(eval=spec, location="file:///runs/t.eval")


def test_a_key_a_built_in_kind_does_not_write_is_refused() -> None:
    with pytest.raises(InputError) as err:
        task_metadata(_header(task_meta("epitome") | {"temperature": 0}))
    assert err.value.source == "/runs/t.eval"
    assert "rate task metadata" in err.value.problem and "'temperature': Extra inputs are not permitted" in str(
        err.value
    )


def test_a_probe_names_all_three_of_its_keys() -> None:
    half = {k: v for k, v in task_meta("lend_an_ear", probe="attribution").items() if k != "probe_sha256"}
    with pytest.raises(InputError) as err:
        task_metadata(_header(half))
    assert "probe, probe_change and probe_sha256 together" in err.value.problem


def test_a_log_written_before_the_probe_key_was_renamed_reads_the_same() -> None:
    # logs of earlier versions say `probe_kind`; the value is the same, under its old name
    written = task_meta("lend_an_ear", probe="attribution")
    old = {("probe_kind" if key == "probe_change" else key): value for key, value in written.items()}
    assert "probe_kind" in old and "probe_change" not in old
    assert task_metadata(_header(old)) == task_metadata(_header(written))
    assert task_metadata(_header(old)).probe_change == "attribution"


def test_a_registered_kind_keeps_its_own_keys() -> None:
    # as tests/kinds/test_toy_kind.py writes it, with one key of the kind's own; a kind that
    # registers no model of its own is read with TaskMetadata
    header = _header({"task": "turns", "judge": "toy", "kind": "count", "fitted_on": [], "scale": 3})
    with pytest.raises(InputError) as unknown:
        task_metadata(header)
    assert "its kind 'count' is not a registered task kind" in unknown.value.problem
    assert "install the package that declares the task kind 'count'" in unknown.value.fix
    rate = registry.kind("rate")
    registry.register(Kind("count", rate.spec, rate.build, rate.read, rate.rows))
    try:
        meta = task_metadata(header)
    finally:
        registry.unregister("count")
    assert type(meta) is TaskMetadata
    assert (meta.task, meta.kind, meta.judge, meta.probe, meta.price, meta.model_extra) == (
        "turns",
        "count",
        "toy",
        None,
        "list",
        {"scale": 3},
    )


def test_a_task_to_run_without_kind_is_refused_naming_it() -> None:
    with pytest.raises(InputError) as err:
        run_key(Task(name="mine", dataset=[Sample(input="x")], metadata={"task": "epitome", "judge": "j"}))
    assert err.value.source == "task mine" and "'kind': Field required" in err.value.problem


def test_a_layout_the_rate_task_does_not_know_is_refused() -> None:
    with pytest.raises(InputError) as err:
        rate(task="epitome", judge="builtin-lexicon", mode="per_item")
    assert err.value.source == "-T mode" and "'per_item' is not a layout" in err.value.problem
