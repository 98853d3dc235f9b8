"""The board reads the run records only (issue 21): what it says of a task (title, description,
dimension order, human rows, a coach task's grader) travels in each record's `task`, and whether a
candidate was fitted on a task's items in its `candidate`. With every loader of task, rubric,
source and candidate files made to fail, the board, its Markdown and its page are what they were;
editing a task's title in a project changes nothing until a run rewrites the records. A record of
an older schema is refused naming the file and the fix; `verify` compares a submitted record's
task facts with what this project's task files give."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from empathy_bench.cli import main
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.facts import fitted_on_its_items
from empathy_bench.leaderboard.fields import dimension_order, task_facts
from empathy_bench.leaderboard.markdown import markdown
from empathy_bench.leaderboard.page import render_page
from empathy_bench.leaderboard.publish import write
from empathy_bench.leaderboard.record import RECORD_SCHEMA_VERSION, RunRecord, read_records
from empathy_bench.pipeline.bundle.figures import check_records
from empathy_bench.pipeline.bundle.manifest import Difference, Manifest
from empathy_bench.pipeline.job import measure
from empathy_bench.runs.log import LogSummary
from empathy_bench.tasks.spec import load_task

R = 20  # resamples: the board's wording is under test, not its intervals
TASKS = ["epitome", "lend_an_ear_compare", "lend_an_ear_coach"]  # a rate, a compare and a coach task
INPUTS = ("tasks", "rubrics", "human_labels", "evals")
# every function that reads a task, rubric, source card, label or candidate file, by module
LOADERS = {
    "empathy_bench.core.project": ["load_model", "load_named", "find_file", "project_files"],
    "empathy_bench.tasks.spec": ["load_task", "task_ids"],
    "empathy_bench.tasks.labels": ["task_labels", "label_files", "human_rows", "recorded_raters"],
    "empathy_bench.sources.rubric": ["load_rubric"],
    "empathy_bench.sources.card": ["load_source_card"],
    "empathy_bench.sources.labels": ["load_source"],
    "empathy_bench.candidates.judge": ["load_judge", "load_coach"],
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the project's input folders, which the harness reads instead of the checkout's."""
    home = tmp_path / "project"
    for folder in INPUTS:
        shutil.copytree(project_dir() / folder, home / folder)
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    load_task.cache_clear()  # load_task caches by id: the checkout's tasks must not stand in
    yield home
    load_task.cache_clear()


def _record(results: Path) -> None:
    """What a run does once its judges finished, with no judge: the rows the labels alone give."""
    load_task.cache_clear()
    measure([], R, True, results / "runs", tasks=TASKS)


def _no_file_reads(monkeypatch: pytest.MonkeyPatch, data: Path) -> None:
    """Every loader fails wherever it was imported, and so does any read under the project's input
    folders or the label mirror: the board must need none of them."""
    for module_name, names in LOADERS.items():
        for name in names:
            original = getattr(sys.modules[module_name], name)

            def refuse(*args: object, _name: str = name, **kwargs: object) -> None:
                raise AssertionError(f"the board called {_name}{args}")

            for module in [m for n, m in sys.modules.items() if n.startswith("empathy_bench") and m]:
                if getattr(module, name, None) is original:
                    monkeypatch.setattr(module, name, refuse)
    guarded = [project_dir() / folder for folder in INPUTS] + [data]
    for method in ("read_text", "read_bytes", "open"):
        original_method = getattr(Path, method)

        def read(self: Path, *args: Any, _original: Any = original_method, **kwargs: Any) -> Any:
            if any(self.resolve().is_relative_to(g.resolve()) for g in guarded):
                raise AssertionError(f"the board read {self}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, read)


def test_the_board_is_the_same_with_every_loader_failing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_mirror: Path
) -> None:
    results = tmp_path / "results"
    _record(results)
    board = build(results)
    text, page = markdown(board), render_page(board)
    titles = {t: yaml.safe_load((project / "tasks" / f"{t}.yaml").read_text())["title"] for t in TASKS}
    _no_file_reads(monkeypatch, data_mirror)
    with pytest.raises(AssertionError, match="the board called load_task"):
        sys.modules["empathy_bench.tasks.spec"].load_task("epitome")  # the guard holds
    again = build(results)
    assert json.dumps(again, sort_keys=True) == json.dumps(board, sort_keys=True)
    assert markdown(again) == text and render_page(again) == page
    assert {t: again["tasks"][t]["title"] for t in TASKS} == titles
    # what the tables drew from the records: a coach task's grader and profile, the dimensions in
    # the rubric's order (Lend an Ear's six), the compare task's pairs from ratings, the legend
    coach = again["tasks"]["lend_an_ear_coach"]
    assert coach["grader"] == "builtin-lexicon" and coach["profile"]["problem_prescriptive_at_most"] == 2.0
    expert = [d["dimension"] for d in again["coach_by_dimension"] if d["rater"] == "human: expert (leave-one-out)"]
    assert expert == [
        "validating_emotions",
        "encouraging_elaboration",
        "demonstrating_understanding",
        "advice_giving",
        "self_oriented",
        "dismissing_emotions",
    ]
    assert again["tasks"]["lend_an_ear_compare"]["derived_preferences"] is True
    assert {r["reference_derived"] for r in again["preference"]} == {True}
    assert [h["label"] for h in again["tasks"]["epitome"]["human_rows"]] == ["human: original adjudicated label"]
    assert write(results) and (results / "leaderboard.md").read_text(encoding="utf-8") == text


