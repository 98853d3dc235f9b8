"""Submission bundles end to end (pipeline/bundle/, docs/submitting.md): a scripted judge over
litellm against an OpenAI-compatible server on 127.0.0.1 runs the whole EPITOME task and its length
probe, its records and logs are exported and `verify` passes; then one thing at a time is tampered
with (a score in a log, the prompt template, a label hash, a removed sample, a probe log's sample
id, a figure in a record) and `verify` fails naming it. The manifest's file hashes are updated
after each tampering, as a forger would, so the deeper check is the one that must catch it. Bad
bundles stop with one line. Compare and coach logs: test_bundle_kinds.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fault_server import Fault, FaultServer
from inspect_ai.log import read_eval_log, write_eval_log

from empathy_bench.cli import main
from empathy_bench.core.digest import sha256_file
from empathy_bench.pipeline import run
from empathy_bench.pipeline.bundle import MANIFEST, export, verify
from empathy_bench.runs.execute import RunOptions
from record_support import set_figures, stored_figure

RESAMPLES = 10

pytestmark = pytest.mark.slow  # a fault server and a whole task (EPITOME, 150 samples, and its length probe)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of a scripted judge's full run on EPITOME (150 samples) with the length probe
    (150 x 2 conditions), exported once."""
    tmp = tmp_path_factory.mktemp("bundle")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INSPECT_CACHE_DIR", str(tmp / "cache"))
        judge = tmp / "scripted-judge.yaml"
        # the probe's `original` condition is the plain run's prompts, served from the cache
        with FaultServer(Fault(mode="ok", rating=2), max_requests=400) as server:
            judge.write_text(
                f"id: scripted-judge\nmodel: litellm/openai/scripted\nbase_url: {server.url}\n"
                "api_key_env: none\ngeneration: {timeout: 5, max_connections: 4}\n"
            )
            options = RunOptions(
                judges=[str(judge)],
                tasks=["epitome"],
                probes=["length"],
                log_dir=str(tmp / "logs"),
                display="none",
                max_retries=1,
            )
            run(options, n_resamples=RESAMPLES, recorded=False, results_dir=tmp / "results" / "runs")
        return export(
            "epitome",
            str(judge),
            tmp / "logs",
            tmp / "results" / "runs",
            tmp / "bundle",
            n_resamples=RESAMPLES,
            recorded=False,
        )


