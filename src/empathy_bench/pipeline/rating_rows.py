"""The rows of a rate task: each judge's ratings against the task's reference."""

from __future__ import annotations

from inspect_ai.log import EvalLog

from empathy_bench.agreement.rater import rater_agreement
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.pipeline.row import Row, kind_of
from empathy_bench.runs.log import read_log
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.spec import TaskSpec


def judge_row(log: EvalLog, spec: TaskSpec, labels: LabelSet, n_resamples: int = N_RESAMPLES) -> Row:
    """A judge's log as a leaderboard row: its ratings against the task's reference."""
    wide, summary = read_log(log)
    agreement = rater_agreement(spec, labels, wide, summary.judge, kind_of(summary), n_resamples)
    return Row(agreement, summary, log, summary.complete)
