"""The rows of a rate task: each judge's ratings against the task's reference, and the reference
rows (recorded judges, the crowd, the expert ceiling), each with its headline on the task's
shared draws."""

from __future__ import annotations

from inspect_ai.log import EvalLog

from empathy_bench.agreement.rater import headline, rater_agreement, reference_raters, reference_rows
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.pipeline.row import Row, kind_of
from empathy_bench.runs.log import read_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.labels import recorded_raters
from empathy_bench.tasks.spec import TaskSpec


def judge_row(log: EvalLog, spec: TaskSpec, labels: LabelSet, n_resamples: int = N_RESAMPLES) -> Row:
    """A judge's log as a leaderboard row: its ratings against the task's reference."""
    wide, summary = read_log(log)
    agreement = rater_agreement(spec, labels, wide, summary.judge, kind_of(summary), n_resamples)
    found = headline(spec, labels, wide.sort_index(), n_resamples)
    return Row(agreement, summary, log, summary.complete, headline=found)


def reference_rate_rows(spec: TaskSpec, labels: LabelSet, recorded: list[str], n_resamples: int) -> list[Row]:
    """The recorded judges', the crowd's and the ceiling's rows, with their headlines."""
    tables = {label: wide for _, _, label, wide in reference_raters(spec, labels, recorded)}
    return [
        Row(a, headline=headline(spec, labels, None if a.role == "ceiling" else tables[a.rater], n_resamples))
        for a in reference_rows(spec, labels, recorded, n_resamples)
    ]


def rate_rows(
    spec: TaskSpec, labels: LabelSet, mine: list[EvalLog], logs: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """The rate kind's `rows` hook: each judge's row, then the reference rows (the recorded
    judges when `recorded`, the humans, the ceiling)."""
    rows = [judge_row(log, spec, labels, n_resamples) for log in mine]
    return rows + reference_rate_rows(spec, labels, recorded_raters(spec, labels) if recorded else [], n_resamples)
