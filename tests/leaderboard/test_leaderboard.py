"""Run records and the leaderboard: the committed leaderboard is exactly what the committed
run records regenerate, twice in a row, and every row traces back to its inputs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from empathy_bench.cli import main
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.columns import OVERALL_COLUMNS, cell
from empathy_bench.leaderboard.publish import write
from empathy_bench.leaderboard.record import RunRecord, read_records, write_records
from empathy_bench.sources.card import load_source_card
from record_support import set_figures, stored_figure

RESULTS = project_dir() / "results"
FILES = ["leaderboard.csv", "leaderboard.json", "leaderboard.md", "index.html"]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results")
    shutil.copytree(RESULTS / "runs", out / "runs")
    if (RESULTS / "recipient").is_dir():  # recipient-perspective tables (leaderboard/recipient.py)
        shutil.copytree(RESULTS / "recipient", out / "recipient")
    write(out)
    return out


@pytest.mark.parametrize("name", FILES)
def test_committed_leaderboard_equals_a_fresh_regeneration(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (RESULTS / name).read_bytes(), (
        f"results/{name} is stale: run `empathy-bench leaderboard` and commit"
    )


def test_readme_shows_the_current_leaderboard() -> None:
    from empathy_bench.leaderboard.markdown import with_readme_block

    readme = (project_dir() / "README.md").read_text()
    assert with_readme_block(readme, build(RESULTS)) == readme, (
        "README's leaderboard excerpt is stale: run `empathy-bench leaderboard`"
    )


def test_regenerating_twice_is_byte_identical(regenerated: Path) -> None:
    before = {n: (regenerated / n).read_bytes() for n in FILES}
    assert main(["leaderboard", "--results-dir", str(regenerated)]) == 0
    assert {n: (regenerated / n).read_bytes() for n in FILES} == before


def test_published_rows_cover_runs_recorded_judges_humans_and_baselines() -> None:
    board = build(RESULTS)
    lae = {r["rater"]: r for r in board["overall"] if r["task"] == "lend_an_ear"}
    assert {
        "builtin-lexicon",
        "builtin-length",
        "builtin-constant",
        "gpt-4o",
        "claude-3.7-sonnet",
        "gemini-2.5-pro",
        "human: crowd",
        "human: expert (leave-one-out)",
    } <= set(lae)
    assert lae["builtin-constant"]["rater_type"] == "baseline" and lae["gpt-4o"]["rater_type"] == "recorded"
    # the fraction of the ceiling is the rater's kappa against the leave-one-expert-out references
    # over the ceiling's own kappa, both read from the records
    records = {
        r.agreement.rater: r.agreement
        for _, r in read_records(RESULTS / "runs")
        if r.agreement.task == "lend_an_ear" and r.agreement.probe is None
    }
    ceiling = next(a for a in records.values() if a.role == "ceiling")
    loo, ceiling_qwk = records["gpt-4o"].value("qwk_loo"), ceiling.value("qwk")
    assert isinstance(loo, float) and isinstance(ceiling_qwk, float)
    assert lae["gpt-4o"]["ceiling_fraction"] == pytest.approx(loo / ceiling_qwk, abs=1e-4)
    for row in lae.values():
        assert row["qwk_low"] <= row["qwk"] <= row["qwk_high"]
    # Lend an Ear's six dimensions side by side, and its overall score as its own row set
    dims = {d["dimension"] for d in board["per_dimension"] if d["task"] == "lend_an_ear"}
    assert len(dims) == 6
    assert {s["rater"] for s in board["overall_score"]} >= {
        "builtin-lexicon",
        "gemini-2.5-pro",
        "human: expert (leave-one-out)",
    }


def test_every_record_traces_to_its_inputs() -> None:
    records = read_records(RESULTS / "runs")
    assert records
    for path, rec in records:
        card = {f.path: f.sha256 for f in load_source_card(rec.task.source).files}
        assert rec.label_files and all(card[p] == h for p, h in rec.label_files.items()), path
        assert rec.rubric["sha256"] == sha256_file(project_dir() / "rubrics" / f"{rec.rubric['id']}.yaml")
        assert rec.packages["litellm"] == "1.106.2"
        assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", rec.git_revision), rec.git_revision
        assert rec.command.startswith("empathy-bench")
        if rec.run is not None:
            assert rec.log is not None and len(rec.log.sha256) == 64, path
            assert rec.candidate["config_sha256"] and rec.candidate["prompt_sha256"]
            assert rec.run.n_ratings > 0 and rec.agreement.rater_type in ("run", "baseline")


def test_markdown_and_csv_agree_with_the_json() -> None:
    board = json.loads((RESULTS / "leaderboard.json").read_text())
    csv_lines = (RESULTS / "leaderboard.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + len(board["overall"])
    assert set(csv_lines[0].split(",")) == set(board["overall"][0])  # every field of a row
    md = (RESULTS / "leaderboard.md").read_text()
    # every row is in the Markdown under the defined columns, e.g. "| gpt-4o | recorded | 50 | 0.55 [0.47, 0.61] |"
    for row in board["overall"]:
        assert "| " + " | ".join(cell(c, row) for c in OVERALL_COLUMNS) + " |" in md, row["rater"]
    top = board["overall"][0]
    assert f"| {top['qwk']:.2f} [{top['qwk_low']:.2f}, {top['qwk_high']:.2f}] |" in md


def test_bundle_builds_the_drilldown_the_page_links_to(tmp_path: Path) -> None:
    from inspect_ai import eval

    from empathy_bench.tasks.rate import rate

    logs = tmp_path / "logs"
    eval(rate(task="epitome", judge="builtin-lexicon"), limit=2, display="none", log_dir=str(logs))
    shutil.copytree(RESULTS / "runs", tmp_path / "runs")
    assert main(["leaderboard", "--results-dir", str(tmp_path), "--bundle", str(logs)]) == 0
    assert (tmp_path / "drilldown" / "index.html").is_file()
    assert "drilldown/index.html" in (tmp_path / "index.html").read_text()


def test_alt_test_disagreement_is_shown_on_every_surface() -> None:
    # gpt-4o on Lend an Ear fails by the authors' procedure and passes with conversations as
    # units (tests/test_alt_test.py works out why): every surface says both.
    board = build(RESULTS)
    row = next(r for r in board["overall"] if r["task"] == "lend_an_ear" and r["rater"] == "gpt-4o")
    assert (row["alt_test_passed"], row["alt_test_clustered_passed"], row["alt_test_verdict"]) == (
        False,
        True,
        "fail, passes when clustered",
    )
    assert "| gpt-4o | recorded |" in (RESULTS / "leaderboard.md").read_text()
    assert "fail, passes when clustered (0.00)" in (RESULTS / "leaderboard.md").read_text()
    assert "fail, passes when clustered" in (RESULTS / "leaderboard.csv").read_text()
    assert "alt_test_verdict" in (RESULTS / "index.html").read_text()


def test_constant_rater_scores_its_own_shuffled_alpha() -> None:
    # Shuffling a constant changes nothing, so its "alpha + rater" is exactly the uninformative
    # level shown beside it; an informative rater sits above its own.
    board = build(RESULTS)
    lae = {r["rater"]: r for r in board["overall"] if r["task"] == "lend_an_ear"}
    assert lae["builtin-constant"]["alpha"] == lae["builtin-constant"]["alpha_shuffled"]
    assert lae["gemini-2.5-pro"]["alpha"] > lae["gemini-2.5-pro"]["alpha_shuffled"] + 0.1


def _one_run_record(tmp_path: Path, **candidate: object) -> Path:
    out = tmp_path / "results"
    (out / "runs" / "lend_an_ear").mkdir(parents=True)
    path = out / "runs" / "lend_an_ear" / "builtin-lexicon.json"
    data = json.loads((RESULTS / "runs" / "lend_an_ear" / "builtin-lexicon.json").read_text())
    data["candidate"].update(candidate)
    data["candidate"] = {k: v for k, v in data["candidate"].items() if v is not None}
    path.write_text(json.dumps(data))
    return out


def test_a_run_record_without_a_fitting_declaration_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _one_run_record(tmp_path, fitted_on=None)
    assert main(["leaderboard", "--results-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "builtin-lexicon.json" in err and "candidate.fitted_on is missing" in err and "re-run" in err


def test_a_candidate_fitted_on_the_task_is_marked_everywhere(tmp_path: Path) -> None:
    out = _one_run_record(tmp_path, fitted_on=["lend_an_ear"])
    data = json.loads((out / "runs" / "lend_an_ear" / "builtin-lexicon.json").read_text())
    data["run"]["fitted_on_task"] = True
    (out / "runs" / "lend_an_ear" / "builtin-lexicon.json").write_text(json.dumps(data))
    write(out)
    assert json.loads((out / "leaderboard.json").read_text())["overall"][0]["fitted_on_task"] is True
    assert "| builtin-lexicon (fitted on these items) |" in (out / "leaderboard.md").read_text()
    assert "fitted_on_task" in (out / "leaderboard.csv").read_text().splitlines()[0]
    assert '"fitted_on_task":true' in (out / "index.html").read_text().replace(" ", "")


def test_stored_figures_are_rounded_to_six_decimals_with_no_negative_zero(tmp_path: Path) -> None:
    data = json.loads((RESULTS / "runs" / "lend_an_ear" / "gpt-4o.json").read_text())
    set_figures(data, spearman=0.123456789, qwk=-0.0000001, alpha=2 / 3)
    [path] = write_records([RunRecord.model_validate(data)], tmp_path / "runs")
    text = path.read_text()
    stored = json.loads(text)
    assert [stored_figure(stored, k) for k in ("spearman", "qwk", "alpha")] == [0.123457, 0.0, 0.666667]
    assert '"value": 0.0' in text and not re.search(r"-0\.0[,\n]", text)
