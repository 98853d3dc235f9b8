"""A fourth task kind, defined and registered here, in the test module alone: `count`, where the
judge answers how many turns a conversation has. Its task file is loaded by the registry's model,
its inspect task is built and run by the pipeline (its judge answering "2" every time), its log is
read and measured by its own hooks, and its rows reach leaderboard.json and leaderboard.md through
the board's generic table, without a line of the other modules knowing the kind.

Three conversations of 2, 2 and 3 turns: "2" is right on two of them, so the accuracy is 2/3 and
the mean absolute error (0 + 0 + 1) / 3 = 1/3, over n = 3 items."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

import pandas as pd
import pytest
from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.log import EvalLog
from inspect_ai.model import ModelOutput, get_model
from inspect_ai.scorer import Score, Target, mean, scorer
from inspect_ai.solver import Generate, TaskState, solver

from empathy_bench.agreement.statistics import Stat, Statistics
from empathy_bench.core import kinds as registry
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.publish import write
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.pipeline.row import Row, kind_of
from empathy_bench.runs.execute import RunOptions
from empathy_bench.runs.log import read_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.spec import OwnLabels, TaskSpec, load_task

TEXTS = [
    "Seeker: I lost my job today.\nSupporter: That sounds hard.",
    "Seeker: My dog died.\nSupporter: I'm so sorry.",
    "Seeker: I failed the exam.\nSupporter: That stings.\nSeeker: It does.",
]
JUDGE = "toy-twos"


class CountTask(TaskSpec):
    """The count kind's task file: no fields beyond every task's."""

    kind: Literal["count"]
    labels_needed: ClassVar[str] = "a count task needs labels.items"

    def labels_enough(self, labels: OwnLabels) -> bool:
        return True  # the truth is in the items themselves


@scorer(metrics=[mean()])
def turn_count() -> Any:
    async def score(state: TaskState, target: Target) -> Score:
        answer = state.output.completion.strip()
        return Score(value=float(answer == target.text), answer=answer, metadata={"truth": int(target.text)})

    return score


@solver
def always_two() -> Any:
    """The toy judge: answers "2" whatever the conversation (offline; no model is called)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.output = ModelOutput.from_content("mockllm/model", "2")
        return state

    return solve


def build(name: str, spec: TaskSpec, options: RunOptions) -> list[Task]:
    """One task: every item asked once, answered by mockllm with "2"."""
    items = [(f"c{i}", text) for i, text in enumerate(TEXTS)]
    samples = [
        Sample(id=item_id, input=text, target=str(len(text.splitlines())), metadata={"item_id": item_id})
        for item_id, text in items
    ]
    meta = {"task": spec.id, "judge": JUDGE, "kind": spec.kind, "fitted_on": []}
    return [
        Task(
            name=spec.id,
            dataset=MemoryDataset(samples),
            solver=always_two(),
            scorer=turn_count(),
            model=get_model("mockllm/model"),
            metadata=meta,
        )
    ]


def read(log: EvalLog) -> tuple[pd.DataFrame, Counter[str], int, str]:
    """Each item's answer and truth."""
    rows = [
        {"item_id": s.metadata["item_id"], "answer": s.output.completion.strip(), "truth": int(str(s.target))}
        for s in log.samples or []
    ]
    return pd.DataFrame(rows).set_index("item_id").sort_index(), Counter(), len(rows), "item_id"


def rows(
    spec: TaskSpec, labels: LabelSet, mine: list[EvalLog], plain: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    found = []
    for log in mine:
        table, summary = read_log(log)
        error = (pd.to_numeric(table.answer, errors="coerce") - table.truth).abs()
        stats = [
            Stat(metric="accuracy", value=float((error == 0).mean()), n=len(table)),
            Stat(metric="mae", value=float(error.mean()), n=len(table)),
        ]
        agreement = Statistics(task=spec.id, rater=summary.judge, kind=kind_of(summary), stats=stats)
        found.append(Row(agreement, summary, log, summary.complete))
    return found


COUNT = registry.Kind(
    name="count",
    spec=CountTask,
    build=build,
    read=read,
    rows=rows,
    columns=(
        registry.StatColumn("accuracy", "accuracy", interval=False),
        registry.StatColumn("mae", "mean abs. error", lower_is_better=True, interval=False),
    ),
    title="turn count",
)


@pytest.fixture
def count_kind() -> Iterator[registry.Kind]:
    registry.register(COUNT)
    load_task.cache_clear()
    yield COUNT
    registry.unregister("count")
    load_task.cache_clear()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "project"
    for folder in ("rubrics", "human_labels", "evals"):
        shutil.copytree(project_dir() / folder, home / folder)
    (home / "tasks").mkdir()
    (home / "data").mkdir()
    items = [{"item_id": f"c{i}", "framework": "lend_an_ear", "text": t} for i, t in enumerate(TEXTS)]
    pd.DataFrame(items).to_csv(home / "data" / "items.csv", index=False)
    (home / "tasks" / "turns.yaml").write_text(
        "id: turns\nversion: 1\ntitle: Turns\nkind: count\nframework: lend_an_ear\nrubric: lend_an_ear\n"
        "labels: {items: data/items.csv}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    return home


def test_a_kind_registered_here_reaches_the_board(count_kind: registry.Kind, project: Path) -> None:
    assert isinstance(load_task("turns"), CountTask)
    options = RunOptions(tasks=["turns"], probes=[], log_dir=str(project / "logs"), display="none", shards=1)
    results = project / "results"
    run_pipeline(options, n_resamples=20, results_dir=results / "runs")
    write(results)
    board = json.loads((results / "leaderboard.json").read_text(encoding="utf-8"))
    table = board["kind_tables"]["count"]
    assert [c["metric"] for c in table["columns"]] == ["accuracy", "mae"]
    [row] = table["rows"]
    assert (row["task"], row["rater"], row["kind"], row["role"]) == ("turns", JUDGE, "run", "rater")
    assert row["accuracy"] == pytest.approx(2 / 3, abs=1e-6)
    assert row["mae"] == pytest.approx(1 / 3, abs=1e-6)
    assert row["accuracy_n"] == row["mae_n"] == 3
    assert board["tasks"]["turns"]["kind"] == "count"
    markdown = (results / "leaderboard.md").read_text(encoding="utf-8")
    assert "## turns (turn count, kind count)" in markdown
    assert f"| {JUDGE} | run | 0.67 (3) | 0.33 (3) |" in markdown
    assert "mean abs. error ↓" in markdown


def test_a_kind_unregistered_is_unknown_and_its_fields_are_refused(project: Path) -> None:
    """Without the registration the task file names a kind nobody knows; a built-in kind's task
    carrying another kind's field is refused naming the kind it belongs to."""
    load_task.cache_clear()
    with pytest.raises(InputError, match="unknown kind 'count'"):
        load_task("turns")
    (project / "tasks" / "bad.yaml").write_text(
        "id: bad\nversion: 1\ntitle: Bad\nkind: rate\nframework: lend_an_ear\nrubric: lend_an_ear\n"
        "labels: {items: data/items.csv, ratings: data/items.csv}\ngrader: builtin-lexicon\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="'grader' is a field for coach tasks, not for rate tasks") as caught:
        load_task("bad")
    assert "set kind: coach" in str(caught.value)
    load_task.cache_clear()
