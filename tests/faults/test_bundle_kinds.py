"""Bundles of every log kind, a whole run exported at once, and the verification stamp
(pipeline/bundle/, docs/submitting.md).

One run of built-in judges (offline, deterministic): builtin-lexicon rates Lend an Ear (300
samples; its ratings also give its `(as coach)` row on the coach task), builtin-always-a compares
AnnoMI's pairs (386 samples), builtin-lexicon-coach coaches Lend an Ear (50 samples, each graded by
builtin-lexicon before and after the first rewrite). `export --all` writes a bundle per candidate x
task and `verify` of the folder passes each and stamps it. Then, one thing at a time on a copy: a
compare log's prompt and a coach log's grader prompt are changed (the manifest rehashed, as a
forger would) and `verify` names each; a record changed after the stamp makes the leaderboard's
provenance report the bundle again."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log, write_eval_log

from empathy_bench.cli import main
from empathy_bench.core.digest import sha256_file
from empathy_bench.leaderboard.provenance import VERIFICATION_FILE, bundle_provenance
from empathy_bench.pipeline import run
from empathy_bench.pipeline.bundle import MANIFEST, export_all
from empathy_bench.runs.execute import RunOptions
from record_support import set_figures, stored_figure

RESAMPLES = 10
RATE, COMPARE, COACH = (
    "builtin-lexicon-lend_an_ear",
    "builtin-always-a-annomi_compare",
    "builtin-lexicon-coach-lend_an_ear_coach",
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The run, exported with `export --all`; the folder of bundles and what the command printed."""
    tmp = tmp_path_factory.mktemp("kinds")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INSPECT_CACHE_DIR", str(tmp / "cache"))
        options = RunOptions(
            judges=["builtin-lexicon", "builtin-always-a"],
            coaches=["builtin-lexicon-coach"],
            tasks=["lend_an_ear", "annomi_compare", "lend_an_ear_coach"],
            probes=[],
            log_dir=str(tmp / "logs"),
            display="none",
        )
        run(options, n_resamples=RESAMPLES, results_dir=tmp / "results" / "runs")
    args = ["export", "--all", "--log-dir", str(tmp / "logs"), "--results-dir", str(tmp / "results" / "runs")]
    status, printed = printed_by([*args, "--output", str(tmp / "bundles"), "--resamples", str(RESAMPLES)])
    assert status == 0, printed
    return tmp / "bundles", printed


@pytest.fixture(scope="module")
def verified(exported: tuple[Path, str]) -> tuple[Path, str, int]:
    """`verify` of the folder of bundles (stamping each that verifies): its output and status."""
    status, printed = printed_by(["verify", str(exported[0])])
    return exported[0], printed, status


def printed_by(args: list[str]) -> tuple[int, str]:
    """A command's exit status and what it printed (module fixtures cannot use capsys)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(args)
    return status, out.getvalue()


def copy_of(bundles: Path, name: str, tmp_path: Path) -> Path:
    copy = tmp_path / name
    shutil.copytree(bundles / name, copy, ignore=shutil.ignore_patterns(VERIFICATION_FILE))
    return copy


def rehash(bundle: Path) -> None:
    """What a forger does after a change: the manifest's file hashes made to fit again."""
    data = json.loads((bundle / MANIFEST).read_text())
    data["files"] = {rel: sha256_file(bundle / rel) for rel in data["files"]}
    (bundle / MANIFEST).write_text(json.dumps(data))


def the_log(bundle: Path) -> Path:
    [log] = sorted((bundle / "logs").glob("*.eval"))
    return log


def failing(bundle: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["verify", str(bundle)]) == 1
    return capsys.readouterr().out


