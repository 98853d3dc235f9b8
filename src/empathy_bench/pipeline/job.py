"""The main job: run every task, measure every row, compare each task's rows with one another,
write the records and the comparisons."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log

from empathy_bench.agreement.paired import Comparison, Entry, compare_raters
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.core.kinds import kind
from empathy_bench.core.lock import folder_locks
from empathy_bench.leaderboard.comparisons import write_comparisons
from empathy_bench.leaderboard.recipient import RecipientTable, write_recipient
from empathy_bench.leaderboard.record import RunRecord, record, write_records
from empathy_bench.pipeline.probe_rows import probe_rows
from empathy_bench.pipeline.recipient_rows import is_recipient_task, recipient_table
from empathy_bench.pipeline.row import Row, judge_of, probe_of, rating_logs, task_of
from empathy_bench.pipeline.spread import with_spreads
from empathy_bench.runs.execute import RunOptions, finished_logs
from empathy_bench.runs.pool import fork_map
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.spec import TaskSpec, load_task
from empathy_bench.tasks.spec import default_task_ids as every_task


@dataclass
class RunResult:
    rows: list[Row]
    records: list[RunRecord]
    logs: list[EvalLog]  # the finished logs' headers (read_eval_log(log.location) for the samples)
    seconds: float
    paths: list[Path] = field(default_factory=list)  # the run records written
    partial: list[Path] = field(default_factory=list)  # records of partial runs, kept apart
    notes: list[str] = field(default_factory=list)  # what loading the labels did (dropped repeats, ...)
    # each task's paired comparisons of its rows (agreement/paired.py), and the files they went to
    comparisons: list[Comparison] = field(default_factory=list)
    comparison_paths: list[Path] = field(default_factory=list)
    # tasks whose reference is the person supported: the recipient-perspective tables (and files)
    recipient: list[RecipientTable] = field(default_factory=list)
    recipient_paths: list[Path] = field(default_factory=list)


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
    # every task of the run is measured, one no candidate ran on too (from its labels alone)
    selected = options.tasks or every_task()
    return measure(finished_logs(options), n_resamples, recorded, results_dir, start, tasks=selected)


def measure(
    logs: list[EvalLog],
    n_resamples: int,
    recorded: bool,
    results_dir: Path | None,
    start: float | None = None,
    tasks: list[str] | None = None,
) -> RunResult:
    """Every row of the finished logs (headers, from every shard), their records and (with
    `results_dir`) the records written: what `run` does once its shards finished, and all that
    `collect` does (pipeline/collect.py). `tasks` (ids or paths) are measured even where no log
    is theirs: the rows their labels alone give (recorded judges and their test-retest, the
    crowd, the ceiling), so a recorded judge's repeated runs show without any judge run."""
    start = time.perf_counter() if start is None else start
    task_ids = sorted({task_of(log) for log in logs})
    task_ids += unlogged(tasks or [], task_ids)
    weights = [sum(_samples(lg) for lg in logs if task_of(lg) == task_id) for task_id in task_ids]
    measured = fork_map(lambda task_id: measure_task(task_id, logs, recorded, n_resamples), task_ids, weights)
    rows = [row for task_rows, _, _, _ in measured for row in task_rows]
    records = [rec for _, task_records, _, _ in measured for rec in task_records]
    # tasks on one label source load it alike: each note once, in the order first met
    notes = list(dict.fromkeys(line for _, _, task_notes, _ in measured for line in task_notes))
    # an outcome task has no rows to compare (its figures are in its recipient table): no file for it
    compared = {
        task_id: found
        for task_id, (*_, found) in zip(task_ids, measured, strict=True)
        if not load_task(task_id).is_outcome
    }
    paths, partial, comparison_paths = [], [], []
    if results_dir:
        done = [rec for row, rec in zip(rows, records, strict=True) if row.complete]
        paths = write_records(done, results_dir)
        # A partial run (a --limit, unfinished samples) never replaces a published record: it is
        # written beside the results, where the leaderboard does not read.
        unfinished = [rec for row, rec in zip(rows, records, strict=True) if not row.complete]
        partial = write_records(unfinished, partial_dir(results_dir))
        comparison_paths = _write_comparisons(compared, rows, results_dir)
    recipient = recipient_tables(task_ids, logs, n_resamples)
    # beside results/runs/ (whose <task>/*.json are run records), as results/recipient/<task>.json
    # (a partial run's as results/partial-recipient/<task>.json)
    recipient_paths = write_recipient(recipient, results_dir.parent) if results_dir else []
    return RunResult(
        rows,
        records,
        logs,
        time.perf_counter() - start,
        paths=paths,
        partial=partial,
        notes=notes,
        comparisons=[c for found in compared.values() for c in found],
        comparison_paths=comparison_paths,
        recipient=recipient,
        recipient_paths=recipient_paths,
    )


