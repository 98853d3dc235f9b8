"""The rows of a rate task: each judge's ratings against the task's reference, and the reference
rows (recorded judges, the crowd, the expert ceiling), each with its headline on the task's
shared draws."""

from __future__ import annotations

from inspect_ai.log import EvalLog

from empathy_bench.agreement.rater import expert_ceiling, headline, rater_agreement
from empathy_bench.agreement.references import reference_raters
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.pipeline.row import Row, rater_type_of
from empathy_bench.runs.log import read_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.spec import TaskSpec


def judge_row(log: EvalLog, spec: TaskSpec, labels: LabelSet, n_resamples: int = N_RESAMPLES) -> Row:
    """A judge's log as a leaderboard row: its ratings against the task's reference."""
    wide, summary = read_log(log)
    agreement = rater_agreement(spec, labels, wide, summary.judge, rater_type_of(summary), n_resamples)
    found = headline(spec, labels, wide.sort_index(), n_resamples)
    return Row(agreement, summary, log, summary.complete, headline=found)


def reference_rate_rows(spec: TaskSpec, labels: LabelSet, recorded: bool, n_resamples: int) -> list[Row]:
    """The reference rows (`reference_raters`: the recorded judges when `recorded`, the human rows,
    the ceiling), each with its headline."""
    rows = []
    for ref in reference_raters(spec, labels, recorded=recorded):
        if ref.role == "ceiling":
            ceiling = expert_ceiling(spec, labels, n_resamples, seed=0)  # None without an expert panel
            rows += [Row(ceiling, headline=headline(spec, labels, None, n_resamples))] if ceiling else []
            continue
        found = rater_agreement(spec, labels, ref.ratings, ref.label, ref.rater_type, n_resamples)
        row = found.model_copy(update={"role": ref.role})
        rows.append(Row(row, headline=headline(spec, labels, ref.ratings, n_resamples)))
    return rows


def rate_rows(
    spec: TaskSpec, labels: LabelSet, mine: list[EvalLog], logs: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """The rate kind's `rows` hook: each judge's row, then the reference rows (the recorded
    judges when `recorded`, the humans, the ceiling)."""
    rows = [judge_row(log, spec, labels, n_resamples) for log in mine]
    return rows + reference_rate_rows(spec, labels, recorded, n_resamples)
