"""Paired comparisons on the board: the comparison file beside a task's records, the rank column
of every main table, the difference matrix of leaderboard.md, the like-for-like sort of the rate
tables and the ceiling's own alpha labelled; and the run writing a task's comparison."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from empathy_bench.agreement.paired import Comparison, PairedDifference, RankedRater
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.columns import OVERALL_COLUMNS, cell
from empathy_bench.leaderboard.comparisons import read_comparisons, write_comparisons
from empathy_bench.leaderboard.markdown import markdown, with_readme_block
from empathy_bench.leaderboard.record import COMPARISONS_FILE, read_records
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.runs.execute import RunOptions

RESULTS = project_dir() / "results"
CEILING = "human: expert (leave-one-out)"


def comparison() -> Comparison:
    """Three of Lend an Ear's raters: the ceiling and gemini cannot be told apart, both beat gpt-4o."""
    raters = [
        RankedRater(rater=CEILING, rater_type="human", role="ceiling", value=0.62, rank=1, rank_low=1, rank_high=2),
        RankedRater(rater="gemini-2.5-pro", rater_type="recorded", value=0.60, rank=2, rank_low=1, rank_high=2),
        RankedRater(rater="gpt-4o", rater_type="recorded", value=0.55, rank=3, rank_low=3, rank_high=3),
    ]
    differences = [
        PairedDifference(rater=CEILING, other="gemini-2.5-pro", difference=0.02, low=-0.05, high=0.07),
        PairedDifference(rater=CEILING, other="gpt-4o", difference=0.07, low=0.01, high=0.12),
        PairedDifference(rater="gemini-2.5-pro", other="gpt-4o", difference=0.05, low=0.002, high=0.09),
    ]
    return Comparison(
        task="lend_an_ear", metric="qwk_loo", n=50, n_resamples=1000, seed=0, raters=raters, differences=differences
    )


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results")
    # the committed records without their comparisons: this test's one comparison is the only one
    shutil.copytree(RESULTS / "runs", out / "runs", ignore=shutil.ignore_patterns(COMPARISONS_FILE))
    write_comparisons({"lend_an_ear": [comparison()]}, out / "runs")
    return out


def test_the_comparison_file_sits_beside_the_records_and_is_no_record(compared: Path) -> None:
    path = compared / "runs" / "lend_an_ear" / COMPARISONS_FILE
    assert path.is_file()
    assert all(p.name != COMPARISONS_FILE for p, _ in read_records(compared / "runs"))
    assert [c for _, c in read_comparisons(compared / "runs")] == [comparison()]
    # unchanged content is not rewritten; draws are never stored
    before = path.stat().st_mtime_ns
    write_comparisons({"lend_an_ear": [comparison()]}, compared / "runs")
    assert path.stat().st_mtime_ns == before
    assert "draws" not in path.read_text()


def test_ranks_and_the_difference_matrix_are_on_the_board(compared: Path) -> None:
    board = build(compared)
    rows = {r["rater"]: r for r in board["overall"] if r["task"] == "lend_an_ear"}
    gemini = rows["gemini-2.5-pro"]
    assert (gemini["rank"], gemini["rank_low"], gemini["rank_high"]) == (2, 1, 2)
    rank = next(c for c in OVERALL_COLUMNS if c.key == "rank")
    assert cell(rank, rows["gpt-4o"]) == "3 [3, 3]"
    assert cell(rank, rows["builtin-lexicon"]) == "\u2013"  # not in the comparison: not ranked
    # the matrix: row minus column, both directions, bold only where the interval excludes 0
    md = markdown(board)
    assert "| row minus column | human: expert (leave-one-out) | gemini-2.5-pro | gpt-4o |" in md
    assert "| gemini-2.5-pro | -0.02 [-0.07, 0.05] | – | **0.05 [0.00, 0.09]** |" in md
    assert "| gpt-4o | **-0.07 [-0.12, -0.01]** | **-0.05 [-0.09, -0.00]** | – |" in md
    # the JSON holds every ordered pair, marked; the sources list the comparison file
    found = board["comparisons"][0]
    assert len(found["differences"]) == 6 and found["label"] == "QWK, ceiling's references"
    assert "runs/lend_an_ear/_comparisons.json" in {s["file"] for s in board["sources"]}


