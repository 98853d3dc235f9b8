"""`empathy-bench verify`: recompute a submission bundle (a folder or a .tar.gz) and compare, in
the order docs/submitting.md gives: the manifest's file hashes, the task files, the label hashes
against the cards, the candidate, every log's samples and prompts (samples.py), every record's
figures (figures.py). On VERIFIED a bundle folder gets its stamp, `verification.json`
(leaderboard/provenance.py), which the leaderboard reads to show its rows as verified; a folder
that no longer verifies loses it. A folder of bundles is verified bundle by bundle."""

from __future__ import annotations

import tarfile
import tempfile
import zipfile
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log

from empathy_bench.candidates.judge import Judge
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import EmpathyBenchError, InputError
from empathy_bench.core.paths import inside
from empathy_bench.core.project import find_file, load_model
from empathy_bench.leaderboard.provenance import RECORDS, VERIFICATION_FILE, stamp
from empathy_bench.leaderboard.record import git_revision, read_records
from empathy_bench.pipeline.bundle.figures import check_records
from empathy_bench.pipeline.bundle.manifest import (
    MANIFEST,
    UNLISTED,
    Difference,
    Manifest,
    Verdict,
    harness_version,
    one_line,
    read_manifest,
)
from empathy_bench.pipeline.bundle.samples import check_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.labels import label_files, task_labels
from empathy_bench.tasks.spec import TaskSpec, load_task

ARCHIVES = (".tar.gz", ".tgz")


def verify(bundle: Path, *, stamping: bool = False) -> Verdict:
    """Recompute every figure of the bundle (a folder or a .tar.gz) and compare; with `stamping`,
    a folder that verifies gets its stamp and one that does not loses any it had."""
    if bundle.is_file() and bundle.name.endswith(ARCHIVES):
        with tempfile.TemporaryDirectory(prefix="verify-") as unpacked:
            _unpack(bundle, Path(unpacked))
            return _verify(Path(unpacked), bundle)
    if not bundle.is_dir():
        raise InputError(bundle, "is not a bundle folder or .tar.gz", "give verify the folder `export` wrote")
    verdict = _verify(bundle, bundle)
    if stamping:
        _stamp(verdict)
    return verdict


def is_folder_of_bundles(folder: Path) -> bool:
    """A folder with no manifest of its own that holds bundles (folders with one, or archives)."""
    if not folder.is_dir() or (folder / MANIFEST).exists():
        return False
    return any((p / MANIFEST).is_file() or p.name.endswith(ARCHIVES) for p in folder.iterdir())


def verify_all(folder: Path, *, stamping: bool = False) -> list[tuple[Path, Verdict | str]]:
    """Every bundle in `folder` (each sub-folder and archive), verified in turn: its verdict, or
    the one line saying why it cannot be read."""
    found: list[tuple[Path, Verdict | str]] = []
    for path in sorted(folder.iterdir()):
        if not (path.is_dir() or path.name.endswith(ARCHIVES)) or path.is_symlink():
            continue  # a README beside the bundles; a link is never followed out of the folder
        try:
            found.append((path, verify(path, stamping=stamping)))
        except EmpathyBenchError as err:
            found.append((path, str(err)))
    return found


def _stamp(verdict: Verdict) -> None:
    path = verdict.bundle / VERIFICATION_FILE
    if verdict.ok:
        stamp(verdict.bundle, verdict.manifest.bundle_version, harness_version(), git_revision())
        verdict.stamp = f"stamp written: {path} (the leaderboard shows the bundle's rows as verified)"
    elif path.is_file() or path.is_symlink():
        path.unlink()
        verdict.stamp = f"stamp removed: {path} (the bundle no longer verifies; its rows show as reported)"


def _unpack(archive: Path, folder: Path) -> None:
    """A .tar.gz unpacked by tarfile's `data` filter: no link out of the folder, no absolute
    path, no device file (an archive is as untrusted as the files in it)."""
    try:
        with tarfile.open(archive, "r:gz") as packed:
            packed.extractall(folder, filter="data")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise InputError(
            archive, f"cannot be unpacked ({type(err).__name__}: {one_line(err)})", "export the bundle again (`--tar`)"
        ) from None


