"""The main job, across the stages: run the judges (runs), read each log into the judge's
ratings (runs), measure every rater's agreement with the task's reference next to the label
source's recorded judges, the crowd and the expert ceiling (agreement), and write the run records
the leaderboard is built from (leaderboard)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from inspect_ai.log import EvalLog

from empathy_bench.agreement.rater import RaterAgreement, RaterKind, rater_agreement, reference_rows
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.leaderboard.record import RunRecord, record, write_records
from empathy_bench.runs.execute import RunOptions, run_tasks
from empathy_bench.runs.log import LogSummary, read_log
from empathy_bench.sources.card import load_source_card
from empathy_bench.sources.labels import LabelSet, load_source
from empathy_bench.tasks.spec import TaskSpec, load_task


@dataclass
class Row:
    """One leaderboard row as the run produced it: the rater's agreement and, for a judge the
    harness ran, what its log says."""

    agreement: RaterAgreement
    run: LogSummary | None = None


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
    for task_id in sorted({_task_of(log) for log in logs}):
        spec = load_task(task_id)
        labels = load_source(spec.source, [spec.framework])
        notes += labels.report
        # eval_set returns logs in completion order: sort, so nothing depends on timing
        for log in sorted((lg for lg in logs if _task_of(lg) == task_id), key=_judge_of):
            row = judge_row(log, spec, labels, n_resamples)
            rows.append(row)
            records.append(record(row.agreement, spec, row.run, log))
        recorded_ids = recorded_judges(spec) if recorded else []
        for agreement in reference_rows(spec, labels, recorded_ids, n_resamples):
            rows.append(Row(agreement))
            records.append(record(agreement, spec))
    paths, partial = [], []
    if results_dir:
        complete = [r for r in records if r.run is None or r.run.complete]
        paths = write_records(complete, results_dir)
        # A partial run (a --limit, unfinished samples) never replaces a published record: it is
        # written beside the results, where the leaderboard does not read.
        partial = write_records([r for r in records if r.run and not r.run.complete], partial_dir(results_dir))
    return RunResult(rows, records, logs, time.perf_counter() - start, paths=paths, partial=partial, notes=notes)


def partial_dir(results_dir: Path) -> Path:
    """Where records of partial runs go: results/partial-runs/ beside results/runs/."""
    return results_dir.parent / "partial-runs"


def judge_row(log: EvalLog, spec: TaskSpec, labels: LabelSet, n_resamples: int = N_RESAMPLES) -> Row:
    """A judge's log as a leaderboard row: its ratings against the task's reference."""
    wide, summary = read_log(log)
    kind: RaterKind = "baseline" if summary.baseline else "run"
    agreement = rater_agreement(spec, labels, wide, summary.judge, kind, n_resamples)
    return Row(agreement, summary)


def recorded_judges(spec: TaskSpec) -> list[str]:
    """The task framework's recorded judges, as its source card lists them."""
    framework = load_source_card(spec.source).framework(spec.framework)
    return [r.id for r in framework.raters if r.group == "recorded"]


def _task_of(log: EvalLog) -> str:
    return str((log.eval.metadata or {}).get("task", log.eval.task))


def _judge_of(log: EvalLog) -> tuple[str, str]:
    return str((log.eval.metadata or {}).get("judge") or ""), log.eval.model
