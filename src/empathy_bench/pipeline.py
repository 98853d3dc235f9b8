"""The main job, across the stages: run the judges (runs), read each log into the judge's
ratings or choices (runs), measure every rater's agreement with the task's reference next to the
label source's recorded judges, the crowd and the expert ceiling (agreement), and write the run
records the leaderboard is built from (leaderboard).

On a compare task the rows are: each compare judge's run (both orders), each rate judge of the
same run and framework with its choices derived from its own ratings (no new model calls), the
recorded judges and the crowd from their ratings, and the expert ceiling."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
from inspect_ai.log import EvalLog

from empathy_bench.agreement.preference import (
    RATINGS_ORDER,
    PreferenceAgreement,
    preference_agreement,
    preference_ceiling,
)
from empathy_bench.agreement.rater import CROWD_LABEL, RaterAgreement, RaterKind, rater_agreement, reference_rows
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.leaderboard.record import RunRecord, record, write_records
from empathy_bench.runs.execute import RunOptions, run_tasks
from empathy_bench.runs.log import LogSummary, read_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.sources.preference import choices_from_ratings
from empathy_bench.tasks.labels import items_identity, recorded_raters, task_labels
from empathy_bench.tasks.preferences import TaskPreferences, task_preferences
from empathy_bench.tasks.spec import TaskSpec, load_task

FROM_RATINGS = " (from ratings)"


@dataclass
class Row:
    """One leaderboard row as the run produced it: the rater's agreement and, for a judge the
    harness ran, what its log says."""

    agreement: RaterAgreement | PreferenceAgreement
    run: LogSummary | None = None
    log: EvalLog | None = None  # the log the row's provenance comes from
    complete: bool = True  # False: from a partial run (a --limit, unfinished samples)


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
        labels = task_labels(spec)
        notes += labels.report
        # eval_set returns logs in completion order: sort, so nothing depends on timing
        mine = sorted((lg for lg in logs if _task_of(lg) == task_id), key=_judge_of)
        if spec.kind == "compare":
            task_rows = compare_rows(spec, labels, mine, logs, recorded, n_resamples)
        else:
            task_rows = [judge_row(log, spec, labels, n_resamples) for log in mine]
            recorded_ids = recorded_raters(spec, labels) if recorded else []
            task_rows += [Row(a) for a in reference_rows(spec, labels, recorded_ids, n_resamples)]
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


def partial_dir(results_dir: Path) -> Path:
    """Where records of partial runs go: results/partial-runs/ beside results/runs/."""
    return results_dir.parent / "partial-runs"


def judge_row(log: EvalLog, spec: TaskSpec, labels: LabelSet, n_resamples: int = N_RESAMPLES) -> Row:
    """A judge's log as a leaderboard row: its ratings against the task's reference."""
    wide, summary = read_log(log)
    agreement = rater_agreement(spec, labels, wide, summary.judge, _kind(summary), n_resamples)
    return Row(agreement, summary, log, summary.complete)


def compare_rows(
    spec: TaskSpec, labels: LabelSet, mine: list[EvalLog], logs: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """Every row of a compare task, per criterion (see the module docstring)."""
    prefs = task_preferences(spec, labels)
    rows = []
    for criterion in spec.criteria:
        reference = prefs.reference(spec, criterion)
        experts = _expert_choices(prefs, criterion)
        # every rater is also scored against the references the ceiling's experts face (human=)
        measure = partial(
            preference_agreement,
            spec.id,
            reference=reference,
            criterion=criterion,
            n_resamples=n_resamples,
            human=experts,
        )
        for log in mine:
            choices, summary = read_log(log)
            verdicts = choices[choices.criterion == criterion][["pair_id", "order", "choice"]]
            rows.append(Row(measure(summary.judge, _kind(summary), verdicts), summary, log, summary.complete))
        for log in sorted(rating_logs(spec, logs), key=_judge_of):
            wide, summary = read_log(log)
            derived = choices_from_ratings(prefs.pairs, wide, spec.rubric_model, [criterion], summary.judge, "judge")
            agreement = measure(summary.judge + FROM_RATINGS, _kind(summary), _from_ratings(derived), from_ratings=True)
            if missing := len(prefs.pairs) - len(derived):
                note = f"{missing} pairs have no choice: the rate run left a rating of one of their items unscored"
                agreement = agreement.model_copy(update={"notes": [*agreement.notes, note]})
            rows.append(Row(agreement, log=log, complete=summary.complete))
        rows += reference_preference_rows(spec, prefs, criterion, recorded, measure)
        ceiling = preference_ceiling(spec.id, experts, reference, criterion, n_resamples, gaps=prefs.expert_gaps)
        rows += [Row(ceiling)] if ceiling is not None else []
    return rows


def reference_preference_rows(
    spec: TaskSpec,
    prefs: TaskPreferences,
    criterion: str,
    recorded: bool,
    measure: Callable[..., PreferenceAgreement],
) -> list[Row]:
    """The recorded judges' and the crowd's choices (derived from their ratings, where the task
    derives its preferences) against the reference."""
    if not prefs.derived:
        return []
    recorded_ids = sorted(set(prefs.choices[prefs.choices.rater_group == "recorded"].rater_id)) if recorded else []
    raters = [(r, "recorded", r + FROM_RATINGS) for r in recorded_ids]
    rows = []
    for rater, kind, label in raters + [("crowd", "human", CROWD_LABEL)]:
        choices = prefs.rater_choices(rater, criterion)
        if len(choices) and rater != spec.reference:
            agreement = measure(label, kind, choices.assign(order=RATINGS_ORDER), from_ratings=True)
            rows.append(Row(agreement.model_copy(update={"role": "crowd"}) if rater == "crowd" else agreement))
    return rows


def rating_logs(spec: TaskSpec, logs: list[EvalLog]) -> list[EvalLog]:
    """The run's rate logs on the compare task's conversations (the same items and framework)
    with every dimension rated (one per judge: the first rate task by id)."""
    found: dict[str, EvalLog] = {}
    here = (sha256_bytes(items_identity(spec), short=True), spec.framework)
    for log in sorted(logs, key=_task_of):
        meta = log.eval.metadata or {}
        if meta.get("kind", "rate") != "rate" or (meta.get("items_sha256"), meta.get("framework")) != here:
            continue
        if set(load_task(_task_of(log)).dimension_ids) >= set(spec.rubric_model.dimension_ids):
            found.setdefault(_judge_of(log)[0], log)
    return list(found.values())


def _from_ratings(choices: pd.DataFrame) -> pd.DataFrame:
    return choices[["pair_id", "choice"]].assign(order=RATINGS_ORDER)


def _expert_choices(prefs: TaskPreferences, criterion: str) -> pd.DataFrame:
    rows = prefs.choices[(prefs.choices.rater_group == "expert") & (prefs.choices.criterion == criterion)]
    return rows[["pair_id", "rater_id", "choice"]]


def _kind(summary: LogSummary) -> RaterKind:
    return "baseline" if summary.baseline else "run"


def _task_of(log: EvalLog) -> str:
    return str((log.eval.metadata or {}).get("task", log.eval.task))


def _judge_of(log: EvalLog) -> tuple[str, str]:
    return str((log.eval.metadata or {}).get("judge") or ""), log.eval.model
