"""`empathy-bench export`: one candidate's run on one task as a submission bundle, or every run of
a results folder as a bundle each (docs/submitting.md).

A bundle holds the candidate's records on the task, the logs they were measured from, the rows
the task's labels give beside them, and, for a rate judge, its rows on the compare and coach tasks
made from its ratings (`(from ratings)`, `(as coach)`). Which records go in is decided by measuring
the bundle's logs with the pipeline's own `measure`, as `verify` will: exactly the rows these logs
and the labels give, so a label row that needs another judge's log (the length association needs
a length probe in the bundle) is never shipped where nothing recomputes it.
"""

from __future__ import annotations

import platform
import shutil
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log

from empathy_bench.candidates.judge import CANDIDATE_FOLDERS, Judge, prompt_path
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import EmpathyBenchError, InputError
from empathy_bench.core.files import make_folder, write_text_atomic
from empathy_bench.core.project import find_file
from empathy_bench.leaderboard.record import RunRecord, git_revision, identity, read_records
from empathy_bench.pipeline.bundle.manifest import MANIFEST, Manifest, harness_version, packages
from empathy_bench.pipeline.coach_rows import AS_COACH
from empathy_bench.pipeline.job import measure
from empathy_bench.pipeline.row import FROM_RATINGS, probe_of, rating_logs, task_of
from empathy_bench.tasks.labels import label_files
from empathy_bench.tasks.metadata import JudgeTaskMetadata, task_metadata
from empathy_bench.tasks.spec import RateTask, TaskSpec, load_task

Records = list[tuple[Path, RunRecord]]


@dataclass(frozen=True)
class Settings:
    """How the run was measured (written to the manifest; `verify` measures the same way)."""

    n_resamples: int
    recorded: bool = True
    command: str = ""
    tar: bool = False  # one .tar.gz instead of a folder


@dataclass(frozen=True)
class Run:
    """What a run left: its records (results/runs) and its log dir."""

    records: Records
    results_dir: Path
    log_dir: Path


@dataclass
class Exported:
    """One bundle of `export_all`: where it went, or why it could not be written."""

    task: str
    rater: str
    bundle: Path | None
    error: str = ""


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
    judge = candidate_of(candidate, spec)
    run = Run(read_records(results_dir), results_dir, log_dir)
    return _export(
        spec, judge, candidate_file(candidate, judge), run, out, Settings(n_resamples, recorded, command, tar)
    )


def export_all(
    log_dir: Path,
    results_dir: Path,
    out: Path,
    *,
    n_resamples: int,
    recorded: bool = True,
    command: str = "",
    tar: bool = False,
) -> list[Exported]:
    """A bundle under `out` for every candidate x task of `results_dir` with a record that names a
    log: `<candidate>-<task>` (the candidate part as its record file is named). The candidate file
    is the one the log says the run was given. A run that cannot be exported (its log is not under
    `log_dir`, it ran a bare model string) is reported with the reason, and the others are written."""
    _refuse_existing(out)
    make_folder(out)
    run = Run(read_records(results_dir), results_dir, log_dir)
    settings = Settings(n_resamples, recorded, command, tar)
    done = []
    for (task, rater), (path, rec) in sorted(_runs(run.records).items()):
        assert rec.log is not None  # _runs keeps records with a log
        try:
            spec = load_task(task)
            given = _candidate_given(_find_log(log_dir, rec.log.name, rec.log.sha256), rater)
            judge = candidate_of(given, spec)
            if judge.id != rater:
                raise InputError(given, f"is the candidate '{judge.id}', not '{rater}' whose run it names", "re-run")
            name = f"{path.stem.split('@')[0]}-{task}"
            bundle = _export(spec, judge, candidate_file(given, judge), run, out / name, settings)
            done.append(Exported(task, rater, bundle))
        except EmpathyBenchError as err:
            done.append(Exported(task, rater, None, str(err)))
    return done


def _runs(records: Records) -> dict[tuple[str, str], tuple[Path, RunRecord]]:
    """Each candidate x task with a record naming a log, and its plain record (a probe's when it
    has no other): the bundle is named after it."""
    runs: dict[tuple[str, str], tuple[Path, RunRecord]] = {}
    for path, rec in sorted(records, key=lambda pr: pr[1].agreement.probe is not None):
        if rec.log is not None and _candidate_row(rec):
            runs.setdefault((rec.agreement.task, rec.agreement.rater), (path, rec))
    return runs


def _candidate_given(log: Path, rater: str) -> str:
    """The judge or coach file (id or path) the run was given, as its log's task arguments say."""
    args = read_eval_log(str(log), header_only=True).eval.task_args or {}
    name = args.get("coach") or args.get("judge")
    if not isinstance(name, str) or not name:
        raise InputError(
            log,
            f"is a run of {rater} without a judge file (the eval's --model)",
            "run it with --judge FILE to export it",
        )
    return name


