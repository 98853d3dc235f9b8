"""The page (results/index.html) draws a registered kind's table in a real browser (headless
Chromium, browser_support.Browser): the toy `count` kind's task gets a tab, and its section shows
its rater and figures, accuracy 0.67 and mean absolute error 0.33 over 3 items (toy_kind_support).
Its names and labels come from a package and its rows from outputs: drawn as text, never as markup.

Without Chromium these tests are skipped, except under CI (env CI set), where they fail."""

from __future__ import annotations

import copy
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import Browser
from empathy_bench.core import kinds as registry
from empathy_bench.leaderboard.page import render_page
from empathy_bench.leaderboard.publish import write
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.runs.execute import RunOptions
from empathy_bench.tasks.spec import load_task
from toy_kind_support import COUNT, JUDGE, make_project

pytestmark = pytest.mark.slow

# What the kind's section shows: its title, note, headers (without the sort icons) and cells, and
# whether it and its table take room on the page (a hidden section has no box).
DRAWN_JS = """(() => {
  const section = document.getElementById("kind-section"), table = document.getElementById("kind-table");
  const text = (node) => node.innerText.replace(/[\\u25B2\\u25BC\\u21C5]/g, "").trim();
  return {
    hidden: section.hidden, height: table.getBoundingClientRect().height,
    rateShown: !document.getElementById("overall-section").hidden,
    tabs: [...document.querySelectorAll(".task-tab")].map((b) => b.dataset.task),
    title: text(document.getElementById("kind-title")), note: text(document.getElementById("kind-note")),
    headers: [...table.tHead.rows[0].cells].map(text),
    rows: [...table.tBodies[0].rows].map((r) => [...r.cells].map(text)),
    markup: section.querySelectorAll("img, b, i, script").length, pwned: window.pwned === 1,
  };
})()"""


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    candidates = [os.environ.get("EMPATHY_BENCH_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    found = next((c for c in candidates if c and Path(c).is_file()), None)
    if not found:
        if os.environ.get("CI"):
            pytest.fail("headless Chromium not found; CI must check the page in a browser")
        pytest.skip("headless Chromium not found (apt-get install -y chromium, or set EMPATHY_BENCH_CHROMIUM)")
    browser = Browser(found, tmp_path_factory.mktemp("chromium") / "profile")
    try:
        browser.viewport(1280, 2000)
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The board of one run of the toy kind (registered here), as leaderboard.json has it."""
    tmp_path = tmp_path_factory.mktemp("toy")
    with pytest.MonkeyPatch.context() as monkeypatch:
        project = make_project(tmp_path, monkeypatch)
        registry.register(COUNT)
        load_task.cache_clear()
        try:
            options = RunOptions(tasks=["turns"], probes=[], log_dir=str(project / "logs"), display="none", shards=1)
            run_pipeline(options, n_resamples=20, results_dir=project / "results" / "runs")
            write(project / "results")
        finally:
            registry.unregister("count")
            load_task.cache_clear()
    yield json.loads((project / "results" / "leaderboard.json").read_text(encoding="utf-8"))


def drawn(chromium: Browser, tmp_path: Path, page: str) -> dict[str, Any]:
    target = tmp_path / "index.html"
    target.write_text(page, encoding="utf-8")
    chromium.load(target.as_uri())
    assert not chromium.errors, "the page's script failed:\n" + "\n".join(chromium.errors)
    return dict(chromium.evaluate(DRAWN_JS))


def test_the_kind_table_is_drawn_with_its_numbers(chromium: Browser, tmp_path: Path, board: dict[str, Any]) -> None:
    shown = drawn(chromium, tmp_path, render_page(board))
    assert shown["tabs"] == ["turns"]
    assert not shown["hidden"] and shown["height"] > 0 and not shown["rateShown"]
    assert shown["title"] == "turn count \u2014 Turns"
    assert shown["note"] == "1 rater \u00b7 kind count \u00b7 task id turns."
    assert shown["headers"] == ["rater", "type", "accuracy", "mean abs. error \u2193"]
    assert shown["rows"] == [[JUDGE, "run", "0.67 (3)", "0.33 (3)"]]


def test_the_kind_table_draws_its_names_as_text_and_marks_a_reported_row(
    chromium: Browser, tmp_path: Path, board: dict[str, Any]
) -> None:
    hostile = copy.deepcopy(board)
    rater = '<img src=x onerror="window.pwned=1">'
    table = hostile["kind_tables"]["count"]
    table["title"] = "<b>turn</b> count"
    table["columns"][0]["label"] = "<i>accuracy</i>"
    table["rows"][0]["rater"] = rater
    table["columns"][1]["interval"] = True  # an interval goes under its figure, with n
    table["rows"][0] |= {"mae_low": 0.0, "mae_high": 0.6666667}
    # as board.py with_provenance marks a reported row: on the row and in the board's list
    table["rows"][0]["provenance"] = "reported"
    hostile["provenance"] = [{"task": "turns", "rater": rater, "status": "reported", "via": "x", "bundle": None}]
    shown = drawn(chromium, tmp_path, render_page(hostile))
    assert shown["markup"] == 0 and not shown["pwned"]
    assert shown["title"] == "<b>turn</b> count \u2014 Turns"
    assert shown["headers"][2] == "<i>accuracy</i>"
    assert shown["rows"] == [[f"{rater} reported, not verified", "run", "0.67 (3)", "0.33\n[0.00, 0.67] (3)"]]