@pytest.mark.slow
def test_export_all_writes_a_bundle_per_run(exported: tuple[Path, str]) -> None:
    bundles, printed = exported
    assert sorted(p.name for p in bundles.iterdir()) == sorted([RATE, COMPARE, COACH])
    assert printed.count("bundle written: ") == 3 and "3 bundle(s) written" in printed and "0 not exported" in printed
    rate = json.loads((bundles / RATE / MANIFEST).read_text())
    # the rate judge's row on the coach task is made of its Lend an Ear log: it goes with that log,
    # with the coach task's file; the coach task's label rows stay in the coach bundle
    assert "records/lend_an_ear_coach/builtin-lexicon--as-coach.json" in rate["files"]
    assert "tasks/lend_an_ear_coach.yaml" in rate["files"]
    assert not any(f.startswith("records/lend_an_ear_coach/human") for f in rate["files"])
    coach = json.loads((bundles / COACH / MANIFEST).read_text())
    assert (
        coach["candidate"] == "builtin-lexicon-coach" and "records/lend_an_ear_coach/human-crowd.json" in coach["files"]
    )
    assert "records/lend_an_ear_coach/builtin-lexicon--as-coach.json" not in coach["files"]


@pytest.mark.slow
def test_verify_a_folder_of_bundles_passes_and_stamps_each(verified: tuple[Path, str, int]) -> None:
    bundles, printed, status = verified
    assert status == 0, printed
    lines = printed.strip().splitlines()
    # a line per bundle, in the folder's order; 386 compare samples (193 pairs in both orders)
    assert lines[0].startswith(f"VERIFIED      {COMPARE}: builtin-always-a on annomi_compare (")
    assert lines[0].endswith(", 386 samples)")
    assert lines[1].startswith(f"VERIFIED      {COACH}: builtin-lexicon-coach on lend_an_ear_coach (")
    assert lines[1].endswith(", 50 samples)")
    # builtin-lexicon asks every dimension of a conversation in one sample (its mode: all_dimensions)
    assert lines[2].startswith(f"VERIFIED      {RATE}: builtin-lexicon on lend_an_ear (")
    assert lines[2].endswith(", 50 samples)")
    assert lines[3].startswith("3 bundle(s): 3 verified, 0 not verified, 0 unreadable (")
    assert lines[3].endswith(", 486 samples checked)")
    for name in (RATE, COMPARE, COACH):
        assert (bundles / name / VERIFICATION_FILE).is_file()
        assert bundle_provenance(bundles / name).status == "verified"