def _export(spec: TaskSpec, judge: Judge, candidate: Path, run: Run, out: Path, settings: Settings) -> Path:
    archive = out if out.name.endswith(".tar.gz") else out.with_name(out.name + ".tar.gz")
    _refuse_existing(archive if settings.tar else out)
    logs = _own_logs(spec, judge, candidate, run)
    headers = [header for _, header in logs.values()]
    derived = _derived_tasks(spec, judge.id, run, headers)
    chosen = _chosen(spec, run.records, headers, derived, settings)
    template = prompt_path(judge)
    tasks = [spec.id, *derived]
    files: dict[str, Path] = {f"records/{rec.agreement.task}/{path.name}": path for path, rec in chosen}
    files |= {f"logs/{name}": path for name, (path, _) in logs.items()}
    files |= {f"tasks/{find_file('tasks', t).name}": find_file("tasks", t) for t in tasks}
    files |= {f"candidates/{candidate.name}": candidate, f"prompts/{template.name}": template}
    manifest = Manifest(
        harness_version=harness_version(),
        git_revision=git_revision(),
        python=platform.python_version(),
        command=settings.command or " ".join(["empathy-bench", *sys.argv[1:]]),
        packages=packages(),
        task=spec.id,
        task_file=f"tasks/{find_file('tasks', spec.id).name}",
        candidate=judge.id,
        candidate_file=f"candidates/{candidate.name}",
        prompt_file=f"prompts/{template.name}",
        config_sha256=judge.config_hash,
        n_resamples=settings.n_resamples,
        recorded=settings.recorded,
        label_files={name: sha for t in tasks for name, sha in label_files(load_task(t)).items()},
        files={rel: sha256_file(path) for rel, path in sorted(files.items())},
    )
    target = Path(tempfile.mkdtemp(prefix="bundle-")) if settings.tar else out
    for rel, path in files.items():
        make_folder((target / rel).parent)
        shutil.copyfile(path, target / rel)
    write_text_atomic(target / MANIFEST, manifest.model_dump_json(indent=2) + "\n")
    if not settings.tar:
        return out
    try:
        with tarfile.open(archive, "w:gz") as packed:
            packed.add(target, arcname=".")
    finally:
        shutil.rmtree(target)
    return archive


def _refuse_existing(written: Path) -> None:
    if written.exists() and (not written.is_dir() or any(written.iterdir())):
        raise InputError(written, "already exists", "give export a new --output")


def _candidate_row(rec: RunRecord) -> bool:
    """A row of a judge or coach the harness ran (not a recorded judge's, not a human row)."""
    return rec.agreement.rater_type in ("run", "baseline")


def _own_logs(spec: TaskSpec, judge: Judge, candidate: Path, run: Run) -> dict[str, tuple[Path, EvalLog]]:
    """The candidate's logs on the task (file and header, by name), each checked to be a run of
    this candidate file: a bundle with another file would fail `verify` on every log."""
    mine = [
        rec.log
        for _, rec in run.records
        if rec.agreement.task == spec.id and _candidate_row(rec) and rec.agreement.rater == judge.id and rec.log
    ]
    if not mine:
        option = spec.candidate_option
        raise InputError(
            run.results_dir / spec.id,
            f"holds no record of {judge.id} with a log",
            f"run it first: `empathy-bench run --{option} {candidate} --task {spec.id} "
            f"--results-dir {run.results_dir}`",
        )
    logs = {}
    for ref in mine:
        path = _find_log(run.log_dir, ref.name, ref.sha256)
        header = read_eval_log(str(path), header_only=True)
        meta = task_metadata(header)
        if (found := meta.judge_config_sha256 if isinstance(meta, JudgeTaskMetadata) else None) != judge.config_hash:
            raise InputError(
                candidate,
                f"is not the candidate file the run used (config fingerprint {judge.config_hash}, the log {ref.name} "
                f"has {found})",
                "export with the judge or coach file the run was given",
            )
        logs[ref.name] = (path, header)
    return logs


def _derived_tasks(spec: TaskSpec, rater: str, run: Run, headers: list[EvalLog]) -> list[str]:
    """The compare and coach tasks whose rows `(from ratings)` / `(as coach)` of `rater` are made of
    its log on this rate task: the tasks `rating_logs` picks this task's log for, among the
    judge's plain rate logs that can be found (one it cannot find leaves this choice to `verify`)."""
    if not isinstance(spec, RateTask):  # only a rate run's ratings make rows of other tasks
        return []
    marks = {rater + FROM_RATINGS, rater + AS_COACH}
    tasks = sorted(
        {rec.agreement.task for _, rec in run.records if _candidate_row(rec) and rec.agreement.rater in marks}
    )
    if not tasks:
        return []
    plain = [h for h in headers if not probe_of(h)]
    for _, rec in run.records:
        a = rec.agreement
        if rec.log and a.rater == rater and a.task != spec.id and _candidate_row(rec) and a.probe is None:
            try:
                plain.append(read_eval_log(str(_find_log(run.log_dir, rec.log.name, rec.log.sha256)), header_only=True))
            except InputError:
                continue
    return [t for t in tasks if any(task_of(log) == spec.id for log in rating_logs(load_task(t), plain))]


def _chosen(
    spec: TaskSpec, records: Records, headers: list[EvalLog], derived: list[str], settings: Settings
) -> Records:
    """The records the bundle's logs and labels give (measured as `verify` measures them): on the
    task every such row, on a derived task only the judge's own rows from ratings (the label rows
    there belong to that task's bundles)."""
    result = measure(headers, settings.n_resamples, settings.recorded, None, tasks=[spec.id, *derived])
    given = {identity(rec) for rec in result.records}
    return [
        (path, rec)
        for path, rec in records
        if identity(rec) in given and (rec.agreement.task == spec.id or _candidate_row(rec))
    ]


def candidate_of(name: str, spec: TaskSpec) -> Judge:
    return spec.load_candidate(name)


def candidate_file(name: str, judge: Judge) -> Path:
    """The candidate's file: the path given, or evals/judges|coaches/<id>.yaml."""
    if Path(name).suffix in (".yaml", ".yml") and Path(name).is_file():
        return Path(name)
    if "/" in name:
        raise InputError(name, "is a model string, not a candidate file", "write a judge file and export that")
    return find_file(CANDIDATE_FOLDERS[judge.kind], name)


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
