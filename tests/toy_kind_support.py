"""A fourth task kind, defined here and nowhere in the package: `count`, where the judge answers
how many turns a conversation has (tests/kinds/). A test registers it in its own process
(`registry.register(COUNT)`), or declares it through an entry point of a temporary distribution
(`count = toy_kind_support:COUNT`) so every process sees it, spawned shards included.

Three conversations of 2, 2 and 3 turns, and a judge answering "2" every time: right on two of
them, so the accuracy is 2/3 and the mean absolute error (0 + 0 + 1) / 3 = 1/3, over n = 3 items."""

from __future__ import annotations

import shutil
from collections import Counter
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
from empathy_bench.core.project import project_dir
from empathy_bench.pipeline.row import Row, rater_type_of
from empathy_bench.runs.execute import RunOptions
from empathy_bench.runs.log import read_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.spec import OwnLabels, TaskSpec

TEXTS = [
    "Seeker: I lost my job today.\nSupporter: That sounds hard.",
    "Seeker: My dog died.\nSupporter: I'm so sorry.",
    "Seeker: I failed the exam.\nSupporter: That stings.\nSeeker: It does.",
]
JUDGE = "toy-twos"
TASK_FILE = (
    "id: turns\nversion: 1\ntitle: Turns\nkind: count\nframework: lend_an_ear\nrubric: lend_an_ear\n"
    "labels: {items: data/items.csv}\n"
)


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
        agreement = Statistics(task=spec.id, rater=summary.judge, rater_type=rater_type_of(summary), stats=stats)
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


def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the repository's rubrics, label cards and candidates, and one task
    file of kind count (`turns`) over the three conversations; EMPATHY_BENCH_HOME points at it."""
    home = tmp_path / "project"
    for folder in ("rubrics", "human_labels", "evals"):
        shutil.copytree(project_dir() / folder, home / folder)
    (home / "tasks").mkdir()
    (home / "data").mkdir()
    items = [{"item_id": f"c{i}", "framework": "lend_an_ear", "text": t} for i, t in enumerate(TEXTS)]
    pd.DataFrame(items).to_csv(home / "data" / "items.csv", index=False)
    (home / "tasks" / "turns.yaml").write_text(TASK_FILE, encoding="utf-8")
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    return home


def distribution(
    root: Path,
    package: str,
    declared: dict[str, str],
    modules: dict[str, str] | None = None,
    inspect_ai: str | None = None,
) -> Path:
    """An installed distribution as importlib.metadata finds it on sys.path: `root/<package>-0.1.dist-info`
    with its METADATA and an entry_points.txt declaring `declared` (kind name -> "module:attribute")
    in the group empathy_bench.kinds, and, given `inspect_ai` (a module), inspect's own entry point
    `<package> = <module>`; `modules` (dotted name -> source) beside it. `root` goes on sys.path."""
    info = root / f"{package}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1\n", encoding="utf-8")
    points = "".join(f"{name} = {value}\n" for name, value in declared.items())
    inspect_point = f"\n[inspect_ai]\n{package} = {inspect_ai}\n" if inspect_ai else ""
    (info / "entry_points.txt").write_text(f"[{registry.GROUP}]\n{points}{inspect_point}", encoding="utf-8")
    for name, text in (modules or {}).items():
        path = root / f"{name.replace('.', '/')}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
