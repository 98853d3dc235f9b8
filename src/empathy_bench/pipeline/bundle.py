"""Submission bundles: what a team hands in so that others can check its numbers (docs/submitting.md).

`export` gathers one candidate's run records on one task, the eval logs they were measured from,
the candidate file and prompt template as used, the task file and a manifest of versions and
hashes. `verify` recomputes every figure from the bundle with the pipeline's own measuring code
(pipeline/job.py `measure`) and reports every difference: the manifest's hashes, the logs' samples
against the task's, the prompts against the candidate's template, the label hashes against the
card and the records' figures against the recomputed ones.
"""

from __future__ import annotations

import json
import math
import platform
import re
import shutil
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import distributions
from pathlib import Path
from string import Template

from inspect_ai.log import EvalLog, read_eval_log
from pydantic import BaseModel, ValidationError

from empathy_bench.candidates.judge import Judge, load_coach, load_judge, prompt_path
from empathy_bench.core.digest import sha256_bytes, sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.files import make_folder, write_text_atomic
from empathy_bench.core.models import input_error
from empathy_bench.core.paths import inside
from empathy_bench.core.project import find_file, load_model
from empathy_bench.leaderboard.columns import visible
from empathy_bench.leaderboard.record import (
    RECORD_DECIMALS,
    RunRecord,
    git_revision,
    identity,
    read_records,
)
from empathy_bench.pipeline.job import measure
from empathy_bench.pipeline.row import probe_of
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.labels import label_files, task_labels
from empathy_bench.tasks.rate import build_samples
from empathy_bench.tasks.spec import TaskSpec, load_task

# 1: the first bundle format (docs/submitting.md describes every field)
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
SHOWN = 8  # differences printed on the verdict's screen


class Manifest(BaseModel):
    """manifest.json: what made the bundle and the sha256 of every other file in it."""

    bundle_version: int = BUNDLE_VERSION
    harness_version: str
    git_revision: str
    python: str
    command: str
    packages: dict[str, str]  # every installed distribution and its version
    task: str  # the task id (tasks/<id>.yaml of the project that verifies)
    task_file: str  # paths inside the bundle
    candidate: str  # the candidate's id
    candidate_file: str
    prompt_file: str
    config_sha256: str  # the candidate's config fingerprint (its logs carry the same)
    n_resamples: int  # bootstrap resamples the records were measured with
    recorded: bool  # whether the label source's recorded judges were measured too
    label_files: dict[str, str]  # label file -> sha256, from the task's source card
    files: dict[str, str]  # every file of the bundle but the manifest -> sha256


@dataclass
class Difference:
    what: str
    expected: str
    found: str

    def line(self) -> str:
        # a bundle is untrusted: ids and names in it print with their control characters escaped
        return visible(f"{self.what}: expected {self.expected}, found {self.found}")


@dataclass
class Verdict:
    bundle: Path
    manifest: Manifest
    differences: list[Difference] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # what was checked -> how many

    @property
    def ok(self) -> bool:
        return not self.differences

    def screen(self) -> str:
        """The one-screen verdict."""
        m = self.manifest
        lines = [
            visible(
                f"bundle {self.bundle}: {m.candidate} on {m.task} (bundle version {m.bundle_version}, "
                f"empathy-bench {m.harness_version}, git {m.git_revision[:12] or '?'})"
            ),
            "checked: " + ", ".join(f"{n} {what}" for what, n in self.checked.items()),
        ]
        if self.ok:
            return "\n".join([*lines, "VERIFIED: every figure recomputed from the logs equals the records"])
        lines.append(f"NOT VERIFIED: {len(self.differences)} difference(s); the first:")
        lines += [f"  - {d.line()}" for d in self.differences[:SHOWN]]
        return "\n".join(lines)


# --- export -------------------------------------------------------------------------------------