@pytest.fixture
def bundle(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(pristine, copy)
    return copy


def manifest(bundle: Path) -> dict:
    return json.loads((bundle / MANIFEST).read_text())


def rehash(bundle: Path) -> None:
    """What a forger does after a change: the manifest's file hashes made to fit again."""
    data = manifest(bundle)
    data["files"] = {rel: sha256_file(bundle / rel) for rel in data["files"]}
    (bundle / MANIFEST).write_text(json.dumps(data))


def the_log(bundle: Path, probe: bool = False) -> Path:
    """The bundle's plain log (or its length probe's)."""
    [log] = [p for p in sorted((bundle / "logs").glob("*.eval")) if ("probe-length" in p.name) == probe]
    return log


def verdict_lines(bundle: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["verify", str(bundle)]) == 1
    return capsys.readouterr().out


def test_round_trip_verifies(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(bundle)
    assert data["bundle_version"] == 1 and data["task"] == "epitome" and data["candidate"] == "scripted-judge"
    assert {"inspect-ai", "litellm", "pydantic"} <= set(data["packages"])
    assert data["label_files"] and all(len(h) == 64 for h in data["label_files"].values())
    assert {"tasks/epitome.yaml", "candidates/scripted-judge.yaml", "prompts/rubric_judge.md"} <= set(data["files"])
    assert {"records/epitome/scripted-judge@probe-length.json", "records/epitome/scripted-judge.json"} <= set(
        data["files"]
    )
    assert main(["verify", str(bundle), "--no-stamp"]) == 0
    out = capsys.readouterr().out
    # 150 plain samples and 2 x 150 under the probe, each prompt rebuilt from the template
    assert "VERIFIED" in out and "450 samples" in out and "450 prompts rebuilt" in out
    assert not (bundle / "verification.json").exists()


def test_export_command_writes_a_tar_gz_that_verifies(pristine: Path, tmp_path: Path) -> None:
    run_dir = pristine.parent
    args = ["export", "--task", "epitome", "--judge", str(run_dir / "scripted-judge.yaml")]
    args += ["--log-dir", str(run_dir / "logs"), "--results-dir", str(run_dir / "results" / "runs")]
    args += ["--output", str(tmp_path / "sub"), "--tar", "--resamples", str(RESAMPLES), "--no-recorded"]
    assert main(args) == 0
    assert verify(tmp_path / "sub.tar.gz").ok
    assert main(args) == 2  # an existing bundle is never overwritten


def test_a_changed_file_is_named_by_its_hash(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bundle / "prompts" / "rubric_judge.md").write_text("changed\n")
    assert "sha256 of prompts/rubric_judge.md" in verdict_lines(bundle, capsys)


def test_a_score_changed_in_a_log(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_log(bundle)
    log = read_eval_log(str(path))
    assert log.samples
    score = next(iter(log.samples[0].scores.values()))  # type: ignore[union-attr]
    score.value = {dim: 5 for dim in score.value}  # type: ignore[union-attr]
    write_eval_log(log, str(path))
    rehash(bundle)
    out = verdict_lines(bundle, capsys)
    assert "log sha256" in out and "builtin" not in out
    assert "scripted-judge.json figure" in out


def test_a_changed_prompt_template(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = bundle / "prompts" / "rubric_judge.md"
    template.write_text(template.read_text() + "\nBe generous.\n")
    rehash(bundle)
    out = verdict_lines(bundle, capsys)
    assert "prompt template sha256" in out and "prompt of sample" in out


def test_a_label_hash_in_the_manifest(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(bundle)
    name = sorted(data["label_files"])[0]
    data["label_files"][name] = "0" * 64
    (bundle / MANIFEST).write_text(json.dumps(data))
    out = verdict_lines(bundle, capsys)
    assert f"label hash of {name}" in out and "0" * 64 in out


def test_a_removed_sample(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_log(bundle)
    log = read_eval_log(str(path))
    assert log.samples
    gone = str(log.samples[0].id)
    log.samples = log.samples[1:]
    write_eval_log(log, str(path))
    rehash(bundle)
    out = verdict_lines(bundle, capsys)
    assert "samples: expected 150 x 1 epoch(s), found missing" in out and gone in out


def test_a_sample_id_changed_in_a_probe_log(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A lengthened sample passed off under a condition the probe does not have: the probe's
    contrast loses an item and gains a sample no condition gives. (A sample counted twice cannot
    be written to an .eval log: it holds one file per id and epoch.)"""
    path = the_log(bundle, probe=True)
    log = read_eval_log(str(path))
    assert log.samples
    sample = next(s for s in log.samples if str(s.id).endswith("@lengthened"))
    lengthened = str(sample.id)
    sample.id = lengthened.removesuffix("@lengthened") + "@shortened"
    write_eval_log(log, str(path))
    rehash(bundle)
    out = verdict_lines(bundle, capsys)
    where = f"logs/{path.name} samples"
    assert f"{where}: expected 300 x 1 epoch(s), found missing ['{lengthened}']" in out
    assert f"{where}: expected only the task's items and conditions, found added ['{sample.id}']" in out
    # the probe's figures read each sample's condition, not its id: only the sample check sees it
    assert "scripted-judge@probe-length.json figure" not in out


def test_a_figure_in_a_record(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = bundle / "records" / "epitome" / "scripted-judge.json"
    data = json.loads(path.read_text())
    set_figures(data, n_items=stored_figure(data, "n_items") + 1)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    rehash(bundle)
    out = verdict_lines(bundle, capsys)
    assert "record epitome/scripted-judge.json figure stats.n_items.value" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("missing", "lacks the file candidates/scripted-judge.yaml"),
        ("truncated", "is not a readable inspect log"),
        ("newer", "newer than this empathy-bench reads"),
        ("unknown_task", "no-such-task"),
        ("no_manifest", "has no manifest.json"),
    ],
)
def test_bad_bundles_stop_with_one_line(
    bundle: Path, change: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = manifest(bundle)
    if change == "missing":
        (bundle / "candidates" / "scripted-judge.yaml").unlink()
    elif change == "truncated":
        log = the_log(bundle)
        log.write_bytes(log.read_bytes()[:2000])
        rehash(bundle)
    elif change == "newer":
        (bundle / MANIFEST).write_text(json.dumps(data | {"bundle_version": 99}))
    elif change == "unknown_task":
        (bundle / MANIFEST).write_text(json.dumps(data | {"task": "no-such-task"}))
    else:
        (bundle / MANIFEST).unlink()
    assert main(["verify", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_run_left_without_its_record(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(bundle)
    (bundle / "records" / "epitome" / "scripted-judge.json").unlink()
    del data["files"]["records/epitome/scripted-judge.json"]
    (bundle / MANIFEST).write_text(json.dumps(data))
    assert "record of scripted-judge" in verdict_lines(bundle, capsys)


def test_a_damaged_archive_stops_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(b"\x1f\x8b not really gzip")
    assert main(["verify", str(archive)]) == 2
    err = capsys.readouterr().err
    assert "cannot be unpacked" in err and len(err.strip().splitlines()) == 1
