"""The main job: run every task, measure every row, write the records."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log

from empathy_bench.agreement.rater import reference_rows
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.core.lock import folder_locks
from empathy_bench.leaderboard.record import RunRecord, record, write_records
from empathy_bench.pipeline.coach_rows import coach_rows
from empathy_bench.pipeline.preference_rows import compare_rows
from empathy_bench.pipeline.probe_rows import probe_rows
from empathy_bench.pipeline.rating_rows import judge_row
from empathy_bench.pipeline.row import Row, judge_of, probe_of, rating_logs, task_of
from empathy_bench.runs.execute import RunOptions, finished_logs
from empathy_bench.runs.pool import fork_map
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.labels import recorded_raters, task_labels
from empathy_bench.tasks.spec import TaskSpec, load_task


@dataclass
class RunResult:
    rows: list[Row]
    records: list[RunRecord]
    logs: list[EvalLog]  # the finished logs' headers (read_eval_log(log.location) for the samples)
    seconds: float
    paths: list[Path] = field(default_factory=list)  # the run records written
    partial: list[Path] = field(default_factory=list)  # records of partial runs, kept apart
    notes: list[str] = field(default_factory=list)  # what loading the labels did (dropped repeats, ...)


def run(
    options: RunOptions, *, n_resamples: int = N_RESAMPLES, recorded: bool = True, results_dir: Path | None = None
) -> RunResult:
    """Run, measure and (with `results_dir`) record: results/runs/<task>/<rater>.json. Each task's
    rows are measured on a worker process of their own when several cores are usable (runs/pool.py):
    a task reads the logs it needs, and only its rows and records come back."""
    # one command at a time per log dir and results folder (core/lock.py says why)
    results = results_dir.parent if results_dir else None
    with folder_locks((options.log_dir, "--log-dir"), (results, "--results-dir")):
        return _run(options, n_resamples, recorded, results_dir)


def _run(options: RunOptions, n_resamples: int, recorded: bool, results_dir: Path | None) -> RunResult:
    start = time.perf_counter()
    logs = finished_logs(options)
    task_ids = sorted({task_of(log) for log in logs})
    weights = [sum(_samples(lg) for lg in logs if task_of(lg) == task_id) for task_id in task_ids]
    measured = fork_map(lambda task_id: measure_task(task_id, logs, recorded, n_resamples), task_ids, weights)
    rows = [row for task_rows, _, _ in measured for row in task_rows]
    records = [rec for _, task_records, _ in measured for rec in task_records]
    # tasks on one label source load it alike: each note once, in the order first met
    notes = list(dict.fromkeys(line for _, _, task_notes in measured for line in task_notes))
    paths, partial = [], []
    if results_dir:
        done = [rec for row, rec in zip(rows, records, strict=True) if row.complete]
        paths = write_records(done, results_dir)
        # A partial run (a --limit, unfinished samples) never replaces a published record: it is
        # written beside the results, where the leaderboard does not read.
        unfinished = [rec for row, rec in zip(rows, records, strict=True) if not row.complete]
        partial = write_records(unfinished, partial_dir(results_dir))
    return RunResult(rows, records, logs, time.perf_counter() - start, paths=paths, partial=partial, notes=notes)


def measure_task(
    task_id: str, headers: list[EvalLog], recorded: bool, n_resamples: int
) -> tuple[list[Row], list[RunRecord], list[str]]:
    """A task's rows, their records and what loading its labels did. The logs it reads in full
    are its own (plain runs and probes) and, for a compare or coach task, the plain rate logs its
    ratings-derived rows use; each row keeps its log's header, not the samples."""
    spec = load_task(task_id)
    labels = task_labels(spec)
    needed = logs_needed(spec, headers)
    header = {lg.location: lg for lg in needed}
    rows = task_rows_of(spec, labels, [read_eval_log(location) for location in header], recorded, n_resamples)
    records = [record(row.agreement, spec, row.run, row.log) for row in rows]
    kept = [replace(row, log=header[row.log.location] if row.log else None) for row in rows]
    return kept, records, labels.report


def logs_needed(spec: TaskSpec, headers: list[EvalLog]) -> list[EvalLog]:
    """The logs a task's rows read: its own, and for a compare or coach task the rate logs its
    rows from ratings are made of (reading a log costs more than measuring it: the other logs on
    the same conversations, such as another task's probes, are left unread)."""
    mine = [lg for lg in headers if task_of(lg) == spec.id]
    if spec.kind == "rate":
        return mine
    return mine + rating_logs(spec, [lg for lg in headers if task_of(lg) != spec.id and not probe_of(lg)])


def _samples(log: EvalLog) -> int:
    return log.eval.dataset.samples or 0


def task_rows_of(spec: TaskSpec, labels: LabelSet, logs: list[EvalLog], recorded: bool, n_resamples: int) -> list[Row]:
    """Every row of one task: its judges', its reference rows and its probes'."""
    plain = [lg for lg in logs if not probe_of(lg)]
    # eval_set returns logs in completion order: sort, so nothing depends on timing
    mine = sorted((lg for lg in plain if task_of(lg) == spec.id), key=judge_of)
    probed = sorted(
        (lg for lg in logs if task_of(lg) == spec.id and probe_of(lg)), key=lambda lg: (probe_of(lg), judge_of(lg))
    )
    if spec.kind == "compare":
        rows = compare_rows(spec, labels, mine, plain, recorded, n_resamples)
    elif spec.kind == "coach":
        rows = coach_rows(spec, labels, mine, plain, recorded, n_resamples)
    else:
        rows = [judge_row(log, spec, labels, n_resamples) for log in mine]
        recorded_ids = recorded_raters(spec, labels) if recorded else []
        rows += [Row(a) for a in reference_rows(spec, labels, recorded_ids, n_resamples)]
    return rows + probe_rows(spec, labels, probed, mine, recorded, n_resamples)


def partial_dir(results_dir: Path) -> Path:
    """Where records of partial runs go: results/partial-runs/ beside results/runs/."""
    return results_dir.parent / "partial-runs"
