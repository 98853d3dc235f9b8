"""The main job: run every task, measure every row, write the records."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from inspect_ai.log import EvalLog

from empathy_bench.agreement.rater import reference_rows
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.leaderboard.record import RunRecord, record, write_records
from empathy_bench.pipeline.coach_rows import coach_rows
from empathy_bench.pipeline.preference_rows import compare_rows
from empathy_bench.pipeline.probe_rows import probe_rows
from empathy_bench.pipeline.rating_rows import judge_row
from empathy_bench.pipeline.row import Row, judge_of, probe_of, task_of
from empathy_bench.runs.execute import RunOptions, run_tasks
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.labels import recorded_raters, task_labels
from empathy_bench.tasks.spec import TaskSpec, load_task


@dataclass
class RunResult:
    rows: list[Row]
    records: list[RunRecord]
    logs: list[EvalLog]
    seconds: float
    paths: list[Path] = field(default_factory=list)  # the run records written
    partial: list[Path] = field(default_factory=list)  # records of partial runs, kept apart
    notes: list[str] = field(default_factory=list)  # what loading the labels did (dropped repeats, ...)


def run(
    options: RunOptions, *, n_resamples: int = N_RESAMPLES, recorded: bool = True, results_dir: Path | None = None
) -> RunResult:
    """Run, measure and (with `results_dir`) record: results/runs/<task>/<rater>.json."""
    start = time.perf_counter()
    logs = run_tasks(options)
    rows, records, notes = [], [], []
    for task_id in sorted({task_of(log) for log in logs}):
        spec = load_task(task_id)
        labels = task_labels(spec)
        notes += labels.report
        task_rows = task_rows_of(spec, labels, logs, recorded, n_resamples)
        rows += task_rows
        records += [record(row.agreement, spec, row.run, row.log) for row in task_rows]
    paths, partial = [], []
    if results_dir:
        done = [rec for row, rec in zip(rows, records, strict=True) if row.complete]
        paths = write_records(done, results_dir)
        # A partial run (a --limit, unfinished samples) never replaces a published record: it is
        # written beside the results, where the leaderboard does not read.
        unfinished = [rec for row, rec in zip(rows, records, strict=True) if not row.complete]
        partial = write_records(unfinished, partial_dir(results_dir))
    return RunResult(rows, records, logs, time.perf_counter() - start, paths=paths, partial=partial, notes=notes)


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