def test_an_edited_title_reaches_the_board_only_through_a_run(project: Path, tmp_path: Path) -> None:
    results = tmp_path / "results"
    _record(results)
    write(results)
    before = {name: (results / name).read_bytes() for name in ("leaderboard.json", "leaderboard.md", "index.html")}
    old = build(results)["tasks"]["epitome"]["title"]
    task_file = project / "tasks" / "epitome.yaml"
    task_file.write_text(task_file.read_text().replace(f"title: {old}", "title: EPITOME, renamed"))
    load_task.cache_clear()
    assert load_task("epitome").title == "EPITOME, renamed"  # the project says so ...
    write(results)
    assert {name: (results / name).read_bytes() for name in before} == before  # ... the board does not
    _record(results)  # a run of the task rewrites its records
    write(results)
    assert json.loads((results / "leaderboard.json").read_text())["tasks"]["epitome"]["title"] == "EPITOME, renamed"
    assert {rec.task.title for _, rec in read_records(results / "runs") if rec.agreement.task == "epitome"} == {
        "EPITOME, renamed"
    }


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[RunRecord]:
    """The label rows of the three tasks, from the checkout's own task files."""
    results = tmp_path_factory.mktemp("results")
    load_task.cache_clear()
    return measure([], R, True, results / "runs", tasks=TASKS).records


def test_records_that_disagree_on_a_task_give_the_label_rows_facts(records: list[RunRecord]) -> None:
    """A judge's record left from before a title was edited (its log gone, so no run rewrote it)
    and the label rows a later run wrote: the label rows' facts stand, whatever the order; among
    records alike, the higher task version."""
    label = next(r for r in records if r.agreement.task == "epitome")
    stale = label.model_copy(update={"task": label.task.model_copy(update={"title": "old title"})})
    run = LogSummary(
        task="epitome", kind="rate", judge="tuned", model="litellm/openai/tuned", n_items=50, n_ratings=150
    )
    from_run = stale.model_copy(update={"run": run})
    assert task_facts([from_run, label])["epitome"].title == label.task.title
    assert task_facts([label, from_run])["epitome"].title == label.task.title
    newer = label.model_copy(update={"task": label.task.model_copy(update={"version": 2, "title": "v2"})})
    assert task_facts([label, newer])["epitome"].title == "v2"
    assert task_facts([newer, label])["epitome"].title == "v2"


def test_dimension_order_follows_the_records(records: list[RunRecord]) -> None:
    place = dimension_order(records)
    # EPITOME's rubric: emotional reactions, interpretations, explorations; anything else last
    dims = ("level_emotional_reactions", "level_interpretations", "level_explorations")
    assert [place("epitome", d) for d in dims] == [0, 1, 2]
    assert place("epitome", "overall_score") == 3
    assert place("no_such_task", "level_interpretations") == 0  # a task no record names has no order


