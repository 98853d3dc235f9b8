"""Verified and reported rows (leaderboard/provenance.py): a record added under
results/submissions/ without logs shows as reported on every surface (CSV, JSON, Markdown, the
terminal, the page), `--verified-only` leaves it out, a bundle verified and stamped shows as
verified, and one changed after its stamp is reported again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from empathy_bench.cli import main
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.columns import REPORTED_MARK
from empathy_bench.leaderboard.provenance import RECORDS, SUBMISSIONS, bundle_provenance, stamp

RESULTS = project_dir() / "results"
TASK = "epitome"
TEAM = "team-judge"


def _submitted_record(results: Path, bundle: str, rater: str = TEAM) -> Path:
    """A copy of a run's record under another rater's name, as a team would add it by hand."""
    data = json.loads((RESULTS / "runs" / TASK / "builtin-lexicon.json").read_text(encoding="utf-8"))
    data["agreement"]["rater"] = rater
    data["agreement"]["rater_type"] = "run"
    data["candidate"]["id"] = rater
    target = results / SUBMISSIONS / bundle / RECORDS / TASK / f"{rater}.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    out = tmp_path / "results"
    shutil.copytree(RESULTS / "runs" / TASK, out / "runs" / TASK)
    _submitted_record(out, "team-x")
    return out


def _row(board: dict, rater: str) -> dict:
    return next(r for r in board["overall"] if r["rater"] == rater)


def test_a_record_without_logs_is_reported_and_the_rest_verified(results: Path) -> None:
    board = build(results)
    assert _row(board, TEAM)["provenance"] == "reported"
    assert {r["provenance"] for r in board["overall"] if r["rater"] != TEAM} == {"verified"}
    by_rater = {p["rater"]: p for p in board["provenance"]}
    assert by_rater[TEAM]["via"].startswith("submitted without logs (team-x")
    assert by_rater[TEAM]["bundle"] == "team-x" and by_rater["builtin-lexicon"]["bundle"] is None
    assert by_rater["builtin-lexicon"]["via"].startswith("measured here from the run's logs")
    assert by_rater["gpt-4o"]["via"].startswith("recomputed here from the pinned labels")  # a recorded judge


def test_every_file_surface_marks_the_reported_row(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", "--results-dir", str(results)]) == 0
    printed = capsys.readouterr().out
    rows = len(build(results)["provenance"])
    assert f"rows: {rows - 1} verified, 1 reported" in printed
    assert f"{TASK} / {TEAM}: reported, submitted without logs" in printed

    md = (results / "leaderboard.md").read_text(encoding="utf-8")
    assert f"| {TEAM}{REPORTED_MARK} |" in md
    assert "builtin-lexicon |" in md and f"builtin-lexicon{REPORTED_MARK}" not in md
    assert "`empathy-bench leaderboard --verified-only` leaves them out" in md

    csv_lines = (results / "leaderboard.csv").read_text(encoding="utf-8").splitlines()
    column = csv_lines[0].split(",").index("provenance")
    mine = [line.split(",") for line in csv_lines[1:] if line.split(",")[1] == TEAM]
    assert [cells[column] for cells in mine] == ["reported"]

    page = (results / "index.html").read_text(encoding="utf-8")
    assert '"provenance":"reported"' in page and 'id="provenance-section"' in page


def test_verified_only_leaves_the_reported_row_out(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board = build(results, verified_only=True)
    assert TEAM not in {r["rater"] for r in board["overall"]}
    assert all(p["status"] == "verified" for p in board["provenance"])
    assert main(["leaderboard", "--results-dir", str(results), "--verified-only"]) == 0
    assert ", 0 reported" in capsys.readouterr().out
    md = (results / "leaderboard.md").read_text(encoding="utf-8")
    assert TEAM not in md and "Only verified rows are shown (`--verified-only`)." in md


def test_a_stamped_bundle_is_verified_until_a_record_changes(results: Path) -> None:
    bundle = results / SUBMISSIONS / "team-x"
    assert bundle_provenance(bundle).via.startswith("submitted without logs")
    (bundle / "manifest.json").write_text('{"bundle_version": 1}', encoding="utf-8")
    assert bundle_provenance(bundle).via.startswith("bundle team-x not verified")
    stamp(bundle, 1, "0.test", "abc")
    assert bundle_provenance(bundle).status == "verified"
    assert _row(build(results), TEAM)["provenance"] == "verified"

    record = bundle / RECORDS / TASK / f"{TEAM}.json"
    record.write_text(record.read_text(encoding="utf-8").replace('"n_items"', '"n_items" '), encoding="utf-8")
    found = bundle_provenance(bundle)
    assert (found.status, found.via) == ("reported", "bundle team-x changed since `verify` passed; verify it again")
    (bundle / "verification.json").write_text("{not json", encoding="utf-8")
    assert bundle_provenance(bundle).via == "bundle team-x: verification.json is not a valid stamp"


def test_a_submission_may_not_take_a_row_the_board_has(results: Path) -> None:
    taken = _submitted_record(results, "team-y", rater="builtin-lexicon")
    with pytest.raises(InputError) as err:
        build(results)
    text = str(err.value)
    assert str(taken) in text and "runs/epitome/builtin-lexicon.json" in text and "rename the submitted" in text


def test_only_the_candidates_rows_of_a_submission_count(results: Path) -> None:
    """A bundle carries the task's label rows too (the ceiling, recorded judges); the board's own
    label rows stand, and the bundle's copies neither add rows nor conflict."""
    src = RESULTS / "runs" / TASK / "gpt-4o.json"  # a recorded judge: no run
    shutil.copy(src, results / SUBMISSIONS / "team-x" / RECORDS / TASK / "gpt-4o.json")
    board = build(results)
    assert [r["rater"] for r in board["overall"]].count("gpt-4o") == 1
