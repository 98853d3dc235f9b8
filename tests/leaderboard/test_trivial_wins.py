"""A trivial baseline that wins an alt-test comparison is named on every surface (issue 22.8).

The criterion (leaderboard/rate_table.py `trivial_win_rows`): a run of a judge file with
`baseline: true` beats at least one expert in an alt-test of a rate task, per dimension (the
per-dimension tests, Benjamini-Yekutieli over all of the baseline's dimensions and experts) or
pooled: that expert's null hypothesis is rejected, so the winning rate is above 0 (a pass, >= 0.5,
is the extreme case). The records here are built by hand: no run, no labels read.
"""

from __future__ import annotations

from pathlib import Path

from empathy_bench.agreement.alt_test import AltTestResult, AnnotatorTest
from empathy_bench.agreement.rater import RaterAgreement, RaterType
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.markdown import markdown
from empathy_bench.leaderboard.rate_table import POOLED, TRIVIAL_WINS_HEAD, trivial_win_rows
from empathy_bench.leaderboard.record import RunRecord, record, write_records
from empathy_bench.leaderboard.terminal import render
from empathy_bench.tasks.spec import load_task

TASK = "epitome"
DIMS = ["level_emotional_reactions", "level_interpretations", "level_explorations"]


def alt(beaten: set[str]) -> AltTestResult:
    """An alt-test against three experts in which the rater beats those in `beaten`."""
    tests = [
        AnnotatorTest(
            annotator=e,
            n_items=50,
            n_units=50,
            df=49,
            rho_llm=0.9 if e in beaten else 0.4,
            rho_human=0.5,
            t_statistic=-3.0,
            p_value=0.001 if e in beaten else 0.6,
            p_adjusted=0.01 if e in beaten else 1.0,
            rejected=e in beaten,
        )
        for e in ("expert1", "expert2", "expert3")
    ]
    rate = len(beaten) / 3
    return AltTestResult(
        epsilon=0.2,
        alpha=0.05,
        metric="neg_rmse",
        n_annotators=3,
        n_items=50,
        n_items_dropped=0,
        winning_rate=rate,
        passed=rate >= 0.5,
        advantage_probability=0.5,
        per_annotator=tests,
    )


def rater(name: str, rater_type: RaterType, by_dimension: dict[str, set[str]], pooled: set[str]) -> RunRecord:
    agreement = RaterAgreement(
        task=TASK,
        rater=name,
        rater_type=rater_type,
        n_items=50,
        n_ratings=150,
        dimensions=[],
        alt_test=alt(pooled),
        alt_test_by_dimension={d: alt(by_dimension.get(d, set())) for d in DIMS},
    )
    return record(agreement, load_task(TASK))


def records() -> list[RunRecord]:
    return [
        # a constant beats expert2 on one dimension: flagged, not a pass
        rater("builtin-constant", "baseline", {"level_interpretations": {"expert2"}}, set()),
        # a length baseline passes one dimension (two of three experts) and beats one expert pooled
        rater("builtin-length", "baseline", {"level_explorations": {"expert1", "expert3"}}, {"expert3"}),
        # a baseline that beats nobody: no note
        rater("builtin-silent", "baseline", {}, set()),
        # a judge (not a baseline) that beats experts: its wins are the point, no note
        rater("gpt-judge", "run", {d: {"expert1", "expert2", "expert3"} for d in DIMS}, {"expert1"}),
    ]


def test_a_baseline_that_beats_an_expert_is_named_with_task_dimension_and_experts() -> None:
    rows = trivial_win_rows(records())
    found = [(r["rater"], r["dimension"], r["experts"], r["winning_rate"], r["passed"]) for r in rows]
    assert found == [
        ("builtin-constant", "level_interpretations", ["expert2"], 0.3333, False),
        ("builtin-length", "level_explorations", ["expert1", "expert3"], 0.6667, True),
        ("builtin-length", POOLED, ["expert3"], 0.3333, False),
    ]
    assert rows[0]["note"] == (
        "epitome: the trivial baseline builtin-constant beats 1 of 3 experts (expert2) in the alt-test on "
        "level_interpretations (winning rate 0.33): there the test cannot tell it from an expert."
    )
    assert (
        "beats 2 of 3 experts (expert1, expert3) in the alt-test on level_explorations (winning rate 0.67, a pass)"
        in (rows[1]["note"])
    )


def test_the_note_is_in_the_markdown_under_its_task_and_in_the_terminal(tmp_path: Path) -> None:
    recs = records()
    write_records(recs, tmp_path / "runs")
    board = build(tmp_path)
    assert [r["rater"] for r in board["trivial_wins"]] == ["builtin-constant", "builtin-length", "builtin-length"]
    text = markdown(board)
    section = text.split(f"## {TASK}\n", 1)[1].split("\n## ", 1)[0]
    assert f"**{TRIVIAL_WINS_HEAD}**" in section
    for row in board["trivial_wins"]:
        assert row["note"] in section
    assert "gpt-judge" not in section.split("A trivial rater wins", 1)[1]
    shown = render(recs)
    epitome = shown.split(f"\n\n{TASK}\n", 1)[1].split("\n\n", 1)[0]
    notes = epitome.split("\nNOTE: ", 1)[1].splitlines()
    assert notes == [TRIVIAL_WINS_HEAD, *(f"  - {row['note']}" for row in board["trivial_wins"])]
