"""A team's own labels, named in a task file, run end to end without Python: items, expert
ratings and preferences in the canonical formats (CSV and JSONL files the test writes), a rate
task and a compare task on them, checked by `validate` and run by the pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.rater import RaterAgreement
from empathy_bench.catalog import validate
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.runs.execute import RunOptions
from empathy_bench.sources.rubric import load_rubric

DIMS = load_rubric("lend_an_ear").dimension_ids
REPLIES = [
    "That sounds really hard. It makes sense you feel hurt. What happened next?",
    "You should just look for another job.",
    "I'm so sorry. How are you holding up after all those years there?",
    "Same thing happened to me last year, I got over it.",
    "So it feels like your effort went unnoticed, and that stings. Tell me more.",
    "At least you still have your health.",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the repository's rubrics, judges and prompts and the team's own task
    files and labels."""
    home = tmp_path / "project"
    for folder in ("rubrics", "human_labels", "evals"):
        shutil.copytree(project_dir() / folder, home / folder)
    (home / "tasks").mkdir()
    data = home / "data"
    data.mkdir()
    items = [
        {"item_id": f"c{i}", "framework": "lend_an_ear", "text": f"Seeker: I lost my job today.\nSupporter: {reply}"}
        for i, reply in enumerate(REPLIES)
    ]
    pd.DataFrame(items).to_csv(data / "items.csv", index=False)
    # three experts: good replies (even index) high on the prescriptive dimensions, low on the rest
    ratings = [
        {
            "item_id": f"c{i}",
            "framework": "lend_an_ear",
            "dimension": d,
            "rater_id": f"e{e}",
            "rater_group": "expert",
            "value": (4 if i % 2 == 0 else 2) if k < 3 else (1 if i % 2 == 0 else 3 + (e + i) % 2),
        }
        for i in range(len(REPLIES))
        for e in range(3)
        for k, d in enumerate(DIMS)
    ]
    (data / "ratings.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ratings), encoding="utf-8")
    prefs = [
        {
            "pair_id": f"p{i}",
            "item_a": f"c{i}",
            "item_b": f"c{i + 1}",
            "framework": "lend_an_ear",
            "criterion": "overall",
            "rater_id": "team",
            "rater_group": "expert",
            "choice": "a",
        }
        for i in range(0, len(REPLIES), 2)
    ]
    pd.DataFrame(prefs).to_csv(data / "prefs.csv", index=False)
    (home / "tasks" / "team_rate.yaml").write_text(
        "id: team_rate\nversion: 1\ntitle: Our transcripts\nkind: rate\nframework: lend_an_ear\nrubric: lend_an_ear\n"
        "reference: experts\nlabels: {items: data/items.csv, ratings: data/ratings.jsonl}\n"
    )
    (home / "tasks" / "team_compare.yaml").write_text(
        "id: team_compare\nversion: 1\ntitle: Our choices\nkind: compare\nframework: lend_an_ear\nrubric: lend_an_ear\n"
        "reference: team\nallow_tie: false\nlabels: {items: data/items.csv, preferences: data/prefs.csv}\n"
    )
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    return home


def test_validate_reads_and_checks_a_teams_own_label_files(mirror: object, project: Path) -> None:
    errors = {p.name: e for p, e in validate() if p.parent.name == "tasks"}
    assert errors == {"team_rate.yaml": None, "team_compare.yaml": None}
    prefs = project / "data" / "prefs.csv"
    prefs.write_text(prefs.read_text().replace("c0,c1", "c0,c0", 1))
    [error] = [e for p, e in validate() if p.name == "team_compare.yaml"]
    assert error is not None and str(prefs) in error and "paired with itself" in error


def test_rate_and_compare_tasks_run_end_to_end_on_a_teams_own_labels(mirror: object, project: Path) -> None:
    options = RunOptions(
        judges=["builtin-lexicon", "builtin-always-a"],
        tasks=["team_rate", "team_compare"],
        log_dir=str(project / "logs"),
        display="none",
    )
    result = run_pipeline(options, n_resamples=20, results_dir=project / "results" / "runs")
    rows = {(r.agreement.task, r.agreement.rater): r.agreement for r in result.rows}
    rate = rows[("team_rate", "builtin-lexicon")]
    assert isinstance(rate, RaterAgreement) and rate.n_items == 6 and len(rate.dimensions) == 6
    assert ("team_rate", "human: expert (leave-one-out)") in rows  # the ceiling from the team's own experts
    compare = rows[("team_compare", "builtin-always-a")]
    assert isinstance(compare, PreferenceAgreement) and compare.n_pairs == 3 and compare.n_verdicts == 6
    assert compare.position is not None and compare.position.consistency == 0.0
    record = json.loads((project / "results" / "runs" / "team_compare" / "builtin-always-a.json").read_text())
    # provenance: the team's files by sha256, the source named `own`
    assert record["task"]["source"] == "own"
    assert set(record["label_files"]) == {"data/items.csv", "data/prefs.csv"}


def test_a_compare_task_whose_reference_gives_no_usable_choice_is_refused_by_validate_and_run(
    mirror: object, project: Path
) -> None:
    # every reference choice a tie on a task that does not let the judge answer tie: no pair left
    prefs = project / "data" / "prefs.csv"
    prefs.write_text(prefs.read_text().replace(",a\n", ",tie\n"))
    expected = (
        "tasks/team_compare.yaml, reference 'team': no pair has a reference choice a judge can give "
        "(0 pairs without one, 3 with a tie while allow_tie is false). "
        "Fix: set allow_tie: true, or give the reference raters' decisive choices"
    )
    assert {p.name: e for p, e in validate() if p.parent.name == "tasks"}["team_compare.yaml"] == expected
    options = RunOptions(
        judges=["builtin-always-a"], tasks=["team_compare"], probes=[], log_dir=str(project / "logs"), display="none"
    )
    with pytest.raises(InputError) as refused:
        run_pipeline(options, n_resamples=5, recorded=False)
    assert str(refused.value) == expected