def test_rate_tables_sort_like_for_like_and_label_the_ceilings_alpha(compared: Path) -> None:
    board = build(compared)
    for task in {r["task"] for r in board["overall"]}:
        rows = [r for r in board["overall"] if r["task"] == task]
        key = "qwk_loo" if any(r["qwk_loo"] is not None for r in rows) else "qwk"
        values = [r[key] for r in rows if r[key] is not None]
        assert values == sorted(values, reverse=True), task
    ceiling = next(r for r in board["overall"] if r["task"] == "lend_an_ear" and r["role"] == "ceiling")
    alpha = next(c for c in OVERALL_COLUMNS if c.key == "alpha")
    assert cell(alpha, ceiling).endswith("(experts' own alpha)")
    # the README excerpt is still the Lend an Ear table, the rank and headline columns included
    readme = "intro\n<!-- leaderboard:start -->\nold\n<!-- leaderboard:end -->\nrest\n"
    excerpt = with_readme_block(readme, board)
    assert "| rank [95% CI] | QWK, ceiling's references [95% CI] |" in excerpt
    assert "Paired differences" not in excerpt and excerpt.endswith("<!-- leaderboard:end -->\nrest\n")


def test_a_broken_comparison_file_names_itself(tmp_path: Path) -> None:
    (tmp_path / "runs" / "lend_an_ear").mkdir(parents=True)
    (tmp_path / "runs" / "lend_an_ear" / COMPARISONS_FILE).write_text(json.dumps({"task": "lend_an_ear"}))
    with pytest.raises(InputError, match="_comparisons.json.*not a valid comparison file"):
        read_comparisons(tmp_path / "runs")


@pytest.mark.slow
def test_a_run_compares_every_row_of_a_task_and_a_limited_run_keeps_the_complete_comparison(tmp_path: Path) -> None:
    results = tmp_path / "results" / "runs"
    options = RunOptions(
        judges=["builtin-constant"], tasks=["lend_an_ear"], log_dir=str(tmp_path / "a"), display="none"
    )
    done = run_pipeline(options, n_resamples=50, results_dir=results)
    path = results / "lend_an_ear" / COMPARISONS_FILE
    assert path in done.comparison_paths
    stored = json.loads(path.read_text())["comparisons"][0]
    names = {r.agreement.rater for r in done.rows if r.agreement.task == "lend_an_ear"}
    # every plain row of the task (judge, recorded judges, humans, ceiling) is ranked; probes are not rows here
    assert {r["rater"] for r in stored["raters"]} >= {"builtin-constant", "gpt-4o", CEILING, "human: crowd"}
    assert {r["rater"] for r in stored["raters"]} <= names
    assert stored["metric"] == "qwk_loo" and stored["n"] == 50 and stored["n_resamples"] == 50
    n = len(stored["raters"])
    assert len(stored["differences"]) == n * (n - 1) // 2
    constant = next(r for r in stored["raters"] if r["rater"] == "builtin-constant")
    assert (constant["rank"], constant["rank_low"], constant["rank_high"]) == (n, n, n)  # kappa 0 on every draw
    before = path.read_text()
    limited = RunOptions(**(vars(options) | {"limit": 2, "log_dir": str(tmp_path / "b")}))
    partly = run_pipeline(limited, n_resamples=50, results_dir=results)
    assert path.read_text() == before
    assert partly.comparison_paths == [tmp_path / "results" / "partial-runs" / "lend_an_ear" / COMPARISONS_FILE]
