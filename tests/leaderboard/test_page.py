"""The static leaderboard page (results/index.html): self-contained, deterministic, and drawn
correctly by a real browser (headless Chromium) from the sample leaderboard in
tests/fixtures/leaderboard_sample.json (made-up numbers in the shape of the contract).

The module launches Chromium once (browser_support.Browser, over the DevTools protocol) and loads
each test's page into it; the `tabs` fixture clicks every task tab of the sample page once, and the
tests after it read what each tab drew: the rendered text of every cell, broken values anywhere,
and how every table sits in a 1,280-pixel window (page_snapshot.js).

Without Chromium the browser tests are skipped, except under CI (env CI set), where they fail:
CI must run them. $EMPATHY_BENCH_SCREENSHOT, when set, receives a copy of the screenshot.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser_support import Browser
from empathy_bench.core.errors import InputError
from empathy_bench.leaderboard.page import DATA_ELEMENT_ID, render_page
from empathy_bench.leaderboard.rate_table import TRIVIAL_WINS_HEAD

SAMPLE = Path(__file__).parents[1] / "fixtures" / "leaderboard_sample.json"
DEFAULT_TASK = "lend_an_ear"
COMPARE_TASK = "lend_an_ear_compare"  # reference derived from expert ratings: ceiling, crowd, (from ratings) rows
SINGLE_LABEL_TASK = "annomi_compare"  # one reference label per pair: no ceiling, no score gap
COACH_TASK = "lend_an_ear_coach"  # a run coach, a baseline, a judge (as coach), the crowd and the ceiling
RATE_SECTIONS = ("overall-section", "heatmap-section", "plots-section")
DERIVED_NOTE = "Reference choices are derived by this project from the experts' own ratings, not collected from people"
DASH = "\u2013"
WINDOW = (1280, 2000)  # the window every page is drawn in: the width a table must fit, or scroll within
SNAPSHOT_JS = Path(__file__).with_name("page_snapshot.js")  # clicks every tab, records what each draws
# What a script prints when it formats the wrong thing: a DOM node or object joined into a string, a
# missing number formatted (NaN, undefined, null), a division by zero.
BROKEN_VALUE = re.compile(r"\[object|NaN|undefined|\bnull\b|Infinity")
# Any attribute that makes a browser fetch, pointing at a network (or protocol-relative) URL.
NETWORK_REF = re.compile(
    r"""\b(?:src|href|srcset|action|poster|data|xlink:href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE
)
NETWORK_CSS = re.compile(r"""(?:url\(|@import)\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def board() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(board: dict) -> str:
    return render_page(board)


def rows_of(board: dict, task: str) -> list[dict]:
    return [row for row in board["overall"] if row["task"] == task]


def preference_of(board: dict, task: str, criterion: str = "overall") -> list[dict]:
    return [row for row in board["preference"] if row["task"] == task and row["criterion"] == criterion]


def gaps_of(board: dict, task: str, criterion: str = "overall") -> list[dict]:
    return [row for row in board["preference_by_gap"] if row["task"] == task and row["criterion"] == criterion]


def coach_of(board: dict, task: str = COACH_TASK) -> list[dict]:
    return [row for row in board["coach"] if row["task"] == task]


def bias_of(board: dict, task: str) -> list[dict]:
    return [row for row in board["bias"] if row["task"] == task]


def used_bias_columns(board: dict, task: str) -> list[dict]:
    """The rater and its type, and every bias column with a figure for one of the task's rows (board.used_columns)."""
    rows = bias_of(board, task)
    return [
        c
        for c in board["bias_columns"]
        if c["cell"] in ("rater", "text") or any(r.get(c["key"]) is not None for r in rows)
    ]


def header_labels(dom: "Dom", table_id: str) -> list[str]:
    headers = dom.find("th", inside=("table", table_id), parent_tag="tr")
    return [" ".join(h.text.split()).rstrip("\u21c5\u25b2\u25bc ") for h in headers]


# ---------- the HTML itself ----------


def test_render_is_deterministic(board: dict, page: str) -> None:
    assert render_page(board) == page
    assert render_page(copy.deepcopy(board)) == page
    assert render_page(json.loads(json.dumps(board))) == page


def test_page_is_self_contained(page: str) -> None:
    assert "http://" not in page and "https://" not in page
    assert not NETWORK_REF.search(page)
    assert not NETWORK_CSS.search(page)
    assert "<link" not in page.lower()
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_data_is_embedded_as_json(board: dict, page: str) -> None:
    assert embedded(page) == board


def test_embedded_json_cannot_end_the_script_element(board: dict) -> None:
    hostile = copy.deepcopy(board)
    hostile["overall"][0]["rater"] = "</script><script>alert(1)</script><!--"
    page = render_page(hostile)
    assert page.count("</script>") == 2  # the data element's and the code's own closing tags
    assert "</" not in data_text(page)
    assert embedded(page) == hostile


def test_non_finite_numbers_are_refused(board: dict) -> None:
    bad = copy.deepcopy(board)
    bad["overall"][3]["qwk"] = float("nan")
    with pytest.raises(InputError, match=r"overall\[3\]\.qwk"):
        render_page(bad)


def test_bad_schema_and_network_drilldown_are_refused(board: dict) -> None:
    with pytest.raises(InputError, match="schema_version"):
        render_page({**board, "schema_version": 1})
    with pytest.raises(InputError, match="relative"):
        render_page({**board, "drilldown": "https://example.org/drilldown/index.html"})


def test_a_board_of_compare_tasks_only_renders_and_bad_rows_are_refused(board: dict) -> None:
    only_compare = {**board, "overall": [], "per_dimension": [], "overall_score": []}
    assert embedded(render_page(only_compare)) == only_compare
    with pytest.raises(InputError, match="have no rows"):
        render_page({**only_compare, "preference": [], "coach": []})
    with pytest.raises(InputError, match="'preference_by_gap' is not a list of rows"):
        render_page({**board, "preference_by_gap": {"lend_an_ear_compare": []}})
    bad = copy.deepcopy(board)
    bad["preference_by_gap"][0]["accuracy"] = float("nan")
    with pytest.raises(InputError, match=r"preference_by_gap\[0\]\.accuracy"):
        render_page(bad)


def test_bias_rows_must_be_lists_of_rows(board: dict) -> None:
    with pytest.raises(InputError, match="'bias' is not a list of rows"):
        render_page({**board, "bias": {"lend_an_ear": []}})
    bad = copy.deepcopy(board)
    bad["bias_by_dimension"][0]["mean_change"] = float("inf")
    with pytest.raises(InputError, match=r"bias_by_dimension\[0\]\.mean_change"):
        render_page(bad)


def test_a_board_of_coach_tasks_only_renders_and_bad_coach_rows_are_refused(board: dict) -> None:
    only_coach = {**board, "overall": [], "per_dimension": [], "overall_score": [], "preference": []}
    only_coach |= {"preference_by_gap": [], "bias": [], "bias_by_dimension": []}
    assert embedded(render_page(only_coach)) == only_coach
    with pytest.raises(InputError, match="'coach' have no rows"):
        render_page({**only_coach, "coach": []})
    with pytest.raises(InputError, match="'coach_by_dimension' is not a list of rows"):
        render_page({**board, "coach_by_dimension": {COACH_TASK: []}})
    bad = copy.deepcopy(board)
    bad["coach"][1]["uplift_target"] = float("nan")
    with pytest.raises(InputError, match=r"coach\[1\]\.uplift_target"):
        render_page(bad)


def test_drilldown_link_says_it_may_not_exist(page: str) -> None:
    assert 'id="drilldown-link" href="drilldown/index.html"' in page
    assert "may not exist yet" in page


# ---------- in a browser ----------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of a headless Chromium: skip without one, but fail under CI, which must run these."""
    candidates = [
        os.environ.get("EMPATHY_BENCH_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ]
    found = next((c for c in candidates if c and Path(c).is_file()), None)
    if found:
        return found
    reason = (
        "headless Chromium not found (install it with `apt-get install -y chromium`, or set EMPATHY_BENCH_CHROMIUM); "
        "the leaderboard page was not checked in a browser"
    )
    if os.environ.get("CI"):
        pytest.fail(reason + ", and CI must run this test")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the whole module (one launch, a WINDOW-sized window): each test loads its
    page into it."""
    browser = Browser(chromium_path, tmp_path_factory.mktemp("chromium") / "profile")
    try:
        browser.viewport(*WINDOW)
        yield browser
    finally:
        browser.close()


def load(chromium: Browser, tmp_path: Path, html_text: str, fragment: str = "") -> None:
    """Write the page into tmp_path and load it, as a new document, until its scripts have run; fail on an
    uncaught script error or a console error (a blocked fetch, say)."""
    target = tmp_path / "index.html"
    target.write_text(html_text, encoding="utf-8")
    chromium.load(target.as_uri() + fragment)
    assert not chromium.errors, "the page's script failed:\n" + "\n".join(chromium.errors)


def dump_dom(chromium: Browser, tmp_path: Path, html_text: str, fragment: str = "") -> "Dom":
    """The page's DOM after its scripts ran (what chromium --dump-dom prints), parsed."""
    load(chromium, tmp_path, html_text, fragment)
    dom_text = chromium.dom()
    assert "<html" in dom_text, "Chromium gave no DOM"
    return Dom.parse(dom_text)


def snapshot_tabs(chromium: Browser, tmp_path: Path, html_text: str) -> dict[str, dict]:
    """Load the page, click every task tab in turn and return what each drew, by task (page_snapshot.js)."""
    chromium.viewport(*WINDOW)
    load(chromium, tmp_path, html_text)
    snapshots = chromium.evaluate(SNAPSHOT_JS.read_text(encoding="utf-8"))
    assert not chromium.errors, "the page's script failed on a tab:\n" + "\n".join(chromium.errors)
    return dict(snapshots)


def broken_cells(snapshots: dict[str, dict]) -> list[str]:
    """'task / table#id / rater: text' of every cell, header or body, whose rendered text has a broken value."""
    found = []
    for task, snapshot in snapshots.items():
        for table in snapshot["tables"]:
            for row in [{"rater": "(header)", "cells": table["headers"]}, *table["rows"]]:
                where = f"{task} / table#{table['id']} / {row['rater']}"
                found += [f"{where}: {cell!r}" for cell in row["cells"] if BROKEN_VALUE.search(cell)]
    return found


@pytest.fixture(scope="module")
def tabs(chromium: Browser, tmp_path_factory: pytest.TempPathFactory, page: str) -> dict[str, dict]:
    """The sample page with every task tab clicked once, as a person would: what each tab drew."""
    return snapshot_tabs(chromium, tmp_path_factory.mktemp("tabs"), page)


@pytest.mark.slow
def test_every_tab_is_clicked_and_drawn(tabs: dict[str, dict], board: dict) -> None:
    assert sorted(tabs) == sorted(board["tasks"])
    sections = {"rate": list(RATE_SECTIONS), "compare": ["compare-section"], "coach": ["coach-section"]}
    for task, snapshot in tabs.items():
        kind = board["tasks"][task]["kind"]
        assert snapshot["pressed"] == [task], task
        shown = [s for s in snapshot["sections"] if s in ("compare-section", "coach-section", *RATE_SECTIONS)]
        assert shown == sections[kind], task
        # the tab's own table has a row per rater, and every row of every table a cell under every header
        own = [t for t in snapshot["tables"] if t["section"] == sections[kind][0] and t["rows"]]
        assert own, f"{task}: no table with rows in its {kind} section"
        for table in snapshot["tables"]:
            for row in table["rows"]:
                assert len(row["cells"]) == len(table["headers"]), f"{task} / table#{table['id']} / {row['rater']}"


@pytest.mark.slow
def test_no_cell_on_any_tab_shows_a_broken_value(tabs: dict[str, dict]) -> None:
    cells = [cell for s in tabs.values() for t in s["tables"] for row in t["rows"] for cell in row["cells"]]
    assert len(cells) > 1000  # every tab's every table was read
    assert not broken_cells(tabs), "\n".join(broken_cells(tabs))
    # a number that does not exist is a dash, never an empty cell
    empty = [
        f"{task} / table#{t['id']} / {row['rater']} / column {i + 1}"
        for task, s in tabs.items()
        for t in s["tables"]
        for row in t["rows"]
        for i, cell in enumerate(row["cells"])
        if not cell
    ]
    assert not empty, "\n".join(empty)


@pytest.mark.slow
def test_no_tab_shows_a_broken_value_anywhere(tabs: dict[str, dict]) -> None:
    # any text or attribute of the drawn document (hover titles, plot labels, notes; not the scripts)
    for task, snapshot in tabs.items():
        assert not snapshot["broken"], f"{task}:\n" + "\n".join(snapshot["broken"])


@pytest.mark.slow
def test_tables_fit_the_window_or_scroll_in_their_own_box_with_the_rater_fixed(tabs: dict[str, dict]) -> None:
    width = WINDOW[0]
    for task, snapshot in tabs.items():
        assert snapshot["page"]["innerWidth"] == width
        assert snapshot["page"]["scrollWidth"] <= width, f"{task}: the page scrolls sideways"
        for table in (t for t in snapshot["tables"] if t["rendered"]):
            where = f"{task} / table#{table['id']}"
            layout, wrap = table["layout"], table["layout"]["wrap"]
            # every table sits in a box of its own that fits the window and scrolls sideways when the table is wider
            assert wrap and wrap["overflowX"] in ("auto", "scroll"), where
            assert wrap["left"] >= 0 and wrap["right"] <= width, where
            overflows = wrap["scroll"] > wrap["client"]
            assert wrap["marked"] == overflows, where
            if overflows:
                # a line says so, the rater column stays at the box's left edge scrolled to the end, and the
                # last column can then be seen whole, clear of the rater column
                assert "Scroll sideways" in layout["hint"], where
                scrolled = layout["scrolled"]
                assert abs(scrolled["firstLeft"]) <= 1, where
                assert scrolled["lastRight"] >= -1 and scrolled["lastLeft"] >= -1, where
            else:
                assert layout["hint"] in ("none", "normal"), where
            # the rater column is fixed, and opaque: in its row's colour, so the columns scrolled under it are hidden
            for cell in layout["firstColumn"]:
                assert cell["position"] == "sticky" and cell["left"] == "0px", where
                assert cell["background"] not in ("rgba(0, 0, 0, 0)", "transparent"), where
                assert cell["rowBackground"] in ("rgba(0, 0, 0, 0)", cell["background"]), where


@pytest.mark.slow
def test_the_checks_catch_a_node_or_a_missing_number_drawn_as_text(
    chromium: Browser, tmp_path: Path, page: str
) -> None:
    # The checks above must be able to fail: on every tab, once the page has drawn it, a cell gets what the
    # page once drew (a <span> joined into a string: "0.51, ,[object HTMLSpanElement]") or a formatted
    # missing number, and a hover title the same; every tab is then reported.
    broken = ["0.51, ,[object HTMLSpanElement]", "NaN", "undefined", "null", "Infinity"]
    spoil = f"""<script>
    (() => {{
      const bad = {json.dumps(broken)};
      let n = 0;
      addEventListener("hashchange", () => {{
        const cell = [...document.querySelectorAll("main section:not([hidden]) table tbody td")][3];
        const value = bad[n++ % bad.length];
        cell.textContent = value === bad[0] ? String(["0.51", " ", document.createElement("span")]) : value;
        cell.title = value;
      }});
    }})();
    </script>"""
    snapshots = snapshot_tabs(chromium, tmp_path, page.replace("</body>", spoil + "</body>"))
    found = broken_cells(snapshots)
    assert sorted({line.split(" / ")[0] for line in found}) == sorted(snapshots)
    assert any(line.endswith("'0.51, ,[object HTMLSpanElement]'") for line in found)
    assert all(broken[i % len(broken)] in "".join(found) for i in range(len(snapshots)))
    null_tabs = [task for i, task in enumerate(snapshots) if broken[i % len(broken)] == "null"]
    assert [task for task, s in snapshots.items() if not s["broken"]] == null_tabs  # null is a cell check only


@pytest.mark.slow
def test_page_draws_the_default_task(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    dom = dump_dom(chromium, tmp_path, page)
    rows = rows_of(board, DEFAULT_TASK)
    assert not NETWORK_REF.search(dom.text), "the script added a network reference"

    # the table: one row per overall entry of the selected task, best first by the headline (QWK on the
    # ceiling's references, like for like), rater types as badges
    trs = dom.find("tr", inside=("table", "overall"), parent_tag="tbody")
    assert len(trs) == len(rows)
    ranked = sorted(rows, key=lambda r: -r["qwk_loo"])
    assert [tr.attrs["data-rater"] for tr in trs] == [r["rater"] for r in ranked]
    assert len(dom.find("span", cls="badge", inside=("table", "overall"))) == len(rows)
    types = {tr.attrs["data-rater"]: tr.classes for tr in trs}
    assert "type-human" in types["human: crowd"] and "type-baseline" in types["builtin-length"]
    assert "0.62 [0.49, 0.72]" in dom.row_text("overall", "gemini-2.5-pro")  # point and CI, 2 decimals
    assert "\u2013" in dom.row_text("overall", "human: crowd")  # nulls as a dash

    # the heatmap: raters x (six dimensions + mean), coloured
    dims = {d["dimension"] for d in board["per_dimension"] if d["task"] == DEFAULT_TASK}
    assert len(dims) == 6
    cells = dom.find("td", cls="heatmap-cell", inside=("table", "heatmap"))
    assert len(cells) == len(rows) * (len(dims) + 1)
    assert all("background" in c.attrs.get("style", "") for c in cells if "null" not in c.classes)

    # the scatter: a point and an error bar per non-human rater, and the expert ceiling line
    plotted = [r for r in rows if r["rater_type"] != "human" and r["qwk"] is not None]
    assert len(dom.find("circle", inside=("svg", "scatter"))) == len(plotted)
    assert len(dom.find("line", cls="errorbar", inside=("svg", "scatter"))) == len(plotted)
    assert len(dom.find("line", cls="ceiling", inside=("svg", "scatter"))) == 1
    assert "free / recorded" in dom.text

    # the forest plot: every rater with its CI
    assert len(dom.find("line", cls="errorbar", inside=("svg", "forest"))) == len(rows)

    # a rate task: the rate sections, not the compare one; every task has a tab
    assert "hidden" in dom.find("section", id_="compare-section")[0].attrs
    assert all("hidden" not in dom.find("section", id_=s)[0].attrs for s in RATE_SECTIONS)
    assert {b.attrs["data-task"] for b in dom.find("button", cls="task-tab")} == set(board["tasks"])

    # the Lend an Ear overall score, and the link
    assert len(dom.find("tr", inside=("table", "overall-score"), parent_tag="tbody")) == len(board["overall_score"])
    assert dom.find("a", id_="drilldown-link")[0].attrs["href"] == "drilldown/index.html"


@pytest.mark.slow
def test_page_draws_a_task_without_experts(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    task = "epitome_reddit"
    dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={task}")
    rows = rows_of(board, task)
    trs = dom.find("tr", inside=("table", "overall"), parent_tag="tbody")
    assert sorted(tr.attrs["data-rater"] for tr in trs) == sorted(r["rater"] for r in rows)
    assert not dom.find("line", cls="ceiling", inside=("svg", "scatter"))
    assert len(dom.find("circle", inside=("svg", "scatter"))) == len(rows)
    assert "no expert ceiling" in dom.text
    pressed = [b for b in dom.find("button", cls="task-tab") if b.attrs.get("aria-pressed") == "true"]
    assert [b.attrs["data-task"] for b in pressed] == [task]


@pytest.mark.slow
def test_the_legend_explains_each_human_row_and_a_trivial_win_is_flagged(
    chromium: Browser, tmp_path: Path, board: dict, page: str
) -> None:
    dom = dump_dom(chromium, tmp_path, page, fragment="#task=epitome")
    # every human row's label as its source card gives it (from the board's tasks), once, then the ceiling
    assert "hidden" not in dom.find("dl", id_="human-legend")[0].attrs
    terms = [" ".join(t.text.split()) for t in dom.find("dt", inside=("dl", "human-legend"))]
    labels = ["human: participants' self-report", "human: original adjudicated label", "human: crowd"]
    assert terms == [*labels, "human: expert (leave-one-out)"]
    about = [" ".join(d.text.split()) for d in dom.find("dd", inside=("dl", "human-legend"))]
    assert about[0].startswith("the mean of the two conversation partners' own evaluations")
    assert about[0].endswith("(EmpatheticDialogues)") and about[1].endswith("(EPITOME)")
    assert "Lend an Ear; Lend an Ear, coaching; Lend an Ear, pairwise" in about[2]  # one entry, every task it is on
    assert "median of the other experts" in about[3]
    # EPITOME's row is its released label, not a crowd; the scatter names its line by what it is
    trs = dom.find("tr", inside=("table", "overall"), parent_tag="tbody")
    assert "human: original adjudicated label" in [tr.attrs["data-rater"] for tr in trs]
    assert "human: crowd" not in [tr.attrs["data-rater"] for tr in trs]
    assert "released label" in [" ".join(t.text.split()) for t in dom.find("text", inside=("svg", "scatter"))]
    # the trivial baselines that beat an expert on EPITOME: named with the task and the dimension
    note = dom.find("p", id_="trivial-note")[0]
    assert "hidden" not in note.attrs and "warning" in note.classes
    text = " ".join(note.text.split())
    assert text.startswith(TRIVIAL_WINS_HEAD)  # the same head as leaderboard.md and the terminal
    for name in ("epitome", "level_interpretations", "builtin-constant", "builtin-length", "expert2"):
        assert name in text, name
    # a task without a trivial win shows no note
    other = dump_dom(chromium, tmp_path, page, fragment=f"#task={DEFAULT_TASK}")
    assert "hidden" in other.find("p", id_="trivial-note")[0].attrs


@pytest.mark.slow
def test_clicking_a_header_sorts_the_table(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    # the headline (QWK on the ceiling's references) is sorted descending by default: one click turns it
    # ascending, empty values stay last; a click on another column sorts it descending first
    click = "<script>document.querySelector('#overall th[data-key=\"qwk_loo\"] button').click();</script>"
    task = "empathetic_dialogues"  # has a rater without a QWK
    dom = dump_dom(chromium, tmp_path, page.replace("</body>", click + "</body>"), fragment=f"#task={task}")
    qwk = {r["rater"]: r["qwk_loo"] for r in rows_of(board, task)}
    order = [tr.attrs["data-rater"] for tr in dom.find("tr", inside=("table", "overall"), parent_tag="tbody")]
    values = [qwk[name] for name in order]
    assert None in values and values[-1] is None
    assert values[:-1] == sorted(values[:-1])
    header = dom.find("th", inside=("table", "overall"), attr=("data-key", "qwk_loo"))[0]
    assert header.attrs["aria-sort"] == "ascending"
    other = click.replace("qwk_loo", "qwk")
    dom = dump_dom(chromium, tmp_path, page.replace("</body>", other + "</body>"), fragment=f"#task={task}")
    plain = {r["rater"]: r["qwk"] for r in rows_of(board, task)}
    order = [tr.attrs["data-rater"] for tr in dom.find("tr", inside=("table", "overall"), parent_tag="tbody")]
    assert [plain[name] for name in order][:-1] == sorted((v for v in plain.values() if v is not None), reverse=True)


@pytest.mark.slow
def test_columns_titles_and_marks_come_from_the_data(chromium: Browser, tmp_path: Path, board: dict) -> None:
    # The page draws what the leaderboard data says, nothing typed into its script: the header
    # is the defined columns' labels in order, a tab's title is the task file's title, the
    # ceiling line is the row whose role is "ceiling" (whatever its name), a fitted candidate
    # is marked, and a verdict the clustered variant would flip says so.
    data = copy.deepcopy(board)
    data["tasks"]["epitome_reddit"]["title"] = "Reddit replies (EPITOME)"
    lae = rows_of(data, DEFAULT_TASK)
    ceiling = next(r for r in lae if r["role"] == "ceiling")
    ceiling["rater"] = "panel of experts"
    lexicon = next(r for r in lae if r["rater"] == "builtin-lexicon")
    lexicon["fitted_on_task"] = True
    gpt = next(r for r in lae if r["rater"] == "gpt-4o")
    gpt.update(alt_test_passed=False, alt_test_winning_rate=0.0, alt_test_verdict="fail, passes when clustered")
    dom = dump_dom(chromium, tmp_path, render_page(data))
    headers = dom.find("th", inside=("table", "overall"), parent_tag="tr")
    assert [h.attrs["data-key"] for h in headers] == [c["key"] for c in data["columns"]]
    assert [" ".join(h.text.split()).rstrip("\u21c5\u25b2\u25bc ") for h in headers] == [
        c["label"] for c in data["columns"]
    ]
    tabs = {b.attrs["data-task"]: b.text for b in dom.find("button", cls="task-tab")}
    assert tabs["epitome_reddit"].startswith("Reddit replies (EPITOME)")
    assert (
        "ceiling-row"
        in next(
            tr
            for tr in dom.find("tr", inside=("table", "overall"), parent_tag="tbody")
            if tr.attrs["data-rater"] == "panel of experts"
        ).classes
    )
    assert len(dom.find("line", cls="ceiling", inside=("svg", "scatter"))) == 1
    assert "fitted on these items" in dom.row_text("overall", "builtin-lexicon")
    assert "fail, passes when clustered" in dom.row_text("overall", "gpt-4o")


@pytest.mark.slow
def test_compare_tab_draws_the_preference_table(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={COMPARE_TASK}")
    rows = preference_of(board, COMPARE_TASK)
    assert not NETWORK_REF.search(dom.text), "the script added a network reference"
    # the compare section instead of the rate tables and plots
    assert "hidden" not in dom.find("section", id_="compare-section")[0].attrs
    assert all("hidden" in dom.find("section", id_=s)[0].attrs for s in RATE_SECTIONS)
    pressed = [b for b in dom.find("button", cls="task-tab") if b.attrs.get("aria-pressed") == "true"]
    assert [b.attrs["data-task"] for b in pressed] == [COMPARE_TASK]
    assert pressed[0].text.startswith(board["tasks"][COMPARE_TASK]["title"])

    # the header: the compare columns' keys and labels, in order
    table = "preference-overall"
    headers = dom.find("th", inside=("table", table), parent_tag="tr")
    assert [h.attrs["data-key"] for h in headers] == [c["key"] for c in board["compare_columns"]]
    assert [" ".join(h.text.split()).rstrip("\u21c5\u25b2\u25bc ") for h in headers] == [
        c["label"] for c in board["compare_columns"]
    ]
    # one row per rater, best accuracy first; the ceiling and the crowd marked as in the rate table
    trs = dom.find("tr", inside=("table", table), parent_tag="tbody")
    assert [tr.attrs["data-rater"] for tr in trs] == [r["rater"] for r in sorted(rows, key=lambda r: -r["accuracy"])]
    classes = {tr.attrs["data-rater"]: tr.classes for tr in trs}
    ceiling = next(r["rater"] for r in rows if r["role"] == "ceiling")
    crowd = next(r["rater"] for r in rows if r["role"] == "crowd")
    assert {"type-human", "ceiling-row"} <= classes[ceiling]
    assert "type-human" in classes[crowd] and "ceiling-row" not in classes[crowd]
    assert "type-baseline" in classes["builtin-always-a"]

    # cells drawn by the columns' cell formats: a constant side, a rater's ratings turned into choices
    always_a = dom.cells(table, "builtin-always-a")
    assert always_a["position_consistency"] == "0.00" and always_a["preference_fairness"] == "-1.00"
    assert always_a["flip_rate"] == "1.00" and always_a["n_pairs"] == "385"
    assert always_a["accuracy"] == "0.50 [0.50, 0.50]" and always_a["usd_per_1k"] == "$0.00"
    gemini = dom.cells(table, "gemini-2.5-pro (from ratings)")
    assert gemini["accuracy"] == "0.85 [0.77, 0.92]" and gemini["kappa"] == "0.67 [0.51, 0.80]"
    for key in ("accuracy_conservative", "position_consistency", "preference_fairness", "flip_rate", "usd_per_1k"):
        assert gemini[key] == DASH, key
    assert dom.cells(table, ceiling)["position_consistency"] == DASH

    # the reference is derived from the experts' ratings: said so
    note = dom.find("p", id_="compare-reference-note")[0].text
    assert DERIVED_NOTE in note and "no human ceiling" not in note


@pytest.mark.slow
def test_compare_tab_plots_agreement_by_gap(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={COMPARE_TASK}")
    gaps = gaps_of(board, COMPARE_TASK)
    raters = {g["rater"] for g in gaps}
    svg = ("svg", "gap-overall")
    # one line per rater, named; the ceiling and the crowd drawn apart from the others
    series = dom.find("g", cls="gap-series", inside=svg)
    assert sorted(s.attrs["data-rater"] for s in series) == sorted(raters)
    assert len(dom.find("path", cls="gap-line", inside=svg)) == len(raters)
    assert sorted(t.attrs["data-rater"] for t in dom.find("text", cls="series-label", inside=svg)) == sorted(raters)
    roles = {s.attrs["data-rater"]: s.attrs["data-role"] for s in series}
    by_role = {r["rater"]: r["role"] for r in preference_of(board, COMPARE_TASK)}
    assert roles == {name: by_role[name] for name in raters}
    assert len(dom.find("path", cls="ceiling-gap-line", inside=svg)) == 1
    assert len(dom.find("path", cls="crowd-gap-line", inside=svg)) == 1

    # a point per (rater, bin) with choices in it, each with its n; an empty bin has none
    plotted = [g for g in gaps if g["n"] > 0 and g["accuracy"] is not None]
    points = dom.find("g", cls="gap-point", inside=svg)
    assert sorted((p.attrs["data-bin"], int(p.attrs["data-n"])) for p in points) == sorted(
        (g["bin"], g["n"]) for g in plotted
    )
    gemini = next(
        p
        for p in points
        if p.attrs["data-bin"] == "1-3" and p.ancestors[-1].attrs.get("data-rater") == "gemini-2.5-pro (from ratings)"
    )
    assert "accuracy 0.78 (n = 152)" in gemini.text
    # the bins in order along x, each with its n; the empty one says so
    bins = list(dict.fromkeys(g["bin"] for g in sorted(gaps, key=lambda g: g["low"])))
    assert bins == ["0", "1-3", "4-6", "7-9", "10-13", ">13"]
    ticks = [
        t.text for t in dom.find("text", inside=svg) if any(a.tag == "g" and "tick" in a.classes for a in t.ancestors)
    ]
    assert ticks[-len(bins) :] == bins
    assert [t.text for t in dom.find("text", cls="bin-n", inside=svg)][-1] == "no pairs"
    assert [t.text for t in dom.find("text", cls="bin-n", inside=svg)][1] == "n = 152\u2013304"

    # the same numbers in a table
    table = dom.cells("gap-table-overall", "gemini-2.5-pro (from ratings)", header_key=None)
    assert table["gap 1-3"] == "0.78 (n = 152)" and table["gap >13"] == f"{DASH} (n = 0)"
    assert len(dom.find("tr", inside=("table", "gap-table-overall"), parent_tag="tbody")) == len(raters)


@pytest.mark.slow
def test_compare_tab_without_a_ceiling(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={SINGLE_LABEL_TASK}")
    rows = preference_of(board, SINGLE_LABEL_TASK)
    trs = dom.find("tr", inside=("table", "preference-overall"), parent_tag="tbody")
    assert sorted(tr.attrs["data-rater"] for tr in trs) == sorted(r["rater"] for r in rows)
    assert not any("ceiling-row" in tr.classes for tr in trs)
    note = dom.find("p", id_="compare-reference-note")[0].text
    assert note == "One reference label per pair: no human ceiling."
    # no score gap: no plot, and a line that says why
    assert not gaps_of(board, SINGLE_LABEL_TASK)
    assert not dom.find("svg", cls="gap-svg")
    skipped = dom.find("p", cls="gap-skipped")
    assert len(skipped) == 1 and "Not plotted" in skipped[0].text and "no score gap" in skipped[0].text
    lexicon = dom.cells("preference-overall", "builtin-lexicon-compare")
    assert lexicon["position_consistency"] == "0.85" and lexicon["preference_fairness"] == "-0.15"


@pytest.mark.slow
def test_clicking_a_compare_header_sorts_its_table(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    # a numeric column sorts descending on the first click; rows without the number stay last
    button = '#preference-overall th[data-key="position_consistency"] button'
    click = f"<script>document.querySelector('{button}').click();</script>"
    dom = dump_dom(chromium, tmp_path, page.replace("</body>", click + "</body>"), fragment=f"#task={COMPARE_TASK}")
    value = {r["rater"]: r["position_consistency"] for r in preference_of(board, COMPARE_TASK)}
    order = [
        tr.attrs["data-rater"] for tr in dom.find("tr", inside=("table", "preference-overall"), parent_tag="tbody")
    ]
    values = [value[name] for name in order]
    known = [v for v in values if v is not None]
    assert values == known + [None] * (len(values) - len(known)) and known == sorted(known, reverse=True)
    assert 0 < len(known) < len(values)
    header = dom.find("th", inside=("table", "preference-overall"), attr=("data-key", "position_consistency"))[0]
    assert header.attrs["aria-sort"] == "descending"


@pytest.mark.slow
def test_a_second_criterion_gets_its_own_table_and_plot(chromium: Browser, tmp_path: Path, board: dict) -> None:
    data = copy.deepcopy(board)
    extra = [r | {"criterion": "exploration"} for r in preference_of(data, COMPARE_TASK)[:3]]
    data["preference"] += extra
    data["preference_by_gap"] += [g | {"criterion": "exploration"} for g in gaps_of(data, COMPARE_TASK)[:6]]
    dom = dump_dom(chromium, tmp_path, render_page(data), fragment=f"#task={COMPARE_TASK}")
    assert len(dom.find("tr", inside=("table", "preference-exploration"), parent_tag="tbody")) == 3
    assert len(dom.find("tr", inside=("table", "preference-overall"), parent_tag="tbody")) == len(
        preference_of(board, COMPARE_TASK)
    )
    assert len(dom.find("g", cls="gap-series", inside=("svg", "gap-exploration"))) == 1
    assert [h.text for h in dom.find("h3", cls="criterion-title")] == ["Criterion: overall", "Criterion: exploration"]


@pytest.mark.slow
def test_rate_tab_shows_its_bias_probes(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    dom = dump_dom(chromium, tmp_path, page)
    rows = bias_of(board, DEFAULT_TASK)
    assert "hidden" not in dom.find("section", id_="bias-section")[0].attrs
    assert all("hidden" not in dom.find("section", id_=s)[0].attrs for s in RATE_SECTIONS)  # below, not instead

    # only the columns with a figure for this task, labelled and explained (what is unbiased) by the data
    used = used_bias_columns(board, DEFAULT_TASK)
    assert [c["key"] for c in used] == [
        "rater",
        "rater_type",
        "attribution_change",
        "attribution_flips",
        "length_magnitude",
        "length_direction",
        "lengthened_change",
        "lengthened_flips",
    ]
    headers = dom.find("th", inside=("table", "bias"), parent_tag="tr")
    assert [h.attrs["data-key"] for h in headers] == [c["key"] for c in used]
    assert header_labels(dom, "bias") == [c["label"] for c in used]
    assert [h.attrs["title"] for h in headers] == [c["title"] for c in used]
    assert "unbiased: 0" in next(h for h in headers if h.attrs["data-key"] == "attribution_change").attrs["title"]

    # one row per rater, in the board's order (humans first) until a header is clicked
    trs = dom.find("tr", inside=("table", "bias"), parent_tag="tbody")
    assert [tr.attrs["data-rater"] for tr in trs] == [r["rater"] for r in rows]
    assert all(h.attrs["aria-sort"] == "none" for h in headers)
    classes = {tr.attrs["data-rater"]: tr.classes for tr in trs}
    ceiling = next(r["rater"] for r in rows if r["role"] == "ceiling")
    crowd = next(r["rater"] for r in rows if r["role"] == "crowd")
    assert {"type-human", "ceiling-row"} <= classes[ceiling]
    assert "type-human" in classes[crowd] and "ceiling-row" not in classes[crowd]
    assert "type-baseline" in classes["builtin-length"]

    # the cells, by the same cell helpers as the other tables
    length = dom.cells("bias", "builtin-length")
    assert length["lengthened_flips"] == "0.68" and length["length_magnitude"] == "0.85 [0.73, 0.89]"
    assert length["length_direction"] == DASH  # its overall score does not vary: no direction
    assert length["rater_type"] == "baseline" and "litellm/builtin/length" in length["rater"]  # the model, as elsewhere
    lexicon = dom.cells("bias", "builtin-lexicon")
    assert lexicon["attribution_change"] == "0.00 [0.00, 0.00]" and lexicon["lengthened_change"] == "0.44 [0.30, 0.58]"
    expert = dom.cells("bias", ceiling)
    assert expert["length_magnitude"] == "0.04 [0.01, 0.07]" and expert["length_direction"] == "-0.04 [-0.12, 0.04]"
    for key in ("attribution_change", "attribution_flips", "lengthened_change", "lengthened_flips"):
        assert expert[key] == DASH, key

    # the explanation of the human rows, and per probe a rater x dimension table of mean changes
    assert "how much one human rater leans on length" in dom.find("section", id_="bias-section")[0].text
    dims = [d for d in board["bias_by_dimension"] if d["task"] == DEFAULT_TASK]
    blocks = ["attribution", "length", "length-association"]
    assert [b.attrs["data-probe"] for b in dom.find("div", cls="probe-block")] == blocks
    for probe in ("attribution", "length"):
        mine = [d for d in dims if d["probe"] == probe]
        table = f"bias-dims-{probe}"
        names = list(dict.fromkeys(d["dimension"] for d in mine))
        assert names[-1] == "overall_score"
        assert header_labels(dom, table) == ["Rater", *(n.replace("_", " ") for n in names)]
        trs = dom.find("tr", inside=("table", table), parent_tag="tbody")
        assert [tr.attrs["data-rater"] for tr in trs] == [
            r["rater"] for r in rows if any(d["rater"] == r["rater"] for d in mine)
        ]
        cells = dom.find("td", cls="heatmap-cell", inside=("table", table))
        assert len(cells) == len(mine)
        assert all("background" in c.attrs.get("style", "") for c in cells)
    length_dims = dom.cells("bias-dims-length", "builtin-length", header_key=None)
    assert length_dims["validating emotions"] == "0.68" and length_dims["overall score"] == "0.00"
    lexicon_dims = dom.cells("bias-dims-length", "builtin-lexicon", header_key=None)
    assert lexicon_dims["advice giving"] == "-0.28" and lexicon_dims["overall score"] == "0.44"
    # diverging around 0: no change is (near) white, a rise and a fall take different hues
    colour = {
        c.attrs["data-value"]: c.attrs["style"]
        for c in dom.find("td", cls="heatmap-cell", inside=("table", "bias-dims-length"))
    }
    assert "245, 245, 245" in colour["0.00"] and colour["0.44"] != colour["-0.28"]

    # the length association per dimension, then its magnitude and its direction, for every rater that has it
    lengths = [a for a in board["length_by_dimension"] if a["task"] == DEFAULT_TASK]
    table = "bias-dims-length-association"
    names = list(dict.fromkeys(a["dimension"] for a in lengths))
    assert names[-2:] == ["magnitude", "overall_score"]
    heads = [n.replace("_", " ") for n in names[:-2]] + ["magnitude |\u03c1|", "direction (overall score)"]
    assert header_labels(dom, table) == ["Rater", *heads]
    trs = dom.find("tr", inside=("table", table), parent_tag="tbody")
    assert [tr.attrs["data-rater"] for tr in trs] == [r["rater"] for r in rows if "length_magnitude" in r]
    by_length = dom.cells(table, "builtin-length", header_key=None)
    assert by_length["validating emotions"] == "0.84" and by_length["magnitude |\u03c1|"] == "0.85"
    assert by_length["direction (overall score)"] == DASH
    assert dom.cells(table, ceiling, header_key=None)["direction (overall score)"] == "-0.04"


@pytest.mark.slow
def test_compare_tab_shows_its_bias_probes(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={COMPARE_TASK}")
    assert "hidden" not in dom.find("section", id_="bias-section")[0].attrs
    assert "hidden" not in dom.find("section", id_="compare-section")[0].attrs
    used = used_bias_columns(board, COMPARE_TASK)
    assert [c["key"] for c in used] == [
        "rater",
        "rater_type",
        "position_consistency",
        "preference_fairness",
        "compare_shift",
        "ai_penalty",
    ]
    assert header_labels(dom, "bias") == [c["label"] for c in used]
    trs = dom.find("tr", inside=("table", "bias"), parent_tag="tbody")
    assert [tr.attrs["data-rater"] for tr in trs] == [r["rater"] for r in bias_of(board, COMPARE_TASK)]
    always_a = dom.cells("bias", "builtin-always-a")
    assert always_a["position_consistency"] == "0.00" and always_a["preference_fairness"] == "-1.00"
    assert always_a["compare_shift"] == "0.00 [0.00, 0.00]"
    assert "type-baseline" in next(tr for tr in trs if tr.attrs["data-rater"] == "builtin-always-a").classes
    # no per-dimension rows for this task: no per-dimension tables
    assert not dom.find("div", cls="probe-block")


@pytest.mark.slow
def test_tasks_without_bias_rows_show_no_bias_section(
    chromium: Browser, tmp_path: Path, board: dict, page: str
) -> None:
    assert not bias_of(board, "epitome_reddit") and not bias_of(board, SINGLE_LABEL_TASK)
    for task in ("epitome_reddit", SINGLE_LABEL_TASK):
        dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={task}")
        assert "hidden" in dom.find("section", id_="bias-section")[0].attrs, task
        assert not dom.find("tr", inside=("table", "bias"), parent_tag="tbody")
    # a board without the bias keys at all draws as before, without the section
    older = {k: v for k, v in board.items() if not k.startswith("bias")}
    dom = dump_dom(chromium, tmp_path, render_page(older))
    assert "hidden" in dom.find("section", id_="bias-section")[0].attrs
    assert len(dom.find("tr", inside=("table", "overall"), parent_tag="tbody")) == len(rows_of(board, DEFAULT_TASK))


@pytest.mark.slow
def test_coach_tab_draws_the_coach_table(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={COACH_TASK}")
    rows = coach_of(board)
    assert not NETWORK_REF.search(dom.text), "the script added a network reference"
    # the coach section instead of the rate and compare ones; its tab pressed, titled and counted
    assert "hidden" not in dom.find("section", id_="coach-section")[0].attrs
    assert all("hidden" in dom.find("section", id_=s)[0].attrs for s in (*RATE_SECTIONS, "compare-section"))
    pressed = [b for b in dom.find("button", cls="task-tab") if b.attrs.get("aria-pressed") == "true"]
    assert [b.attrs["data-task"] for b in pressed] == [COACH_TASK]
    assert pressed[0].text == board["tasks"][COACH_TASK]["title"] + str(len(rows))
    assert dom.find("h2", id_="coach-title")[0].text.endswith(board["tasks"][COACH_TASK]["title"])
    assert "5 raters \u00b7 50 conversations" in dom.find("p", id_="coach-note")[0].text

    # the header: the coach columns' keys, labels and explanations, in order; best targeting kappa first
    headers = dom.find("th", inside=("table", "coach"), parent_tag="tr")
    assert [h.attrs["data-key"] for h in headers] == [c["key"] for c in board["coach_columns"]]
    assert header_labels(dom, "coach") == [c["label"] for c in board["coach_columns"]]
    assert [h.attrs["title"] for h in headers] == [c["title"] for c in board["coach_columns"]]
    trs = dom.find("tr", inside=("table", "coach"), parent_tag="tbody")
    assert [tr.attrs["data-rater"] for tr in trs] == [r["rater"] for r in rows]
    assert [r["rater"] for r in rows] == [r["rater"] for r in sorted(rows, key=lambda r: -r["mean_kappa"])]
    # the ceiling and the crowd marked as in the other tables, rows from ratings marked as in the preference table
    classes = {tr.attrs["data-rater"]: tr.classes for tr in trs}
    assert {"type-human", "ceiling-row", "from-ratings"} <= classes["human: expert (leave-one-out)"]
    assert "type-human" in classes["human: crowd"] and "ceiling-row" not in classes["human: crowd"]
    assert {"type-recorded", "from-ratings"} <= classes["gemini-2.5-pro (as coach)"]
    assert "type-baseline" in classes["builtin-generic-coach"]
    assert "from-ratings" not in classes["anthropic-claude-sonnet-4.5-coach"]

    # a run coach: every figure, each by its column's cell format
    run = dom.cells("coach", "anthropic-claude-sonnet-4.5-coach")
    assert run["rater_type"] == "run" and "litellm/anthropic/claude-sonnet-4-5-20250929" in run["rater"]
    assert run["n_items"] == "50" and run["mean_kappa"] == "0.34 [0.21, 0.46]"
    assert run["macro_f1"] == "0.52 [0.41, 0.61]"
    # every check is drawn with its interval
    assert run["f1_at_reference_count"] == "0.47 [0.37, 0.57]"
    assert run["praise_accuracy"] == "0.71 [0.62, 0.79]" and run["f1_word_budget"] == "0.44 [0.33, 0.54]"
    assert run["false_praise_rate"] == "0.09 [0.04, 0.15]"
    assert run["prioritisation"] == "0.58 [0.44, 0.72]"
    assert run["grounding"] == "0.93 [0.88, 0.97]" and run["evidence_agreement"] == "0.41 [0.34, 0.49]"
    assert run["uplift_target"] == "0.62 [0.44, 0.80]" and run["uplift_other"] == "-0.05 [-0.11, 0.00]"
    assert run["harm_rate"] == "0.18 [0.08, 0.29]" and run["words"] == "184.62 [171.30, 197.84]"
    assert run["grader_qwk"] == "0.34" and run["parse_failure_rate"] == "0.02"
    assert run["usd_per_1k"] == "$21.37" and run["grader_usd_per_1k"] == "$3.12" and run["seconds_per_1k"] == "4210.80"
    # a judge's ratings read as feedback: its targeting, and a dash for everything quotes and rewrites give
    as_coach = dom.cells("coach", "gemini-2.5-pro (as coach)")
    assert as_coach["mean_kappa"] == "0.31 [0.17, 0.43]" and as_coach["praise_accuracy"] == "0.60 [0.51, 0.69]"
    for key in (
        "f1_word_budget",
        "grounding",
        "evidence_agreement",
        "uplift_target",
        "uplift_other",
        "harm_rate",
        "grader_qwk",
        "words",
    ):
        assert as_coach[key] == DASH, key
    for rater in ("human: expert (leave-one-out)", "human: crowd"):
        human = dom.cells("coach", rater)
        assert human["grounding"] == DASH and human["uplift_target"] == DASH and human["usd_per_1k"] == DASH, rater
    assert dom.cells("coach", "human: expert (leave-one-out)")["mean_kappa"] == "0.45 [0.33, 0.55]"
    # a baseline that praises nothing has no praise figures (not 0), and its constant kappa is 0
    generic = dom.cells("coach", "builtin-generic-coach")
    assert generic["praise_accuracy"] == DASH and generic["false_praise_rate"] == DASH
    assert generic["mean_kappa"] == "0.00 [0.00, 0.00]" and generic["grounding"] == "1.00 [1.00, 1.00]"
    assert generic["uplift_target"] == "0.08 [-0.04, 0.20]" and generic["seconds_per_1k"] == DASH
    assert "nan" not in dom.find("table", id_="coach")[0].text.lower()
    # no bias rows for the coach task: no bias section
    assert "hidden" in dom.find("section", id_="bias-section")[0].attrs


@pytest.mark.slow
def test_coach_tab_says_what_its_reference_is_and_who_grades(
    chromium: Browser, tmp_path: Path, board: dict, page: str
) -> None:
    dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={COACH_TASK}")
    note = dom.find("p", id_="coach-reference-note")[0].text
    assert "\u201cexpert-flagged problems\u201d and \u201cstrengths\u201d are this project's construction" in note
    assert "from the median of the experts' ratings" in note
    # the task file's thresholds: problem_prescriptive_at_most 2, strength_prescriptive_at_least 4, ...
    assert board["tasks"][COACH_TASK]["profile"] == {
        "problem_prescriptive_at_most": 2,
        "problem_proscriptive_at_least": 3,
        "strength_prescriptive_at_least": 4,
        "strength_proscriptive_at_most": 1,
    }
    assert "a prescriptive dimension the experts' median rates at most 2 is a problem and at least 4 a strength" in note
    assert "a proscriptive one rated at least 3 is a problem and at most 1 a strength" in note
    assert f"no quotes or rewrites, so grounding, evidence and uplift are {DASH}" in note
    # beside the table: the grader and its own agreement with the experts (its row on the rate task)
    grader = dom.find("p", id_="coach-grader-note")[0].text
    assert grader.startswith(
        "Uplift graded by builtin-lexicon, whose QWK with the experts on the rate task (Lend an Ear) is 0.34"
    )
    lexicon = next(r for r in rows_of(board, DEFAULT_TASK) if r["rater"] == "builtin-lexicon")
    assert {r["grader_qwk"] for r in coach_of(board) if r["grader"]} == {lexicon["qwk"]}

    # both come from the data: other thresholds, and a grader with no QWK on the board
    data = copy.deepcopy(board)
    data["tasks"][COACH_TASK]["profile"] |= {"problem_prescriptive_at_most": 2.5, "strength_proscriptive_at_most": 0}
    for row in coach_of(data):
        if row["grader"]:
            row.update(grader="gpt-4o-grader", grader_qwk=None)
    dom = dump_dom(chromium, tmp_path, render_page(data), fragment=f"#task={COACH_TASK}")
    note = dom.find("p", id_="coach-reference-note")[0].text
    assert "rates at most 2.5 is a problem" in note and "at most 0 a strength" in note
    grader = dom.find("p", id_="coach-grader-note")[0].text
    assert grader.startswith(
        "Uplift graded by gpt-4o-grader, whose own QWK with the experts is not on this leaderboard"
    )
    assert dom.cells("coach", "anthropic-claude-sonnet-4.5-coach")["grader_qwk"] == DASH


@pytest.mark.slow
def test_coach_tab_draws_targeting_per_dimension(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    dom = dump_dom(chromium, tmp_path, page, fragment=f"#task={COACH_TASK}")
    dims = [d for d in board["coach_by_dimension"] if d["task"] == COACH_TASK]
    names = list(dict.fromkeys(d["dimension"] for d in dims))
    assert len(names) == 6
    assert "hidden" not in dom.find("div", id_="coach-dimensions")[0].attrs
    # a column per dimension, its base rate (the share the experts flag) under its name
    headers = dom.find("th", inside=("table", "coach-dims"), parent_tag="tr")
    assert [h.attrs["data-key"] for h in headers] == ["rater", *names]
    base = [s.text for s in dom.find("span", cls="base-rate", inside=("table", "coach-dims"))]
    assert base == [f"base rate {d['base_rate']:.2f}" for d in dims if d["rater"] == "builtin-generic-coach"]
    assert base[:3] == ["base rate 0.32", "base rate 0.46", "base rate 0.38"]
    assert header_labels(dom, "coach-dims")[1] == "validating emotions base rate 0.32"
    # a row per rater, in the coach table's order, marked the same way; a cell per (rater, dimension), coloured
    trs = dom.find("tr", inside=("table", "coach-dims"), parent_tag="tbody")
    assert [tr.attrs["data-rater"] for tr in trs] == [r["rater"] for r in coach_of(board)]
    assert "ceiling-row" in next(tr for tr in trs if tr.attrs["data-rater"] == "human: expert (leave-one-out)").classes
    cells = dom.find("td", cls="heatmap-cell", inside=("table", "coach-dims"))
    assert len(cells) == len(dims) == len(trs) * len(names)
    assert all("background" in c.attrs.get("style", "") for c in cells)
    # the cells are the targeting kappa; F1, precision, recall and the grader's change on hover
    run = dom.cells("coach-dims", "anthropic-claude-sonnet-4.5-coach")
    assert [run[n] for n in names] == ["0.46", "0.37", "0.26", "0.46", "0.24", "0.24"]
    assert dom.cells("coach-dims", "builtin-generic-coach")["advice_giving"] == "0.00"
    assert dom.cells("coach-dims", "human: expert (leave-one-out)")["dismissing_emotions"] == "0.54"
    titles = {
        c.ancestors[-1].attrs["data-rater"]: c.attrs["title"]
        for c in cells
        if c.attrs["title"].split(": ")[0].endswith("advice giving")
    }
    assert "targeting kappa 0.46; F1 0.57 (precision 0.67, recall 0.50)" in titles["anthropic-claude-sonnet-4.5-coach"]
    assert "where it targeted another dimension -0.21" in titles["anthropic-claude-sonnet-4.5-coach"]
    assert "grader" not in titles["gemini-2.5-pro (as coach)"]  # no rewrites, no grader's change


@pytest.mark.slow
def test_clicking_a_coach_header_sorts_its_table(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    # grounding sorts descending on the first click; the rows from ratings, which have none, stay last
    click = "<script>document.querySelector('#coach th[data-key=\"grounding\"] button').click();</script>"
    dom = dump_dom(chromium, tmp_path, page.replace("</body>", click + "</body>"), fragment=f"#task={COACH_TASK}")
    value = {r["rater"]: r["grounding"] for r in coach_of(board)}
    order = [tr.attrs["data-rater"] for tr in dom.find("tr", inside=("table", "coach"), parent_tag="tbody")]
    assert order[:2] == ["builtin-generic-coach", "anthropic-claude-sonnet-4.5-coach"]
    assert all(value[name] is None for name in order[2:]) and len(order) == len(value)
    header = dom.find("th", inside=("table", "coach"), attr=("data-key", "grounding"))[0]
    assert header.attrs["aria-sort"] == "descending"


@pytest.mark.slow
def test_a_board_of_coach_tasks_only_draws_the_coach_tab(chromium: Browser, tmp_path: Path, board: dict) -> None:
    # no rate or compare task at all: the coach tab is the first and only one, by its rows alone
    data = {**board, "overall": [], "per_dimension": [], "overall_score": [], "preference": []}
    data |= {"preference_by_gap": [], "bias": [], "bias_by_dimension": []}
    data["tasks"] = {COACH_TASK: {k: v for k, v in board["tasks"][COACH_TASK].items() if k != "kind"}}
    dom = dump_dom(chromium, tmp_path, render_page(data))
    assert [b.attrs["data-task"] for b in dom.find("button", cls="task-tab")] == [COACH_TASK]
    assert "hidden" not in dom.find("section", id_="coach-section")[0].attrs
    assert all("hidden" in dom.find("section", id_=s)[0].attrs for s in (*RATE_SECTIONS, "compare-section"))
    trs = dom.find("tr", inside=("table", "coach"), parent_tag="tbody")
    assert len(trs) == len(coach_of(board))


@pytest.mark.slow
def test_rank_column_and_paired_differences_are_drawn(
    chromium: Browser, tmp_path: Path, board: dict, page: str
) -> None:
    dom = dump_dom(chromium, tmp_path, page)
    rows = {r["rater"]: r for r in rows_of(board, DEFAULT_TASK)}
    ceiling = next(name for name, r in rows.items() if r["role"] == "ceiling")
    # the rank column: the rank and its interval; the ceiling's alpha says it is the experts' own
    top = board["comparisons"][0]["raters"][0]
    shown = " ".join(dom.row_text("overall", top["rater"]).split())
    assert f"{top['rank']} [{top['rank_low']}, {top['rank_high']}]" in shown
    assert "(experts' own alpha)" in dom.row_text("overall", ceiling)
    assert "(experts' own alpha)" not in dom.row_text("overall", "gpt-4o")
    # the matrix: a row and a column per compared rater, the diagonal a dash, bold where the interval excludes 0
    comparison = next(c for c in board["comparisons"] if c["task"] == DEFAULT_TASK)
    names = [r["rater"] for r in comparison["raters"]]
    assert "hidden" not in dom.find("section", id_="differences-section")[0].attrs
    trs = dom.find("tr", inside=("div", "differences"), parent_tag="tbody")
    assert [tr.attrs["data-rater"] for tr in trs] == names
    cells = dom.find("td", inside=("div", "differences"))
    assert len(cells) == len(names) ** 2
    bold = [c for c in cells if "differs" in c.classes]
    assert len(bold) == sum(d["excludes_zero"] for d in comparison["differences"]) > 0
    assert all(c.text.strip() == DASH for c in cells if "null" in c.classes)
    # a task with no comparison hides the section
    other = dump_dom(chromium, tmp_path, page, fragment="#task=epitome_reddit")
    assert "hidden" in other.find("section", id_="differences-section")[0].attrs


@pytest.mark.slow
def test_screenshot(chromium: Browser, tmp_path: Path, page: str) -> None:
    chromium.viewport(1400, 2000)
    try:
        load(chromium, tmp_path, page)
        shot = chromium.screenshot()
        load(chromium, tmp_path, "<!doctype html><html><body></body></html>")
        blank = chromium.screenshot()
    finally:
        chromium.viewport(*WINDOW)
    # a PNG of the whole 1400 x 2000 window, whose pixels are not those of an empty page
    assert png_size(shot) == png_size(blank) == (1400, 2000)
    assert png_pixels(shot) != png_pixels(blank), "the screenshot shows an empty page"
    copy_to = os.environ.get("EMPATHY_BENCH_SCREENSHOT")
    if copy_to:
        Path(copy_to).parent.mkdir(parents=True, exist_ok=True)
        Path(copy_to).write_bytes(shot)


# ---------- helpers ----------


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header chunk (IHDR, the first after the signature)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def png_pixels(png: bytes) -> bytes:
    """A PNG's filtered scanlines: its IDAT chunks joined and inflated."""
    data, at = b"", 8
    while at < len(png):
        (length,), kind = struct.unpack(">I", png[at : at + 4]), png[at + 4 : at + 8]
        if kind == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    return zlib.decompress(data)


def data_text(page: str) -> str:
    match = re.search(rf'<script type="application/json" id="{DATA_ELEMENT_ID}">(.*?)</script>', page, re.DOTALL)
    assert match, "no embedded leaderboard data"
    return match.group(1)


def embedded(page: str) -> dict:
    return json.loads(data_text(page))


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    ancestors: tuple["Element", ...]
    text: str = ""

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Dom(HTMLParser):
    """A flat list of the elements in Chromium's DOM dump, each with its ancestors and text:
    enough for the few selector-like checks above, with nothing beyond the standard library."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.text = ""

    @classmethod
    def parse(cls, text: str) -> "Dom":
        dom = cls()
        dom.feed(text)
        dom.close()
        dom.text = text
        return dom

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, tuple(self.stack))
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}, tuple(self.stack)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text += data

    def find(
        self,
        tag: str,
        cls: str | None = None,
        id_: str | None = None,
        inside: tuple[str, str] | None = None,
        parent_tag: str | None = None,
        attr: tuple[str, str] | None = None,
    ) -> list[Element]:
        """Elements `tag` (with class `cls`, id `id_`, attribute `attr`) within the element
        `inside` = (tag, id), whose parent is a `parent_tag`."""
        return [
            e
            for e in self.elements
            if e.tag == tag
            and (cls is None or cls in e.classes)
            and (id_ is None or e.attrs.get("id") == id_)
            and (attr is None or e.attrs.get(attr[0]) == attr[1])
            and (inside is None or any(a.tag == inside[0] and a.attrs.get("id") == inside[1] for a in e.ancestors))
            and (parent_tag is None or (e.ancestors and e.ancestors[-1].tag == parent_tag))
        ]

    def cells(self, table_id: str, rater: str, header_key: str | None = "data-key") -> dict[str, str]:
        """The cells of the row of `rater` in table#`table_id`, by column (the header's `header_key`
        attribute, or its text), whitespace collapsed; a row's header cell counts as a cell."""
        headers = [
            h.attrs[header_key] if header_key else " ".join(h.text.split())
            for h in self.find("th", inside=("table", table_id), parent_tag="tr")
            if "thead" in {a.tag for a in h.ancestors}
        ]
        rows = [tr for tr in self.find("tr", inside=("table", table_id)) if tr.attrs.get("data-rater") == rater]
        assert rows, f"no row for {rater} in table#{table_id}"
        tds = [e for e in self.elements if e.tag in ("td", "th") and e.ancestors and e.ancestors[-1] is rows[0]]
        assert len(tds) == len(headers), f"{len(tds)} cells under {len(headers)} headers"
        return dict(zip(headers, (" ".join(td.text.split()) for td in tds), strict=True))

    def row_text(self, table_id: str, rater: str) -> str:
        rows = [tr for tr in self.find("tr", inside=("table", table_id)) if tr.attrs.get("data-rater") == rater]
        assert rows, f"no row for {rater} in table#{table_id}"
        return rows[0].text


@pytest.mark.slow
def test_a_reported_row_is_marked_and_listed(chromium: Browser, tmp_path: Path, board: dict, page: str) -> None:
    # the sample's gpt-4o-explain on lend_an_ear is reported (submitted without logs): its row carries the
    # class and the words, no verified row does, and the provenance section counts and lists it
    load(chromium, tmp_path, page, fragment="#task=lend_an_ear")
    marked = chromium.evaluate(
        "[...document.querySelectorAll('#overall tbody tr')].filter((tr) => tr.classList.contains('reported-row'))"
        ".map((tr) => [tr.dataset.rater, tr.querySelector('.reported').textContent])"
    )
    assert marked == [["gpt-4o-explain", " reported, not verified"]]
    statuses = [p["status"] for p in board["provenance"]]
    counts = chromium.evaluate("document.getElementById('provenance-counts').textContent")
    assert counts == f"{statuses.count('verified')} rows verified, 1 row reported."
    listed = chromium.evaluate("[...document.querySelectorAll('#provenance-list li')].map((li) => li.textContent)")
    assert listed == [
        "Lend an Ear / gpt-4o-explain: reported, submitted without logs (team-x: no manifest, nothing to recompute)"
    ]