def _verify(folder: Path, shown: Path) -> Verdict:
    manifest = read_manifest(folder, shown)
    verdict = Verdict(shown, manifest)
    diffs = verdict.differences
    files = _check_files(folder, shown, manifest, verdict)
    records = read_records(folder / RECORDS)  # a file that is not a record stops, naming it
    # the bundle's task, and the compare and coach tasks its records from ratings are on
    specs = [load_task(t) for t in sorted({manifest.task} | {rec.agreement.task for _, rec in records})]
    spec = load_task(manifest.task)  # an unknown task is an InputError naming the known ones
    _check_task_files(specs, manifest, files, diffs)
    labels = _check_labels(specs, spec, manifest, verdict)
    source = shown / MANIFEST
    judge = load_model(inside(folder, manifest.candidate_file, source=source, field="candidate_file"), Judge)
    if judge.config_hash != manifest.config_sha256:
        diffs.append(Difference("candidate config fingerprint", manifest.config_sha256, judge.config_hash))
    template = inside(folder, manifest.prompt_file, source=source, field="prompt_file").read_bytes()
    logs = {rel: found for rel, found in files.items() if rel.startswith("logs/")}
    samples = prompts = 0
    for rel, (path, _) in sorted(logs.items()):  # one whole log in memory at a time
        log = _read_log(shown / rel, path)
        prompts += check_log(rel, log, spec, judge, template, labels, diffs)
        samples += len(log.samples or [])
    verdict.checked |= {"logs": len(logs), "samples": samples, "prompts rebuilt": prompts}
    check_records(records, folder / RECORDS, manifest, logs, [s.id for s in specs], diffs)
    verdict.checked["records"] = len(records)
    return verdict


def _check_files(folder: Path, shown: Path, manifest: Manifest, verdict: Verdict) -> dict[str, tuple[Path, str]]:
    """Every file the manifest lists is there with its sha256, and no other is; returns each
    listed file's path and sha256 by its path in the bundle."""
    diffs, source = verdict.differences, shown / MANIFEST
    paths = {rel: inside(folder, rel, source=source, field="files") for rel in manifest.files}
    for rel in (manifest.task_file, manifest.candidate_file, manifest.prompt_file):
        if rel not in paths:
            diffs.append(Difference(f"manifest files: {rel}", "listed", "not listed"))
    found = {}
    for rel, path in paths.items():
        if not path.is_file():
            raise InputError(shown, f"lacks the file {rel} its manifest lists", "export the bundle again")
        found[rel] = (path, sha256_file(path))
        if found[rel][1] != manifest.files[rel]:
            diffs.append(Difference(f"sha256 of {rel}", manifest.files[rel], found[rel][1]))
    every = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    diffs += [
        Difference(f"file {rel}", "not in the bundle (the manifest does not list it)", "present")
        for rel in sorted(every)
        if rel not in paths and rel not in UNLISTED
    ]
    verdict.checked["file hashes"] = len(paths)
    return found


def _check_task_files(
    specs: list[TaskSpec], manifest: Manifest, files: dict[str, tuple[Path, str]], diffs: list[Difference]
) -> None:
    """Each task's file in the bundle is the project's, byte for byte."""
    for spec in specs:
        project = find_file("tasks", spec.id)
        rel = manifest.task_file if spec.id == manifest.task else f"tasks/{project.name}"
        if rel not in files:
            diffs.append(Difference(f"task file {rel}", f"the project's {project.name}", "none in the bundle"))
        elif files[rel][0].read_bytes() != project.read_bytes():
            diffs.append(Difference(f"task file {rel}", f"the project's {project.name}", "another text"))


def _check_labels(specs: list[TaskSpec], spec: TaskSpec, manifest: Manifest, verdict: Verdict) -> LabelSet:
    """The manifest's label hashes are the cards', and the labels load and verify as in every
    run (downloaded or mirrored); returns the bundle's task's labels."""
    card = {name: sha for s in specs for name, sha in label_files(s).items()}
    for name in sorted(set(card) | set(manifest.label_files)):
        if card.get(name) != manifest.label_files.get(name):
            verdict.differences.append(
                Difference(f"label hash of {name}", f"{card.get(name)} (the card)", str(manifest.label_files.get(name)))
            )
    for other in specs:
        task_labels(other)  # each task's labels verified against its card, as a run does
    verdict.checked["label files"] = len(card)
    return task_labels(spec)


def _read_log(shown: Path, path: Path) -> EvalLog:
    try:
        return read_eval_log(str(path))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as err:
        raise InputError(
            shown,
            f"is not a readable inspect log ({type(err).__name__}: {one_line(err)})",
            "the log is truncated or damaged: export the bundle again from the run's log dir",
        ) from None