def recipient_tables(task_ids: list[str], headers: list[EvalLog], n_resamples: int) -> list[RecipientTable]:
    """The recipient-perspective table of each task whose reference is the person supported
    (pipeline/recipient_rows.py), from its plain judge logs."""
    tables = []
    for task_id in task_ids:
        spec = load_task(task_id)
        if not is_recipient_task(spec):
            continue
        mine = sorted((lg for lg in headers if task_of(lg) == spec.id and not probe_of(lg)), key=judge_of)
        full = [read_eval_log(lg.location) for lg in mine]
        tables.append(recipient_table(spec, task_labels(spec), full, n_resamples))
    return tables


def _write_comparisons(compared: dict[str, list[Comparison]], rows: list[Row], results_dir: Path) -> list[Path]:
    """A task's comparisons go beside its records when all of its rows are complete, else beside
    the partial records: a --limit run must not replace the comparison of the complete rows."""
    unfinished = {row.agreement.task for row in rows if not row.complete}
    done = {task: found for task, found in compared.items() if task not in unfinished}
    partly = {task: found for task, found in compared.items() if task in unfinished}
    return write_comparisons(done, results_dir) + write_comparisons(partly, partial_dir(results_dir))


def unlogged(tasks: list[str], logged: list[str]) -> list[str]:
    """The tasks (ids or paths) whose id is not among the `logged` ones, each once."""
    found: dict[str, str] = {}
    for name in tasks:
        found.setdefault(load_task(name).id, name)
    return [name for task_id, name in sorted(found.items()) if task_id not in logged]


def measure_task(
    task_id: str, headers: list[EvalLog], recorded: bool, n_resamples: int
) -> tuple[list[Row], list[RunRecord], list[str], list[Comparison]]:
    """A task's rows, their records, what loading its labels did and the paired comparisons of
    its rows. The logs it reads in full are its own (plain runs and probes) and, for a compare or
    coach task, the plain rate logs its ratings-derived rows use; each row keeps its log's header,
    not the samples, and no draws."""
    spec = load_task(task_id)
    labels = task_labels(spec)
    needed = logs_needed(spec, headers)
    header = {lg.location: lg for lg in needed}
    rows = task_rows_of(spec, labels, [read_eval_log(location) for location in header], recorded, n_resamples)
    records = [record(row.agreement, spec, row.run, row.log) for row in rows]
    comparisons = task_comparisons(spec.id, rows)
    kept = [replace(row, log=header[row.log.location] if row.log else None, headline=None) for row in rows]
    return kept, records, labels.report, comparisons


def task_comparisons(task_id: str, rows: list[Row]) -> list[Comparison]:
    """Every row with a headline against every other, one comparison per criterion on a compare
    task (its criteria are scored on different references) and one for any other task."""
    groups: dict[str | None, list[Entry]] = {}
    for row in rows:
        a = row.agreement
        if row.headline is not None:
            criterion = a.criterion if isinstance(a, PreferenceAgreement) else None
            groups.setdefault(criterion, []).append(Entry(a.rater, a.rater_type, a.role, row.headline))
    found = [compare_raters(task_id, entries, criterion=criterion) for criterion, entries in groups.items()]
    return [c for c in found if c is not None]


def logs_needed(spec: TaskSpec, headers: list[EvalLog]) -> list[EvalLog]:
    """The logs a task's rows read: its own, and for a compare or coach task the rate logs its
    rows from ratings are made of (reading a log costs more than measuring it: the other logs on
    the same conversations, such as another task's probes, are left unread)."""
    mine = [lg for lg in headers if task_of(lg) == spec.id]
    if not kind(spec.kind).reads_rate_logs:
        return mine
    return mine + rating_logs(spec, [lg for lg in headers if task_of(lg) != spec.id and not probe_of(lg)])


def _samples(log: EvalLog) -> int:
    return log.eval.dataset.samples or 0


def task_rows_of(spec: TaskSpec, labels: LabelSet, logs: list[EvalLog], recorded: bool, n_resamples: int) -> list[Row]:
    """Every row of one task: its judges', its reference rows and its probes'. An outcome task has
    none: its figures are correlations with an outcome, not agreement, in its recipient table."""
    if spec.is_outcome:
        return []
    plain = [lg for lg in logs if not probe_of(lg)]
    # eval_set returns logs in completion order: sort, so nothing depends on timing
    mine = sorted((lg for lg in plain if task_of(lg) == spec.id), key=judge_of)
    probed = sorted(
        (lg for lg in logs if task_of(lg) == spec.id and probe_of(lg)), key=lambda lg: (probe_of(lg), judge_of(lg))
    )
    found = kind(spec.kind)
    rows = found.rows(spec, labels, mine, plain, recorded, n_resamples)
    rows += probe_rows(spec, labels, probed, n_resamples)
    if found.extra_rows is not None:  # test-retest, length against the words
        rows += found.extra_rows(spec, labels, probed, mine, recorded, n_resamples)
    # the spread of each row's headline over its rater's epochs or recorded runs
    return with_spreads(spec, labels, rows)


def partial_dir(results_dir: Path) -> Path:
    """Where records of partial runs go: results/partial-runs/ beside results/runs/."""
    return results_dir.parent / "partial-runs"
