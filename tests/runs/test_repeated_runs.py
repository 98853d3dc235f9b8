"""Repeated runs end to end (docs/repeated-runs.md): a source card that lists a recorded judge's
runs gives its test-retest row and the spread of its headline over the runs, in a run where no
judge rated the task; `validate --data` reads the run files; and a coach run with two epochs gets
test-retest and a spread like a judge's.

The card is a small one (tests/recorded_runs_support.py) in a project folder of its own
(rubrics, judges and coaches copied from the repository; the card and a rate task on it added)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_bench.agreement.coach import CoachAgreement
from empathy_bench.agreement.probe import ProbeResult
from empathy_bench.agreement.rater import RaterAgreement
from empathy_bench.catalog import validate
from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.columns import SPREAD, cell
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.runs.execute import RunOptions
from empathy_bench.sources.card import load_source_card
from empathy_bench.tasks.spec import load_task
from recorded_runs_support import FW, JUDGE, RUN_RATINGS, RUNS, write_source  # noqa: E402

# The card's expert rates c1..c4 (empathy, relevance, fluency): 3 4 5 | 4 4 4 | 5 5 5 | 2 3 4.
# Run 1 rates exactly as the expert: QWK 1 on every dimension, headline 1.
# Run 2 permutes each dimension's values, so both raters have the same marginals and the QWK
# (value weights) is 1 - sum (a - b)^2 / (2 * SS), SS = the expert's sum of squared deviations:
#   empathy   2 5 4 3 vs 3 4 5 2: squared differences 1 + 1 + 1 + 1 = 4, SS = 5 (mean 3.5): 1 - 4/10 = 0.6
#   relevance 4 4 5 3, the expert's own: 1
#   fluency   4 5 4 5 vs 5 4 5 4: 1 + 1 + 1 + 1 = 4, SS = 1 (mean 4.5): 1 - 4/2 = -1
# headline of run 2: (0.6 + 1 - 1)/3 = 0.2. Spread: 0.2 to 1.
RUN_1 = "conversation_id,empathy,relevance,fluency\nc1,3,4,5\nc2,4,4,4\nc3,5,5,5\nc4,2,3,4\n"
RUN_2 = "conversation_id,empathy,relevance,fluency\nc1,2,4,4\nc2,5,4,5\nc3,4,5,4\nc4,3,3,5\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project folder with the repository's rubrics and candidates, and empty human_labels/
    and tasks/ for the test's own card and task."""
    home = tmp_path / "project"
    for folder in ("rubrics", "evals"):
        shutil.copytree(project_dir() / folder, home / folder)
    for folder in ("human_labels", "tasks"):
        (home / folder).mkdir()
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    load_task.cache_clear()
    load_source_card.cache_clear()
    yield home
    load_task.cache_clear()  # the cached files are this project's: not the repository's
    load_source_card.cache_clear()


def two_run_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: Path, name: str, runs: list[str]) -> str:
    """The card `name` with the judge's first two run files (contents `runs`) under `runs:`, in
    the project, and a rate task `<name>_rate` on it (reference: the expert)."""

    def two_runs(raw: dict) -> None:
        raw["frameworks"][0]["raters"][1]["runs"] = RUNS[:2]

    card = write_source(tmp_path, monkeypatch, name=name, change=two_runs, runs=[*runs, RUN_RATINGS[2]])
    shutil.copy(card, project / "human_labels" / f"{name}.yaml")
    task = f"{name}_rate"
    (project / "tasks" / f"{task}.yaml").write_text(
        f"id: {task}\nversion: 1\ntitle: Two runs\nkind: rate\nsource: {name}\nframework: {FW}\nrubric: {FW}\n"
        "reference: expert1\n"
    )
    return task