def test_fitted_on_items_is_resolved_when_the_record_is_written() -> None:
    """A judge fitted on Lend an Ear's conversations (the rate task) is fitted on the pairs and the
    coach task made of them (same source and framework), not on EPITOME's posts."""
    assert fitted_on_its_items(load_task("lend_an_ear_compare"), ["lend_an_ear"]) is True
    assert fitted_on_its_items(load_task("lend_an_ear_coach"), ["lend_an_ear"]) is True
    assert fitted_on_its_items(load_task("epitome"), ["lend_an_ear"]) is False
    assert fitted_on_its_items(load_task("epitome"), ["epitome"]) is True
    assert fitted_on_its_items(load_task("epitome"), []) is False
    assert fitted_on_its_items(load_task("epitome"), None) is False  # a row with no run declares nothing


def test_a_record_of_another_schema_is_refused(
    records: list[RunRecord], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "results" / "runs" / "epitome" / "gpt-4o.json"
    path.parent.mkdir(parents=True)
    data = json.loads(next(r for r in records if r.agreement.task == "epitome").model_dump_json())
    data["schema_version"] = RECORD_SCHEMA_VERSION - 1
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        read_records(tmp_path / "results" / "runs")
    text = str(err.value)
    assert str(path) in text and f"schema {RECORD_SCHEMA_VERSION - 1}" in text and "re-run `empathy-bench run`" in text
    assert main(["leaderboard", "--results-dir", str(tmp_path / "results")]) == 2
    printed = capsys.readouterr().err
    assert "gpt-4o.json" in printed and "Traceback" not in printed and len(printed.strip().splitlines()) == 1
    data["schema_version"] = RECORD_SCHEMA_VERSION + 1  # written by a newer empathy-bench
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=f"schema {RECORD_SCHEMA_VERSION + 1}.*update empathy-bench"):
        read_records(tmp_path / "results" / "runs")
    del data["schema_version"]  # no version at all: as old as can be
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="with no schema_version.*re-run `empathy-bench run`"):
        read_records(tmp_path / "results" / "runs")


def test_verify_names_a_task_fact_a_submitted_record_changed(records: list[RunRecord]) -> None:
    """`verify` recomputes each bundled record; the task facts and the fitting it says are what the
    board shows, so they are checked against this project's task files like its figures."""
    label = next(r for r in records if r.agreement.task == "epitome" and r.agreement.rater == "gpt-4o")
    retitled = label.model_copy(update={"task": label.task.model_copy(update={"title": "Best judge ever"})})
    fitted = label.model_copy(update={"candidate": label.candidate | {"fitted_on_items": True}})
    found = {}
    for name, rec in (("as_written", label), ("retitled", retitled), ("fitted", fitted)):
        diffs: list[Difference] = []
        check_records(
            [(Path("records/epitome/gpt-4o.json"), rec)], Path("records"), _manifest(), {}, ["epitome"], diffs
        )
        found[name] = [d.line() for d in diffs]
    assert found["as_written"] == []
    title = json.dumps(label.task.title)
    assert found["retitled"] == [f'record epitome/gpt-4o.json task.title: expected {title}, found "Best judge ever"']
    assert found["fitted"] == ["record epitome/gpt-4o.json fitted_on_items: expected false, found true"]


def _manifest() -> Manifest:
    """A manifest as `export` writes one, of which check_records reads the resamples and `recorded`."""
    return Manifest(
        harness_version="0.test",
        git_revision="0" * 40,
        python="3.11",
        command="empathy-bench export",
        packages={},
        task="epitome",
        task_file="tasks/epitome.yaml",
        candidate="gpt-4o",
        candidate_file="candidates/gpt-4o.yaml",
        prompt_file="prompts/rubric_judge.txt",
        config_sha256="0" * 12,
        n_resamples=R,
        recorded=True,
        label_files={},
        files={},
    )
