"""A fourth task kind, `count` (tests/toy_kind_support.py), registered in the test's process: its task
file is loaded by the registry's model, its inspect task is built and run by the pipeline (its judge
answering "2" every time), its log is read and measured by its own hooks, and its rows reach
leaderboard.json, leaderboard.md, the terminal's tables and the page's embedded data through the
board's generic table, without a line of the other modules knowing the kind.

Accuracy 2/3 and mean absolute error 1/3 over n = 3 items (worked out in the support module)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_bench.core import kinds as registry
from empathy_bench.core.errors import InputError
from empathy_bench.leaderboard.page import DATA_ELEMENT_ID
from empathy_bench.leaderboard.publish import write
from empathy_bench.leaderboard.stat_table import kind_markdown, kind_sections
from empathy_bench.leaderboard.terminal import render, task_tables
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.runs.execute import RunOptions
from empathy_bench.tasks.spec import load_task
from toy_kind_support import COUNT, JUDGE, CountTask, make_project


@pytest.fixture
def count_kind() -> Iterator[registry.Kind]:
    registry.register(COUNT)
    load_task.cache_clear()
    yield COUNT
    registry.unregister("count")
    load_task.cache_clear()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_project(tmp_path, monkeypatch)


def embedded_data(page: str) -> dict:
    """The leaderboard the page embeds (page.py: JSON with '<', '>', '&' escaped, which json reads back)."""
    found = re.search(rf'<script type="application/json" id="{DATA_ELEMENT_ID}">(.*?)</script>', page, re.DOTALL)
    assert found, "the page embeds no leaderboard data"
    return json.loads(found.group(1))


def test_a_kind_registered_here_reaches_the_board(
    count_kind: registry.Kind, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert isinstance(load_task("turns"), CountTask)
    options = RunOptions(tasks=["turns"], probes=[], log_dir=str(project / "logs"), display="none", shards=1)
    results = project / "results"
    result = run_pipeline(options, n_resamples=20, results_dir=results / "runs")
    write(results)
    board = json.loads((results / "leaderboard.json").read_text(encoding="utf-8"))
    table = board["kind_tables"]["count"]
    assert [c["metric"] for c in table["columns"]] == ["accuracy", "mae"]
    [row] = table["rows"]
    assert (row["task"], row["rater"], row["rater_type"], row["role"]) == ("turns", JUDGE, "run", "rater")
    assert row["accuracy"] == pytest.approx(2 / 3, abs=1e-6)
    assert row["mae"] == pytest.approx(1 / 3, abs=1e-6)
    assert row["accuracy_n"] == row["mae_n"] == 3
    assert row["provenance"] == "verified"  # measured here from its log, marked like every table's rows
    assert board["tasks"]["turns"]["kind"] == "count"
    markdown = (results / "leaderboard.md").read_text(encoding="utf-8")
    assert "## turns (turn count, kind count)" in markdown
    assert f"| {JUDGE} | run | 0.67 (3) | 0.33 (3) |" in markdown
    assert "mean abs. error ↓" in markdown
    # the page embeds the same table, and has the section its script draws it into
    page = (results / "index.html").read_text(encoding="utf-8")
    assert embedded_data(page)["kind_tables"] == board["kind_tables"]
    assert 'id="kind-section"' in page and 'id="kind-table"' in page
    # the terminal prints it as it prints the others: a title, the header, a rule, a row per rater
    # (columns padded to the widest cell, the figures right-aligned: "mean abs. error ↓" is 17 wide)
    text = render(result.records)
    block = text.split("\n\n")[1]
    assert block.split("\n") == [
        "turns (turn count, kind count)",
        "rater     type  accuracy  mean abs. error ↓",
        "--------  ----  --------  -----------------",
        "toy-twos  run   0.67 (3)           0.33 (3)",
    ]
    # a reported row is marked as in every other table (the rater column widens to hold the mark)
    [marked] = task_tables(result.records, provenance={("turns", JUDGE): "reported"})
    assert marked.split("\n")[3] == "toy-twos (reported, not verified)  run   0.67 (3)           0.33 (3)"


def stat_column(metric: str, label: str, lower_is_better: bool, interval: bool) -> dict:
    return {"metric": metric, "label": label, "lower_is_better": lower_is_better, "interval": interval}


def test_kind_sections_by_hand() -> None:
    """An interval, a missing figure, a reported row and a human row, in the kind table's text."""
    runner = {"task": "turns", "rater": "a", "rater_type": "run", "role": "rater", "mae": None, "mae_n": None}
    runner |= {"accuracy": 0.5, "accuracy_n": 4, "accuracy_low": 0.25, "accuracy_high": 0.75}
    expert = {"task": "turns", "rater": "expert", "rater_type": "human", "role": "ceiling", "mae": 0.0, "mae_n": 4}
    expert |= {"accuracy": 1.0, "accuracy_n": 4, "accuracy_low": 1.0, "accuracy_high": 1.0}
    columns = [stat_column("accuracy", "accuracy", False, True), stat_column("mae", "<mae>", True, False)]
    board = {
        "kind_tables": {"count": {"title": "turn <b>count</b>", "columns": columns, "rows": [runner, expert]}},
        "provenance": [{"task": "turns", "rater": "a", "status": "reported"}],
    }
    assert kind_markdown(board) == [
        "## turns (turn &lt;b&gt;count&lt;/b&gt;, kind count)",
        "",
        "| rater | type | accuracy | &lt;mae> ↓ |\n"
        "|---|---|---|---|\n"
        "| a (reported, not verified) | run | 0.50 [0.25, 0.75] (4) | – |\n"
        "| expert | human | 1.00 [1.00, 1.00] (4) | 0.00 (4) |",
        "",
    ]
    [(title, head, body, rows)] = kind_sections(board["kind_tables"])  # nothing reported: no mark
    assert (title, head, rows) == (
        "turns (turn <b>count</b>, kind count)",
        ["rater", "type", "accuracy", "<mae> ↓"],
        [runner, expert],
    )
    assert body[0][0] == "a"


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