def export(
    task: str,
    candidate: str,
    log_dir: Path,
    results_dir: Path,
    out: Path,
    *,
    n_resamples: int,
    recorded: bool = True,
    command: str = "",
    tar: bool = False,
) -> Path:
    """Write the bundle of `candidate`'s records on `task` (from `results_dir`, results/runs) and
    the logs they name (found under `log_dir`) to the folder `out` (or `out`.tar.gz with `tar`)."""
    spec = load_task(task)
    judge = _candidate(candidate, spec)
    records = [
        (path, rec)
        for path, rec in read_records(results_dir)
        if rec.agreement.task == spec.id and (rec.log is None or rec.agreement.rater == judge.id)
    ]
    if not any(rec.log for _, rec in records):
        raise InputError(
            results_dir / spec.id,
            f"holds no record of {judge.id} with a log",
            f"run it first: `empathy-bench run --judge {candidate} --task {spec.id} --results-dir {results_dir}`",
        )
    archive = out if out.name.endswith(".tar.gz") else out.with_name(out.name + ".tar.gz")
    written = archive if tar else out
    if written.exists() and (not written.is_dir() or any(written.iterdir())):
        raise InputError(written, "already exists", "give export a new --output")
    files: dict[str, bytes] = {}
    for path, rec in records:
        files[f"records/{spec.id}/{path.name}"] = path.read_bytes()
        if rec.log is not None:
            found = _find_log(log_dir, rec.log.name, rec.log.sha256)
            files[f"logs/{rec.log.name}"] = found.read_bytes()
    task_path = find_file("tasks", spec.id)
    template = prompt_path(judge)
    candidate_file = _candidate_file(candidate, judge)
    files[f"tasks/{task_path.name}"] = task_path.read_bytes()
    files[f"candidates/{candidate_file.name}"] = candidate_file.read_bytes()
    files[f"prompts/{template.name}"] = template.read_bytes()
    manifest = Manifest(
        harness_version=_packages().get("empathy-bench", "unknown"),
        git_revision=git_revision(),
        python=platform.python_version(),
        command=command or " ".join(["empathy-bench", *sys.argv[1:]]),
        packages=_packages(),
        task=spec.id,
        task_file=f"tasks/{task_path.name}",
        candidate=judge.id,
        candidate_file=f"candidates/{candidate_file.name}",
        prompt_file=f"prompts/{template.name}",
        config_sha256=judge.config_hash,
        n_resamples=n_resamples,
        recorded=recorded,
        label_files=label_files(spec),
        files={rel: sha256_bytes(data) for rel, data in sorted(files.items())},
    )
    target = Path(tempfile.mkdtemp(prefix="bundle-")) if tar else out
    for rel, data in files.items():
        path = target / rel
        make_folder(path.parent)
        path.write_bytes(data)
    write_text_atomic(target / MANIFEST, manifest.model_dump_json(indent=2) + "\n")
    if not tar:
        return out
    try:
        with tarfile.open(archive, "w:gz") as packed:
            packed.add(target, arcname=".")
    finally:
        shutil.rmtree(target)
    return archive


def _candidate(name: str, spec: TaskSpec) -> Judge:
    return load_coach(name) if spec.kind == "coach" else load_judge(name, spec.kind)


def _candidate_file(name: str, judge: Judge) -> Path:
    """The candidate's file: the path given, or evals/judges|coaches/<id>.yaml."""
    if Path(name).suffix in (".yaml", ".yml") and Path(name).is_file():
        return Path(name)
    if "/" in name:
        raise InputError(name, "is a model string, not a candidate file", "write a judge file and export that")
    return find_file("evals/coaches" if judge.kind == "coach" else "evals/judges", name)


def _find_log(log_dir: Path, name: str, sha256: str) -> Path:
    if Path(name).name != name or name in ("", ".", "..") or any(c in name for c in "*?[]"):
        raise InputError(
            log_dir, f"a record names the log '{name}', not a file name", "re-run to write the record again"
        )
    for path in sorted(log_dir.rglob(name)):
        if path.is_file() and sha256_file(path) == sha256:
            return path
    raise InputError(
        log_dir,
        f"holds no log {name} with the sha256 its record names",
        "give --log-dir the log dir of the run that wrote the records (re-run to write both again)",
    )


def _packages() -> dict[str, str]:
    # names normalised as pip shows them (inspect_ai -> inspect-ai)
    found = {re.sub(r"[-_.]+", "-", d.metadata["Name"] or "").lower(): d.version for d in distributions()}
    return dict(sorted((k, v) for k, v in found.items() if k))


# --- verify -------------------------------------------------------------------------------------


def verify(bundle: Path) -> Verdict:
    """Recompute every figure of the bundle (a folder or a .tar.gz) and compare."""
    if bundle.is_file() and bundle.name.endswith((".tar.gz", ".tgz")):
        with tempfile.TemporaryDirectory(prefix="verify-") as unpacked:
            _unpack(bundle, Path(unpacked))
            return _verify(Path(unpacked), bundle)
    if not bundle.is_dir():
        raise InputError(bundle, "is not a bundle folder or .tar.gz", "give verify the folder `export` wrote")
    return _verify(bundle, bundle)


def _one_line(err: BaseException) -> str:
    """An exception's text on one line, cut short (the verdict and errors are one line each)."""
    return " ".join(str(err).split())[:200]