@pytest.mark.slow
def test_the_coach_bundle_rebuilds_the_coach_and_grader_prompts(
    verified: tuple[Path, str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = copy_of(verified[0], COACH, tmp_path)
    log = read_eval_log(str(the_log(bundle)))
    graded = [s for s in log.samples or [] if "grading" in (s.metadata or {})]
    # every graded sample: the grader (builtin-lexicon, whose mode is all_dimensions) rated the 6
    # dimensions in one prompt before and one after the rewrite
    assert log.eval.metadata and log.eval.metadata["grader_mode"] == "all_dimensions"
    calls = sum(1 for s in graded for e in s.events if e.event == "model" and e.role == "grader")
    assert graded and calls == 2 * len(graded)
    assert main(["verify", str(bundle), "--no-stamp"]) == 0
    out = capsys.readouterr().out
    assert f"{50 + calls} prompts rebuilt" in out and not (bundle / VERIFICATION_FILE).exists()


@pytest.mark.slow
def test_a_compare_prompt_changed(
    verified: tuple[Path, str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = copy_of(verified[0], COMPARE, tmp_path)
    path = the_log(bundle)
    log = read_eval_log(str(path))
    assert log.samples
    sample = log.samples[5]
    assert isinstance(sample.input, str)
    sample.input += "\nConversation A is the better one."
    write_eval_log(log, str(path))
    rehash(bundle)
    out = failing(bundle, capsys)
    assert f"logs/{path.name} prompt of sample {sample.id}: expected the candidate's template for that item" in out
    assert "another prompt (1 of 386 samples differ)" in out


@pytest.mark.slow
def test_a_grader_prompt_changed(
    verified: tuple[Path, str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = copy_of(verified[0], COACH, tmp_path)
    path = the_log(bundle)
    log = read_eval_log(str(path))
    sample = next(s for s in log.samples or [] if "grading" in (s.metadata or {}))
    event = next(e for e in sample.events if e.event == "model" and e.role == "grader")
    event.input[0].content = "Rate this conversation 5 on every dimension."  # type: ignore[union-attr]
    write_eval_log(log, str(path))
    rehash(bundle)
    out = failing(bundle, capsys)
    assert f"logs/{path.name} grader prompts of sample {sample.id}" in out and "(1 samples differ)" in out


@pytest.mark.slow
def test_a_record_changed_after_the_stamp_is_reported(
    verified: tuple[Path, str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = copy_of(verified[0], COACH, tmp_path)
    assert bundle_provenance(bundle).status == "reported"  # copied without its stamp
    assert main(["verify", str(bundle)]) == 0
    assert f"stamp written: {bundle / VERIFICATION_FILE}" in capsys.readouterr().out
    assert bundle_provenance(bundle).status == "verified"
    # the stamp is not a file the manifest should list: verifying again passes
    assert main(["verify", str(bundle), "--no-stamp"]) == 0
    record = bundle / "records" / "lend_an_ear_coach" / "builtin-lexicon-coach.json"
    data = json.loads(record.read_text())
    set_figures(data, n_items=stored_figure(data, "n_items") + 1)  # type: ignore[operator]
    record.write_text(json.dumps(data))
    found = bundle_provenance(bundle)
    assert found.status == "reported" and "changed since" in found.via
    # verify no longer passes (the manifest's hash of the record) and takes the stamp away
    out = failing(bundle, capsys)
    assert "sha256 of records/lend_an_ear_coach/builtin-lexicon-coach.json" in out and "stamp removed" in out
    assert not (bundle / VERIFICATION_FILE).exists()


@pytest.mark.slow
def test_export_all_says_which_runs_it_could_not_export(exported: tuple[Path, str], tmp_path: Path) -> None:
    """A log dir that holds only the compare run's log: that run is exported, the other two are
    reported with the reason, and the command's status says so."""
    logs = tmp_path / "logs"
    logs.mkdir()
    source = exported[0].parent / "logs"
    [compare_log] = [p for p in source.rglob("*.eval") if "annomi-compare" in p.name]
    shutil.copy(compare_log, logs / compare_log.name)
    done = export_all(logs, exported[0].parent / "results" / "runs", tmp_path / "out", n_resamples=RESAMPLES)
    by_rater = {e.rater: e for e in done}
    assert sorted(by_rater) == ["builtin-always-a", "builtin-lexicon", "builtin-lexicon-coach"]
    assert by_rater["builtin-always-a"].bundle == tmp_path / "out" / COMPARE
    files = json.loads((tmp_path / "out" / COMPARE / MANIFEST).read_text())["files"]
    assert {"records/annomi_compare/builtin-always-a.json", f"logs/{compare_log.name}"} <= set(files)
    for rater in ("builtin-lexicon", "builtin-lexicon-coach"):
        assert by_rater[rater].bundle is None and "holds no log" in by_rater[rater].error


def test_a_folder_of_unreadable_bundles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / MANIFEST).write_text("{")
    (tmp_path / "b.tar.gz").write_bytes(b"not gzip")
    (tmp_path / "README.md").write_text("bundles of the spring round\n")  # not a bundle: passed over
    assert main(["verify", str(tmp_path)]) == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("UNREADABLE    a: ") and "is not JSON" in lines[0]
    assert lines[1].startswith("UNREADABLE    b.tar.gz: ") and "cannot be unpacked" in lines[1]
    assert "2 bundle(s): 0 verified, 0 not verified, 2 unreadable" in lines[2]
    assert len(lines) == 4  # and the stamps line


def test_export_needs_one_run_or_all(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for args in (["--all", "--task", "epitome"], ["--task", "epitome"], ["--judge", "builtin-lexicon"]):
        assert main(["export", *args, "--output", str(tmp_path / "b")]) == 2
        assert "needs one run or --all" in capsys.readouterr().err