def test_a_recorded_judges_runs_show_without_any_judge_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    task = two_run_card(tmp_path, monkeypatch, project, "two_runs", [RUN_1, RUN_2])
    # the only judge is a compare judge: nothing runs on the rate task, its labels alone give rows
    options = RunOptions(
        judges=["builtin-always-a"], tasks=[task], probes=[], log_dir=str(tmp_path / "logs"), display="none"
    )
    result = run_pipeline(options, n_resamples=20, recorded=True, results_dir=tmp_path / "results" / "runs")
    assert result.logs == []
    rows = {(r.agreement.rater, type(r.agreement).__name__): r.agreement for r in result.rows}
    retest = rows[(JUDGE, "ProbeResult")]
    assert isinstance(retest, ProbeResult) and (retest.rater_type, retest.probe) == ("recorded", "retest")
    assert [r.epochs for r in retest.retest] == [2, 2, 2]
    # each run's kappa with the reference, per dimension: run 1 is 1 everywhere, run 2 as above
    by_dimension = [(r.dimension, r.qwk_reference_min, r.qwk_reference_max) for r in retest.retest]
    assert [d for d, _, _ in by_dimension] == ["empathy", "relevance", "fluency"]
    assert [(low, high) for _, low, high in by_dimension] == [pytest.approx(x) for x in [(0.6, 1), (1, 1), (-1, 1)]]
    # the recorded judge's own row (the median of its runs) carries the spread of its headline
    judge = rows[(JUDGE, "RaterAgreement")]
    assert isinstance(judge, RaterAgreement) and judge.spread is not None
    assert (judge.spread.unit, judge.spread.n) == ("run", 2)
    assert judge.spread.values == pytest.approx([1.0, 0.2])
    assert (judge.spread.low, judge.spread.high) == pytest.approx((0.2, 1.0))
    # the board's rate table shows it as min-max, the bias table the test-retest
    board = build(tmp_path / "results")
    [row] = [r for r in board["overall"] if r["rater"] == JUDGE]
    assert (row["spread"], row["spread_low"], row["spread_high"], row["spread_n"]) == ("0.20\u20131.00", 0.2, 1.0, 2)
    assert cell(SPREAD, row) == "0.20\u20131.00"
    [bias] = [r for r in board["bias"] if r["rater"] == JUDGE]
    assert bias["retest_epochs"] == 2


def test_validate_with_data_reads_every_run_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    # a fluency of 7 on row 2 of run 2 (the scale is 1..5)
    two_run_card(tmp_path, monkeypatch, project, "bad_run", [RUN_1, RUN_2.replace("c2,5,4,5", "c2,5,4,7")])
    errors = {path.name: error for path, error in validate(check_data=True) if path.parent.name == "human_labels"}
    error = errors["bad_run.yaml"]
    assert error is not None
    assert RUNS[1] in error and "data row 2" in error and "value 7.0 of 'fluency' is outside the scale 1..5" in error
    # without --data only the card itself is checked, and it is well formed
    assert {p.name: e for p, e in validate() if p.parent.name == "human_labels"} == {"bad_run.yaml": None}


def test_a_coach_run_with_two_epochs_gets_test_retest_and_a_spread(mirror: object, tmp_path: Path) -> None:
    options = RunOptions(
        judges=[],
        coaches=["builtin-lexicon-coach"],
        tasks=["lend_an_ear_coach"],
        limit=4,
        epochs=2,
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    rows = run_pipeline(options, n_resamples=20, recorded=False).rows
    [retest] = [r.agreement for r in rows if isinstance(r.agreement, ProbeResult) and r.agreement.probe == "retest"]
    assert (retest.rater, retest.rater_type) == ("builtin-lexicon-coach", "run")
    assert len(retest.retest) == 6 and all((r.epochs, r.n_items) == (2, 4) for r in retest.retest)
    # a deterministic coach names the same dimensions in both epochs, with byte-identical replies
    assert all(r.identical_share == 1.0 for r in retest.retest)
    assert retest.identical_replies == 1.0
    # the table scores the first epoch's feedback (4 conversations, not 8); the spread reads both
    [coach] = [
        r.agreement for r in rows if isinstance(r.agreement, CoachAgreement) and r.agreement.rater_type != "human"
    ]
    assert coach.n_items == 4
    assert coach.spread is not None and (coach.spread.unit, coach.spread.n) == ("epoch", 2)
    assert coach.spread.low == coach.spread.high == pytest.approx(coach.spread.values[0])