def _unpack(archive: Path, folder: Path) -> None:
    """A .tar.gz unpacked by tarfile's `data` filter: no link out of the folder, no absolute
    path, no device file (an archive is as untrusted as the files in it)."""
    try:
        with tarfile.open(archive, "r:gz") as packed:
            packed.extractall(folder, filter="data")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise InputError(
            archive, f"cannot be unpacked ({type(err).__name__}: {_one_line(err)})", "export the bundle again (`--tar`)"
        ) from None


def read_manifest(folder: Path, shown: Path) -> Manifest:
    path = folder / MANIFEST
    fix = "export the bundle again (`empathy-bench export`)"
    if not path.is_file():
        raise InputError(shown, f"has no {MANIFEST}", fix)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(shown / MANIFEST, f"is not JSON ({err})", fix) from None
    version = data.get("bundle_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > BUNDLE_VERSION:
        raise InputError(
            shown / MANIFEST,
            f"is bundle version {version}, newer than this empathy-bench reads ({BUNDLE_VERSION})",
            "upgrade empathy-bench (`uv sync` on a newer checkout), then verify again",
            "field 'bundle_version'",
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as err:
        raise input_error(err, shown / MANIFEST, fix=fix) from None


def _verify(folder: Path, shown: Path) -> Verdict:
    manifest = read_manifest(folder, shown)
    verdict = Verdict(shown, manifest)
    diffs = verdict.differences
    source = shown / MANIFEST
    paths = {rel: inside(folder, rel, source=source, field="files") for rel in manifest.files}
    for rel in (manifest.task_file, manifest.candidate_file, manifest.prompt_file):
        if rel not in paths:
            diffs.append(Difference(f"manifest files: {rel}", "listed", "not listed"))
    for rel, path in paths.items():
        if not path.is_file():
            raise InputError(shown, f"lacks the file {rel} its manifest lists", "export the bundle again")
        if (digest := sha256_file(path)) != manifest.files[rel]:
            diffs.append(Difference(f"sha256 of {rel}", manifest.files[rel], digest))
    extra = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    diffs += [
        Difference(f"file {rel}", "not in the bundle (the manifest does not list it)", "present")
        for rel in extra
        if rel not in paths
    ]
    verdict.checked["file hashes"] = len(paths)

    spec = load_task(manifest.task)  # an unknown task is an InputError naming the known ones
    project_task = find_file("tasks", spec.id)
    if paths.get(manifest.task_file) and paths[manifest.task_file].read_bytes() != project_task.read_bytes():
        diffs.append(
            Difference(f"task file {manifest.task_file}", f"the project's {project_task.name}", "another text")
        )
    card = label_files(spec)
    for name in sorted(set(card) | set(manifest.label_files)):
        if card.get(name) != manifest.label_files.get(name):
            diffs.append(
                Difference(f"label hash of {name}", f"{card.get(name)} (the card)", str(manifest.label_files.get(name)))
            )
    labels = task_labels(spec)  # the pinned labels, downloaded or mirrored and verified as usual
    verdict.checked["label files"] = len(card)

    judge = load_model(inside(folder, manifest.candidate_file, source=source, field="candidate_file"), Judge)
    if judge.config_hash != manifest.config_sha256:
        diffs.append(Difference("candidate config fingerprint", manifest.config_sha256, judge.config_hash))
    template = inside(folder, manifest.prompt_file, source=source, field="prompt_file").read_bytes()
    logs = _read_logs(folder, shown, paths)
    for rel, log in logs.items():
        _check_log(rel, log, spec, judge, template, labels, diffs)
    verdict.checked["logs"] = len(logs)
    verdict.checked["samples"] = sum(len(log.samples or []) for log in logs.values())

    _check_records(folder, shown, manifest, logs, spec, diffs)
    verdict.checked["records"] = len(list((folder / "records").glob("*/*.json")))
    return verdict


def _read_logs(folder: Path, shown: Path, paths: dict[str, Path]) -> dict[str, EvalLog]:
    logs = {}
    for rel, path in sorted(paths.items()):
        if not rel.startswith("logs/"):
            continue
        try:
            logs[rel] = read_eval_log(str(path))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as err:
            raise InputError(
                shown / rel,
                f"is not a readable inspect log ({type(err).__name__}: {_one_line(err)})",
                "the log is truncated or damaged: export the bundle again from the run's log dir",
            ) from None
    return logs


def _check_log(
    rel: str, log: EvalLog, spec: TaskSpec, judge: Judge, template: bytes, labels: LabelSet, diffs: list[Difference]
) -> None:
    meta = log.eval.metadata or {}
    if str(meta.get("task")) != spec.id:
        diffs.append(Difference(f"{rel} task", spec.id, str(meta.get("task"))))
        return
    if meta.get("judge_config_sha256") != judge.config_hash:
        diffs.append(
            Difference(f"{rel} candidate fingerprint", judge.config_hash, str(meta.get("judge_config_sha256")))
        )
    if (prompt := sha256_bytes(template, short=True)) != meta.get("prompt_sha256"):
        diffs.append(Difference(f"{rel} prompt template sha256", prompt, str(meta.get("prompt_sha256"))))
    if spec.kind != "rate" or probe_of(log):
        return  # only a plain rate run's samples are rebuilt here (docs/submitting.md)
    expected, _ = build_samples(
        spec,
        judge,
        labels,
        meta.get("mode", spec.mode),
        template=Template(template.decode("utf-8")),
    )
    epochs = log.eval.config.epochs or 1
    inputs = {str(s.id): s.input for s in expected}
    seen = Counter((str(s.id), s.epoch) for s in log.samples or [])
    ids = Counter(str(s.id) for s in log.samples or [])
    missing = sorted(set(inputs) - set(ids))
    added = sorted(set(ids) - set(inputs))
    twice = sorted(f"{i} (epoch {e})" for (i, e), n in seen.items() if n > 1)
    short = sorted(i for i, n in ids.items() if i in inputs and n < epochs)
    if missing or short:
        diffs.append(
            Difference(f"{rel} samples", f"{len(inputs)} x {epochs} epoch(s)", f"missing {(missing + short)[:3]}")
        )
    if added:
        diffs.append(Difference(f"{rel} samples", "only the task's items and conditions", f"added {added[:3]}"))
    if twice:
        diffs.append(Difference(f"{rel} samples", "each once per epoch", f"counted twice {twice[:3]}"))
    for sample in log.samples or []:
        want = inputs.get(str(sample.id))
        if want is not None and _text(sample.input) != want:
            diffs.append(
                Difference(
                    f"{rel} prompt of sample {sample.id}", "the candidate's template for that item", "another prompt"
                )
            )
            break


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    return "\n".join(str(getattr(m, "text", m)) for m in value)  # type: ignore[attr-defined]


def _check_records(
    folder: Path, shown: Path, manifest: Manifest, logs: dict[str, EvalLog], spec: TaskSpec, diffs: list[Difference]
) -> None:
    records = read_records(folder / "records")
    # the logs read again from the bundle's folder, as `collect` would measure them
    headers = [read_eval_log(log.location, header_only=True) for log in logs.values()]
    result = measure(headers, manifest.n_resamples, manifest.recorded, None, tasks=[spec.id])
    recomputed = {identity(rec): rec for rec in result.records}
    by_log = {Path(rel).name: sha256_file(folder / rel) for rel in logs}
    for path, rec in records:
        name = f"record {path.relative_to(folder / 'records').as_posix()}"
        if rec.log is not None and by_log.get(rec.log.name) != rec.log.sha256:
            diffs.append(Difference(f"{name} log sha256", rec.log.sha256, str(by_log.get(rec.log.name, "no such log"))))
        again = recomputed.get(identity(rec))
        if again is None:
            diffs.append(Difference(name, "a row the logs and labels give", "a record nothing recomputes"))
            continue
        first = _first_difference(_rounded(_figures(rec)), _rounded(_figures(again)))
        if first is not None:
            where, mine, theirs = first
            diffs.append(Difference(f"{name} figure {where}", theirs, mine))
    # every row a bundled log gives has its record: a bundle cannot leave out the run it holds
    held = {identity(rec) for _, rec in records}
    for key, rec in sorted(recomputed.items()):
        if rec.log is not None and key not in held:
            diffs.append(Difference(f"record of {rec.agreement.rater} ({rec.log.name})", "in the bundle", "missing"))


def _figures(rec: RunRecord) -> object:
    return json.loads(rec.agreement.model_dump_json())


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return value if math.isnan(value) else round(value, RECORD_DECIMALS)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _first_difference(a: object, b: object, where: str = "") -> tuple[str, str, str] | None:
    """The first place where the recorded value `a` and the recomputed `b` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            found = _first_difference(a.get(key), b.get(key), f"{where}.{key}" if where else str(key))
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if found := _first_difference(x, y, f"{where}[{i}]"):
                return found
        return None
    return None if a == b else (where or "value", json.dumps(a)[:80], json.dumps(b)[:80])
